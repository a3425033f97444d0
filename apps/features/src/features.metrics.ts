import { Inject, Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { METRICS_REGISTRY } from '@streamscore/observability';

export const RECORD_OUTCOMES = ['applied', 'duplicate', 'late', 'invalid'] as const;

/**
 * Per view and outcome, features_records_total equals what the materializer reported for each
 * record it was given: applied + duplicate + late + invalid = records of the view's source decoded.
 */
@Injectable()
export class FeaturesMetrics {
  readonly recordsIn: Counter<'topic'>;
  readonly deadLettered: Counter<'topic' | 'code'>;
  readonly records: Counter<'view' | 'outcome'>;
  readonly writeBatchSeconds: Histogram;
  readonly readSeconds: Histogram<'endpoint'>;
  readonly watermarkLagSeconds: Gauge<'view'>;
  readonly eventTimeLagSeconds: Gauge<'view'>;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    this.recordsIn = new Counter({
      name: 'features_records_in_total',
      help: 'records consumed from a validated topic and handed to the materializer (replays included)',
      labelNames: ['topic'],
      registers: [registry],
    });
    this.deadLettered = new Counter({
      name: 'features_dead_lettered_total',
      help: 'validated records that did not decode (a bug upstream), dead-lettered to features.dead-letter; counted once committed',
      labelNames: ['topic', 'code'],
      registers: [registry],
    });
    this.records = new Counter({
      name: 'features_records_total',
      help: 'records per view by outcome: applied, duplicate (replay), late (dropped), invalid (not placeable)',
      labelNames: ['view', 'outcome'],
      registers: [registry],
    });
    this.writeBatchSeconds = new Histogram({
      name: 'features_write_batch_seconds',
      help: 'time to materialize one micro-batch in Redis (one pipelined round trip)',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    });
    this.readSeconds = new Histogram({
      name: 'features_read_seconds',
      help: 'time of one HTTP feature read (one Redis round trip), by endpoint',
      labelNames: ['endpoint'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers: [registry],
    });
    this.watermarkLagSeconds = new Gauge({
      name: 'features_watermark_lag_seconds',
      help: 'wall clock minus the view watermark',
      labelNames: ['view'],
      registers: [registry],
    });
    this.eventTimeLagSeconds = new Gauge({
      name: 'features_event_time_lag_seconds',
      help: "greatest event time materialized from the view's source minus the view watermark",
      labelNames: ['view'],
      registers: [registry],
    });
  }
}
