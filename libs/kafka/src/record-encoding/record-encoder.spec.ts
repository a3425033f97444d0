import { execFileSync } from 'node:child_process';
import { crc32c } from './crc32c';
import { groupMessagesPerPartition } from './group-by-partition';
import { encodeRecord, type RecordFields } from './record-encoder';

// kafkajs' own encoders: the reference the fast ones must match byte for byte.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const kafkajsRecord = require('kafkajs/src/protocol/recordBatch/record/v0') as (f: RecordFields) => {
  buffer: Buffer;
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const kafkajsCrc = require('kafkajs/src/protocol/recordBatch/crc32C') as (b: Buffer) => number;

function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function bytesOrString(next: () => number, maxLength: number): Buffer | string {
  const length = Math.floor(next() * maxLength);
  if (next() < 0.5) return Buffer.from(Array.from({ length }, () => Math.floor(next() * 256)));
  // Multi-byte UTF-8 too: lengths are bytes, not characters.
  return Array.from({ length }, () => 'aé€𝄞z'[Math.floor(next() * 5)]).join('');
}

describe('encodeRecord', () => {
  it('writes the same bytes as kafkajs for 2,000 random records', () => {
    const next = random(42);
    for (let i = 0; i < 2_000; i++) {
      const headers: Record<string, Buffer | string | (Buffer | string)[]> = {};
      const headerCount = Math.floor(next() * 5);
      for (let h = 0; h < headerCount; h++)
        headers[`h${h}-${String(bytesOrString(next, 4))}`] =
          next() < 0.2 ? [bytesOrString(next, 8), bytesOrString(next, 8)] : bytesOrString(next, 40);
      const fields: RecordFields = {
        offsetDelta: Math.floor(next() * 100_000),
        // Deltas past 32 bits and negative ones (kafkajs sorts timestamps as strings).
        timestampDelta: Math.floor((next() - 0.3) * 2 ** (1 + next() * 40)),
        key: next() < 0.1 ? null : bytesOrString(next, 40),
        value: next() < 0.05 ? null : bytesOrString(next, next() < 0.1 ? 20_000 : 600),
        headers,
      };
      const ours = encodeRecord(fields);
      expect(ours.buffer.equals(kafkajsRecord(fields).buffer)).toBe(true);
      expect(ours.size()).toBe(ours.buffer.length);
    }
  });

  it('matches kafkajs for defaults and empty values', () => {
    for (const fields of [
      {},
      { key: '', value: '' },
      { value: Buffer.alloc(0), headers: {} },
    ] as RecordFields[])
      expect(encodeRecord(fields).buffer.equals(kafkajsRecord(fields).buffer)).toBe(true);
  });
});

describe('crc32c', () => {
  it('has the standard check value', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
  });

  it('equals kafkajs on every length from 0 to 64 and on a large buffer', () => {
    const next = random(7);
    const big = Buffer.from(Array.from({ length: 100_003 }, () => Math.floor(next() * 256)));
    for (let length = 0; length <= 64; length++)
      expect(crc32c(big.subarray(3, 3 + length))).toBe(kafkajsCrc(big.subarray(3, 3 + length)));
    expect(crc32c(big)).toBe(kafkajsCrc(big));
  });
});

describe('useFastKafkaEncoders', () => {
  // Node's own module cache, so a plain Node process (jest has a module system of its own).
  const run = (script: string): string =>
    execFileSync(process.execPath, ['--require', 'tsx/cjs', '-e', script], {
      cwd: `${__dirname}/../../../..`,
      encoding: 'utf8',
    }).trim();

  it('swaps kafkajs record encoder and checksum before the first produce', () => {
    const out = run(`
      const { useFastKafkaEncoders, encodeRecord, crc32c } = require('./libs/kafka/src/record-encoding');
      const first = useFastKafkaEncoders();
      const Record = require('kafkajs/src/protocol/recordBatch/record/v0');
      const crc = require('kafkajs/src/protocol/recordBatch/crc32C');
      console.log(first, useFastKafkaEncoders(), Record === encodeRecord, crc === crc32c);`);
    expect(out).toBe('installed installed true true');
  });

  it('swaps the partition grouping only before kafkajs is first loaded', () => {
    const before = run(`
      const { useLinearPartitionGrouping, groupMessagesPerPartition } = require('./libs/kafka/src/record-encoding');
      const result = useLinearPartitionGrouping();
      require('kafkajs');
      console.log(result, require('kafkajs/src/producer/groupMessagesPerPartition') === groupMessagesPerPartition);`);
    expect(before).toBe('installed true');
    const after = run(`
      require('kafkajs');
      const { useLinearPartitionGrouping } = require('./libs/kafka/src/record-encoding');
      console.log(useLinearPartitionGrouping());`);
    expect(after).toBe('too-late');
  });

  it('changes nothing once kafkajs has loaded its produce request', () => {
    const out = run(`
      require('kafkajs/src/protocol/requests/produce/v3/request');
      const { useFastKafkaEncoders, encodeRecord } = require('./libs/kafka/src/record-encoding');
      console.log(useFastKafkaEncoders(), require('kafkajs/src/protocol/recordBatch/record/v0') === encodeRecord);`);
    expect(out).toBe('too-late false');
  });
});

describe('groupMessagesPerPartition', () => {
  const kafkajsGroup =
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('kafkajs/src/producer/groupMessagesPerPartition') as typeof groupMessagesPerPartition;
  const partitionMetadata = [0, 1, 2, 3, 4, 5].map((partitionId) => ({ partitionId }));
  const partitioner = ({ message }: { message: { key: string } }): number =>
    (message.key.charCodeAt(0) * 7 + message.key.length) % 6;

  it('groups as kafkajs does: each partition its messages, in send order', () => {
    const next = random(3);
    const messages = Array.from({ length: 3_000 }, (_, i) => ({
      key: `${String.fromCharCode(65 + Math.floor(next() * 26))}${i}`,
      i,
    }));
    const ours = groupMessagesPerPartition({ topic: 't', partitionMetadata, messages, partitioner });
    expect(ours).toEqual(kafkajsGroup({ topic: 't', partitionMetadata, messages, partitioner }));
    expect(Object.values(ours).flat()).toHaveLength(3_000);
    for (const group of Object.values(ours))
      expect(group.map((m) => m.i)).toEqual([...group.map((m) => m.i)].sort((a, b) => a - b));
  });

  it('returns nothing without partition metadata', () => {
    expect(
      groupMessagesPerPartition({ topic: 't', partitionMetadata: [], messages: [{ key: 'a' }], partitioner }),
    ).toEqual({});
  });
});
