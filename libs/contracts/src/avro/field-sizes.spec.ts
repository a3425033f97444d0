import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as avro from 'avsc';
import { createDecoder, type Decoder } from './decoder';
import type { DecodeFailure, DecodeResult } from './decode-result';
import { loadSchemaHistory, type SchemaHistory } from './schema-history';
import { encodeSingleObject } from './single-object';

/** Every place a string can sit: plain, optional, in arrays, maps (keys and values), nested and recursive records, wrapped unions; bytes; a numeric key field. */
const DOC = {
  type: 'record',
  name: 'Doc',
  namespace: 'test',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'region', type: 'long' },
    { name: 'note', type: ['null', 'string'], default: null },
    { name: 'tags', type: { type: 'array', items: 'string' } },
    { name: 'attrs', type: { type: 'map', values: 'string' } },
    {
      name: 'inner',
      type: {
        type: 'record',
        name: 'Inner',
        fields: [
          { name: 'label', type: 'string' },
          { name: 'next', type: ['null', 'Inner'], default: null },
        ],
      },
    },
    {
      name: 'either',
      type: [
        'null',
        { type: 'record', name: 'A', fields: [{ name: 'a', type: 'string' }] },
        { type: 'record', name: 'B', fields: [{ name: 'b', type: 'string' }] },
      ],
      default: null,
    },
    { name: 'code', type: { type: 'string', logicalType: 'uuid' }, default: '' },
    { name: 'score', type: 'double', default: 0 },
  ],
};

interface Doc {
  id: string;
  region: number;
  note: string | null;
  tags: string[];
  attrs: Record<string, string>;
  inner: { label: string; next: { label: string; next: null } | null };
  either: { 'test.A': { a: string } } | { 'test.B': { b: string } } | null;
  code: string;
  score: number;
}

const doc = (extra: Partial<Doc> = {}): Doc => ({
  id: 'd-1',
  region: 7,
  note: null,
  tags: ['a'],
  attrs: { site: 's1' },
  inner: { label: 'in', next: null },
  either: null,
  code: '',
  score: 1,
  ...extra,
});

/** Small limits so that the boundaries are easy to see: strings 16 bytes, key fields 8. */
const LIMITS = { maxStringBytes: 16, maxKeyFieldBytes: 8, keyFields: ['id', 'region'] };

function failure(result: DecodeResult<unknown>): DecodeFailure {
  if (result.ok) throw new Error(`expected a failure, got ${JSON.stringify(result.record)}`);
  return result;
}

