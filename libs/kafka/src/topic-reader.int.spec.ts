import { randomName, scratchTopics, testKafka } from '@streamscore/testing';
import type { Admin, Kafka } from 'kafkajs';
import { endOffsets, topicEnds } from './topic-ends';
import { TopicReader, readTopicToEnd, readTopicsToEnd, type TopicRecord } from './topic-reader';

/** The one topic reader (services, CLI and every accounting test): it must see every record, duplicates included. */
describe('readTopicToEnd on the real Kafka', () => {
  let kafka: Kafka;
  let admin: Admin;
  const scratch = scratchTopics(() => admin, 'read-to-end');

  beforeAll(async () => {
    kafka = testKafka();
    admin = kafka.admin();
    await admin.connect();
  });

  afterAll(async () => {
    await scratch.deleteAll();
    await admin.disconnect();
  });

  const topic = (partitions: number): Promise<string> => scratch.create(partitions);

  async function send(name: string, messages: { partition: number; value: string }[]): Promise<void> {
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: name, messages });
    await producer.disconnect();
  }

  const values = (records: readonly TopicRecord[]): string[] =>
    records.map((m) => m.value?.toString() ?? '').sort();

  it('should read every partition to its end, past commit markers and aborted records, and return duplicates', async () => {
    const name = await topic(3);
    const producer = kafka.producer({
      transactionalId: randomName('read-to-end-txn'),
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await producer.connect();
    const aborted = await producer.transaction();
    await aborted.send({ topic: name, messages: [{ partition: 1, value: 'aborted' }] });
    await aborted.abort();
    for (const batch of [['a', 'b', 'c'], ['b']]) {
      const txn = await producer.transaction();
      await txn.send({
        topic: name,
        messages: batch.map((value, i) => ({ partition: i % 2, value })),
      });
      await txn.commit();
    }
    await producer.disconnect();

    // Every partition that holds records ends in a marker: positions must still reach the ends.
    const ends = await topicEnds(admin, name);
    expect([...ends.keys()].sort()).toEqual([0, 1]);
    const read = await readTopicToEnd(kafka, name, { timeoutMs: 30_000 });
    expect(read.map((m) => m.value?.toString()).sort()).toEqual(['a', 'b', 'b', 'c']);
    expect(read.every((m) => m.topic === name)).toBe(true);
  }, 60_000);

  it('should read a record written after the expected count was reached', async () => {
    const name = await topic(2);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: name, messages: [{ partition: 0, value: 'one' }] });
    const reading = readTopicToEnd(kafka, name, { expected: 2, timeoutMs: 30_000 });
    await new Promise((resolveSleep) => setTimeout(resolveSleep, 1_000));
    // The second record reaches the expected count; its duplicate follows at once.
    await producer.send({
      topic: name,
      messages: [
        { partition: 1, value: 'two' },
        { partition: 1, value: 'two' },
      ],
    });
    await producer.disconnect();
    const read = await reading;
    expect(read.map((m) => m.value?.toString()).sort()).toEqual(['one', 'two', 'two']);
  }, 60_000);

  it('should fail naming the shortfall instead of returning a short read', async () => {
    const name = await topic(1);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: name, messages: [{ value: 'only' }] });
    await producer.disconnect();
    await expect(readTopicToEnd(kafka, name, { expected: 2, timeoutMs: 3_000 })).rejects.toThrow(
      /read 1 of 2 expected records/,
    );
  }, 30_000);

  it('should hand several topics to one callback and start at the offsets it is given', async () => {
    const first = await topic(2);
    const second = await topic(1);
    await send(first, [
      { partition: 0, value: 'f0' },
      { partition: 0, value: 'f1' },
      { partition: 1, value: 'g0' },
    ]);
    await send(second, [{ partition: 0, value: 's0' }]);
    const all: TopicRecord[] = [];
    const count = await readTopicsToEnd(kafka, [first, second], (record) => void all.push(record));
    expect(count).toBe(4);
    expect(values(all)).toEqual(['f0', 'f1', 'g0', 's0']);

    const later: TopicRecord[] = [];
    const from = new Map([[first, new Map([[0, 1n]])]]);
    await readTopicsToEnd(kafka, [first, second], (record) => void later.push(record), { from });
    expect(values(later)).toEqual(['f1', 'g0', 's0']);
  }, 60_000);

  it('should return nothing at once for empty topics', async () => {
    const name = await topic(2);
    expect(await readTopicToEnd(kafka, name, { timeoutMs: 5_000 })).toEqual([]);
  }, 30_000);

  it('should stop handing records over once the caller aborts, and fail when the callback fails', async () => {
    const name = await topic(1);
    await send(
      name,
      ['a', 'b', 'c', 'd'].map((value) => ({ partition: 0, value })),
    );
    const stopping = new AbortController();
    const taken: string[] = [];
    const count = await readTopicsToEnd(
      kafka,
      [name],
      (record) => {
        taken.push(record.value?.toString() ?? '');
        if (taken.length === 2) stopping.abort();
      },
      { signal: stopping.signal },
    );
    expect(count).toBe(2);
    expect(taken).toEqual(['a', 'b']);

    await expect(
      readTopicsToEnd(kafka, [name], (record) => {
        if (record.offset === '3') throw new Error('undecodable at 3');
      }),
    ).rejects.toThrow('undecodable at 3');
  }, 60_000);

  it('should follow past the end from given offsets until aborted', async () => {
    const name = await topic(1);
    await send(name, [{ partition: 0, value: 'old' }]);
    const stopping = new AbortController();
    const taken: string[] = [];
    const reader = await TopicReader.start(
      kafka,
      [name],
      (record) => {
        taken.push(record.value?.toString() ?? '');
        stopping.abort();
      },
      { from: await endOffsets(admin, [name]), signal: stopping.signal },
    );
    try {
      await send(name, [{ partition: 0, value: 'new' }]);
      await reader.readUntilAborted();
    } finally {
      await reader.stop();
    }
    expect(taken).toEqual(['new']);
  }, 60_000);
});
