import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { mulberry32 } from '@streamscore/drift';

/**
 * patches/kafkajs+2.2.4.patch (applied by `npm ci`'s postinstall) rewrites three kafkajs modules:
 * the record encoder, the batch CRC-32C and the producer's partition grouping. These tests load
 * them as kafkajs does and hold them to references built from kafkajs' stock generic Encoder
 * (protocol/encoder.js, which the patch leaves alone): the same bytes, the same result.
 */
const PATCH = 'kafkajs+2.2.4.patch';

type Bytes = Buffer | string | null | undefined;
type Headers = Record<string, Buffer | string | (Buffer | string)[]>;

interface RecordFields {
  offsetDelta?: number;
  timestampDelta?: number;
  key?: Bytes;
  value?: Bytes;
  headers?: Headers;
}

interface Encoded {
  readonly buf: Buffer;
  readonly buffer: Buffer;
  size(): number;
}

interface Marked {
  readonly streamscorePatch?: string;
}

interface StockEncoder extends Encoded {
  writeInt8(value: number): this;
  writeInt16(value: number): this;
  writeInt32(value: number): this;
  writeUInt32(value: number): this;
  writeInt64(value: number): this;
  writeVarInt(value: number): this;
  writeVarLong(value: number): this;
  writeVarIntString(value: string): this;
  writeVarIntBytes(value: Bytes): this;
  writeBuffer(value: Buffer): this;
  writeBytes(value: Buffer): this;
}

interface GroupArgs<M> {
  topic: string;
  partitionMetadata: readonly { partitionId: number }[];
  messages: readonly M[];
  partitioner: (args: { message: M }) => number;
}

interface BatchArgs {
  records: Encoded[];
  firstTimestamp: number;
  maxTimestamp: number;
  lastOffsetDelta: number;
  producerId: number;
  producerEpoch: number;
  firstSequence: number;
  transactional: boolean;
}

/** The module `file` (under kafkajs/src) loads as `const <name> = require('…')`. */
function requiredBy(file: string, name: string): unknown {
  const path = require.resolve(`kafkajs/src/${file}`);
  const request = new RegExp(`const ${name} = require\\('([^']+)'\\)`).exec(readFileSync(path, 'utf8'))?.[1];
  if (request === undefined) throw new Error(`${file} no longer requires ${name}`);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(resolve(dirname(path), request));
}

type RecordEncoder = ((fields: RecordFields) => Encoded) & Marked;
type Checksum = ((bytes: Buffer) => number) & Marked;
type Grouping = (<M>(args: GroupArgs<M>) => Record<number, M[]>) & Marked;

const encodeRecord = requiredBy('protocol/requests/produce/v3/request.js', 'Record') as RecordEncoder;
const crc32C = requiredBy('protocol/recordBatch/v0/index.js', 'crc32C') as Checksum;
const groupMessagesPerPartition = requiredBy(
  'producer/sendMessages.js',
  'groupMessagesPerPartition',
) as Grouping;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0') as {
  RecordBatch: (args: BatchArgs) => Promise<Encoded>;
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Encoder = require('kafkajs/src/protocol/encoder') as new () => StockEncoder;

/** The record v0 format written with the stock Encoder: varint length, then the body. */
function referenceRecord({
  offsetDelta = 0,
  timestampDelta = 0,
  key,
  value,
  headers = {},
}: RecordFields): Buffer {
  const pairs = Object.entries(headers).flatMap(([k, v]) =>
    (Array.isArray(v) ? v : [v]).map((item) => new Encoder().writeVarIntString(k).writeVarIntBytes(item)),
  );
  const body = new Encoder()
    .writeInt8(0)
    .writeVarLong(timestampDelta)
    .writeVarInt(offsetDelta)
    .writeVarIntBytes(key)
    .writeVarIntBytes(value)
    .writeVarInt(pairs.length);
  for (const pair of pairs) body.writeBuffer(pair.buffer);
  return new Encoder().writeVarInt(body.size()).writeBuffer(body.buffer).buffer;
}

