/**
 * Issue 7's real-data check: the committed model flight-delay/1 (trained on January 1–24, 2001)
 * scores the held-out January 25–31 and then June 1–7 offline; those Prediction records are
 * replayed through Kafka into the built drift-monitor with daily windows, and its reports and
 * alerts must equal, window by window and feature by feature, what the same rule computes offline
 * over the same daily windows. Every record is replayed (no subsampling).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Admin, Kafka } from 'kafkajs';
import {
  ContentTypes,
  createDecoder,
  encodeSingleObject,
  Headers,
  loadSchemaHistory,
  TopicCatalogue,
  type DriftAlert,
  type DriftReport,
  type Prediction,
} from '@streamscore/contracts';
import {
  DEFAULT_DRIFT_RULE,
  prepareReferences,
  type DriftRule,
  type HysteresisPolicy,
} from '@streamscore/drift';
import { readManifest } from '@streamscore/models';
import {
  createTestTopics,
  deleteTestTopics,
  randomName,
  readTopicToEnd,
  startServiceProcess,
  testKafka,
  type ServiceProcess,
} from '@streamscore/testing';
import { runTsx } from '../model/run-tsx';
import { offlineDrift, type OfflineWindow } from './offline-drift';
import { readReplayFile, toPrediction, type ReplayFile } from './replay-records';
import { alertRow, byAlertOrder, offlineRow, parseDriftPage, reportRow } from './replay-comparison';

const ROOT = join(__dirname, '..', '..', '..');
const SCHEMAS = join(ROOT, 'schemas');
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const SLICES = ['2001-01-25T00:00:00Z/2001-02-01T00:00:00Z', '2001-06-01T00:00:00Z/2001-06-08T00:00:00Z'];
const JUNE_FIRST = Date.UTC(2001, 5, 1);
const PARTITIONS = 3;
/** About 300 KB of Avro per request: under the broker's 1 MB message.max.bytes. */
const SEND_CHUNK = 1_000;

/** The settings, written once: the service gets them as its env, the offline side as values. */
const RULE: DriftRule = { ...DEFAULT_DRIFT_RULE, minWindowEvents: 500 };
const POLICY: HysteresisPolicy = { startAfter: 3, resolveAfter: 3, triggerAfter: 3, cooldownWindows: 7 };
const VALUES_PER_FEATURE = 100_000;
const ALLOWED_LATENESS_MS = HOUR_MS;

async function decodeAll<T>(kafka: Kafka, topic: string, record: string, expected?: number): Promise<T[]> {
  const decoder = createDecoder<T>(loadSchemaHistory(join(SCHEMAS, record)));
  const messages = await readTopicToEnd(kafka, topic, {
    isolation: 'read_committed',
    ...(expected === undefined ? {} : { expected }),
    timeoutMs: 120_000,
  });
  const out: T[] = [];
  for (const m of messages) {
    const result = await decoder.decode(m.value, m.headers);
    if (!result.ok) throw new Error(result.reason);
    out.push(result.record);
  }
  return out;
}

