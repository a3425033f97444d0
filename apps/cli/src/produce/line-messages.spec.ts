import { createDecoder, loadSchemaHistory } from '@streamscore/contracts';
import { READING_SCHEMA_DIR } from '@streamscore/testing';
import { parseLineRecords } from '../io/line-records';
import { encodeLines, LinesRefused } from './line-messages';
import { RecordEncoder } from './record-encoder';

const reading = (id: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  id,
  at: 1_700_000_000_000,
  device: 'd-1',
  value: 21.5,
  tags: [],
  attrs: {},
  ...extra,
});

const encoder = new RecordEncoder(
  createDecoder(loadSchemaHistory(READING_SCHEMA_DIR)),
  ['device'],
  'avro',
  200,
);
const encode = (record: Record<string, unknown>) => encoder.encode(record);

/** A JSONL file: a good line, then five bad ones of five kinds, a blank line and a good line. */
const file = [
  JSON.stringify(reading('r1')),
  '{"id": "r2", oops',
  JSON.stringify({ id: 'r3', device: 'd-1', value: 1, tags: [], attrs: {} }),
  JSON.stringify(reading('r4', { value: 'hot' })),
  JSON.stringify(reading('r5', { unit: 'x'.repeat(300) })),
  '[1]',
  '',
  JSON.stringify(reading('r8')),
].join('\n');

describe('encodeLines', () => {
  const input = parseLineRecords(Buffer.from(file), 'jsonl');

  it('should report every bad line, with its line number, code and reason, and send nothing', () => {
    let refused: LinesRefused | undefined;
    try {
      encodeLines(input, encode);
    } catch (error) {
      refused = error as LinesRefused;
    }
    expect(refused).toBeInstanceOf(LinesRefused);
    expect(refused?.problems.map((p) => [p.line, p.code, p.fields])).toEqual([
      [2, 'MALFORMED', []],
      [3, 'MISSING_FIELD', ['at']],
      [4, 'INVALID_FIELD', ['value']],
      [5, 'TOO_LARGE', []],
      [6, 'MALFORMED', []],
    ]);
    const lines = refused?.message.split('\n') ?? [];
    expect(lines[0]).toBe('5 of 7 line(s) cannot be sent; nothing was sent:');
    expect(lines.slice(1).map((line) => line.replace(/^ {2}(line \d+: [A-Z_]+).*$/, '$1'))).toEqual([
      'line 2: MALFORMED',
      'line 3: MISSING_FIELD',
      'line 4: INVALID_FIELD',
      'line 5: TOO_LARGE',
      'line 6: MALFORMED',
    ]);
    expect(lines[2]).toMatch(/^ {2}line 3: MISSING_FIELD \(at\): .*at/);
    expect(lines[4]).toMatch(/^ {2}line 5: TOO_LARGE: payload of \d+ bytes exceeds 200$/);
  });

  it('should encode only the selected lines: from --from-line on, at most --max of them', () => {
    expect(encodeLines(input, encode, { fromLine: 7 }).map((m) => m.line)).toEqual([8]);
    expect(encodeLines(input, encode, { max: 1 }).map((m) => m.line)).toEqual([1]);
    expect(() => encodeLines(input, encode, { max: 2 })).toThrow(/^1 of 2 line\(s\)[^\n]*\n {2}line 2: /);
    const [message] = encodeLines(input, encode, { fromLine: 8 });
    expect(message?.message.key).toBe('d-1');
    expect(message?.message.value.subarray(0, 2)).toEqual(Buffer.from([0xc3, 0x01]));
  });

  it('should refuse a JSON-encoded payload over the size limit too, unchecked otherwise', () => {
    const json = new RecordEncoder(
      createDecoder(loadSchemaHistory(READING_SCHEMA_DIR)),
      ['device'],
      'json',
      50,
    );
    expect(json.encode({ device: 'd', anything: 1 })).toMatchObject({ ok: true });
    expect(json.encode({ device: 'd', anything: 'x'.repeat(50) })).toMatchObject({
      ok: false,
      code: 'TOO_LARGE',
    });
  });
});
