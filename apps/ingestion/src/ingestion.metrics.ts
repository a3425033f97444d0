import { Counter, Histogram, type Registry } from 'prom-client';

/** Counters equal the test's accounting: in = valid + dead-lettered, per input topic. */
export class IngestionMetrics {
  readonly recordsIn: Counter<'topic'>;
  readonly recordsValid: Counter<'topic'>;
  readonly recordsDeadLettered: Counter<'topic' | 'code'>;
  readonly replayedClaims: Counter<'topic'>;
  readonly batchRows: Histogram;
  readonly batchSeconds: Histogram<'stage'>;

  constructor(registry: Registry) {
    this.recordsIn = new Counter({
      name: 'ingestion_records_in_total',
      help: 'input records committed',
      labelNames: ['topic'],
      registers: [registry],
    });
    this.recordsValid = new Counter({
      name: 'ingestion_records_valid_total',
      help: 'records written to a validated topic',
      labelNames: ['topic'],
      registers: [registry],
    });
    this.recordsDeadLettered = new Counter({
      name: 'ingestion_records_dead_lettered_total',
      help: 'records written to the dead-letter topic, by reason code',
      labelNames: ['topic', 'code'],
      registers: [registry],
    });
    this.replayedClaims = new Counter({
      name: 'ingestion_replayed_claims_total',
      help: 'records of a deduplicated stream that found their own event-id claim: replays after a transaction that did not commit, never counted as duplicates',
      labelNames: ['topic'],
      registers: [registry],
    });
    this.batchRows = new Histogram({
      name: 'ingestion_batch_rows',
      help: 'records per micro-batch',
      buckets: [1, 10, 50, 100, 250, 500, 1000, 2500, 5000],
      registers: [registry],
    });
    this.batchSeconds = new Histogram({
      name: 'ingestion_batch_seconds',
      help: 'time per micro-batch by stage (validate, deliver)',
      labelNames: ['stage'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    });
  }
}