describe('field size limits (decoder)', () => {
  let dir: string;
  let docs: SchemaHistory;
  let type: avro.Type;
  let decoder: Decoder<Doc>;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'field-sizes-'));
    writeFileSync(join(dir, 'v1.avsc'), JSON.stringify(DOC));
    docs = loadSchemaHistory(dir);
    type = docs.latest.type;
    decoder = createDecoder<Doc>(docs, LIMITS);
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  /** The same record through Avro and through JSON: both must give `expected`. */
  async function bothPaths(record: Doc): Promise<[DecodeResult<Doc>, DecodeResult<Doc>]> {
    const avroResult = await decoder.decode(encodeSingleObject(type, record));
    const jsonResult = decoder.fromJson(JSON.parse(JSON.stringify(record)));
    return [avroResult, jsonResult];
  }

  it('accepts strings and key fields of exactly the limit, counted in UTF-8 bytes', async () => {
    const record = doc({
      id: 'é'.repeat(4), // 8 bytes, 4 characters
      note: '𝄞'.repeat(4), // 16 bytes
      tags: ['x'.repeat(16)],
      attrs: { ['k'.repeat(16)]: '€'.repeat(5) + 'x' }, // key 16, value 16
      inner: { label: 'x'.repeat(16), next: { label: 'y'.repeat(16), next: null } },
    });
    for (const result of await bothPaths(record)) expect(result.ok).toBe(true);
  });

  it.each<[string, Partial<Doc>, string[], string]>([
    [
      'a key field one byte over',
      { id: 'é'.repeat(4) + 'x' },
      ['id'],
      'id is 9 bytes; a key field may have at most 8',
    ],
    [
      'a numeric key field whose text is over',
      { region: 1_234_567_890 },
      ['region'],
      'region is 10 bytes; a key field may have at most 8',
    ],
    [
      'a key field over both limits, reported once as a key field',
      { id: 'x'.repeat(100) },
      ['id'],
      'id is 100 bytes; a key field may have at most 8',
    ],
    [
      'an optional string',
      { note: '𝄞'.repeat(4) + 'x' },
      ['note'],
      'note is 17 bytes; a string may have at most 16',
    ],
    [
      'an array item',
      { tags: ['a', 'b', 'é'.repeat(9)] },
      ['tags.2'],
      'tags.2 is 18 bytes; a string may have at most 16',
    ],
    [
      'a map value',
      { attrs: { site: 'x'.repeat(17) } },
      ['attrs.site'],
      'attrs.site is 17 bytes; a string may have at most 16',
    ],
    [
      'a map key, at the map (the key is not repeated in the path)',
      { attrs: { ['k'.repeat(40)]: 'v' } },
      ['attrs'],
      'a key of map attrs is 40 bytes; a map key may have at most 16',
    ],
    [
      'a nested and a recursive record',
      { inner: { label: 'x'.repeat(17), next: { label: 'y'.repeat(18), next: null } } },
      ['inner.label', 'inner.next.label'],
      'inner.label is 17 bytes; a string may have at most 16; inner.next.label is 18 bytes; a string may have at most 16',
    ],
    [
      'a branch of a wrapped union',
      { either: { 'test.B': { b: 'x'.repeat(20) } } },
      ['either.b'],
      'either.b is 20 bytes; a string may have at most 16',
    ],
    [
      'a logical type over a string',
      { code: 'x'.repeat(36) },
      ['code'],
      'code is 36 bytes; a string may have at most 16',
    ],
  ])('TOO_LARGE for %s, naming the field, in Avro and in JSON', async (_name, extra, fields, reason) => {
    for (const result of await bothPaths(doc(extra)))
      expect(failure(result)).toEqual({ ok: false, code: 'TOO_LARGE', reason, fields });
  });

  it('bounds bytes values (Avro) by their length', async () => {
    const withBytes = { ...DOC, name: 'WithBytes', fields: [...DOC.fields, { name: 'blob', type: 'bytes' }] };
    const bytesDir = mkdtempSync(join(tmpdir(), 'field-sizes-bytes-'));
    try {
      writeFileSync(join(bytesDir, 'v1.avsc'), JSON.stringify(withBytes));
      const history = loadSchemaHistory(bytesDir);
      const bytesDecoder = createDecoder(history, LIMITS);
      const ok = await bytesDecoder.decode(
        encodeSingleObject(history.latest.type, { ...doc(), blob: Buffer.alloc(16) }),
      );
      expect(ok.ok).toBe(true);
      const over = await bytesDecoder.decode(
        encodeSingleObject(history.latest.type, { ...doc(), blob: Buffer.alloc(17) }),
      );
      expect(failure(over)).toMatchObject({ code: 'TOO_LARGE', fields: ['blob'] });
    } finally {
      rmSync(bytesDir, { recursive: true, force: true });
    }
  });

  it('names at most ten fields and says how many more there are', async () => {
    const record = doc({ tags: Array.from({ length: 13 }, () => 'x'.repeat(17)) });
    for (const result of await bothPaths(record)) {
      const f = failure(result);
      expect(f.code).toBe('TOO_LARGE');
      expect(f.fields).toEqual(Array.from({ length: 10 }, (_, i) => `tags.${i}`));
      expect(f.reason).toMatch(/; and 3 more$/);
    }
  });

  it('is checked before NaN and after the schema (a wrong type stays INVALID_FIELD)', async () => {
    const bytes = Buffer.from(encodeSingleObject(type, doc({ note: 'x'.repeat(17), score: 1.5 })));
    bytes.writeDoubleLE(Number.NaN, bytes.length - 8);
    expect(failure(await decoder.decode(bytes)).code).toBe('TOO_LARGE');
    expect(failure(decoder.fromJson({ ...doc({ note: 'x'.repeat(17) }), region: 'r' })).code).toBe(
      'INVALID_FIELD',
    );
  });

  it('ignores a key field the record does not have, and applies no key limit without key fields', async () => {
    const noKeys = createDecoder<Doc>(docs, {
      maxStringBytes: 16,
      maxKeyFieldBytes: 8,
      keyFields: ['missing'],
    });
    expect((await noKeys.decode(encodeSingleObject(type, doc({ id: 'x'.repeat(16) })))).ok).toBe(true);
    const stringsOnly = createDecoder<Doc>(docs, { maxStringBytes: 16 });
    expect((await stringsOnly.decode(encodeSingleObject(type, doc({ id: 'x'.repeat(16) })))).ok).toBe(true);
  });

  it('checks nothing when given no field limits (decoders of records already past the gate)', async () => {
    const unlimited = createDecoder<Doc>(docs);
    const record = doc({ id: 'x'.repeat(100_000), tags: ['y'.repeat(100_000)] });
    expect((await unlimited.decode(encodeSingleObject(type, record))).ok).toBe(true);
    expect(unlimited.fromJson(record).ok).toBe(true);
  });

  it('dead-letters a 1 MB key field with the default message cap', async () => {
    const defaults = createDecoder<Doc>(docs, {
      maxStringBytes: 65_536,
      maxKeyFieldBytes: 1_024,
      keyFields: ['id'],
    });
    const result = await defaults.decode(encodeSingleObject(type, doc({ id: 'o'.repeat(1_000_000) })));
    expect(failure(result)).toEqual({
      ok: false,
      code: 'TOO_LARGE',
      reason: 'id is 1000000 bytes; a key field may have at most 1024',
      fields: ['id'],
    });
  });
});
