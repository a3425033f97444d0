import { join } from 'node:path';
import type { Admin, Kafka, Producer } from 'kafkajs';
import { chromium } from 'playwright-core';
import {
  ContentTypes,
  createDecoder,
  encodeSingleObject,
  Headers,
  loadSchemaHistory,
  TopicCatalogue,
  type DriftAlert,
  type DriftReport,
} from '@streamscore/contracts';
import {
  createTestTopics,
  deleteTestTopics,
  DRIFT_FIXTURE_PIPELINE,
  prediction,
  randomName,
  readTopicToEnd,
  type ServiceProcess,
  startServiceProcess,
  syntheticRows,
  testKafka,
} from '@streamscore/testing';
import { formatStatistic } from './drift-page';

const ROOT = join(__dirname, '..', '..', '..');
const SCHEMAS = join(ROOT, 'schemas');
const HOUR = 3_600_000;
const BASE = Date.UTC(2024, 2, 1);
const PER_HOUR = 300;
const SHIFT_FROM_HOUR = 6;
/** The page and the reports take the same key (the page is not STREAMSCORE_DRIFT_PAGE_PUBLIC here). */
const API_KEY = 'drift-int-Key-3f9a';
const AUTH = { 'x-api-key': API_KEY };

async function produceHours(producer: Producer, topic: string, from: number, to: number): Promise<void> {
  const type = loadSchemaHistory(join(SCHEMAS, 'prediction')).latest.type;
  for (let hour = from; hour < to; hour++) {
    const rows = syntheticRows(1_000 + hour, PER_HOUR, hour >= SHIFT_FROM_HOUR ? 1 : 0);
    await producer.send({
      topic,
      messages: rows.map((row, i) => {
        const id = `h${hour}-${i}`;
        return {
          key: id,
          value: encodeSingleObject(
            type,
            prediction(row, BASE + hour * HOUR + Math.floor((i * HOUR) / PER_HOUR), id),
          ),
          headers: { [Headers.contentType]: ContentTypes.avro },
        };
      }),
    });
  }
}

async function decodeAll<T>(kafka: Kafka, topic: string, record: string, expected?: number): Promise<T[]> {
  const decoder = createDecoder<T>(loadSchemaHistory(join(SCHEMAS, record)));
  const messages = await readTopicToEnd(kafka, topic, {
    isolation: 'read_committed',
    ...(expected === undefined ? {} : { expected }),
    timeoutMs: 90_000,
  });
  const out: T[] = [];
  for (const m of messages) {
    const result = await decoder.decode(m.value, m.headers);
    if (!result.ok) throw new Error(result.reason);
    out.push(result.record);
  }
  return out;
}

