import type { Message, Producer, TopicMessages } from 'kafkajs';
import { ContentTypes, encodeSingleObject, Headers, type SchemaHistory } from '@streamscore/contracts';
import { backoffDelayMs, failureAction, sleep } from '@streamscore/kafka';
import type { WindowOutputs } from './drift-records';
import { modelKey } from './model-windows';

export interface DriftOutputSchemas {
  readonly report: SchemaHistory;
  readonly alert: SchemaHistory;
  readonly trigger: SchemaHistory;
}

export interface DriftTransaction {
  readonly producer: Producer;
  readonly groupId: string;
  readonly topics: {
    readonly predictions: string;
    readonly reports: string;
    readonly alerts: string;
    readonly triggers: string;
  };
  readonly schemas: DriftOutputSchemas;
  readonly heartbeat: () => Promise<void>;
  readonly isRunning: () => boolean;
  readonly warn: (message: string) => void;
}

/**
 * Writes the windows' outputs and the input offsets in one transaction; false when the service
 * stopped first. The one error rule: bad data is never thrown: it becomes a dead-letter output
 * with its code. A retriable error is retried with backoff until it succeeds or the service stops.
 * Any other thrown error is a bug: the service stops loudly, offsets uncommitted.
 */
export async function commitWindows(
  tx: DriftTransaction,
  outputs: readonly WindowOutputs[],
  offsets: ReadonlyMap<number, bigint>,
): Promise<boolean> {
  const topicMessages = windowMessages(tx, outputs);
  const partitions = [...offsets].map(([partition, offset]) => ({ partition, offset: offset.toString() }));
  for (let attempt = 0; ; attempt++) {
    const transaction = await tx.producer.transaction();
    try {
      await transaction.sendBatch({ topicMessages, acks: -1 });
      await transaction.sendOffsets({
        consumerGroupId: tx.groupId,
        topics: [{ topic: tx.topics.predictions, partitions }],
      });
      await transaction.commit();
      return true;
    } catch (error) {
      await transaction.abort().catch(() => undefined);
      // kafkajs does not always retry CONCURRENT_TRANSACTIONS itself (tulios/kafkajs #1315, #430).
      if (failureAction(error) === 'stop') throw error;
      tx.warn(`transaction failed (attempt ${attempt + 1}), retrying: ${String(error)}`);
      await sleep(backoffDelayMs(attempt));
      await tx.heartbeat().catch(() => undefined);
      if (!tx.isRunning()) return false;
    }
  }
}

function windowMessages(tx: DriftTransaction, outputs: readonly WindowOutputs[]): TopicMessages[] {
  const encode = (history: SchemaHistory, key: string, record: unknown): Message => ({
    key,
    value: encodeSingleObject(history.latest.type, record),
    headers: { [Headers.contentType]: ContentTypes.avro },
  });
  const keyOf = (o: WindowOutputs): string => modelKey(o.report.modelName, o.report.modelVersion);
  return [
    {
      topic: tx.topics.reports,
      messages: outputs.map((o) => encode(tx.schemas.report, keyOf(o), o.report)),
    },
    {
      topic: tx.topics.alerts,
      messages: outputs.flatMap((o) => o.alerts.map((a) => encode(tx.schemas.alert, keyOf(o), a))),
    },
    {
      topic: tx.topics.triggers,
      messages: outputs.flatMap((o) => (o.trigger ? [encode(tx.schemas.trigger, keyOf(o), o.trigger)] : [])),
    },
  ].filter((t) => t.messages.length > 0);
}
