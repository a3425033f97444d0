import * as avro from 'avsc';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createDecoder } from './decoder';
import type { DecodeFailure, DecodeResult } from './decode-result';
import { loadSchemaHistory, type SchemaHistory } from './schema-history';
import { encodeSingleObject, singleObjectHeader } from './single-object';

const repo = resolve(__dirname, '../../../..');
const departures = loadSchemaHistory(resolve(repo, 'demo/flights/schemas/flight-departure'));
const [v1, v2] = [departures.versions[0]!.type, departures.latest.type];
const flight = {
  eventId: 'e-1',
  scheduledAt: 978336000000,
  origin: 'SFO',
  destination: 'LAX',
  distance: 337,
};
const json = { 'content-type': 'application/json' };

/** A schema with every container kind, for the limit and NaN rules. */
const BAG = {
  type: 'record',
  name: 'Bag',
  namespace: 'test',
  fields: [
    { name: 'tags', type: { type: 'array', items: 'string' } },
    { name: 'counts', type: { type: 'map', values: 'long' } },
    { name: 'nothing', type: { type: 'array', items: 'null' } },
    { name: 'scores', type: { type: 'array', items: 'double' } },
    { name: 'raw', type: 'double', allowNonFinite: true },
    {
      name: 'inner',
      type: ['null', { type: 'record', name: 'Inner', fields: [{ name: 'x', type: 'float' }] }],
    },
  ],
};
const bag = { tags: ['a'], counts: { k: 1 }, nothing: [null], scores: [1.5], raw: 0, inner: { x: 1 } };

function failure(result: DecodeResult<unknown>): DecodeFailure {
  if (result.ok) throw new Error(`expected a failure, got ${JSON.stringify(result.record)}`);
  return result;
}

/** Varint zigzag encoding of a long, as Avro writes block counts. */
function zigzag(n: number): Buffer {
  return avro.Type.forSchema('long').toBuffer(n);
}