describe('drift-monitor on the real Kafka', () => {
  const prefix = randomName('drift');
  const catalogue = new TopicCatalogue({ prefix, partitions: 2 });
  let kafka: Kafka;
  let admin: Admin;
  let service: ServiceProcess | undefined;
  const env = (): Record<string, string> => ({
    KAFKA_BROKERS: process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092',
    TOPIC_PREFIX: prefix,
    TOPIC_PARTITIONS: '2',
    STREAMSCORE_PIPELINE: DRIFT_FIXTURE_PIPELINE,
    STREAMSCORE_SCHEMAS_DIR: SCHEMAS,
    STREAMSCORE_GROUP_ID: `${prefix}-group`,
    STREAMSCORE_DRIFT_WINDOW_MS: String(HOUR),
    STREAMSCORE_DRIFT_ALLOWED_LATENESS_MS: String(2 * HOUR),
    STREAMSCORE_DRIFT_MIN_WINDOW_EVENTS: '100',
    STREAMSCORE_DRIFT_MAX_BYTES_PER_PARTITION: '16384',
    API_KEY,
  });

  beforeAll(async () => {
    kafka = testKafka();
    admin = kafka.admin();
    await admin.connect();
    await createTestTopics(admin, catalogue.all());
  });

  afterAll(async () => {
    await service?.stop('SIGKILL');
    await deleteTestTopics(admin, catalogue.all());
    await admin.disconnect();
  });

  it('should report every window once across a kill -9, alert the shifted feature once, and show it on /drift', async () => {
    const producer = kafka.producer();
    await producer.connect();
    const predictions = catalogue.name('predictions');
    await produceHours(producer, predictions, 0, 9);

    service = await startServiceProcess('drift-monitor', env());
    // Hours 0–8 close windows 0–5 (watermark 8:59 − 2 h); 6–8 stay open, uncommitted.
    const early = await decodeAll<DriftReport>(kafka, catalogue.name('driftReports'), 'drift-report', 3);
    expect(early.length).toBeGreaterThanOrEqual(3);
    await service.stop('SIGKILL');
    service = undefined;

    await produceHours(producer, predictions, 9, 16);
    await producer.disconnect();
    service = await startServiceProcess('drift-monitor', env());

    // Watermark 15:59 − 2 h closes windows 0–12.
    const reports = await decodeAll<DriftReport>(kafka, catalogue.name('driftReports'), 'drift-report', 13);
    expect(reports.map((r) => r.window.index - BASE / HOUR).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 13 }, (_, i) => i),
    );
    expect(new Set(reports.map((r) => r.reportId)).size).toBe(13);
    expect(reports.map((r) => [r.window.index - BASE / HOUR, r.events, r.judged])).toEqual(
      Array.from({ length: 13 }, (_, i) => [i, PER_HOUR, true]),
    );
    for (const r of reports) {
      const hour = r.window.index - BASE / HOUR;
      expect(r.driftedFeatures).toEqual(hour >= SHIFT_FROM_HOUR ? ['x1'] : []);
    }

    const alerts = await decodeAll<DriftAlert>(kafka, catalogue.name('driftAlerts'), 'drift-alert');
    expect(alerts.map((a) => [a.feature, a.status, a.window.index - BASE / HOUR])).toEqual([
      ['x1', 'STARTED', SHIFT_FROM_HOUR + 2],
    ]);
    const triggers = await readTopicToEnd(kafka, catalogue.name('retrainingTriggers'), {
      isolation: 'read_committed',
    });
    expect(triggers).toHaveLength(0);

    const api = (await (
      await fetch(`${service.url}/v1/drift/reports?limit=5`, { headers: AUTH })
    ).json()) as {
      reports: DriftReport[];
    };
    expect(api.reports.map((r) => r.window.index - BASE / HOUR)).toEqual([12, 11, 10, 9, 8]);
    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    expect(metrics).toMatch(/drift_alerts_open\{[^}]*model="drift-fixture"[^}]*\} 1/);
    expect(metrics).toMatch(/drift_psi\{[^}]*feature="x1"[^}]*\} 0\.\d+/);

    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      expect((await page.goto(`${service.url}/drift`))?.status()).toBe(401);
      await page.setExtraHTTPHeaders(AUTH);
      expect((await page.goto(`${service.url}/drift`))?.status()).toBe(200);
      const latest = (await (
        await fetch(`${service.url}/v1/drift/reports?limit=100`, { headers: AUTH })
      ).json()) as {
        reports: DriftReport[];
      };
      // The page draws the latest 10 judged windows; unjudged ones are only listed.
      const drawn = latest.reports.filter((r) => r.judged).slice(0, 10);
      const rows = [];
      for (const tr of await page.locator('tr.feature').all()) {
        rows.push({
          report: await tr.getAttribute('data-report'),
          feature: await tr.getAttribute('data-feature'),
          role: await tr.getAttribute('data-role'),
          psiText: await tr.locator('.psi').textContent(),
          ksText: await tr.locator('.ks-statistic').textContent(),
          pText: await tr.locator('.ks-pvalue-adjusted').textContent(),
          psi: await tr.getAttribute('data-psi'),
          ks: await tr.getAttribute('data-ks-statistic'),
        });
      }
      const expected = drawn.flatMap((r) =>
        [...r.features.map((f) => ({ f, role: 'feature' })), { f: r.score, role: 'score' }].map(
          ({ f, role }) => ({
            report: r.reportId,
            feature: f.feature,
            role,
            psiText: formatStatistic(f.psi),
            ksText: formatStatistic(f.ksStatistic),
            pText: formatStatistic(f.ksPValueAdjusted),
            psi: f.psi === null ? '' : String(f.psi),
            ks: f.ksStatistic === null ? '' : String(f.ksStatistic),
          }),
        ),
      );
      expect(rows).toEqual(expected);
      expect(rows.length).toBe(10 * 4);
      expect(await page.locator('tr.drifting').count()).toBeGreaterThanOrEqual(5);
      await page.screenshot({ path: join(ROOT, 'test-output', 'drift-page.png'), fullPage: true });
    } finally {
      await browser.close();
    }
    expect(await service.stop('SIGTERM')).toBe(0);
    service = undefined;
  }, 240_000);
});
