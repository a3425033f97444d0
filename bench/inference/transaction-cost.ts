import type { Kafka, ProducerConfig } from 'kafkajs';
import { transactionalProducerConfig } from '@streamscore/kafka';
import { randomName } from '@streamscore/testing';

export interface TransactionCost {
  /** Mean ms of one transaction (begin, send, offsets, commit) with the platform's producer settings. */
  readonly platformMs: number;
  /** The same with the services' client-wide retry (createKafka: first retry after 200 ms), as before. */
  readonly clientRetryMs: number;
}

const WARM_UP = 5;
/** libs/kafka createKafka's retry.initialRetryTime, which transactional producers used until now. */
const CLIENT_INITIAL_RETRY_MS = 200;

/**
 * Back-to-back transactions of `records` records on one producer, as the runner sends them under a
 * steady input (small micro-batches, the next right after the previous commit). The broker often
 * answers the next transaction's first request CONCURRENT_TRANSACTIONS while it still writes the
 * previous markers; how long the producer waits before retrying is what the two figures compare.
 */
export async function transactionCost(
  kafka: Kafka,
  output: string,
  offsetsTopic: string,
  records: number,
  transactions: number,
): Promise<TransactionCost> {
  const platform = transactionalProducerConfig(randomName('bench-txn'));
  const clientRetry: ProducerConfig = {
    ...transactionalProducerConfig(randomName('bench-txn')),
    retry: { initialRetryTime: CLIENT_INITIAL_RETRY_MS, retries: Number.MAX_SAFE_INTEGER },
  };
  return {
    platformMs: await meanTransactionMs(kafka, platform, output, offsetsTopic, records, transactions),
    clientRetryMs: await meanTransactionMs(kafka, clientRetry, output, offsetsTopic, records, transactions),
  };
}

async function meanTransactionMs(
  kafka: Kafka,
  config: ProducerConfig,
  output: string,
  offsetsTopic: string,
  records: number,
  transactions: number,
): Promise<number> {
  const producer = kafka.producer(config);
  await producer.connect();
  const value = Buffer.alloc(510, 1);
  const messages = Array.from({ length: records }, (_, i) => ({ key: `k${i}`, value }));
  const groupId = randomName('bench-txn-group');
  let totalMs = 0;
  try {
    for (let i = 0; i < WARM_UP + transactions; i++) {
      const started = performance.now();
      const transaction = await producer.transaction();
      await transaction.sendBatch({ topicMessages: [{ topic: output, messages }] });
      await transaction.sendOffsets({
        consumerGroupId: groupId,
        topics: [{ topic: offsetsTopic, partitions: [{ partition: 0, offset: String(i + 1) }] }],
      });
      await transaction.commit();
      if (i >= WARM_UP) totalMs += performance.now() - started;
    }
  } finally {
    await producer.disconnect();
  }
  return totalMs / transactions;
}
