import { parseLineRecords } from './line-records';
import { RecordFormatError } from './record-formats';

const parse = (text: string, format: 'json' | 'jsonl' | 'csv') => parseLineRecords(Buffer.from(text), format);

describe('parseLineRecords', () => {
  it('should number JSONL records by their file line and report every line that is not a record', () => {
    const input = parse('{"a":1}\n\n{oops}\r\n[2]\n{"a":3}\n"x"\n', 'jsonl');
    expect(input.records).toEqual([
      { line: 1, record: { a: 1 } },
      { line: 5, record: { a: 3 } },
    ]);
    expect(input.problems.map((p) => [p.line, p.code, p.reason.split(':')[0]])).toEqual([
      [3, 'MALFORMED', 'invalid JSON'],
      [4, 'MALFORMED', 'a record must be a JSON object'],
      [6, 'MALFORMED', 'a record must be a JSON object'],
    ]);
  });

  it('should number CSV rows by the file line they start on (the header is line 1)', () => {
    const input = parse('id,note\n1,"two\nlines"\n\n2,x,extra\n3,y\n', 'csv');
    expect(input.records).toEqual([
      { line: 2, record: { id: '1', note: 'two\nlines' } },
      { line: 6, record: { id: '3', note: 'y' } },
    ]);
    expect(input.problems).toEqual([
      { line: 5, code: 'MALFORMED', reason: '3 fields, the header has 2', fields: [] },
    ]);
  });

  it('should number a JSON array by element, and still refuse a document that does not parse', () => {
    expect(parse('[{"a":1}, 3, {"a":2}]', 'json')).toEqual({
      records: [
        { line: 1, record: { a: 1 } },
        { line: 3, record: { a: 2 } },
      ],
      problems: [{ line: 2, code: 'MALFORMED', reason: 'a record must be a JSON object', fields: [] }],
    });
    expect(() => parse('[{"a":1}', 'json')).toThrow(RecordFormatError);
  });
});
