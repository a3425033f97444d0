import type { Admin, Consumer, EachBatchPayload, IHeaders, Kafka } from 'kafkajs';
import { randomName } from './names';
import { waitFor } from './wait-for';

export interface ReadTopicOptions {
  /** read_committed (the default) skips aborted transactions and waits at open ones. */
  readonly isolation?: 'read_committed' | 'read_uncommitted';
  /**
   * Keep taking new end offsets until at least this many records were read; then take them once
   * more and read to those, so a record written while the count was reached is read too.
   */
  readonly expected?: number;
  /** The whole read fails after this long, naming how far each partition got. */
  readonly timeoutMs?: number;
}

export interface ReadMessage {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: IHeaders;
  readonly timestamp: string;
}

/**
 * The end of each partition that holds records: kafkajs lists offsets read_committed, so this is
 * the last stable offset (the high watermark once no transaction is open). Commit and abort
 * markers sit below it, so it is a position, not a record count.
 */
export async function topicEnds(admin: Admin, topic: string): Promise<Map<number, bigint>> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return new Map(
    offsets.filter((p) => BigInt(p.high) > BigInt(p.low)).map((p) => [p.partition, BigInt(p.high)] as const),
  );
}

/**
 * Sum of a topic's end offsets (last stable offsets; markers count): how far its producers got,
 * for deciding when to inject a fault. Not a record count: count records with `readTopicToEnd`.
 */
export async function endOffsetSum(admin: Admin, topic: string): Promise<number> {
  return (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high), 0);
}

/**
 * Reads a topic from the beginning to end offsets taken after the producers have finished (the
 * caller waits for that, e.g. with `awaitGroupCommitted` on the producing service's input) and
 * returns everything it read, in offset order per partition, so accounting sees every duplicate.
 * Nothing ends on a quiet timer: the read ends when every partition's position reached its end
 * offset, and fails (naming the shortfall) when the timeout comes first. A read_uncommitted read
 * also stops at the last stable offset: call it once no transaction is open.
 */
