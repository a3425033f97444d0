import type { Admin } from 'kafkajs';

/** An offset per topic and partition: where a read ends, or where it starts. */
export type TopicOffsets = ReadonlyMap<string, ReadonlyMap<number, bigint>>;

/**
 * The end of each partition that holds records. kafkajs lists offsets read_committed only (its
 * admin has no isolation level), so this is the last stable offset: the high watermark once no
 * transaction is open. Commit and abort markers sit below it, so it is a position, not a count.
 */
export async function topicEnds(admin: Admin, topic: string): Promise<Map<number, bigint>> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return new Map(
    offsets.filter((p) => BigInt(p.high) > BigInt(p.low)).map((p) => [p.partition, BigInt(p.high)] as const),
  );
}

/** `topicEnds` of several topics, keyed by topic. */
export async function endOffsets(admin: Admin, topics: readonly string[]): Promise<TopicOffsets> {
  const ends = await Promise.all(
    topics.map(async (topic) => [topic, await topicEnds(admin, topic)] as const),
  );
  return new Map(ends);
}

/**
 * Sum of a topic's end offsets (last stable offsets; markers count): how far its producers got,
 * for deciding when to inject a fault. Not a record count: count records with `readTopicToEnd`.
 */
export async function endOffsetSum(admin: Admin, topic: string): Promise<number> {
  return (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high), 0);
}
