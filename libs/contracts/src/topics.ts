/**
 * The topic catalogue: the one place that names topics and sets their partitions and policies.
 * Nobody writes a topic string inline; services ask the catalogue (Seldon's TopicNamer idea).
 * A namespace prefix lets tests and tenants run side by side on one cluster.
 */
export type TopicKey =
  | 'events'
  | 'outcomes'
  | 'eventsValidated'
  | 'outcomesValidated'
  | 'eventsDeadLetter'
  | 'featuresDeadLetter'
  | 'predictions'
  | 'predictionsShadow'
  | 'predictionsDeadLetter'
  | 'driftReports'
  | 'driftAlerts'
  | 'retrainingTriggers'
  | 'modelDeployments'
  | 'modelDeploymentsAudit';

export interface TopicSpec {
  readonly key: TopicKey;
  readonly name: string;
  readonly partitions: number;
  readonly cleanupPolicy: 'delete' | 'compact';
  /** -1 keeps records forever. */
  readonly retentionMs: number;
  readonly description: string;
}

const DAY_MS = 86_400_000;

interface BaseSpec {
  readonly suffix: string;
  readonly partitioned: boolean;
  readonly cleanupPolicy: 'delete' | 'compact';
  readonly retentionMs: number;
  readonly description: string;
}

const BASE: Record<TopicKey, BaseSpec> = {
  events: {
    suffix: 'events',
    partitioned: true,
    cleanupPolicy: 'delete',
    retentionMs: 7 * DAY_MS,
    description: 'raw input events from producers',
  },
  outcomes: {
    suffix: 'outcomes',
    partitioned: true,
    cleanupPolicy: 'delete',
    retentionMs: 7 * DAY_MS,
    description: 'observed outcomes (later ground truth)',
  },
  eventsValidated: {
    suffix: 'events.validated',
    partitioned: true,
    cleanupPolicy: 'delete',
    retentionMs: 7 * DAY_MS,
    description: 'valid events, canonical Avro, keyed by entity',
  },
  outcomesValidated: {
    suffix: 'outcomes.validated',
    partitioned: true,
    cleanupPolicy: 'delete',
    retentionMs: 30 * DAY_MS,
    description: 'valid outcomes; feature source and ground truth',
  },
  eventsDeadLetter: {
    suffix: 'events.dead-letter',
    partitioned: false,
    cleanupPolicy: 'delete',
    retentionMs: 30 * DAY_MS,
    description: 'rejected input records with reason headers',
  },
  featuresDeadLetter: {
    suffix: 'features.dead-letter',
    partitioned: false,
    cleanupPolicy: 'delete',
    retentionMs: 30 * DAY_MS,
    description: 'validated records the features service could not decode',
  },
  predictions: {
    suffix: 'predictions',
    partitioned: true,
    cleanupPolicy: 'delete',
    retentionMs: 7 * DAY_MS,
    description: 'scores from the active or canary model',
  },
  predictionsShadow: {
    suffix: 'predictions.shadow',
    partitioned: true,
    cleanupPolicy: 'delete',
    retentionMs: 3 * DAY_MS,
    description: 'scores from the shadow model; never served',
  },
  predictionsDeadLetter: {
    suffix: 'predictions.dead-letter',
    partitioned: false,
    cleanupPolicy: 'delete',
    retentionMs: 30 * DAY_MS,
    description: 'validated events that could not be scored',
  },
  driftReports: {
    suffix: 'drift.reports',
    partitioned: false,
    cleanupPolicy: 'delete',
    retentionMs: 90 * DAY_MS,
    description: 'one report per evaluated window',
  },
  driftAlerts: {
    suffix: 'drift.alerts',
    partitioned: false,
    cleanupPolicy: 'delete',
    retentionMs: 90 * DAY_MS,
    description: 'drift started / resolved',
  },
  retrainingTriggers: {
    suffix: 'retraining.triggers',
    partitioned: false,
    cleanupPolicy: 'delete',
    retentionMs: 90 * DAY_MS,
    description: 'requests to retrain a model',
  },
  modelDeployments: {
    suffix: 'model-deployments',
    partitioned: false,
    cleanupPolicy: 'compact',
    retentionMs: -1,
    description: 'desired deployment per model (compacted)',
  },
  modelDeploymentsAudit: {
    suffix: 'model-deployments.audit',
    partitioned: false,
    cleanupPolicy: 'delete',
    retentionMs: -1,
    description: 'every deployment change: who, when, why',
  },
};

export interface CatalogueOptions {
  /** Prepended as `<prefix>.` to every name; empty for none. */
  readonly prefix?: string;
  /** Partitions of the data topics; control topics always have one. */
  readonly partitions?: number;
}

export const DEFAULT_PARTITIONS = 6;

export class TopicCatalogue {
  private readonly specs: ReadonlyMap<TopicKey, TopicSpec>;

  constructor(options: CatalogueOptions = {}) {
    const prefix = options.prefix ? `${options.prefix}.` : '';
    const partitions = options.partitions ?? DEFAULT_PARTITIONS;
    if (!Number.isInteger(partitions) || partitions < 1) {
      throw new RangeError(`partitions must be a positive integer, got ${partitions}`);
    }
    const entries = (Object.keys(BASE) as TopicKey[]).map((key): [TopicKey, TopicSpec] => {
      const base = BASE[key];
      return [
        key,
        {
          key,
          name: prefix + base.suffix,
          partitions: base.partitioned ? partitions : 1,
          cleanupPolicy: base.cleanupPolicy,
          retentionMs: base.retentionMs,
          description: base.description,
        },
      ];
    });
    this.specs = new Map(entries);
  }

  name(key: TopicKey): string {
    return this.spec(key).name;
  }

  spec(key: TopicKey): TopicSpec {
    const spec = this.specs.get(key);
    if (!spec) throw new RangeError(`unknown topic key ${key}`);
    return spec;
  }

  all(): TopicSpec[] {
    return [...this.specs.values()];
  }
}