describe('createDecoder', () => {
  const decoder = createDecoder(departures, { maxMessageBytes: 4096 });
  let bagDir: string;
  let bags: SchemaHistory;

  beforeAll(() => {
    bagDir = mkdtempSync(join(tmpdir(), 'decoder-bag-'));
    writeFileSync(join(bagDir, 'v1.avsc'), JSON.stringify(BAG));
    bags = loadSchemaHistory(bagDir);
  });
  afterAll(() => {
    rmSync(bagDir, { recursive: true, force: true });
  });

  describe('single-object encoding', () => {
    it('decodes the latest version and passes its bytes through as canonical', async () => {
      const bytes = encodeSingleObject(v2, { ...flight, carrier: 'UA' });
      const result = await decoder.decode(bytes, {});
      expect(result).toMatchObject({ ok: true, writerVersion: 2, format: 'single-object' });
      expect(result.ok && result.record).toEqual(expect.objectContaining({ ...flight, carrier: 'UA' }));
      expect(result.ok && result.canonical).toBe(bytes);
    });

    it('reads a v1 writer as v2 and re-encodes it canonically with the v2 fingerprint', async () => {
      const result = await decoder.decode(encodeSingleObject(v1, flight));
      expect(result).toMatchObject({ ok: true, writerVersion: 1, record: { ...flight, carrier: null } });
      expect(result.ok && result.canonical).toEqual(encodeSingleObject(v2, { ...flight, carrier: null }));
    });

    it('accepts an explicit Avro content type', async () => {
      const bytes = encodeSingleObject(v2, { ...flight, carrier: null });
      const result = await decoder.decode(bytes, {
        'content-type': Buffer.from('application/vnd.apache.avro'),
      });
      expect(result.ok).toBe(true);
    });
  });

  describe('JSON (content-type application/json)', () => {
    it('validates against the reader schema, filling defaults', async () => {
      const result = await decoder.decode(Buffer.from(JSON.stringify(flight)), json);
      expect(result).toMatchObject({
        ok: true,
        writerVersion: null,
        format: 'json',
        record: { carrier: null },
      });
      expect(result.ok && result.canonical).toEqual(encodeSingleObject(v2, { ...flight, carrier: null }));
    });

    it('accepts media type parameters and header arrays', async () => {
      const value = Buffer.from(JSON.stringify({ ...flight, carrier: 'AA' }));
      const result = await decoder.decode(value, { 'content-type': ['application/json; charset=utf-8'] });
      expect(result).toMatchObject({ ok: true, record: { carrier: 'AA' } });
    });

    it('rejects unknown fields with INVALID_FIELD naming them', async () => {
      const value = Buffer.from(JSON.stringify({ ...flight, carier: 'AA' }));
      expect(failure(await decoder.decode(value, json))).toMatchObject({
        code: 'INVALID_FIELD',
        fields: ['carier'],
      });
    });

    it('rejects a wrong type with INVALID_FIELD and its path', async () => {
      const value = Buffer.from(JSON.stringify({ ...flight, distance: 'far', scheduledAt: 1.5 }));
      expect(failure(await decoder.decode(value, json))).toMatchObject({
        code: 'INVALID_FIELD',
        fields: ['scheduledAt', 'distance'],
      });
    });

    it('rejects absent required fields with MISSING_FIELD', async () => {
      const { origin: _origin, destination: _destination, ...partial } = flight;
      const value = Buffer.from(JSON.stringify(partial));
      expect(failure(await decoder.decode(value, json))).toMatchObject({
        code: 'MISSING_FIELD',
        fields: ['origin', 'destination'],
      });
    });

    it('rejects a number that overflows to Infinity with NOT_FINITE', async () => {
      const value = Buffer.from(JSON.stringify(flight).replace('"distance":337', '"distance":1e999'));
      expect(failure(await decoder.decode(value, json))).toMatchObject({
        code: 'NOT_FINITE',
        fields: ['distance'],
      });
    });

    it('rejects unparsable JSON as MALFORMED and a non-object as INVALID_FIELD', async () => {
      expect(failure(await decoder.decode(Buffer.from('{"eventId":'), json)).code).toBe('MALFORMED');
      expect(failure(await decoder.decode(Buffer.from('[1,2]'), json)).code).toBe('INVALID_FIELD');
    });

    it('validates an already-parsed value with fromJson', () => {
      expect(decoder.fromJson({ ...flight }).ok).toBe(true);
      expect(failure(decoder.fromJson(null)).code).toBe('INVALID_FIELD');
    });
  });

  describe('failure codes', () => {
    const good = encodeSingleObject(v2, { ...flight, carrier: 'UA' });

    it('UNKNOWN_SCHEMA for a fingerprint outside the history, naming it', async () => {
      const other = avro.Type.forSchema({
        type: 'record',
        name: 'Other',
        fields: [{ name: 'a', type: 'int' }],
      });
      const result = failure(await decoder.decode(encodeSingleObject(other, { a: 1 })));
      expect(result.code).toBe('UNKNOWN_SCHEMA');
      expect(result.reason).toContain(singleObjectHeader(other).readBigUInt64LE(2).toString(16));
    });

    it('UNSUPPORTED_FORMAT for unframed bytes, Confluent without registry, or another content type', async () => {
      expect(failure(await decoder.decode(Buffer.from('hello'))).code).toBe('UNSUPPORTED_FORMAT');
      expect(failure(await decoder.decode(Buffer.from([0, 0, 0, 0, 1, 2]))).code).toBe('UNSUPPORTED_FORMAT');
      expect(failure(await decoder.decode(good, { 'content-type': 'text/plain' })).code).toBe(
        'UNSUPPORTED_FORMAT',
      );
    });

    it('TRUNCATED for a cut header or datum', async () => {
      expect(failure(await decoder.decode(good.subarray(0, 6))).code).toBe('TRUNCATED');
      expect(failure(await decoder.decode(good.subarray(0, good.length - 1))).code).toBe('TRUNCATED');
    });

    it('TRAILING_BYTES for bytes after the datum', async () => {
      const result = failure(await decoder.decode(Buffer.concat([good, Buffer.from([1, 2])])));
      expect(result.code).toBe('TRAILING_BYTES');
      expect(result.reason).toContain('2 bytes');
    });

    it('INVALID/MALFORMED for an impossible union branch', async () => {
      const bad = Buffer.from(good);
      bad[good.length - 4] = 0x08; // union index 4 of a two-branch union
      expect(failure(await decoder.decode(bad)).code).toBe('MALFORMED');
    });

    it('NOT_FINITE for NaN and ±Infinity in Avro doubles', async () => {
      for (const distance of [NaN, Infinity, -Infinity]) {
        const bytes = encodeSingleObject(v2, { ...flight, distance, carrier: null });
        expect(failure(await decoder.decode(bytes))).toMatchObject({
          code: 'NOT_FINITE',
          fields: ['distance'],
        });
      }
    });

    it('TOO_LARGE before decoding anything', async () => {
      const bytes = encodeSingleObject(v2, { ...flight, eventId: 'x'.repeat(5000), carrier: null });
      expect(failure(await decoder.decode(bytes)).code).toBe('TOO_LARGE');
    });

    it('MALFORMED for an empty value or tombstone', async () => {
      expect(failure(await decoder.decode(null)).code).toBe('MALFORMED');
      expect(failure(await decoder.decode(Buffer.alloc(0))).code).toBe('MALFORMED');
    });
  });

  describe('bounded containers', () => {
    const header = (): Buffer => singleObjectHeader(bags.latest.type);

    it('decodes a record within the limits and honours allowNonFinite', async () => {
      const bagDecoder = createDecoder(bags, { maxArrayItems: 10, maxMapEntries: 10 });
      const result = await bagDecoder.decode(encodeSingleObject(bags.latest.type, { ...bag, raw: NaN }));
      expect(result).toMatchObject({ ok: true, record: { tags: ['a'], counts: { k: 1 } } });
    });

    it('still rejects NaN in nested fields without the attribute, with their paths', async () => {
      const bagDecoder = createDecoder(bags);
      const bytes = encodeSingleObject(bags.latest.type, {
        ...bag,
        scores: [1, NaN],
        inner: { x: Infinity },
      });
      expect(failure(await bagDecoder.decode(bytes))).toMatchObject({
        code: 'NOT_FINITE',
        fields: ['scores.1', 'inner.x'],
      });
    });

    it('LIMIT_EXCEEDED for a 4-byte payload claiming 1e8 array items, in milliseconds', async () => {
      const bagDecoder = createDecoder(bags, { maxArrayItems: 10_000 });
      const payload = Buffer.concat([header(), zigzag(100_000_000), Buffer.from([0])]);
      const started = performance.now();
      const result = failure(await bagDecoder.decode(payload));
      expect(result.code).toBe('LIMIT_EXCEEDED');
      // Unguarded, avsc spends seconds and gigabytes here; the guard fails before allocating.
      expect(performance.now() - started).toBeLessThan(1_000);
    });

    it('counts items across all arrays of a message', async () => {
      const bagDecoder = createDecoder(bags, { maxArrayItems: 3 });
      const ok = encodeSingleObject(bags.latest.type, { ...bag, tags: ['a'], nothing: [null], scores: [1] });
      expect((await bagDecoder.decode(ok)).ok).toBe(true);
      const over = encodeSingleObject(bags.latest.type, {
        ...bag,
        tags: ['a', 'b'],
        nothing: [null],
        scores: [1],
      });
      expect(failure(await bagDecoder.decode(over)).code).toBe('LIMIT_EXCEEDED');
    });

    it('LIMIT_EXCEEDED for too many map entries, in Avro and in JSON', async () => {
      const bagDecoder = createDecoder(bags, { maxMapEntries: 2 });
      const record = { ...bag, counts: { a: 1, b: 2, c: 3 } };
      expect(failure(await bagDecoder.decode(encodeSingleObject(bags.latest.type, record))).code).toBe(
        'LIMIT_EXCEEDED',
      );
      expect(failure(bagDecoder.fromJson(record))).toMatchObject({
        code: 'LIMIT_EXCEEDED',
        fields: ['counts'],
      });
    });

    it('TRUNCATED when an array of null claims items the payload cannot hold', async () => {
      const bagDecoder = createDecoder(bags);
      const payload = Buffer.concat([header(), zigzag(1), Buffer.from([2, 0x61]), zigzag(500)]);
      expect(failure(await bagDecoder.decode(payload)).code).toBe('TRUNCATED');
    });

    it('MALFORMED for a negative block byte size while skipping a removed field', async () => {
      // v1 has an array the v2 reader dropped: the resolver skips it with the bounded _skip.
      const dir = mkdtempSync(join(tmpdir(), 'decoder-skip-'));
      try {
        const fields = [{ name: 'id', type: 'string' }];
        writeFileSync(
          join(dir, 'v1.avsc'),
          JSON.stringify({
            type: 'record',
            name: 'S',
            fields: [...fields, { name: 'xs', type: { type: 'array', items: 'int' } }],
          }),
        );
        writeFileSync(join(dir, 'v2.avsc'), JSON.stringify({ type: 'record', name: 'S', fields }));
        const history = loadSchemaHistory(dir);
        const skipDecoder = createDecoder(history);
        const v1Header = singleObjectHeader(history.versions[0]!.type);
        const loop = Buffer.concat([
          v1Header,
          Buffer.from([2, 0x61]),
          zigzag(-1),
          zigzag(-4),
          Buffer.from([0]),
        ]);
        expect(failure(await skipDecoder.decode(loop)).code).toBe('MALFORMED');
        const fine = encodeSingleObject(history.versions[0]!.type, { id: 'a', xs: [1, 2] });
        expect(await skipDecoder.decode(fine)).toMatchObject({
          ok: true,
          writerVersion: 1,
          record: { id: 'a' },
        });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('rejects a "__proto__" map key', async () => {
      const bagDecoder = createDecoder(bags);
      const record = { ...bag, counts: JSON.parse('{"__proto__": 1}') as Record<string, number> };
      expect(failure(await bagDecoder.decode(encodeSingleObject(bags.latest.type, record))).code).toBe(
        'MALFORMED',
      );
    });
  });
});
