import type { ModelDeployment, ModelDeploymentAudit } from '@streamscore/contracts';
import type { Kafka, RecordMetadata, Transaction } from 'kafkajs';
import { readTopicToEnd, transactionalProducerConfig, type ReadToEndOptions } from '@streamscore/kafka';
import { randomUUID } from 'node:crypto';
import { artifactFor, verifyArtifact } from './artifact-verification';
import * as changes from './deployment-changes';
import { DeploymentCodec, RECORD_HEADERS } from './deployment-codec';
import { DeploymentError } from './deployment-errors';
import { artifactsOf, sameArtifact } from './deployment-records';

export interface DeploymentWriterOptions {
  readonly kafka: Kafka;
  /** The compacted model-deployments topic (TopicCatalogue key 'modelDeployments'). */
  readonly deploymentsTopic: string;
  /** TopicCatalogue key 'modelDeploymentsAudit'. */
  readonly auditTopic: string;
  /** The model repository the versions are resolved and verified in. */
  readonly repositoryRoot: string;
  /** Defaults to `<cwd>/schemas`. */
  readonly schemasDir?: string;
  /**
   * Transactional ids are `<prefix>.<model>`, by default with prefix
   * `streamscore-deployments.<deploymentsTopic>`: stable per model, and apart per topic namespace.
   */
  readonly transactionalIdPrefix?: string;
  readonly log?: (message: string) => void;
  /** Clock for the records' updatedAt (epoch ms). */
  readonly now?: () => number;
}

type Compute = (
  current: ModelDeployment | undefined,
  history: () => Promise<ModelDeploymentAudit[]>,
  stamp: changes.ChangeStamp,
) => Promise<changes.DeploymentChange> | changes.DeploymentChange;

/**
 * Writes desired deployments. Each change is one Kafka transaction holding the new record (key =
 * model) and its audit record, so readers on read_committed see both or neither.
 *
 * A change starts its transaction first: the transactional id is stable per model, so beginning
 * fences any other writer of the same model (Kafka's producer epoch). Only then is the current
 * record read, the new one computed and its new artifacts verified; a version that fails
 * verification is refused before anything is written.
 */
export class DeploymentWriter {
  private readonly codec: DeploymentCodec;
  /** Changes run one at a time: two at once would share a transactional id and fence each other. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: DeploymentWriterOptions) {
    this.codec = new DeploymentCodec(options.schemasDir);
  }

  /** ACTIVATE: `version` becomes active; any canary is dropped. */
  async deploy(model: string, version: string, by: string, reason: string): Promise<ModelDeployment> {
    const artifact = await artifactFor(this.options.repositoryRoot, model, version);
    return this.change(model, by, reason, (current, _, stamp) =>
      changes.activate(current, model, artifact, stamp),
    );
  }

  async startCanary(
    model: string,
    version: string,
    share: number,
    by: string,
    reason: string,
  ): Promise<ModelDeployment> {
    changes.checkShare(share);
    const artifact = await artifactFor(this.options.repositoryRoot, model, version);
    return this.change(model, by, reason, (current, _, stamp) =>
      changes.startCanary(current, model, artifact, share, stamp),
    );
  }

  async stopCanary(model: string, by: string, reason: string): Promise<ModelDeployment> {
    return this.change(model, by, reason, (current, _, stamp) => changes.stopCanary(current, model, stamp));
  }

  async startShadow(model: string, version: string, by: string, reason: string): Promise<ModelDeployment> {
    const artifact = await artifactFor(this.options.repositoryRoot, model, version);
    return this.change(model, by, reason, (current, _, stamp) =>
      changes.startShadow(current, model, artifact, stamp),
    );
  }

  async stopShadow(model: string, by: string, reason: string): Promise<ModelDeployment> {
    return this.change(model, by, reason, (current, _, stamp) => changes.stopShadow(current, model, stamp));
  }

  /** The canary becomes active (audited as ACTIVATE). */
  async promote(model: string, by: string, reason: string): Promise<ModelDeployment> {
    return this.change(model, by, reason, (current, _, stamp) => changes.promote(current, model, stamp));
  }

  /** Writes the record before the current one again (audited as ROLLBACK). */
  async rollback(model: string, by: string, reason: string): Promise<ModelDeployment> {
    return this.change(model, by, reason, async (current, history, stamp) =>
      changes.rollback(current, model, await history(), stamp),
    );
  }

  /** The latest committed deployment of `model`, read from the compacted topic. */
  async current(model: string): Promise<ModelDeployment | undefined> {
    let latest: ModelDeployment | undefined;
    for (const record of await readTopicToEnd(
      this.options.kafka,
      this.options.deploymentsTopic,
      this.readOptions(),
    )) {
      if (record.key?.toString('utf8') !== model) continue;
      if (record.value === null) {
        latest = undefined;
        continue;
      }
      const decoded = await this.codec.decodeDeployment(record.value);
      if (decoded.ok) latest = decoded.record;
      else this.options.log?.(`deployment record at offset ${record.offset} skipped: ${decoded.reason}`);
    }
    return latest;
  }

