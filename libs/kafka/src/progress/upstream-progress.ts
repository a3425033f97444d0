import type { Admin } from 'kafkajs';
import { decodeEventTime } from './commit-metadata';

/**
 * How far in event time the records still to come on a topic have got, read from the committed
 * offsets of the groups that write it (their metadata carries the greatest event time they took,
 * commit-metadata.ts). This replaces "a partition idle for N ms holds nothing back": a downstream
 * partition that is caught up holds its readers back exactly as far as upstream still has to go.
 *
 * Under bounded disorder (the allowed lateness every reader already assumes), a record a group has
 * yet to write comes from input it has not committed, so its event time is at least the greatest
 * it committed from that input partition, less the lateness. An input partition the group has
 * caught up on can only bring records that its own upstream has yet to write: the bound of the
 * next hop. The first hop's input is the users' topics, where a caught-up partition can only bring
 * new input, taken to be no older than the newest already committed (less the lateness).
 */

/** Held back without any progress: a partition with records left whose group has committed no event time. */
export const NO_PROGRESS_MS = Number.MIN_SAFE_INTEGER;

/** One group and the topic it reads, writing the topic of the hop before it. */
export interface ProgressHop {
  readonly groupId: string;
  readonly topic: string;
  /** Written in transactions: a drained partition ends with a commit marker the group never commits past. */
  readonly transactional: boolean;
}

export interface HopPartition {
  readonly partition: number;
  readonly low: number;
  /** Last stable offset (kafkajs lists offsets read_committed). */
  readonly end: number;
  /** The group's committed offset, −1 when none. */
  readonly committed: number;
  /** Greatest event time the group committed from the partition. */
  readonly eventTimeMs: number | undefined;
}

export interface HopSnapshot {
  readonly hop: ProgressHop;
  readonly partitions: readonly HopPartition[];
}

/**
 * The event time below which the nearest hop's group writes nothing more (less the readers' own
 * lateness): undefined when no group has committed progress and nothing is left to read,
 * NO_PROGRESS_MS when a partition with records left has no committed progress. `snapshots[0]` is
 * the nearest hop.
 *
 * The bound is the least progress of every partition, in any hop, with records left: a hop's
 * output partitions mix all its inputs, so a lagging input bounds them all. Partitions read to
 * their end bound nothing by themselves; what arrives there next is new input, no older than the
 * newest the first hop has committed (less the lateness, as for any record), so that newest
 * caps the bound: a burst landing on several partitions between two reads cannot let one of them
 * run ahead of the others, and an idle partition never stalls the readers.
 */
export function upstreamBoundMs(snapshots: readonly HopSnapshot[]): number | undefined {
  let bound: number | undefined;
  for (const { hop, partitions } of snapshots) {
    for (const p of partitions) {
      if (isCaughtUp(p, hop.transactional)) continue;
      const progress = p.eventTimeMs ?? NO_PROGRESS_MS;
      if (bound === undefined || progress < bound) bound = progress;
    }
  }
  const frontier = newestCommitted(snapshots[snapshots.length - 1]);
  if (frontier !== undefined && (bound === undefined || frontier < bound)) bound = frontier;
  return bound;
}

function newestCommitted(snapshot: HopSnapshot | undefined): number | undefined {
  let newest: number | undefined;
  for (const p of snapshot?.partitions ?? [])
    if (p.eventTimeMs !== undefined && (newest === undefined || p.eventTimeMs > newest))
      newest = p.eventTimeMs;
  return newest;
}

/**
 * Everything visible read and committed. In a topic written only in transactions the last visible
 * offset of a drained partition is a commit marker, which consumers step over without committing.
 */
export function isCaughtUp(p: HopPartition, transactional: boolean): boolean {
  if (p.end <= p.low) return true;
  const readUpTo = p.committed < 0 ? p.low : p.committed;
  return readUpTo >= p.end - (transactional ? 1 : 0);
}

/**
 * Reads the hops farthest first, each group's commits before its topic's ends: whatever a nearer
 * hop is found caught up on was written before the farther hop's progress was read, so the bound
 * never runs ahead of records in flight. Call it before reading the ends of the caller's own topic.
 */
export async function readUpstreamBound(
  admin: Admin,
  hops: readonly ProgressHop[],
): Promise<number | undefined> {
  const snapshots: HopSnapshot[] = [];
  for (const hop of [...hops].reverse()) snapshots.unshift(await readHop(admin, hop));
  return upstreamBoundMs(snapshots);
}

async function readHop(admin: Admin, hop: ProgressHop): Promise<HopSnapshot> {
  const committed = await admin.fetchOffsets({ groupId: hop.groupId, topics: [hop.topic] });
  const ends = await admin.fetchTopicOffsets(hop.topic);
  const byPartition = new Map((committed[0]?.partitions ?? []).map((p) => [p.partition, p] as const));
  return {
    hop,
    partitions: ends.map((end) => {
      const commit = byPartition.get(end.partition);
      return {
        partition: end.partition,
        low: Number(end.low),
        end: Number(end.high),
        committed: commit ? Number(commit.offset) : -1,
        eventTimeMs: decodeEventTime(commit?.metadata),
      };
    }),
  };
}
