import { endOffsets, TopicReader, type TopicOffsets } from '@streamscore/kafka';
import type { Kafka } from 'kafkajs';
import { DeploymentError } from './deployment-errors';

export interface FollowedRecord {
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  /** null for a tombstone. */
  readonly value: Buffer | null;
  /** True for records that were already on the topic when start() looked at its end offsets. */
  readonly backlog: boolean;
}

export interface TopicFollowerOptions {
  readonly kafka: Kafka;
  readonly topic: string;
  readonly onRecord: (record: FollowedRecord) => Promise<void> | void;
  readonly log?: (message: string) => void;
  /** start() rejects when the backlog is not read within this time. */
  readonly catchUpTimeoutMs?: number;
  /** Readable part of the throwaway consumer group id. */
  readonly groupPrefix?: string;
}

const DEFAULT_CATCH_UP_TIMEOUT_MS = 30_000;

/**
 * Reads a topic from its beginning and keeps following it, with @streamscore/kafka's TopicReader:
 * every follower sees the whole (compacted) topic, and no group state outlives it. start() catches
 * up to the end offsets seen at start, by consumer position (a topic written in transactions ends
 * with a marker no record stands at); the records below those offsets are the backlog.
 */
export class TopicFollower {
  private reader: TopicReader | undefined;

  constructor(private readonly options: TopicFollowerOptions) {}

  async start(): Promise<void> {
    const { kafka, topic } = this.options;
    const timeoutMs = this.options.catchUpTimeoutMs ?? DEFAULT_CATCH_UP_TIMEOUT_MS;
    const deadline = Date.now() + timeoutMs;
    // Taken before reading starts, so each record can tell whether it is backlog.
    const ends = await this.endOffsets();
    const backlogEnds = ends.get(topic) ?? new Map<number, bigint>();
    const reader = await TopicReader.start(
      kafka,
      [topic],
      (record) =>
        this.options.onRecord({
          partition: record.partition,
          offset: record.offset,
          key: record.key ? record.key.toString('utf8') : null,
          value: record.value,
          backlog: BigInt(record.offset) < (backlogEnds.get(record.partition) ?? 0n),
        }),
      { groupPrefix: this.options.groupPrefix ?? 'streamscore-follower', log: this.options.log },
      deadline,
    );
    this.reader = reader;
    try {
      await reader.readTo(
        ends,
        deadline,
        (shortfall) =>
          new DeploymentError(
            'NOT_CAUGHT_UP',
            `could not read ${topic} to its end within ${timeoutMs} ms: ${shortfall}`,
          ),
      );
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  async stop(): Promise<void> {
    const reader = this.reader;
    this.reader = undefined;
    await reader?.stop();
  }

  private async endOffsets(): Promise<TopicOffsets> {
    const admin = this.options.kafka.admin();
    await admin.connect();
    try {
      return await endOffsets(admin, [this.options.topic]);
    } finally {
      await admin.disconnect();
    }
  }
}