describe('drift-monitor replaying real flights scored by flight-delay/1', () => {
  const prefix = randomName('drift-flights');
  const catalogue = new TopicCatalogue({ prefix, partitions: PARTITIONS });
  const workDir = mkdtempSync(join(tmpdir(), 'flights-replay-'));
  let kafka: Kafka;
  let admin: Admin;
  let service: ServiceProcess | undefined;
  let replay: ReplayFile;
  let predictions: Prediction[];
  let expected: OfflineWindow[];

  beforeAll(async () => {
    const out = join(workDir, 'replay.json');
    await runTsx(['demo/flights/drift/write-flights-replay.ts', out, ...SLICES], 180_000);
    replay = readReplayFile(out);
    predictions = replay.rows.map((row) => toPrediction(replay, row));
    const last = predictions.at(-1);
    if (!last) throw new Error('the replay file holds no predictions');
    // Past the last window's end + allowed lateness, so June 7 closes; its own window stays open.
    predictions.push({
      ...last,
      eventId: 'watermark-sentinel',
      eventTime: Date.parse('2001-06-08T02:00:00Z'),
    });

    // The expectation comes first, from the library's definitions driven offline.
    const manifest = await readManifest(join(ROOT, 'models', replay.modelName, replay.modelVersion));
    const order = manifest.inputs.flatMap((input) => input.features.map((f) => f.name));
    expected = offlineDrift(predictions, prepareReferences(manifest.drift, order, manifest.training.rows), {
      windowMs: DAY_MS,
      allowedLatenessMs: ALLOWED_LATENESS_MS,
      valuesPerFeature: VALUES_PER_FEATURE,
      rule: RULE,
      policy: POLICY,
    });

    kafka = testKafka();
    admin = kafka.admin();
    await admin.connect();
    await createTestTopics(admin, catalogue.all());
  }, 240_000);

  afterAll(async () => {
    await service?.stop('SIGKILL');
    await deleteTestTopics(admin, catalogue.all());
    await admin.disconnect();
    rmSync(workDir, { recursive: true, force: true });
  });

  it('should raise the alerts the offline rule predicts, window by window, June included, and show them', async () => {
    expect(replay.slices.map((s) => s.rows)).toEqual([114_670, 116_729]);
    expect(expected).toHaveLength(14);

    // Everything is in Kafka before the monitor starts, so no partition is ever caught up early.
    const type = loadSchemaHistory(join(SCHEMAS, 'prediction')).latest.type;
    const producer = kafka.producer();
    await producer.connect();
    try {
      for (let from = 0; from < predictions.length; from += SEND_CHUNK) {
        await producer.send({
          topic: catalogue.name('predictions'),
          messages: predictions.slice(from, from + SEND_CHUNK).map((p) => ({
            key: p.entityKey,
            value: encodeSingleObject(type, p),
            headers: { [Headers.contentType]: ContentTypes.avro },
          })),
        });
      }
    } finally {
      await producer.disconnect();
    }

    service = await startServiceProcess('drift-monitor', {
      KAFKA_BROKERS: process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092',
      TOPIC_PREFIX: prefix,
      TOPIC_PARTITIONS: String(PARTITIONS),
      STREAMSCORE_PIPELINE: join(ROOT, 'demo', 'flights', 'pipeline.json'),
      STREAMSCORE_SCHEMAS_DIR: SCHEMAS,
      STREAMSCORE_GROUP_ID: `${prefix}-group`,
      STREAMSCORE_DRIFT_WINDOW: 'time',
      STREAMSCORE_DRIFT_WINDOW_MS: String(DAY_MS),
      STREAMSCORE_DRIFT_ALLOWED_LATENESS_MS: String(ALLOWED_LATENESS_MS),
      STREAMSCORE_DRIFT_MIN_WINDOW_EVENTS: String(RULE.minWindowEvents),
      STREAMSCORE_DRIFT_VALUES_PER_FEATURE: String(VALUES_PER_FEATURE),
      STREAMSCORE_DRIFT_PSI_THRESHOLD: String(RULE.psiThreshold),
      STREAMSCORE_DRIFT_KS_THRESHOLD: String(RULE.ksStatisticThreshold),
      STREAMSCORE_DRIFT_PVALUE_THRESHOLD: String(RULE.pValueThreshold),
      STREAMSCORE_DRIFT_CORRECTION: RULE.correction,
      STREAMSCORE_DRIFT_DATASET_SHARE: String(RULE.datasetDriftShare),
      STREAMSCORE_DRIFT_ALERT_AFTER: String(POLICY.startAfter),
      STREAMSCORE_DRIFT_RESOLVE_AFTER: String(POLICY.resolveAfter),
      STREAMSCORE_DRIFT_TRIGGER_AFTER: String(POLICY.triggerAfter),
      STREAMSCORE_DRIFT_COOLDOWN_WINDOWS: String(POLICY.cooldownWindows),
    });

    const reports = await decodeAll<DriftReport>(
      kafka,
      catalogue.name('driftReports'),
      'drift-report',
      expected.length,
    );
    reports.sort((a, b) => a.window.index - b.window.index);
    // Window by window and feature by feature: counts, PSI, KS D, corrected p, verdicts, open alerts.
    expect(reports.map(reportRow)).toEqual(expected.map(offlineRow));

    // Alerts are committed in the same transactions as the reports read above.
    const alerts = await decodeAll<DriftAlert>(kafka, catalogue.name('driftAlerts'), 'drift-alert');
    const expectedAlerts = expected.flatMap((w) => w.alerts).sort(byAlertOrder);
    expect(alerts.map(alertRow).sort(byAlertOrder)).toEqual(expectedAlerts);
    const triggers = await readTopicToEnd(kafka, catalogue.name('retrainingTriggers'), {
      isolation: 'read_committed',
    });
    expect(triggers).toHaveLength(expected.filter((w) => w.triggered).length);

    const juneIndex = Math.floor(JUNE_FIRST / DAY_MS);
    const juneStarted = expectedAlerts.filter((a) => a.windowIndex >= juneIndex && a.status === 'STARTED');
    expect(juneStarted.length).toBeGreaterThanOrEqual(1);

    // The page shows the latest 10 windows, newest first: their open alerts and the alerted
    // features' PSI as the reports carry them.
    const page = parseDriftPage(await (await fetch(`${service.url}/drift`)).text());
    const latest = [...reports].reverse().slice(0, 10);
    expect(page.map((w) => [w.reportId, w.openAlerts])).toEqual(
      latest.map((r) => [r.reportId, reportRow(r).openAfter]),
    );
    const alerted = new Set(expectedAlerts.map((a) => a.feature));
    for (const [i, report] of latest.entries()) {
      const shown = page[i]?.psi;
      for (const f of report.features.filter((x) => alerted.has(x.feature)))
        expect([f.feature, shown?.get(f.feature)]).toEqual([f.feature, String(f.psi)]);
    }
    for (const alert of juneStarted) {
      const window = page.find(
        (w) => w.reportId === reports.find((r) => r.window.index === alert.windowIndex)?.reportId,
      );
      expect(window?.openAlerts).toContain(alert.feature);
    }

    expect(await service.stop('SIGTERM')).toBe(0);
    service = undefined;
  }, 300_000);
});
