import { join } from 'node:path';
import type { Kafka, Producer } from 'kafkajs';
import {
  ContentTypes,
  createDecoder,
  TopicCatalogue,
  encodeSingleObject,
  Headers,
  loadSchemaHistory,
  type DriftReport,
} from '@streamscore/contracts';
import {
  createTestTopics,
  DRIFT_FIXTURE_PIPELINE,
  prediction,
  randomName,
  readTopicToEnd,
  syntheticRows,
} from '@streamscore/testing';
import { printAccounting } from './accounting';
import type { ChaosStack } from './chaos-stack';

const ROOT = join(__dirname, '..', '..', '..');
const SCHEMAS = join(ROOT, 'schemas');
const HOUR = 3_600_000;
const BASE = Date.UTC(2024, 2, 1);
/** Event-time hours a run produces: one-hour windows, each closed 2 h after its end. */
const HOURS = 16;
const ALLOWED_LATENESS_HOURS = 2;

/** A drift-monitor run: its topics, the service's settings and the input's shape. */
export interface DriftRun {
  readonly catalogue: TopicCatalogue;
  readonly env: Record<string, string>;
  readonly predictionsTopic: string;
  readonly reportsTopic: string;
  readonly hours: number;
  /** Predictions per event-time hour, so per window. */
  readonly perHour: number;
}

/**
 * Topics (2 partitions) and the drift monitor's settings: one-hour windows, 2 h allowed lateness,
 * and small fetches (16 KiB per partition) so a fault lands while windows are still being closed.
 * `events` predictions in all, spread evenly over 16 hours (at least 200 a window).
 */
export async function prepareDriftRun(chaos: ChaosStack, events: number): Promise<DriftRun> {
  const prefix = randomName('chaosdrift');
  const catalogue = new TopicCatalogue({ prefix, partitions: 2 });
  await createTestTopics(chaos.admin, catalogue.all());
  return {
    catalogue,
    predictionsTopic: catalogue.name('predictions'),
    reportsTopic: catalogue.name('driftReports'),
    hours: HOURS,
    perHour: Math.max(200, Math.floor(events / HOURS)),
    env: {
      TOPIC_PREFIX: prefix,
      TOPIC_PARTITIONS: '2',
      STREAMSCORE_PIPELINE: DRIFT_FIXTURE_PIPELINE,
      STREAMSCORE_SCHEMAS_DIR: SCHEMAS,
      STREAMSCORE_GROUP_ID: `${prefix}-group`,
      STREAMSCORE_DRIFT_WINDOW_MS: String(HOUR),
      STREAMSCORE_DRIFT_ALLOWED_LATENESS_MS: String(ALLOWED_LATENESS_HOURS * HOUR),
      STREAMSCORE_DRIFT_MIN_WINDOW_EVENTS: '100',
      STREAMSCORE_DRIFT_MAX_BYTES_PER_PARTITION: '16384',
    },
  };
}

/**
 * Windows closed once hours [0, hoursProduced) are read: the watermark is the last event time
 * (just before the end of the last hour) less the allowed lateness.
 */
export function windowsClosedBy(hoursProduced: number): number {
  return Math.max(0, hoursProduced - ALLOWED_LATENESS_HOURS - 1);
}

/** What the reports say, in a shape a test compares with `expectedDriftOutcome`. */
export interface DriftOutcome {
  /** Per report, its window (0 = the first hour) and the events it counted; sorted by window. */
  readonly counts: readonly (readonly [window: number, events: number])[];
  readonly distinctReportIds: number;
}

/**
 * Each closed window reported exactly once, counting exactly its hour's predictions (the input
 * puts `perHour` predictions in every hour, all inside it).
 */
export function expectedDriftOutcome(run: DriftRun): DriftOutcome {
  const closed = windowsClosedBy(run.hours);
  return {
    counts: Array.from({ length: closed }, (_, window) => [window, run.perHour] as const),
    distinctReportIds: closed,
  };
}

/**
 * Reads every report read_committed (at least the windows the whole input closes, then to the end
 * offsets, so a duplicate written meanwhile is read too), prints the accounting line and returns
 * the outcome.
 */
export async function readDriftOutcome(
  kafka: Kafka,
  run: DriftRun,
  scenario: string,
  started: number,
  extra: Record<string, string | number>,
): Promise<DriftOutcome> {
  const closed = windowsClosedBy(run.hours);
  const reports = await readDriftReports(kafka, run.reportsTopic, closed);
  const windows = reports.map((r) => r.window.index - BASE / HOUR);
  const distinct = new Set(windows);
  const sent = run.hours * run.perHour;
  printAccounting({
    scenario,
    sent,
    validated: sent,
    deadLettered: 0,
    predicted: sent,
    duplicates: windows.length - distinct.size,
    missing: [...Array(closed).keys()].filter((w) => !distinct.has(w)).length,
    seconds: (Date.now() - started) / 1000,
    extra: {
      windowsReported: reports.length,
      eventsInReports: reports.reduce((sum, r) => sum + r.events, 0),
      ...extra,
    },
  });
  return {
    counts: reports
      .map((r, i) => [windows[i] ?? Number.NaN, r.events] as const)
      .sort((a, b) => a[0] - b[0] || a[1] - b[1]),
    distinctReportIds: new Set(reports.map((r) => r.reportId)).size,
  };
}

/** Synthetic predictions, `perHour` per event-time hour, hours [from, to). */
export async function producePredictionHours(
  producer: Producer,
  topic: string,
  perHour: number,
  from: number,
  to: number,
): Promise<void> {
  const type = loadSchemaHistory(join(SCHEMAS, 'prediction')).latest.type;
  for (let hour = from; hour < to; hour++) {
    const rows = syntheticRows(1_000 + hour, perHour, 0);
    for (let i = 0; i < rows.length; i += 2_000) {
      await producer.send({
        topic,
        messages: rows.slice(i, i + 2_000).map((row, j) => {
          const n = i + j;
          const id = `h${hour}-${n}`;
          return {
            key: id,
            value: encodeSingleObject(
              type,
              prediction(row, BASE + hour * HOUR + Math.floor((n * HOUR) / perHour), id),
            ),
            headers: { [Headers.contentType]: ContentTypes.avro },
          };
        }),
      });
    }
  }
}

export async function readDriftReports(
  kafka: Kafka,
  topic: string,
  expected: number,
): Promise<DriftReport[]> {
  const decoder = createDecoder<DriftReport>(loadSchemaHistory(join(SCHEMAS, 'drift-report')));
  const messages = await readTopicToEnd(kafka, topic, {
    isolation: 'read_committed',
    expected,
    timeoutMs: 120_000,
  });
  const out: DriftReport[] = [];
  for (const m of messages) {
    const result = await decoder.decode(m.value, m.headers);
    if (!result.ok) throw new Error(result.reason);
    out.push(result.record);
  }
  return out;
}