/** CRC-32C one bit at a time, straight from the polynomial. */
function bitwiseCrc32c(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** An uncompressed record batch (magic 2) written with the stock Encoder and the bitwise CRC. */
function referenceBatch(records: readonly Buffer[], args: Omit<BatchArgs, 'records'>): Buffer {
  const body = new Encoder()
    .writeInt16(args.transactional ? 16 : 0)
    .writeInt32(args.lastOffsetDelta)
    .writeInt64(args.firstTimestamp)
    .writeInt64(args.maxTimestamp)
    .writeInt64(args.producerId)
    .writeInt16(args.producerEpoch)
    .writeInt32(args.firstSequence)
    .writeInt32(records.length);
  for (const record of records) body.writeBuffer(record);
  const batch = new Encoder().writeInt32(0).writeInt8(2).writeUInt32(bitwiseCrc32c(body.buffer));
  batch.writeBuffer(body.buffer);
  return new Encoder().writeInt64(0).writeBytes(batch.buffer).buffer;
}

function bytesOrString(next: () => number, maxLength: number): Buffer | string {
  const length = Math.floor(next() * maxLength);
  if (next() < 0.5) return Buffer.from(Array.from({ length }, () => Math.floor(next() * 256)));
  // Multi-byte UTF-8 too: lengths are bytes, not characters.
  return Array.from({ length }, () => ['a', 'é', '€', '𝄞', 'z'][Math.floor(next() * 5)]).join('');
}

function randomFields(next: () => number, offsetDelta: number): RecordFields {
  const headers: Headers = {};
  const headerCount = Math.floor(next() * 5);
  for (let h = 0; h < headerCount; h++)
    headers[`h${h}-${String(bytesOrString(next, 4))}`] =
      next() < 0.2 ? [bytesOrString(next, 8), bytesOrString(next, 8)] : bytesOrString(next, 40);
  return {
    offsetDelta,
    // Deltas past 32 bits and negative ones (kafkajs sorts timestamps as strings).
    timestampDelta: Math.floor((next() - 0.3) * 2 ** (1 + next() * 40)),
    key: next() < 0.1 ? null : bytesOrString(next, 40),
    value: next() < 0.05 ? null : bytesOrString(next, next() < 0.1 ? 20_000 : 600),
    headers,
  };
}

describe('kafkajs, patched on install', () => {
  it('loads the patched modules where kafkajs requires them', () => {
    expect(encodeRecord.streamscorePatch).toBe(PATCH);
    expect(crc32C.streamscorePatch).toBe(PATCH);
    expect(groupMessagesPerPartition.streamscorePatch).toBe(PATCH);
  });
});

describe('record encoder', () => {
  it('writes the stock bytes for 2,000 random records', () => {
    const next = mulberry32(42);
    for (let i = 0; i < 2_000; i++) {
      const fields = randomFields(next, Math.floor(next() * 100_000));
      const ours = encodeRecord(fields);
      expect(ours.buffer.equals(referenceRecord(fields))).toBe(true);
      expect(ours.size()).toBe(ours.buffer.length);
      expect(ours.buf).toBe(ours.buffer);
    }
  });

  it('writes the stock bytes for defaults, empty, null and large values', () => {
    for (const fields of [
      {},
      { key: '', value: '' },
      { key: null, value: null, headers: {} },
      { value: Buffer.alloc(0), headers: { a: [] } },
      { key: 'k', value: Buffer.alloc(300_000, 7), headers: { big: 'é'.repeat(70_000) } },
      { offsetDelta: 2 ** 31 - 1, timestampDelta: -(2 ** 45) },
      { timestampDelta: 2 ** 50 + 3, value: 'v' },
      // The stock 32-bit zig-zag wraps offset deltas and drops fractions; Long.fromValue reads NaN as 0.
      { offsetDelta: 2 ** 32 + 5 },
      { offsetDelta: -3 },
      { offsetDelta: 1.5 },
      { timestampDelta: NaN },
    ] as RecordFields[])
      expect(encodeRecord(fields).buffer.equals(referenceRecord(fields))).toBe(true);
  });

  it('throws where the stock encoder throws: null header values, fractional timestamp deltas', () => {
    expect(() => referenceRecord({ timestampDelta: -1.7 })).toThrow(/cannot be converted to a BigInt/);
    expect(() => encodeRecord({ timestampDelta: -1.7 })).toThrow(/cannot be converted to a BigInt/);
    expect(() => encodeRecord({ timestampDelta: Infinity })).toThrow(/cannot be converted to a BigInt/);
    expect(() => encodeRecord({ headers: { a: null } as unknown as Headers })).toThrow(
      /must be of type string/,
    );
    expect(() => encodeRecord({ headers: { a: ['x', undefined] } as unknown as Headers })).toThrow(
      /must be of type string/,
    );
  });
});

describe('record batch', () => {
  it('equals the stock Encoder and bitwise CRC for 100 random batches', async () => {
    const next = mulberry32(11);
    for (let b = 0; b < 100; b++) {
      const fields = Array.from({ length: 1 + Math.floor(next() * 40) }, (_, i) => randomFields(next, i));
      const firstTimestamp = 1_700_000_000_000 + Math.floor(next() * 1e9);
      const args = {
        firstTimestamp,
        maxTimestamp: firstTimestamp + Math.floor(next() * 1e6),
        lastOffsetDelta: fields.length - 1,
        producerId: Math.floor(next() * 1e6),
        producerEpoch: Math.floor(next() * 100),
        firstSequence: Math.floor(next() * 1e5),
        transactional: next() < 0.5,
      };
      const batch = await RecordBatch({ ...args, records: fields.map((f) => encodeRecord(f)) });
      expect(batch.buffer.equals(referenceBatch(fields.map(referenceRecord), args))).toBe(true);
    }
  });
});

describe('crc32c', () => {
  it('has the known check values (RFC 3720 B.4 and "123456789")', () => {
    const ascending = Buffer.from(Array.from({ length: 32 }, (_, i) => i));
    expect(crc32C(Buffer.from('123456789'))).toBe(0xe3069283);
    expect(crc32C(Buffer.alloc(0))).toBe(0);
    expect(crc32C(Buffer.alloc(32, 0))).toBe(0x8a9136aa);
    expect(crc32C(Buffer.alloc(32, 0xff))).toBe(0x62a8ab43);
    expect(crc32C(ascending)).toBe(0x46dd794e);
    expect(crc32C(Buffer.from(ascending).reverse())).toBe(0x113fdb5c);
  });

  it('equals the bitwise CRC on every length from 0 to 64, unaligned, and on a large buffer', () => {
    const next = mulberry32(7);
    const big = Buffer.from(Array.from({ length: 100_003 }, () => Math.floor(next() * 256)));
    for (let length = 0; length <= 64; length++) {
      const slice = big.subarray(3, 3 + length);
      expect(crc32C(slice)).toBe(bitwiseCrc32c(slice));
    }
    expect(crc32C(big)).toBe(bitwiseCrc32c(big));
  });
});

describe('groupMessagesPerPartition', () => {
  // The stock grouping (quadratic), as the reference.
  const stockGroup = <M>({ partitionMetadata, messages, partitioner }: GroupArgs<M>): Record<number, M[]> =>
    partitionMetadata.length === 0
      ? {}
      : messages.reduce<Record<number, M[]>>((result, message) => {
          const partition = partitioner({ message });
          return Object.assign(result, { [partition]: [...(result[partition] ?? []), message] });
        }, {});
  const partitionMetadata = [0, 1, 2, 3, 4, 5].map((partitionId) => ({ partitionId }));
  const partitioner = ({ message }: { message: { key: string } }): number =>
    (message.key.charCodeAt(0) * 7 + message.key.length) % 6;

  it('groups as the stock one: each partition its messages, in send order', () => {
    const next = mulberry32(3);
    const messages = Array.from({ length: 3_000 }, (_, i) => ({
      key: `${String.fromCharCode(65 + Math.floor(next() * 26))}${i}`,
      i,
    }));
    const args = { topic: 't', partitionMetadata, messages, partitioner };
    const ours = groupMessagesPerPartition(args);
    expect(ours).toEqual(stockGroup(args));
    expect(Object.values(ours).flat()).toHaveLength(3_000);
    for (const group of Object.values(ours))
      expect(group.map((m) => m.i)).toEqual([...group.map((m) => m.i)].sort((a, b) => a - b));
  });

  it('returns nothing without partition metadata', () => {
    const args = { topic: 't', partitionMetadata: [], messages: [{ key: 'a' }], partitioner };
    expect(groupMessagesPerPartition(args)).toEqual({});
  });
});