  /** Every committed change of `model`, oldest first. */
  async history(model: string): Promise<ModelDeploymentAudit[]> {
    const audits: ModelDeploymentAudit[] = [];
    for (const record of await readTopicToEnd(
      this.options.kafka,
      this.options.auditTopic,
      this.readOptions(),
    )) {
      if (record.key?.toString('utf8') !== model || record.value === null) continue;
      const decoded = await this.codec.decodeAudit(record.value);
      if (decoded.ok) audits.push(decoded.record);
      else this.options.log?.(`audit record at offset ${record.offset} skipped: ${decoded.reason}`);
    }
    return audits;
  }

  /**
   * Waits for the changes already asked for. Each change connects its own producer and disconnects
   * it when done, so nothing else stays open.
   */
  async disconnect(): Promise<void> {
    await this.queue.catch(() => undefined);
  }

  private readOptions(): ReadToEndOptions {
    return { groupPrefix: 'streamscore-deployments-read', log: this.options.log, timeoutMs: READ_TIMEOUT_MS };
  }

  private change(model: string, by: string, reason: string, compute: Compute): Promise<ModelDeployment> {
    const run = this.queue.catch(() => undefined).then(() => this.changeNow(model, by, reason, compute));
    this.queue = run;
    return run;
  }

  private async changeNow(
    model: string,
    by: string,
    reason: string,
    compute: Compute,
  ): Promise<ModelDeployment> {
    const stamp = { by, reason, at: (this.options.now ?? Date.now)() };
    changes.checkStamp(stamp);
    const prefix =
      this.options.transactionalIdPrefix ?? `streamscore-deployments.${this.options.deploymentsTopic}`;
    const producer = this.options.kafka.producer(transactionalProducerConfig(`${prefix}.${model}`));
    await producer.connect();
    try {
      const transaction = await producer.transaction();
      try {
        const current = await this.current(model);
        const { action, next } = await compute(current, () => this.history(model), stamp);
        await this.verifyNew(model, current, next);
        await this.write(transaction, {
          auditId: randomUUID(),
          action,
          previous: current ?? null,
          current: next,
        });
        return next;
      } catch (error) {
        // Usually nothing was sent (refused before writing): then abort is local to kafkajs.
        await transaction.abort().catch((abortError: unknown) => {
          this.options.log?.(
            `abort after a failed change of ${model} failed: ${(abortError as Error).message}`,
          );
        });
        throw error;
      }
    } finally {
      await producer.disconnect();
    }
  }

  /** Verifies the artifacts `next` adds: the ones already serving were verified when they came in. */
  private async verifyNew(
    model: string,
    current: ModelDeployment | undefined,
    next: ModelDeployment,
  ): Promise<void> {
    const serving = current ? artifactsOf(current) : [];
    for (const artifact of artifactsOf(next)) {
      if (serving.some((known) => sameArtifact(known, artifact))) continue;
      await verifyArtifact(artifact, this.options.repositoryRoot, model);
    }
  }

  private async write(transaction: Transaction, audit: ModelDeploymentAudit): Promise<void> {
    const key = audit.current.model;
    const written = await transaction.sendBatch({
      topicMessages: [
        {
          topic: this.options.deploymentsTopic,
          messages: [{ key, value: this.codec.encodeDeployment(audit.current), headers: RECORD_HEADERS }],
        },
        {
          topic: this.options.auditTopic,
          messages: [{ key, value: this.codec.encodeAudit(audit), headers: RECORD_HEADERS }],
        },
      ],
    });
    await transaction.commit();
    await this.untilVisible(written);
  }

  /**
   * Read-your-writes: commit returns once the coordinator has decided, but the commit markers reach
   * the partitions a moment later, and until then a read_committed reader (the end offsets it reads
   * are the last stable offsets) does not see the change. A change returns only once it is visible,
   * so `models rollback` followed by `models history` shows the rollback.
   */
  private async untilVisible(written: RecordMetadata[]): Promise<void> {
    const admin = this.options.kafka.admin();
    await admin.connect();
    try {
      const deadline = Date.now() + VISIBLE_TIMEOUT_MS;
      for (const record of written) {
        const last = BigInt(record.baseOffset ?? '0');
        for (;;) {
          const offsets = await admin.fetchTopicOffsets(record.topicName);
          const stable = offsets.find((offset) => offset.partition === record.partition)?.high ?? '0';
          if (BigInt(stable) > last) break;
          if (Date.now() > deadline)
            throw new DeploymentError(
              'NOT_VISIBLE',
              `the change was committed but ${record.topicName}[${record.partition}] did not show offset ${last} within ${VISIBLE_TIMEOUT_MS} ms`,
            );
          await new Promise((resolve) => setTimeout(resolve, 25));
        }
      }
    } finally {
      await admin.disconnect();
    }
  }
}

const VISIBLE_TIMEOUT_MS = 10_000;
const READ_TIMEOUT_MS = 30_000;
