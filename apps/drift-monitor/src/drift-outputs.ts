import { join } from 'node:path';
import {
  ContentTypes,
  encodeSingleObject,
  Headers,
  loadSchemaHistory,
  type SchemaHistory,
  type TopicCatalogue,
} from '@streamscore/contracts';
import type { OutputMessage } from '@streamscore/kafka';
import type { DriftMonitorConfig } from './config';
import type { WindowOutputs } from './drift-records';
import { modelKey } from './model-windows';

/**
 * The member producer's transactional id (the transport's `transactionalId`). Fixed per group, so
 * a new instance fences the previous one: one active drift monitor per group.
 */
export function driftTransactionalId(groupId: string): string {
  return `${groupId}.drift`;
}

export interface DriftOutputSchemas {
  readonly report: SchemaHistory;
  readonly alert: SchemaHistory;
  readonly trigger: SchemaHistory;
}

/** Where closed windows' records go, and their schemas. */
export interface DriftOutputTarget {
  readonly topics: {
    readonly reports: string;
    readonly alerts: string;
    readonly triggers: string;
  };
  readonly schemas: DriftOutputSchemas;
}

export function schemaHistoryOf(config: DriftMonitorConfig, record: string): SchemaHistory {
  return loadSchemaHistory(join(config.STREAMSCORE_SCHEMAS_DIR, record));
}

export function driftOutputTarget(config: DriftMonitorConfig, topics: TopicCatalogue): DriftOutputTarget {
  return {
    topics: {
      reports: topics.name('driftReports'),
      alerts: topics.name('driftAlerts'),
      triggers: topics.name('retrainingTriggers'),
    },
    schemas: {
      report: schemaHistoryOf(config, 'drift-report'),
      alert: schemaHistoryOf(config, 'drift-alert'),
      trigger: schemaHistoryOf(config, 'retraining-trigger'),
    },
  };
}

/**
 * The records of closed windows as transport outputs: every report, then every alert, then every
 * trigger, each Avro single-object encoded and keyed by its model version.
 */
export function windowMessages(
  target: DriftOutputTarget,
  outputs: readonly WindowOutputs[],
): OutputMessage[] {
  const encode = (
    topic: string,
    history: SchemaHistory,
    o: WindowOutputs,
    record: unknown,
  ): OutputMessage => ({
    topic,
    key: modelKey(o.report.modelName, o.report.modelVersion),
    value: encodeSingleObject(history.latest.type, record),
    headers: { [Headers.contentType]: ContentTypes.avro },
  });
  const { topics, schemas } = target;
  return [
    ...outputs.map((o) => encode(topics.reports, schemas.report, o, o.report)),
    ...outputs.flatMap((o) => o.alerts.map((a) => encode(topics.alerts, schemas.alert, o, a))),
    ...outputs.flatMap((o) => (o.trigger ? [encode(topics.triggers, schemas.trigger, o, o.trigger)] : [])),
  ];
}
