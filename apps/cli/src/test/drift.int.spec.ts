import { join } from 'node:path';
import type { Kafka } from 'kafkajs';
import {
  ContentTypes,
  encodeSingleObject,
  Headers,
  loadSchemaHistory,
  TopicCatalogue,
  type DriftAlert,
  type DriftReport,
  type DriftWindow,
  type FeatureDrift,
  type RetrainingTrigger,
} from '@streamscore/contracts';
import { createTestTopics, deleteTestTopics, randomName, testKafka } from '@streamscore/testing';
import { runCli } from './run-cli';

const ROOT = join(__dirname, '..', '..', '..', '..');
const SCHEMAS = join(ROOT, 'schemas');

const WINDOW: DriftWindow = {
  kind: 'TIME',
  index: 3,
  start: Date.UTC(2001, 5, 1),
  end: Date.UTC(2001, 5, 2),
};
const CLOSED_AT = Date.UTC(2001, 5, 2, 0, 5);

function featureDrift(feature: string, psi: number, ksStatistic: number, drifting: boolean): FeatureDrift {
  return {
    feature,
    kind: 'NUMERIC',
    count: 5000,
    missing: 0,
    psi,
    ksStatistic,
    ksPValue: 0.0004,
    ksPValueAdjusted: 0.001,
    ksMethod: 'asymp',
    drifting,
    histogram: [
      { label: '[0, 500)', reference: 0.5, current: 0.2 },
      { label: '[500, inf)', reference: 0.5, current: 0.8 },
    ],
  };
}

const REPORT: DriftReport = {
  reportId: 'flight-delay/2/TIME/3',
  modelName: 'flight-delay',
  modelVersion: '2',
  window: WINDOW,
  events: 5000,
  judged: true,
  reason: null,
  features: [featureDrift('distance', 0.31234, 0.12, true), featureDrift('dep_hour', 0.01, 0.02, false)],
  score: { ...featureDrift('score', 0.0421, 0.05, false), ksPValueAdjusted: null },
  driftedFeatures: ['distance'],
  driftShare: 0.5,
  datasetDrift: false,
  rule: {
    psiThreshold: 0.2,
    ksStatisticThreshold: 0.1,
    pValueThreshold: 0.05,
    correction: 'holm',
    datasetDriftShare: 0.5,
    minWindowEvents: 1000,
    startAfter: 3,
    resolveAfter: 3,
    triggerAfter: 3,
    cooldownWindows: 7,
  },
  alertState: {
    features: [
      { feature: 'distance', driftingWindows: 3, cleanWindows: 0, open: true },
      { feature: 'dep_hour', driftingWindows: 0, cleanWindows: 3, open: false },
    ],
    datasetDriftWindows: 1,
    cooldownRemaining: 0,
  },
  evaluatedAt: CLOSED_AT,
};

const ALERT: DriftAlert = {
  alertId: `${REPORT.reportId}/distance/STARTED`,
  status: 'STARTED',
  modelName: 'flight-delay',
  modelVersion: '2',
  feature: 'distance',
  window: WINDOW,
  consecutiveWindows: 3,
  statistics: { feature: 'distance', psi: 0.31234, ksStatistic: 0.12, ksPValueAdjusted: 0.001 },
  reportId: REPORT.reportId,
  raisedAt: CLOSED_AT,
};

const TRIGGER: RetrainingTrigger = {
  triggerId: `${REPORT.reportId}/retrain`,
  modelName: 'flight-delay',
  modelVersion: '2',
  reason: 'dataset drift for 3 windows',
  features: ['distance'],
  statistics: [ALERT.statistics],
  window: WINDOW,
  consecutiveWindows: 3,
  driftShare: 0.5,
  cooldownWindows: 7,
  reportId: REPORT.reportId,
  createdAt: CLOSED_AT,
};

