import { Headers } from '@streamscore/contracts';
import { LinesRefused } from './line-messages';
import { rawLines } from './raw-lines';

describe('rawLines (--encoding raw)', () => {
  const invalidUtf8 = Buffer.from([0x7b, 0x22, 0x69, 0x64, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]); // {"id":"\xff\xfe"}
  const file = Buffer.concat([
    Buffer.from('{"origin":"JFK","distance":1e400}\r\n'),
    Buffer.from('\n'),
    Buffer.from('{"origin":"SFO","id":9007199254740993}\n'),
    invalidUtf8,
    Buffer.from('\nnot json at all\n'),
  ]);

  it('should send every line byte for byte, keyed by the entity key when the line is a JSON object', () => {
    const lines = rawLines(file, ['origin'], 1_000);
    expect(lines.map((l) => l.line)).toEqual([1, 3, 4, 5]);
    expect(lines[0]?.message.value.toString('latin1')).toBe('{"origin":"JFK","distance":1e400}');
    expect(lines[1]?.message.value.toString('latin1')).toBe('{"origin":"SFO","id":9007199254740993}');
    expect(lines[2]?.message.value.equals(invalidUtf8)).toBe(true);
    expect(lines.map((l) => l.message.key)).toEqual(['JFK', 'SFO', '', null]);
    expect(lines.every((l) => l.message.headers[Headers.contentType] === 'application/json')).toBe(true);
  });

  it('should keep to --from-line and --max', () => {
    expect(rawLines(file, ['origin'], 1_000, { fromLine: 3, max: 2 }).map((l) => l.line)).toEqual([3, 4]);
  });

  it('should refuse a line over the message cap, naming it, and send nothing', () => {
    expect(() => rawLines(file, ['origin'], 30)).toThrow(LinesRefused);
    expect(() => rawLines(file, ['origin'], 30)).toThrow(/line 1: TOO_LARGE: payload of 33 bytes exceeds 30/);
  });
});
