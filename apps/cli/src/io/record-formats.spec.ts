import {
  parseJsonLines,
  parseJsonRecords,
  RecordFormatError,
  resolveFormat,
  toJsonLine,
} from './record-formats';

describe('resolveFormat', () => {
  it('should prefer --format, then the extension, and read stdin as JSON lines', () => {
    expect(resolveFormat('csv', 'x.json')).toBe('csv');
    expect(resolveFormat(undefined, 'a/b.NDJSON')).toBe('jsonl');
    expect(resolveFormat(undefined, 'f.parquet')).toBe('parquet');
    expect(resolveFormat(undefined, undefined)).toBe('jsonl');
  });

  it('should refuse an unknown format or extension', () => {
    expect(() => resolveFormat('xml', undefined)).toThrow(RecordFormatError);
    expect(() => resolveFormat(undefined, 'data.txt')).toThrow(/pass --format/);
  });
});

describe('parseJsonRecords', () => {
  it('should read an array of objects or a single object', () => {
    expect(parseJsonRecords('[{"a":1},{"a":2}]')).toEqual([{ a: 1 }, { a: 2 }]);
    expect(parseJsonRecords('{"a":1}')).toEqual([{ a: 1 }]);
  });

  it('should refuse elements that are not objects', () => {
    expect(() => parseJsonRecords('[{"a":1}, 3]')).toThrow('element 1: a record must be a JSON object');
    expect(() => parseJsonRecords('[')).toThrow(/invalid JSON/);
  });
});

describe('parseJsonLines', () => {
  it('should read one object per line, skipping blank lines', () => {
    expect(parseJsonLines('{"a":1}\r\n\n{"a":2}\n')).toEqual([{ a: 1 }, { a: 2 }]);
  });

  it('should name the line of bad JSON', () => {
    expect(() => parseJsonLines('{"a":1}\n{oops}\n')).toThrow(/^line 2: invalid JSON/);
    expect(() => parseJsonLines('[1]')).toThrow('line 1: a record must be a JSON object');
  });
});

describe('toJsonLine', () => {
  it('should write bytes as base64 and big integers as strings', () => {
    const line = toJsonLine({ b: Buffer.from('hi'), n: 2n ** 64n, m: { x: 1 } });
    expect(JSON.parse(line)).toEqual({ b: 'aGk=', n: '18446744073709551616', m: { x: 1 } });
  });
});