export async function readTopicToEnd(
  kafka: Kafka,
  topic: string,
  options: ReadTopicOptions = {},
): Promise<ReadMessage[]> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;
  const admin = kafka.admin();
  const groupId = randomName('read-to-end');
  const messages: ReadMessage[] = [];
  const positions = new Map<number, bigint>();
  const advance = (partition: number, next: bigint): void => {
    if (next > (positions.get(partition) ?? 0n)) positions.set(partition, next);
  };
  const reached = (ends: ReadonlyMap<number, bigint>): boolean =>
    [...ends].every(([partition, end]) => (positions.get(partition) ?? 0n) >= end);
  const shortfall = (ends: ReadonlyMap<number, bigint>): string =>
    [...ends].map(([p, end]) => `partition ${p} at ${positions.get(p) ?? 0n} of ${end}`).join(', ');
  let crash: Error | undefined;
  let consumer: Consumer | undefined;
  const eachBatch = ({ batch }: EachBatchPayload): Promise<void> => {
    for (const message of batch.messages) {
      // A consumer that restarted (broker restart, rebalance) fetches from the start again: what
      // this reader already holds is skipped, so only the topic's own duplicates are returned.
      if (BigInt(message.offset) < (positions.get(batch.partition) ?? 0n)) continue;
      messages.push({
        topic,
        partition: batch.partition,
        offset: message.offset,
        key: message.key,
        value: message.value,
        headers: message.headers ?? {},
        timestamp: message.timestamp,
      });
      advance(batch.partition, BigInt(message.offset) + 1n);
    }
    return Promise.resolve();
  };
  /** Joins and starts fetching; a failed start (a broker still loading its groups) is retried until the deadline. */
  const start = async (): Promise<void> => {
    for (;;) {
      const attempt = kafka.consumer({
        groupId,
        readUncommitted: options.isolation === 'read_uncommitted',
        maxWaitTimeInMs: 100,
      });
      // Batches of only markers or aborted records reach no handler; this event still moves the position.
      attempt.on(attempt.events.END_BATCH_PROCESS, ({ payload }) => {
        advance(payload.partition, BigInt(payload.lastOffset) + 1n);
      });
      attempt.on(attempt.events.CRASH, ({ payload }) => {
        if (!payload.restart) crash = payload.error;
      });
      try {
        await attempt.connect();
        await attempt.subscribe({ topics: [topic], fromBeginning: true });
        await attempt.run({ autoCommit: false, eachBatch });
        consumer = attempt;
        return;
      } catch (error) {
        await attempt.disconnect().catch(() => undefined);
        // kafkajs may give up on a join its own retries did not get through: ours end at the deadline.
        if (Date.now() >= deadline) throw error;
        await new Promise((resolveSleep) => setTimeout(resolveSleep, 250));
      }
    }
  };
  const readTo = async (ends: ReadonlyMap<number, bigint>): Promise<void> => {
    while (!reached(ends)) {
      if (crash) throw crash;
      if (Date.now() >= deadline) {
        const wanted = options.expected === undefined ? '' : ` (${options.expected} expected)`;
        throw new Error(
          `readTopicToEnd(${topic}) read ${messages.length} records${wanted} in ${timeoutMs} ms, short of the end: ${shortfall(ends)}`,
        );
      }
      await new Promise((resolveSleep) => setTimeout(resolveSleep, 20));
    }
  };
  try {
    await admin.connect();
    await start();
    await readTo(await topicEnds(admin, topic));
    if (options.expected !== undefined) {
      while (messages.length < options.expected) {
        if (Date.now() >= deadline) {
          throw new Error(
            `readTopicToEnd(${topic}) read ${messages.length} of ${options.expected} expected records in ${timeoutMs} ms`,
          );
        }
        await new Promise((resolveSleep) => setTimeout(resolveSleep, 50));
        await readTo(await topicEnds(admin, topic));
      }
      await readTo(await topicEnds(admin, topic));
    }
    return messages;
  } finally {
    await consumer?.disconnect().catch(() => undefined);
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
  }
}

/**
 * Offsets of `topic` that `groupId` has not committed yet, summed over the partitions that hold
 * records (end offsets as in `topicEnds`): 0 once the group consumed everything there is now.
 */
export async function groupBacklog(admin: Admin, groupId: string, topic: string): Promise<number> {
  const [ends, [committed]] = await Promise.all([
    admin.fetchTopicOffsets(topic),
    admin.fetchOffsets({ groupId, topics: [topic] }),
  ]);
  const at = new Map((committed?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)]));
  let backlog = 0n;
  for (const p of ends) {
    const from = [at.get(p.partition) ?? -1n, BigInt(p.low)].reduce((a, b) => (a > b ? a : b));
    if (BigInt(p.high) > from) backlog += BigInt(p.high) - from;
  }
  return Number(backlog);
}

/**
 * Resolves once `groupId` has committed every partition of `topic` that holds records up to the
 * end offsets taken at the call: the service consumed all its input, and (its outputs and offsets
 * being one transaction) its outputs for that input are visible read_committed.
 */
export async function awaitGroupCommitted(
  admin: Admin,
  groupId: string,
  topic: string,
  options: { readonly timeoutMs?: number } = {},
): Promise<void> {
  const ends = await topicEnds(admin, topic);
  await waitFor(
    async () => {
      const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
      const at = new Map((committed?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)]));
      const behind = [...ends].filter(([p, end]) => (at.get(p) ?? -1n) < end);
      if (behind.length > 0) {
        throw new Error(
          behind.map(([p, end]) => `partition ${p} at ${at.get(p) ?? -1n} of ${end}`).join(', '),
        );
      }
      return true;
    },
    {
      timeoutMs: options.timeoutMs ?? 120_000,
      intervalMs: 100,
      description: `${groupId} committed ${topic} to its end`,
    },
  );
}