// What `streamscore drift` must print for the records above, written out rather than derived
// from drift-lines.ts, so a change to the printed format fails here.
const WINDOW_TEXT = 'time window #3 [2001-06-01T00:00Z, 2001-06-02T00:00Z)';
const REPORT_LINE = `2001-06-02T00:05Z report         flight-delay v2 ${WINDOW_TEXT} events=5000 drifted=distance share=0.50 score-psi=0.042 open-alerts=distance`;
const ALERT_LINE = `2001-06-02T00:05Z DRIFT STARTED  flight-delay v2 distance: psi=0.312 ks=0.120 p=0.0010 after 3 windows, ${WINDOW_TEXT}`;
const TRIGGER_LINE = `2001-06-02T00:05Z RETRAIN        flight-delay v2: dataset drift for 3 windows (features distance, share=0.50, ${WINDOW_TEXT})`;

/** Printed lines in a fixed order: the command reads its three topics concurrently. */
const sortedLines = (stdout: string): string[] => stdout.split('\n').filter(Boolean).sort();

describe('streamscore drift on the real Kafka', () => {
  const prefix = randomName('cli-drift');
  const catalogue = new TopicCatalogue({ prefix, partitions: 1 });
  const topics = [
    catalogue.spec('driftReports'),
    catalogue.spec('driftAlerts'),
    catalogue.spec('retrainingTriggers'),
  ];
  const env = { TOPIC_PREFIX: prefix, TOPIC_PARTITIONS: '1', STREAMSCORE_SCHEMAS_DIR: SCHEMAS };
  let kafka: Kafka;

  beforeAll(async () => {
    kafka = testKafka();
    const admin = kafka.admin();
    await admin.connect();
    await createTestTopics(admin, topics);
    await admin.disconnect();
    const avro = (schema: string, record: unknown): Buffer =>
      encodeSingleObject(loadSchemaHistory(join(SCHEMAS, schema)).latest.type, record);
    const headers = { [Headers.contentType]: ContentTypes.avro };
    const producer = kafka.producer();
    await producer.connect();
    try {
      await producer.sendBatch({
        topicMessages: [
          {
            topic: catalogue.name('driftReports'),
            messages: [{ key: 'flight-delay/2', value: avro('drift-report', REPORT), headers }],
          },
          {
            topic: catalogue.name('driftAlerts'),
            messages: [{ key: 'flight-delay/2', value: avro('drift-alert', ALERT), headers }],
          },
          {
            topic: catalogue.name('retrainingTriggers'),
            messages: [{ key: 'flight-delay/2', value: avro('retraining-trigger', TRIGGER), headers }],
          },
        ],
      });
    } finally {
      await producer.disconnect();
    }
  }, 60_000);

  afterAll(async () => {
    const admin = kafka.admin();
    await admin.connect();
    await deleteTestTopics(admin, topics);
    await admin.disconnect();
  });

  it('should print the history of reports, alerts and triggers with --no-follow, then stop', async () => {
    const printed = await runCli(['drift', '--no-follow'], env);
    expect(sortedLines(printed)).toEqual([REPORT_LINE, ALERT_LINE, TRIGGER_LINE].sort());
  }, 60_000);

  it('should leave the window reports out with --no-reports', async () => {
    const printed = await runCli(['drift', '--no-follow', '--no-reports'], env);
    expect(sortedLines(printed)).toEqual([ALERT_LINE, TRIGGER_LINE].sort());
  }, 60_000);

  it('should follow from the oldest record with --from-beginning and stop at --max', async () => {
    const printed = await runCli(['drift', '--from-beginning', '--max', '3'], env);
    expect(sortedLines(printed)).toEqual([REPORT_LINE, ALERT_LINE, TRIGGER_LINE].sort());
  }, 60_000);

  it('should name a record that does not decode and go on', async () => {
    const producer = kafka.producer();
    await producer.connect();
    try {
      await producer.send({
        topic: catalogue.name('driftAlerts'),
        messages: [{ key: 'flight-delay/2', value: Buffer.from('not avro'), headers: {} }],
      });
    } finally {
      await producer.disconnect();
    }
    const lines = sortedLines(await runCli(['drift', '--no-follow', '--no-reports'], env));
    expect(lines).toHaveLength(3);
    expect(lines).toEqual(expect.arrayContaining([ALERT_LINE, TRIGGER_LINE]));
    expect(
      lines.find((line) => line.startsWith(`${catalogue.name('driftAlerts')} 0:1: undecodable (`)),
    ).toBeDefined();
  }, 60_000);
});
