import type { Admin } from 'kafkajs';
import { topicEnds } from '@streamscore/kafka';
import { waitFor } from './wait-for';

// The topic reader itself lives in @streamscore/kafka (one definition for services, CLI and tests,
// issue #17); tests keep importing it, under its harness names, from @streamscore/testing.
export {
  endOffsetSum,
  readTopicToEnd,
  topicEnds,
  type ReadToEndOptions as ReadTopicOptions,
  type TopicRecord as ReadMessage,
} from '@streamscore/kafka';

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
