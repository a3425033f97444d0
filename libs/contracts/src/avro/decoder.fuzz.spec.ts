import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { mulberry32 } from '@streamscore/drift';
import { DeadLetterCodes } from '../errors';
import type { RegistrySchema, SchemaSource } from '../schema-registry/schema-source';
import { createDecoder, type Decoder } from './decoder';
import { loadSchemaHistory, type SchemaHistory } from './schema-history';
import { encodeConfluent, encodeSingleObject } from './single-object';

const repo = resolve(__dirname, '../../../..');
const PAYLOADS = 50_000;
const BAG = {
  type: 'record',
  name: 'Bag',
  fields: [
    { name: 'tags', type: { type: 'array', items: 'string' } },
    { name: 'counts', type: { type: 'map', values: { type: 'array', items: 'null' } } },
    { name: 'score', type: ['null', 'double', 'string'] },
    { name: 'kind', type: { type: 'enum', name: 'Kind', symbols: ['A', 'B'] } },
    { name: 'at', type: 'long' },
  ],
};

describe('decode under fuzzing', () => {
  let dir: string;
  let departures: SchemaHistory;
  let bags: SchemaHistory;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'decoder-fuzz-'));
    writeFileSync(join(dir, 'v1.avsc'), JSON.stringify(BAG));
    bags = loadSchemaHistory(dir);
    departures = loadSchemaHistory(resolve(repo, 'demo/flights/schemas/flight-departure'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it(`never throws on ${PAYLOADS} random and mutated payloads and returns only closed-list codes`, async () => {
    // Seeded, so every run fuzzes the same 50,000 payloads.
    const random = mulberry32(20240601);
    const int = (below: number): number => Math.floor(random() * below);
    const bytes = (length: number): Buffer => Buffer.from(Array.from({ length }, () => int(256)));
    const registry: SchemaSource = {
      getSchema: (id) =>
        Promise.resolve<RegistrySchema | null>(
          id === 1 ? { id, schema: JSON.stringify(BAG), schemaType: 'AVRO' } : null,
        ),
    };
    const decoders: [Decoder<unknown>, SchemaHistory][] = [
      [createDecoder(departures, { maxMessageBytes: 512 }), departures],
      [createDecoder(bags, { maxArrayItems: 1000, maxMapEntries: 100, registry }), bags],
    ];
    const seeds = [
      encodeSingleObject(departures.versions[0]!.type, {
        eventId: 'e',
        scheduledAt: 1,
        origin: 'A',
        destination: 'B',
        distance: 1,
      }),
      encodeSingleObject(departures.latest.type, {
        eventId: 'e-2',
        scheduledAt: 978336000000,
        origin: 'SFO',
        destination: 'LAX',
        distance: 337,
        carrier: 'UA',
      }),
      encodeSingleObject(bags.latest.type, {
        tags: ['x', 'y'],
        counts: { k: [null, null] },
        score: 1.5,
        kind: 'B',
        at: -5,
      }),
      encodeConfluent(bags.latest.type, 1, { tags: [], counts: {}, score: 'hi', kind: 'A', at: 2 ** 40 }),
    ];
    const jsonSeed = Buffer.from(
      JSON.stringify({ eventId: 'e', scheduledAt: 1, origin: 'A', destination: 'B', distance: 1 }),
    );

    function mutate(seed: Buffer): Buffer {
      const copy = Buffer.from(seed);
      switch (int(6)) {
        case 0: // flip bits in the datum (keep the header often so the datum reader runs)
          for (let i = 0, n = 1 + int(4); i < n; i++) {
            const at = copy.length > 10 ? 10 + int(copy.length - 10) : int(copy.length);
            copy[at] = (copy[at] ?? 0) ^ (1 << int(8));
          }
          return copy;
        case 1:
          return copy.subarray(0, int(copy.length));
        case 2: {
          const at = int(copy.length);
          return Buffer.concat([copy.subarray(0, at), bytes(1 + int(8)), copy.subarray(at)]);
        }
        case 3: {
          // Overwrite with a huge or negative varint: block counts, lengths and union indexes.
          const at = 10 + int(Math.max(1, copy.length - 10));
          const varint = [
            [0xfe, 0xff, 0xff, 0xff, 0x0f],
            [0x01],
            [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01],
            [0x7f],
          ][int(4)]!;
          return Buffer.concat([copy.subarray(0, at), Buffer.from(varint), copy.subarray(at + 1)]);
        }
        case 4:
          return Buffer.concat([copy.subarray(0, 10), bytes(int(40))]);
        default:
          return Buffer.concat([copy, bytes(1 + int(3))]);
      }
    }

    const codes = new Map<string, number>();
    const started = performance.now();
    for (let i = 0; i < PAYLOADS; i++) {
      const [decoder] = decoders[i % 2]!;
      let value: Buffer;
      let headers: Record<string, string> | undefined;
      const kind = int(10);
      if (kind === 0) value = bytes(int(64));
      else if (kind === 1) {
        value = mutate(jsonSeed);
        headers = { 'content-type': 'application/json' };
      } else value = mutate(seeds[int(seeds.length)]!);

      const result = await decoder.decode(value, headers);
      const key = result.ok ? 'ok' : result.code;
      codes.set(key, (codes.get(key) ?? 0) + 1);
      if (result.ok) {
        // Whatever was accepted re-decodes from its canonical bytes.
        expect((await decoder.decode(result.canonical)).ok).toBe(true);
      } else {
        expect(DeadLetterCodes).toContain(result.code);
        expect(typeof result.reason).toBe('string');
      }
    }
    const elapsedMs = performance.now() - started;
    console.log(`fuzz: ${PAYLOADS} payloads in ${elapsedMs.toFixed(0)} ms`, Object.fromEntries(codes));
    expect([...codes.values()].reduce((a, b) => a + b, 0)).toBe(PAYLOADS);
    // The fuzz must reach the decoder's interesting paths, not just the framing checks.
    for (const code of [
      'ok',
      'TRUNCATED',
      'TRAILING_BYTES',
      'UNKNOWN_SCHEMA',
      'MALFORMED',
      'LIMIT_EXCEEDED',
    ]) {
      expect(codes.get(code) ?? 0).toBeGreaterThan(0);
    }
  });
});
