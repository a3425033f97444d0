import type { ModelDeployment } from '@streamscore/contracts';
import type { Kafka } from 'kafkajs';
import { DeploymentCodec } from './deployment-codec';
import { TopicFollower, type FollowedRecord } from './topic-follower';

export interface DeploymentWatcherOptions {
  readonly kafka: Kafka;
  /** The compacted model-deployments topic (TopicCatalogue key 'modelDeployments'). */
  readonly topic: string;
  /** The model whose changes are reported. */
  readonly model: string;
  /**
   * Called for each record of `model` written after start() looked at the topic's end, in topic
   * order. The backlog read by start() is not replayed through it: read current() after start().
   */
  readonly onChange?: (deployment: ModelDeployment) => void;
  /** Called when `model`'s record is deleted (a tombstone) after start(). */
  readonly onDelete?: () => void;
  readonly log?: (message: string) => void;
  /** Defaults to `<cwd>/schemas`. */
  readonly schemasDir?: string;
  /** Also settable to share one codec between watchers. */
  readonly codec?: DeploymentCodec;
  readonly catchUpTimeoutMs?: number;
}

/**
 * Every replica follows the compacted model-deployments topic from its beginning, so all of them
 * converge on the same latest record per model and switch together. Records that cannot be decoded
 * are logged and skipped: the previous deployment stays in force.
 */
export class DeploymentWatcher {
  private readonly latest = new Map<string, ModelDeployment>();
  private readonly codec: DeploymentCodec;
  private readonly follower: TopicFollower;

  constructor(private readonly options: DeploymentWatcherOptions) {
    this.codec = options.codec ?? new DeploymentCodec(options.schemasDir);
    this.follower = new TopicFollower({
      kafka: options.kafka,
      topic: options.topic,
      onRecord: (record) => this.apply(record),
      groupPrefix: `streamscore-deployments-watch`,
      ...(options.log ? { log: options.log } : {}),
      ...(options.catchUpTimeoutMs !== undefined ? { catchUpTimeoutMs: options.catchUpTimeoutMs } : {}),
    });
  }

  /** Resolves once every record that was on the topic at the call has been read. */
  async start(): Promise<void> {
    await this.follower.start();
  }

  async stop(): Promise<void> {
    await this.follower.stop();
  }

  /** The latest deployment of the watched model, undefined before its first record or after a tombstone. */
  current(): ModelDeployment | undefined {
    return this.latest.get(this.options.model);
  }

  /** The latest deployment of every model seen on the topic. */
  all(): ReadonlyMap<string, ModelDeployment> {
    return this.latest;
  }

  private async apply(record: FollowedRecord): Promise<void> {
    const { model, log } = this.options;
    if (record.key === null) {
      log?.(`deployment record at offset ${record.offset} has no key; skipped`);
      return;
    }
    if (record.value === null) {
      this.latest.delete(record.key);
      if (record.key === model && !record.backlog) this.notify(() => this.options.onDelete?.());
      return;
    }
    const decoded = await this.codec.decodeDeployment(record.value);
    if (!decoded.ok) {
      log?.(`deployment record for ${record.key} at offset ${record.offset} skipped: ${decoded.reason}`);
      return;
    }
    if (decoded.record.model !== record.key) {
      log?.(
        `deployment record at offset ${record.offset} is keyed ${record.key} but names model ${decoded.record.model}; skipped`,
      );
      return;
    }
    this.latest.set(record.key, decoded.record);
    if (record.key === model && !record.backlog) {
      const deployment = decoded.record;
      this.notify(() => this.options.onChange?.(deployment));
    }
  }

  /** A listener's failure is the listener's problem: it must not stop the topic being followed. */
  private notify(call: () => void): void {
    try {
      call();
    } catch (error) {
      this.options.log?.(`deployment listener failed: ${(error as Error).message}`);
    }
  }
}
