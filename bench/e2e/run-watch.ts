import type { Admin, Kafka } from 'kafkajs';
import { topicEnds } from '@streamscore/kafka';
import { TopicTail } from '@streamscore/testing';
import { progress } from '../common/bench-kit';
import { cpuUsPer, type CpuByRole, type RoleCpuClock } from '../common/process-cpu';

/** One consumer group of a run and the topics it consumes. */
export interface StageGroup {
  readonly name: string;
  readonly groupId: string;
  readonly topics: readonly string[];
}

/** What a run is given to consume: records sent to each source topic (no transactions: offsets = records). */
export interface SourceTopic {
  readonly topic: string;
  readonly records: number;
}

export interface RunWatchOptions {
  /**
   * Groups in the order the records flow; each must commit its topics to their ends before the
   * run counts as done. A group that commits only past closed windows (the drift monitor) never
   * reaches its input's end and is left out, in both runs alike.
   */
  readonly stages: readonly (readonly StageGroup[])[];
  readonly sources: readonly SourceTopic[];
  readonly departures: number;
  /** Read at the run's first commit, when every process of the run is up. */
  readonly clock: () => RoleCpuClock;
  readonly timeoutMs?: number;
  /** Why the run cannot finish any more (a process of it exited), checked at every poll. */
  readonly failure?: () => string | undefined;
}

export interface RunMeasure {
  readonly departures: number;
  /** Departures/s from the first departure appended to `events` to the last prediction received read_committed. */
  readonly rate: number;
  readonly seconds: number;
  /** CPU µs per departure by role, from the run's first commit to its last. */
  readonly cpuUsPerDeparture: Record<string, number>;
  readonly cpuWindowSeconds: number;
  /** Predictions the watch's read_committed tail received. */
  readonly predictionsReceived: number;
}

/** Often enough for a window of seconds; each poll is a few admin requests to the broker. */
const POLL_MS = 100;

/**
 * Watches a run of the pipeline (or of its floor) from outside, the same way for both: a
 * read_committed tail of `predictions` stamps when each prediction becomes visible, a tail of
 * `events` gives the first departure's append time (its record timestamp), and the consumer
 * groups' committed offsets open the CPU window (first commit of any group) and close it (every
 * stage committed to the end of its input, the inputs complete).
 */
export class RunWatch {
  private constructor(
    private readonly admin: Admin,
    private readonly events: TopicTail,
    private readonly predictions: TopicTail,
  ) {}

  /**
   * With an admin client of its own: kafkajs' admin keeps refreshing the metadata of every topic it
   * has looked at, and fails once a run deletes them (the demo deletes its topics as it ends).
   */
  static async start(kafka: Kafka, topics: { events: string; predictions: string }): Promise<RunWatch> {
    const admin = kafka.admin();
    await admin.connect();
    const events = await TopicTail.start(kafka, topics.events);
    try {
      return new RunWatch(admin, events, await TopicTail.start(kafka, topics.predictions));
    } catch (error) {
      await events.stop();
      await admin.disconnect();
      throw error;
    }
  }

  async measure(options: RunWatchOptions): Promise<RunMeasure> {
    const { admin } = this;
    const deadline = Date.now() + (options.timeoutMs ?? 600_000);
    const groups = options.stages.flat();
    let first: { atMs: number; cpu: CpuByRole; clock: RoleCpuClock } | undefined;
    let lastReport = 0;
    for (;;) {
      if (!first && (await anyCommitted(admin, groups))) {
        const clock = options.clock();
        first = { atMs: performance.now(), cpu: clock.read(), clock };
      }
      if (first && (await runDone(admin, options))) {
        const cpu = first.clock.read();
        const cpuWindowSeconds = (performance.now() - first.atMs) / 1000;
        return {
          ...(await this.rateOf(options.departures)),
          cpuUsPerDeparture: cpuUsPer(options.departures, first.cpu, cpu),
          cpuWindowSeconds,
        };
      }
      const failure = options.failure?.();
      if (failure !== undefined) throw new Error(`the run stopped: ${failure}`);
      if (Date.now() > deadline)
        throw new Error(`the run was not done in ${options.timeoutMs ?? 600_000} ms`);
      if (Date.now() - lastReport > 5_000) {
        lastReport = Date.now();
        progress(
          `watch: ${first ? 'running' : 'waiting for the first commit'}, ${this.predictions.received} predictions visible`,
        );
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }

  async stop(): Promise<void> {
    await Promise.all([this.events.stop(), this.predictions.stop()]);
    await this.admin.deleteGroups([this.events.groupId, this.predictions.groupId]).catch(() => undefined);
    await this.admin.disconnect();
  }

  /** Once every prediction is visible (or 15 s passed: some may have been dead-lettered instead). */
  private async rateOf(
    departures: number,
  ): Promise<Pick<RunMeasure, 'departures' | 'rate' | 'seconds' | 'predictionsReceived'>> {
    await this.events.awaitReceived(departures, 30_000);
    const predictionsReceived = await this.predictions.awaitReceived(departures, 15_000);
    const firstAppendMs = this.events.take().reduce((min, r) => Math.min(min, r.timestampMs), Infinity);
    const lastVisibleMs = this.predictions
      .take()
      .reduce((max, r) => Math.max(max, r.receivedAtMs), -Infinity);
    const seconds = (lastVisibleMs - firstAppendMs) / 1000;
    if (!(seconds > 0)) throw new Error(`no departure-to-prediction span was seen (${seconds} s)`);
    return { departures, rate: departures / seconds, seconds, predictionsReceived };
  }
}

async function committedByPartition(
  admin: Admin,
  groupId: string,
  topic: string,
): Promise<Map<number, bigint>> {
  const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return new Map((offsets?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)] as const));
}

async function anyCommitted(admin: Admin, groups: readonly StageGroup[]): Promise<boolean> {
  for (const { groupId, topics } of groups)
    for (const topic of topics)
      if ([...(await committedByPartition(admin, groupId, topic)).values()].some((o) => o > 0n)) return true;
  return false;
}

/** Whether the group has committed every partition of `topic` to its end (markers included). */
async function caughtUp(admin: Admin, groupId: string, topic: string): Promise<boolean> {
  const [ends, committed] = await Promise.all([
    topicEnds(admin, topic),
    committedByPartition(admin, groupId, topic),
  ]);
  return [...ends].every(([partition, end]) => (committed.get(partition) ?? -1n) >= end);
}

/**
 * Sources complete, then stage by stage: a stage's input ends are read only once the stage before
 * it is done, so they are final.
 */
async function runDone(admin: Admin, options: RunWatchOptions): Promise<boolean> {
  for (const { topic, records } of options.sources) {
    const ends = await topicEnds(admin, topic);
    if ([...ends.values()].reduce((sum, end) => sum + Number(end), 0) < records) return false;
  }
  for (const stage of options.stages)
    for (const { groupId, topics } of stage)
      for (const topic of topics) if (!(await caughtUp(admin, groupId, topic))) return false;
  return true;
}
