import {
  TRANSACTION_RETRY_MS,
  TransactionalProducerPool,
  transactionalProducerConfig,
} from './transactional-producers';

describe('transactionalProducerConfig', () => {
  it('should retry a transaction after the Java client backoff, not the client-wide 200 ms', () => {
    const config = transactionalProducerConfig('group.topic.0');
    expect(config.retry?.initialRetryTime).toBe(TRANSACTION_RETRY_MS);
    expect(TRANSACTION_RETRY_MS).toBeLessThanOrEqual(20);
  });

  it('should keep retries unbounded, as kafkajs requires of an idempotent producer', () => {
    const config = transactionalProducerConfig('group.topic.0');
    expect(config).toMatchObject({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
    expect(config.retry?.retries).toBe(Number.MAX_SAFE_INTEGER);
    // maxRetryTime comes from the client (createKafka), so it is not overridden here.
    expect(config.retry).not.toHaveProperty('maxRetryTime');
  });

  it('should pass the transaction timeout only when one is given', () => {
    expect(transactionalProducerConfig('a', 30_000).transactionTimeout).toBe(30_000);
    expect(transactionalProducerConfig('a')).not.toHaveProperty('transactionTimeout');
  });

  it('should derive a stable transactional id per input partition', () => {
    expect(TransactionalProducerPool.transactionalId('g', 't', 3)).toBe('g.t.3');
  });
});
