import { join } from 'node:path';
import type { TopicCatalogue, TopicKey } from '@streamscore/contracts';

export const ConsumeTargets = [
  'events',
  'outcomes',
  'predictions',
  'shadow',
  'dead-letters',
  'prediction-dead-letters',
  'alerts',
  'reports',
  'triggers',
  'validated',
] as const;
export type ConsumeTarget = (typeof ConsumeTargets)[number];

/** How the records of one topic are shown: decoded with a schema history, or as dead letters. */
export type TopicReading =
  | { readonly topic: string; readonly kind: 'avro'; readonly schemaDir: string }
  | { readonly topic: string; readonly kind: 'dead-letter' };

export interface TargetSources {
  readonly topics: TopicCatalogue;
  readonly schemasDir: string;
  /** Only `events`, `outcomes` and `validated` need the pipeline (their schemas are the deployment's own). */
  readonly pipelineSchemaDirs: () => { readonly events: string; readonly outcomes: string };
}

const PLATFORM: Partial<Record<ConsumeTarget, { key: TopicKey; schema: string }>> = {
  predictions: { key: 'predictions', schema: 'prediction' },
  shadow: { key: 'predictionsShadow', schema: 'prediction' },
  alerts: { key: 'driftAlerts', schema: 'drift-alert' },
  reports: { key: 'driftReports', schema: 'drift-report' },
  triggers: { key: 'retrainingTriggers', schema: 'retraining-trigger' },
};

/** The topics behind a `consume` target and how to read each. */
export function readingsFor(target: ConsumeTarget, sources: TargetSources): TopicReading[] {
  const { topics } = sources;
  if (target === 'dead-letters') return [{ topic: topics.name('eventsDeadLetter'), kind: 'dead-letter' }];
  if (target === 'prediction-dead-letters') {
    return [{ topic: topics.name('predictionsDeadLetter'), kind: 'dead-letter' }];
  }
  if (target === 'events' || target === 'outcomes') {
    return [{ topic: topics.name(target), kind: 'avro', schemaDir: sources.pipelineSchemaDirs()[target] }];
  }
  if (target === 'validated') {
    const dirs = sources.pipelineSchemaDirs();
    return [
      { topic: topics.name('eventsValidated'), kind: 'avro', schemaDir: dirs.events },
      { topic: topics.name('outcomesValidated'), kind: 'avro', schemaDir: dirs.outcomes },
    ];
  }
  const platform = PLATFORM[target];
  if (platform === undefined) throw new RangeError(`no topic for ${target}`);
  return [
    { topic: topics.name(platform.key), kind: 'avro', schemaDir: join(sources.schemasDir, platform.schema) },
  ];
}
