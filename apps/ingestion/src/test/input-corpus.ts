import { join } from 'node:path';
import { mulberry32 } from '@streamscore/drift';
import {
  encodeSingleObject,
  Headers,
  ContentTypes,
  loadSchemaHistory,
  type DeadLetterCode,
} from '@streamscore/contracts';

export const FIXTURE_PIPELINE = join(__dirname, 'fixtures', 'pipeline.json');
export const MAX_MESSAGE_BYTES = 4_096;
export const MAX_ARRAY_ITEMS = 1_000;

export interface CorpusMessage {
  readonly key: string;
  readonly value: Buffer;
  readonly headers?: Record<string, string>;
  /** The id when valid; the expected dead-letter code when not. */
  readonly expect: { valid: true; id: string } | { valid: false; code: DeadLetterCode };
}

/**
 * `valid` records across the current schema (v2), the older v1 and JSON, plus `invalid` ones of ten
 * kinds, shuffled. Every message knows what ingestion must make of it.
 */
export function buildCorpus(valid: number, invalid: number, seed = 7): CorpusMessage[] {
  const history = loadSchemaHistory(join(__dirname, 'fixtures', 'schemas', 'reading'));
  const v1 = history.versions[0]!.type;
  const v2 = history.latest.type;
  const random = mulberry32(seed);
  const out: CorpusMessage[] = [];
  const reading = (i: number): Record<string, unknown> => ({
    id: `r-${i}`,
    at: 1_700_000_000_000 + i,
    device: `d-${i % 17}`,
    value: random() * 100,
    tags: ['a', 'b'].slice(0, i % 3),
    attrs: { site: `s${i % 5}` },
  });
  for (let i = 0; i < valid; i++) {
    const r = reading(i);
    const id = String(r['id']);
    const key = String(r['device']);
    const kind = i % 10;
    if (kind < 4)
      out.push({ key, value: encodeSingleObject(v2, { ...r, unit: 'C' }), expect: { valid: true, id } });
    else if (kind < 7) out.push({ key, value: encodeSingleObject(v1, r), expect: { valid: true, id } });
    else
      out.push({
        key,
        value: Buffer.from(JSON.stringify(r)),
        headers: { [Headers.contentType]: ContentTypes.json },
        expect: { valid: true, id },
      });
  }
  const json = { [Headers.contentType]: ContentTypes.json };
  const kinds: (() => CorpusMessage)[] = [
    () => ({
      key: 'x',
      value: Buffer.from([0x42, ...Array.from({ length: 20 }, () => Math.floor(random() * 256))]),
      expect: { valid: false, code: 'UNSUPPORTED_FORMAT' },
    }),
    () => {
      const whole = encodeSingleObject(v2, { ...reading(1), unit: 'C' });
      return {
        key: 'x',
        value: whole.subarray(0, whole.length - 5),
        expect: { valid: false, code: 'TRUNCATED' },
      };
    },
    () => {
      const bytes = Buffer.from(encodeSingleObject(v2, { ...reading(2), unit: 'C' }));
      bytes.writeUInt32LE(0xdeadbeef, 2);
      return { key: 'x', value: bytes, expect: { valid: false, code: 'UNKNOWN_SCHEMA' } };
    },
    () => ({
      key: 'x',
      value: Buffer.from(JSON.stringify({ ...reading(3), value: 'hot' })),
      headers: json,
      expect: { valid: false, code: 'INVALID_FIELD' },
    }),
    () => {
      const r = reading(4);
      delete r['device'];
      return {
        key: 'x',
        value: Buffer.from(JSON.stringify(r)),
        headers: json,
        expect: { valid: false, code: 'MISSING_FIELD' },
      };
    },
    () => ({
      key: 'x',
      value: encodeSingleObject(v2, { ...reading(5), unit: 'x'.repeat(MAX_MESSAGE_BYTES) }),
      expect: { valid: false, code: 'TOO_LARGE' },
    }),
    () => {
      // Header + id + at + device + value, then an array block claiming 100 million items.
      const prefix = encodeSingleObject(v2, { ...reading(6), tags: [], attrs: {}, unit: '' });
      const cut = prefix.length - 3; // drop tags count (0), attrs count (0), unit length (0)
      const hugeCount = Buffer.from([0x80, 0x84, 0xaf, 0x5f]); // zig-zag varint of 100,000,000
      return {
        key: 'x',
        value: Buffer.concat([prefix.subarray(0, cut), hugeCount]),
        expect: { valid: false, code: 'LIMIT_EXCEEDED' },
      };
    },
    () => {
      const bytes = Buffer.from(
        encodeSingleObject(v2, { ...reading(7), value: 1.5, tags: [], attrs: {}, unit: '' }),
      );
      // The double `value` sits just before the 3 trailing zero bytes (tags, attrs, unit).
      bytes.writeDoubleLE(Number.NaN, bytes.length - 3 - 8);
      return { key: 'x', value: bytes, expect: { valid: false, code: 'NOT_FINITE' } };
    },
    () => ({
      key: 'x',
      value: Buffer.concat([encodeSingleObject(v2, { ...reading(8), unit: '' }), Buffer.from([1, 2, 3])]),
      expect: { valid: false, code: 'TRAILING_BYTES' },
    }),
    () => ({
      key: 'x',
      value: Buffer.from('{"id": "r-1", '),
      headers: json,
      expect: { valid: false, code: 'MALFORMED' },
    }),
  ];
  for (let i = 0; i < invalid; i++) out.push(kinds[i % kinds.length]!());
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/**
 * Random and mutated payloads for fuzzing the running service: bit flips, truncations,
 * insertions, random bytes and mangled JSON, derived from valid records. Some survive mutation
 * as valid records; every one must come out exactly once, validated or dead-lettered.
 */
export function buildFuzzCorpus(count: number, seed = 99): CorpusMessage[] {
  const random = mulberry32(seed);
  const int = (below: number): number => Math.floor(random() * below);
  const seeds = buildCorpus(200, 0, seed);
  const out: CorpusMessage[] = [];
  for (let i = 0; i < count; i++) {
    const base = seeds[int(seeds.length)]!;
    let value = Buffer.from(base.value);
    let headers = base.headers;
    switch (int(6)) {
      case 0:
        for (let f = 0; f <= int(4); f++) {
          const at = int(value.length);
          value[at] = value[at]! ^ (1 << int(8));
        }
        break;
      case 1:
        value = value.subarray(0, int(value.length));
        break;
      case 2: {
        const at = int(value.length);
        const extra = Buffer.from(Array.from({ length: 1 + int(8) }, () => int(256)));
        value = Buffer.concat([value.subarray(0, at), extra, value.subarray(at)]);
        break;
      }
      case 3:
        value = Buffer.from(Array.from({ length: int(64) }, () => int(256)));
        headers = undefined;
        break;
      case 4: {
        const text = JSON.stringify({
          id: `f-${i}`,
          at: int(1e12),
          device: 'd',
          value: random() * 9,
          tags: [],
          attrs: {},
        });
        const at = int(text.length);
        value = Buffer.from(text.slice(0, at) + String.fromCharCode(32 + int(90)) + text.slice(at + 1));
        headers = { [Headers.contentType]: ContentTypes.json };
        break;
      }
      default:
        // Valid single-object header with a huge varint where the datum starts.
        value = Buffer.concat([value.subarray(0, 10), Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f])]);
    }
    out.push({
      key: base.key,
      value,
      ...(headers ? { headers } : {}),
      expect: { valid: false, code: 'MALFORMED' },
    });
  }
  return out;
}
