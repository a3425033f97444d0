/**
 * The drift monitor's decisions with Kafka faked (no broker): which windows close when, what is
 * written in one transaction with which offsets, late / undecodable / unknown-model records,
 * restarts from the report history, rebalances and failed transactions.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Logger } from '@nestjs/common';
import type { Admin, EachBatchPayload, Kafka, KafkaMessage, Message } from 'kafkajs';
import { Registry } from 'prom-client';
import {
  ContentTypes,
  createDecoder,
  encodeSingleObject,
  Headers,
  loadSchemaHistory,
  TopicCatalogue,
  type DriftAlert,
  type DriftReport,
  type RetrainingTrigger,
} from '@streamscore/contracts';
import { HealthRegistry } from '@streamscore/observability';
import { loadPipelineConfig, type PipelineConfig } from '@streamscore/platform';
import { loadDriftMonitorConfig } from './config';
import { DriftMonitorService } from './drift-monitor.service';
import { readReportHistory } from './report-history';
import { DRIFT_FIXTURE_DIR, FIXTURE_MODEL, prediction, syntheticRows } from '@streamscore/testing';

jest.mock('./report-history', () => ({ readReportHistory: jest.fn() }));
// Retries back off with the shared backoff; the tests need not wait for it.
jest.mock('@streamscore/kafka', () => ({
  ...jest.requireActual<typeof import('@streamscore/kafka')>('@streamscore/kafka'),
  sleep: () => Promise.resolve(),
}));
const reportHistory = jest.mocked(readReportHistory);

const ROOT = resolve(__dirname, '../../..');
const SCHEMAS = join(ROOT, 'schemas');
const FIXTURES = DRIFT_FIXTURE_DIR;
const HOUR = 3_600_000;
const BASE = Date.UTC(2024, 2, 1);
const FIRST_INDEX = BASE / HOUR;
const NOW = Date.UTC(2024, 2, 5);
const GROUP = 'drift-unit';
const MODEL_KEY = 'drift-fixture/1';

const catalogue = new TopicCatalogue({ prefix: 'du', partitions: 2 });
const TOPIC = {
  predictions: catalogue.name('predictions'),
  reports: catalogue.name('driftReports'),
  alerts: catalogue.name('driftAlerts'),
  triggers: catalogue.name('retrainingTriggers'),
};

const predictionType = loadSchemaHistory(join(SCHEMAS, 'prediction')).latest.type;
const reportDecoder = createDecoder<DriftReport>(loadSchemaHistory(join(SCHEMAS, 'drift-report')));
const alertDecoder = createDecoder<DriftAlert>(loadSchemaHistory(join(SCHEMAS, 'drift-alert')));
const triggerDecoder = createDecoder<RetrainingTrigger>(
  loadSchemaHistory(join(SCHEMAS, 'retraining-trigger')),
);

interface TopicMessages {
  readonly topic: string;
  readonly messages: Message[];
}
interface SentOffsets {
  readonly consumerGroupId: string;
  readonly topics: { topic: string; partitions: { partition: number; offset: string }[] }[];
}
interface Committed {
  readonly topicMessages: TopicMessages[];
  readonly offsets: SentOffsets;
}

class FakeProducer {
  readonly commits: Committed[] = [];
  /** Errors thrown by the next sendBatch calls, in order. */
  readonly failures: Error[] = [];
  transactions = 0;
  aborts = 0;

  connect(): Promise<void> {
    return Promise.resolve();
  }
  disconnect(): Promise<void> {
    return Promise.resolve();
  }
  transaction() {
    this.transactions += 1;
    let batch: TopicMessages[] = [];
    let offsets: SentOffsets | undefined;
    return Promise.resolve({
      sendBatch: (b: { topicMessages: TopicMessages[] }) => {
        const failure = this.failures.shift();
        if (failure) return Promise.reject(failure);
        batch = b.topicMessages;
        return Promise.resolve([]);
      },
      sendOffsets: (o: SentOffsets) => {
        offsets = o;
        return Promise.resolve();
      },
      commit: () => {
        if (!offsets) return Promise.reject(new Error('commit without offsets'));
        this.commits.push({ topicMessages: batch, offsets });
        return Promise.resolve();
      },
      abort: () => {
        this.aborts += 1;
        return Promise.resolve();
      },
    });
  }
}

type EachBatch = (payload: EachBatchPayload) => Promise<void>;

class FakeConsumer {
  readonly events = { GROUP_JOIN: 'consumer.group_join' };
  onJoin: ((event: { payload: { memberAssignment: Record<string, number[]> } }) => void) | undefined;
  eachBatch: EachBatch | undefined;

  on(event: string, listener: (event: { payload: { memberAssignment: Record<string, number[]> } }) => void) {
    if (event === this.events.GROUP_JOIN) this.onJoin = listener;
    return () => undefined;
  }
  connect(): Promise<void> {
    return Promise.resolve();
  }
  subscribe(): Promise<void> {
    return Promise.resolve();
  }
  disconnect(): Promise<void> {
    return Promise.resolve();
  }
  run(config: { eachBatch: EachBatch }): Promise<void> {
    this.eachBatch = config.eachBatch;
    return Promise.resolve();
  }
}

/** Topic ends and committed offsets as the admin client reports them. */
class FakeAdmin {
  readonly ends = new Map<number, { low: number; high: number }>();
  readonly committed = new Map<number, string>();

  fetchTopicOffsets() {
    return Promise.resolve(
      [...this.ends].map(([partition, { low, high }]) => ({
        partition,
        offset: String(high),
        high: String(high),
        low: String(low),
      })),
    );
  }
  fetchOffsets() {
    return Promise.resolve([
      {
        topic: TOPIC.predictions,
        partitions: [...this.ends.keys()].map((partition) => ({
          partition,
          offset: this.committed.get(partition) ?? '-1',
          metadata: null,
        })),
      },
    ]);
  }
}

const BASE_ENV = {
  KAFKA_BROKERS: '127.0.0.1:9',
  STREAMSCORE_PIPELINE: join(FIXTURES, 'pipeline.json'),
  STREAMSCORE_SCHEMAS_DIR: SCHEMAS,
  STREAMSCORE_GROUP_ID: GROUP,
  STREAMSCORE_DRIFT_WINDOW_MS: String(HOUR),
  STREAMSCORE_DRIFT_ALLOWED_LATENESS_MS: '0',
  STREAMSCORE_DRIFT_MIN_WINDOW_EVENTS: '20',
  STREAMSCORE_DRIFT_VALUES_PER_FEATURE: '1000',
};

/** One prediction record to deliver: its offset and payload. */
interface Record_ {
  readonly offset: number;
  readonly value: Buffer;
}

function encoded(eventTime: number, id: string, extra: Partial<ReturnType<typeof prediction>> = {}): Buffer {
  const [row] = syntheticRows(eventTime % 9_973, 1);
  return encodeSingleObject(predictionType, { ...prediction(row!, eventTime, id), ...extra });
}

/** `count` predictions spread over hour `hour` (offsets from `firstOffset`), optionally shifted. */
function hourOf(hour: number, count: number, firstOffset: number, shift = 0, seed = 100 + hour): Record_[] {
  return syntheticRows(seed, count, shift).map((row, i) => ({
    offset: firstOffset + i,
    value: encodeSingleObject(
      predictionType,
      prediction(row, BASE + hour * HOUR + Math.floor((i * HOUR) / count), `h${hour}-${i}`),
    ),
  }));
}

class Harness {
  readonly producer = new FakeProducer();
  readonly consumer = new FakeConsumer();
  readonly admin = new FakeAdmin();
  readonly registry = new Registry();
  readonly health = new HealthRegistry();
  readonly service: DriftMonitorService;

  constructor(env: Record<string, string>, pipeline: PipelineConfig) {
    const kafka = { producer: () => this.producer, consumer: () => this.consumer };
    this.service = new DriftMonitorService(
      kafka as unknown as Kafka,
      this.admin as unknown as Admin,
      catalogue,
      this.registry,
      loadDriftMonitorConfig({ ...BASE_ENV, ...env }),
      pipeline,
      this.health,
    );
  }

  static async start(
    options: { env?: Record<string, string>; history?: DriftReport[]; pipeline?: PipelineConfig } = {},
  ): Promise<Harness> {
    reportHistory.mockResolvedValue(options.history ?? []);
    const harness = new Harness(
      options.env ?? {},
      options.pipeline ?? loadPipelineConfig(BASE_ENV.STREAMSCORE_PIPELINE),
    );
    await harness.service.onApplicationBootstrap();
    return harness;
  }

  /** A rebalance that assigns these partitions (ends and committed offsets from the fake admin). */
  join(partitions: number[]): void {
    if (!this.consumer.onJoin) throw new Error('the service did not listen for GROUP_JOIN');
    this.consumer.onJoin({ payload: { memberAssignment: { [TOPIC.predictions]: partitions } } });
  }

  /** Delivers one fetched batch; returns the offsets the service resolved. */
  async deliver(
    partition: number,
    records: readonly Record_[],
    offsetLag = '0',
    state: { running: boolean; stale: boolean } = { running: true, stale: false },
  ): Promise<string[]> {
    const eachBatch = this.consumer.eachBatch;
    if (!eachBatch) throw new Error('the consumer is not running');
    const resolved: string[] = [];
    const messages: KafkaMessage[] = records.map((r) => ({
      key: Buffer.from(`k-${r.offset}`),
      value: r.value,
      timestamp: String(NOW),
      attributes: 0,
      offset: String(r.offset),
      headers: { [Headers.contentType]: Buffer.from(ContentTypes.avro) },
    }));
    const payload = {
      batch: { topic: TOPIC.predictions, partition, messages, offsetLag: () => offsetLag },
      isRunning: () => state.running,
      isStale: () => state.stale,
      resolveOffset: (offset: string) => {
        resolved.push(offset);
      },
      heartbeat: () => Promise.resolve(),
    };
    await eachBatch(payload as unknown as EachBatchPayload);
    return resolved;
  }

  async metric(
    name: string,
  ): Promise<{ value: number; labels: Record<string, string | number | undefined> }[]> {
    const metric = this.registry.getSingleMetric(name);
    if (!metric) throw new Error(`no metric ${name}`);
    return (await metric.get()).values.map((v) => ({ value: v.value, labels: { ...v.labels } }));
  }
}

async function decodeAll<T>(
  decoder: {
    decode: (value: Buffer | null) => Promise<{ ok: true; record: T } | { ok: false; reason: string }>;
  },
  messages: readonly Message[],
): Promise<T[]> {
  const out: T[] = [];
  for (const m of messages) {
    const result = await decoder.decode(m.value as Buffer);
    if (!result.ok) throw new Error(result.reason);
    out.push(result.record);
  }
  return out;
}

function messagesOf(commit: Committed | undefined, topic: string): Message[] {
  if (!commit) throw new Error('no commit');
  return commit.topicMessages.find((t) => t.topic === topic)?.messages ?? [];
}

async function reportsOf(commit: Committed | undefined): Promise<DriftReport[]> {
  return decodeAll(reportDecoder, messagesOf(commit, TOPIC.reports));
}

function offsetsOf(commit: Committed | undefined): SentOffsets {
  if (!commit) throw new Error('no commit');
  return commit.offsets;
}

function committedOffsets(...partitions: [number, number][]): SentOffsets {
  return {
    consumerGroupId: GROUP,
    topics: [
      {
        topic: TOPIC.predictions,
        partitions: partitions.map(([partition, offset]) => ({ partition, offset: String(offset) })),
      },
    ],
  };
}

const timeWindow = (hour: number) => ({
  kind: 'TIME',
  index: FIRST_INDEX + hour,
  start: BASE + hour * HOUR,
  end: BASE + (hour + 1) * HOUR,
});

describe('DriftMonitorService', () => {
  beforeAll(() => {
    Logger.overrideLogger(false);
  });
  beforeEach(() => {
    jest.spyOn(Date, 'now').mockReturnValue(NOW);
  });
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('should read the report history on start with its own group and the history timeout', async () => {
    await Harness.start({ env: { STREAMSCORE_DRIFT_HISTORY_TIMEOUT_MS: '4321' } });
    expect(reportHistory).toHaveBeenLastCalledWith(
      expect.anything(),
      TOPIC.reports,
      expect.objectContaining({ name: 'streamscore.DriftReport' }),
      `${GROUP}.history.${process.pid}.${NOW}`,
      4321,
    );
  });

  describe('time windows', () => {
    it('should close a window once the input passes its end, and write its report with the offsets of the still-open window in one transaction', async () => {
      const h = await Harness.start();
      h.admin.ends.set(0, { low: 0, high: 100 });
      h.join([0]);
      const records = [...hourOf(0, 30, 0), ...hourOf(1, 1, 30)];

      const resolved = await h.deliver(0, records, '69');

      expect(resolved).toEqual(records.map((r) => String(r.offset)));
      expect(h.producer.commits).toHaveLength(1);
      const [commit] = h.producer.commits;
      const reports = await reportsOf(commit);
      expect(reports).toHaveLength(1);
      expect(reports[0]).toMatchObject({
        reportId: `${MODEL_KEY}/time/${FIRST_INDEX}`,
        modelName: FIXTURE_MODEL.name,
        modelVersion: FIXTURE_MODEL.version,
        window: timeWindow(0),
        events: 30,
        judged: true,
        reason: null,
        evaluatedAt: NOW,
      });
      expect(messagesOf(commit, TOPIC.reports).map((m) => m.key)).toEqual([MODEL_KEY]);
      expect(commit?.topicMessages.map((t) => t.topic)).toEqual([TOPIC.reports]);
      // Offset 30 starts window 1, still open: it must be read again after a restart.
      expect(offsetsOf(commit)).toEqual(committedOffsets([0, 30]));
      expect(h.service.latestReports(10)).toEqual(reports);
    });

    it('should keep a window open until the watermark reaches its end (allowed lateness)', async () => {
      const h = await Harness.start({ env: { STREAMSCORE_DRIFT_ALLOWED_LATENESS_MS: String(HOUR / 2) } });
      h.admin.ends.set(0, { low: 0, high: 100 });
      h.join([0]);
      await h.deliver(
        0,
        [...hourOf(0, 30, 0), { offset: 30, value: encoded(BASE + HOUR + HOUR / 2 - 1, 'a') }],
        '50',
      );
      expect(h.producer.commits).toEqual([]);
      await h.deliver(0, [{ offset: 31, value: encoded(BASE + HOUR + HOUR / 2, 'b') }], '49');
      expect(h.producer.commits).toHaveLength(1);
      const reports = await reportsOf(h.producer.commits[0]);
      expect(reports.map((r) => [r.window.index, r.events])).toEqual([[FIRST_INDEX, 30]]);
      expect(offsetsOf(h.producer.commits[0])).toEqual(committedOffsets([0, 30]));
    });

    it('should hold windows back while another assigned partition with records left has not delivered', async () => {
      const h = await Harness.start();
      h.admin.ends.set(0, { low: 0, high: 100 });
      h.admin.ends.set(1, { low: 0, high: 40 });
      h.join([0, 1]);
      await h.deliver(0, [...hourOf(0, 30, 0), ...hourOf(2, 1, 30)], '60');
      expect(h.producer.commits).toEqual([]);

      // Partition 1 delivers up to 0:59:59.999: window 0 may still get records from it.
      await h.deliver(1, [{ offset: 0, value: encoded(BASE + HOUR - 1, 'p1-0') }], '39');
      expect(h.producer.commits).toEqual([]);

      await h.deliver(1, [{ offset: 1, value: encoded(BASE + HOUR, 'p1-1') }], '38');
      expect(h.producer.commits).toHaveLength(1);
      const reports = await reportsOf(h.producer.commits[0]);
      expect(reports.map((r) => [r.window.index, r.events])).toEqual([[FIRST_INDEX, 31]]);
      // p0: window 2 starts at 30; p1: window 1 starts at 1.
      expect(offsetsOf(h.producer.commits[0])).toEqual(committedOffsets([0, 30], [1, 1]));
    });

    it('should not wait for an assigned partition already read to its end', async () => {
      const h = await Harness.start();
      h.admin.ends.set(0, { low: 0, high: 100 });
      h.admin.ends.set(1, { low: 10, high: 25 });
      h.admin.ends.set(2, { low: 0, high: 0 });
      h.admin.committed.set(1, '25');
      h.join([0, 1, 2]);
      await h.deliver(0, [...hourOf(0, 30, 0), ...hourOf(1, 1, 30)], '69');
      expect(h.producer.commits).toHaveLength(1);
      expect((await reportsOf(h.producer.commits[0])).map((r) => r.window.index)).toEqual([FIRST_INDEX]);
    });

    it('should stop waiting for a partition once it is caught up (offset lag 0)', async () => {
      const h = await Harness.start();
      h.admin.ends.set(0, { low: 0, high: 100 });
      h.admin.ends.set(1, { low: 0, high: 1 });
      h.join([0, 1]);
      await h.deliver(1, [{ offset: 0, value: encoded(BASE + 10, 'p1-0') }], '0');
      await h.deliver(0, [...hourOf(0, 30, 0), ...hourOf(3, 1, 30)], '69');
      expect(h.producer.commits).toHaveLength(1);
      const reports = await reportsOf(h.producer.commits[0]);
      expect(reports.map((r) => [r.window.index, r.events])).toEqual([[FIRST_INDEX, 31]]);
      // Partition 1 has no open window left: its next offset is committed.
      expect(offsetsOf(h.producer.commits[0])).toEqual(committedOffsets([1, 1], [0, 30]));
    });

    it('should report each closable window oldest first, an empty hour leaving no report', async () => {
      const h = await Harness.start();
      h.admin.ends.set(0, { low: 0, high: 1_000 });
      h.join([0]);
      await h.deliver(
        0,
        [...hourOf(0, 25, 0), ...hourOf(1, 22, 25), ...hourOf(3, 21, 47), ...hourOf(4, 1, 68)],
        '9',
      );
      expect(h.producer.commits).toHaveLength(1);
      const reports = await reportsOf(h.producer.commits[0]);
      expect(reports.map((r) => [r.window.index, r.events])).toEqual([
        [FIRST_INDEX, 25],
        [FIRST_INDEX + 1, 22],
        [FIRST_INDEX + 3, 21],
      ]);
      expect(offsetsOf(h.producer.commits[0])).toEqual(committedOffsets([0, 68]));
    });

    it('should report a window below the minimum size as not judged', async () => {
      const h = await Harness.start();
      h.admin.ends.set(0, { low: 0, high: 100 });
      h.join([0]);
      await h.deliver(0, [...hourOf(0, 19, 0), ...hourOf(1, 1, 19)], '50');
      const reports = await reportsOf(h.producer.commits[0]);
      expect(reports).toHaveLength(1);
      expect(reports[0]).toMatchObject({
        events: 19,
        judged: false,
        reason: 'window has 19 events, fewer than the minimum 20',
        datasetDrift: false,
        driftedFeatures: [],
      });
    });
  });

  describe('records that are not counted', () => {
    it.each([
      ['stale (the partition was revoked)', { running: true, stale: true }],
      ['delivered while the consumer stops', { running: false, stale: false }],
    ])('should neither count nor resolve the records of a batch %s', async (_name, state) => {
      const h = await Harness.start();
      h.admin.ends.set(0, { low: 0, high: 100 });
      h.join([0]);
      expect(await h.deliver(0, [...hourOf(0, 30, 0), ...hourOf(1, 1, 30)], '69', state)).toEqual([]);
      await h.deliver(0, hourOf(2, 1, 0), '99');
      // Only the one record of hour 2 was counted: nothing of hours 0-1 closes.
      expect(h.producer.commits).toEqual([]);
      await h.deliver(0, hourOf(3, 1, 1), '98');
      const reports = await reportsOf(h.producer.commits[0]);
      expect(reports.map((r) => [r.window.index, r.events])).toEqual([[FIRST_INDEX + 2, 1]]);
    });

    it('should drop a record of a window already reported as late, count it, and commit past it', async () => {
      const h = await Harness.start();
      h.admin.ends.set(0, { low: 0, high: 100 });
      h.join([0]);
      await h.deliver(0, [...hourOf(0, 30, 0), ...hourOf(1, 25, 30)], '45');
      expect(h.producer.commits).toHaveLength(1);

      const resolved = await h.deliver(
        0,
        [{ offset: 55, value: encoded(BASE + HOUR - 1, 'late') }, ...hourOf(2, 1, 56)],
        '43',
      );

      expect(resolved).toEqual(['55', '56']);
      expect(await h.metric('drift_late_records_total')).toEqual([
        { value: 1, labels: { model: FIXTURE_MODEL.name, version: FIXTURE_MODEL.version } },
      ]);
      expect(h.producer.commits).toHaveLength(2);
      const reports = await reportsOf(h.producer.commits[1]);
      expect(reports.map((r) => [r.window.index, r.events])).toEqual([[FIRST_INDEX + 1, 25]]);
      expect(offsetsOf(h.producer.commits[1])).toEqual(committedOffsets([0, 56]));
    });

    it('should skip undecodable predictions and predictions of versions without a manifest, counting each reason', async () => {
      const h = await Harness.start();
      h.admin.ends.set(0, { low: 0, high: 100 });
      h.join([0]);
      const records: Record_[] = [
        ...hourOf(0, 30, 0),
        { offset: 30, value: Buffer.from('not a prediction') },
        { offset: 31, value: encoded(BASE + 20, 'x', { modelVersion: '99' }) },
        { offset: 32, value: encoded(BASE + 21, 'y', { modelName: '../drift-fixture' }) },
      ];
      const resolved = await h.deliver(0, records, '67');
      expect(resolved).toEqual(records.map((r) => String(r.offset)));
      expect(await h.metric('drift_records_skipped_total')).toEqual([
        { value: 1, labels: { reason: 'undecodable' } },
        { value: 2, labels: { reason: 'no_manifest' } },
      ]);
      expect(h.producer.commits).toEqual([]);

      await h.deliver(0, hourOf(1, 1, 33), '66');
      const reports = await reportsOf(h.producer.commits[0]);
      expect(reports.map((r) => [r.modelVersion, r.window.index, r.events])).toEqual([
        ['1', FIRST_INDEX, 30],
      ]);
      expect(offsetsOf(h.producer.commits[0])).toEqual(committedOffsets([0, 33]));
    });

    it('should let a prediction of an unknown version move the input time (it closes the known version windows only with its own records)', async () => {
      const h = await Harness.start();
      h.admin.ends.set(0, { low: 0, high: 100 });
      h.admin.ends.set(1, { low: 0, high: 100 });
      h.join([0, 1]);
      await h.deliver(0, [...hourOf(0, 30, 0), ...hourOf(1, 1, 30)], '69');
      expect(h.producer.commits).toEqual([]);
      await h.deliver(1, [{ offset: 0, value: encoded(BASE + 2 * HOUR, 'u', { modelVersion: '99' }) }], '99');
      expect(h.producer.commits).toHaveLength(1);
      expect((await reportsOf(h.producer.commits[0])).map((r) => r.window.index)).toEqual([FIRST_INDEX]);
      expect(offsetsOf(h.producer.commits[0])).toEqual(committedOffsets([0, 30], [1, 1]));
    });
  });

  describe('restarts and rebalances', () => {
    const reported = (index: number, open: boolean): DriftReport =>
      ({
        reportId: `${MODEL_KEY}/time/${index}`,
        modelName: FIXTURE_MODEL.name,
        modelVersion: FIXTURE_MODEL.version,
        window: { kind: 'TIME', index, start: index * HOUR, end: (index + 1) * HOUR },
        alertState: {
          features: [{ feature: 'x1', driftingWindows: open ? 3 : 0, cleanWindows: 0, open }],
          datasetDriftWindows: 0,
          cooldownRemaining: 0,
        },
      }) as unknown as DriftReport;

    it('should resume after the windows the history reports, with their alert state', async () => {
      const history = [reported(FIRST_INDEX, false), reported(FIRST_INDEX + 1, true)];
      const h = await Harness.start({ history });
      expect(await h.metric('drift_alerts_open')).toEqual([
        { value: 1, labels: { model: FIXTURE_MODEL.name, version: FIXTURE_MODEL.version } },
      ]);
      expect(h.service.latestReports(5)).toEqual([history[1], history[0]]);
      h.admin.ends.set(0, { low: 0, high: 100 });
      h.join([0]);

      await h.deliver(0, [...hourOf(1, 10, 0), ...hourOf(2, 30, 10), ...hourOf(3, 1, 40)], '59');

      expect(await h.metric('drift_late_records_total')).toEqual([
        { value: 10, labels: { model: FIXTURE_MODEL.name, version: FIXTURE_MODEL.version } },
      ]);
      const reports = await reportsOf(h.producer.commits[0]);
      expect(reports.map((r) => [r.window.index, r.events])).toEqual([[FIRST_INDEX + 2, 30]]);
      // The open x1 alert carries on: one clean window does not resolve it (resolveAfter 3).
      expect(reports[0]?.alertState.features.find((f) => f.feature === 'x1')).toEqual({
        feature: 'x1',
        driftingWindows: 0,
        cleanWindows: 1,
        open: true,
      });
      expect(h.service.latestReports(5).map((r) => r.reportId)).toEqual([
        `${MODEL_KEY}/time/${FIRST_INDEX + 2}`,
        `${MODEL_KEY}/time/${FIRST_INDEX + 1}`,
        `${MODEL_KEY}/time/${FIRST_INDEX}`,
      ]);
    });

    it('should drop open windows on a rebalance and rebuild them from the committed offsets without counting twice', async () => {
      const h = await Harness.start();
      h.admin.ends.set(0, { low: 0, high: 100 });
      h.join([0]);
      const hour0 = hourOf(0, 30, 0);
      const hour1 = hourOf(1, 25, 30);
      await h.deliver(0, [...hour0, ...hour1], '45');
      expect(offsetsOf(h.producer.commits[0])).toEqual(committedOffsets([0, 30]));

      // The group rebalances; kafkajs fetches again from the committed offset 30.
      h.admin.committed.set(0, '30');
      h.join([0]);
      await h.deliver(0, [...hour1, ...hourOf(2, 1, 55)], '44');

      expect(h.producer.commits).toHaveLength(2);
      const reports = await reportsOf(h.producer.commits[1]);
      expect(reports.map((r) => [r.window.index, r.events])).toEqual([[FIRST_INDEX + 1, 25]]);
      expect(await h.metric('drift_late_records_total')).toEqual([]);
    });
  });

  describe('alerts and retraining triggers', () => {
    it('should write an alert per feature transition and a trigger with the report, keyed by model version', async () => {
      const h = await Harness.start({
        env: {
          STREAMSCORE_DRIFT_ALERT_AFTER: '1',
          STREAMSCORE_DRIFT_TRIGGER_AFTER: '1',
          STREAMSCORE_DRIFT_DATASET_SHARE: '0.3',
          STREAMSCORE_DRIFT_COOLDOWN_WINDOWS: '5',
        },
      });
      h.admin.ends.set(0, { low: 0, high: 1_000 });
      h.join([0]);
      await h.deliver(0, [...hourOf(0, 300, 0, 2), ...hourOf(1, 1, 300)], '10');

      expect(h.producer.commits).toHaveLength(1);
      const commit = h.producer.commits[0];
      const [report] = await reportsOf(commit);
      expect(report?.driftedFeatures).toEqual(['x1']);
      expect(report?.datasetDrift).toBe(true);
      const id = `${MODEL_KEY}/time/${FIRST_INDEX}`;
      const alerts = await decodeAll(alertDecoder, messagesOf(commit, TOPIC.alerts));
      expect(alerts.map((a) => [a.alertId, a.status, a.feature, a.consecutiveWindows, a.reportId])).toEqual([
        [`${id}/x1/started`, 'STARTED', 'x1', 1, id],
      ]);
      const triggers = await decodeAll(triggerDecoder, messagesOf(commit, TOPIC.triggers));
      expect(triggers.map((t) => [t.triggerId, t.features, t.consecutiveWindows, t.cooldownWindows])).toEqual(
        [[`${id}/retrain`, ['x1'], 1, 5]],
      );
      expect(commit?.topicMessages.map((t) => [t.topic, t.messages.map((m) => m.key)])).toEqual([
        [TOPIC.reports, [MODEL_KEY]],
        [TOPIC.alerts, [MODEL_KEY]],
        [TOPIC.triggers, [MODEL_KEY]],
      ]);
      expect(await h.metric('drift_alerts_open')).toEqual([
        { value: 1, labels: { model: FIXTURE_MODEL.name, version: FIXTURE_MODEL.version } },
      ]);
      expect(await h.metric('drift_retraining_triggers_total')).toEqual([
        { value: 1, labels: { model: FIXTURE_MODEL.name, version: FIXTURE_MODEL.version } },
      ]);
    });

    it('should chain the alert state across windows closed together, and not trigger again during the cool-down', async () => {
      const h = await Harness.start({
        env: {
          STREAMSCORE_DRIFT_ALERT_AFTER: '2',
          STREAMSCORE_DRIFT_TRIGGER_AFTER: '1',
          STREAMSCORE_DRIFT_DATASET_SHARE: '0.3',
          STREAMSCORE_DRIFT_COOLDOWN_WINDOWS: '5',
        },
      });
      h.admin.ends.set(0, { low: 0, high: 1_000 });
      h.join([0]);
      await h.deliver(0, [...hourOf(0, 300, 0, 2), ...hourOf(1, 300, 300, 2), ...hourOf(2, 1, 600)], '10');

      expect(h.producer.commits).toHaveLength(1);
      const commit = h.producer.commits[0];
      const reports = await reportsOf(commit);
      expect(reports.map((r) => r.alertState.features.find((f) => f.feature === 'x1'))).toEqual([
        { feature: 'x1', driftingWindows: 1, cleanWindows: 0, open: false },
        { feature: 'x1', driftingWindows: 2, cleanWindows: 0, open: true },
      ]);
      expect(reports.map((r) => [r.alertState.datasetDriftWindows, r.alertState.cooldownRemaining])).toEqual([
        [1, 5],
        [2, 4],
      ]);
      const alerts = await decodeAll(alertDecoder, messagesOf(commit, TOPIC.alerts));
      expect(alerts.map((a) => [a.alertId, a.consecutiveWindows])).toEqual([
        [`${MODEL_KEY}/time/${FIRST_INDEX + 1}/x1/started`, 2],
      ]);
      const triggers = await decodeAll(triggerDecoder, messagesOf(commit, TOPIC.triggers));
      expect(triggers.map((t) => t.triggerId)).toEqual([`${MODEL_KEY}/time/${FIRST_INDEX}/retrain`]);
    });
  });

  describe('alert state across batches', () => {
    it('should carry the committed alert state into the windows of later batches', async () => {
      const h = await Harness.start({ env: { STREAMSCORE_DRIFT_ALERT_AFTER: '2' } });
      h.admin.ends.set(0, { low: 0, high: 1_000 });
      h.join([0]);
      await h.deliver(0, [...hourOf(0, 300, 0, 2), ...hourOf(1, 150, 300, 2)], '550');
      expect(h.producer.commits).toHaveLength(1);
      expect(messagesOf(h.producer.commits[0], TOPIC.alerts)).toEqual([]);
      await h.deliver(0, [...hourOf(1, 150, 450, 2, 7), ...hourOf(2, 1, 600)], '399');

      expect(h.producer.commits).toHaveLength(2);
      const [report] = await reportsOf(h.producer.commits[1]);
      expect(report?.window.index).toBe(FIRST_INDEX + 1);
      expect(report?.alertState.features.find((f) => f.feature === 'x1')).toEqual({
        feature: 'x1',
        driftingWindows: 2,
        cleanWindows: 0,
        open: true,
      });
      const alerts = await decodeAll(alertDecoder, messagesOf(h.producer.commits[1], TOPIC.alerts));
      expect(alerts.map((a) => [a.alertId, a.consecutiveWindows])).toEqual([
        [`${MODEL_KEY}/time/${FIRST_INDEX + 1}/x1/started`, 2],
      ]);
      expect(await h.metric('drift_alerts_open')).toEqual([
        { value: 1, labels: { model: FIXTURE_MODEL.name, version: FIXTURE_MODEL.version } },
      ]);
    });
  });

  describe('count windows', () => {
    const countHistory = [
      {
        modelName: FIXTURE_MODEL.name,
        modelVersion: FIXTURE_MODEL.version,
        window: { kind: 'COUNT', index: 4, start: 0, end: 1 },
        alertState: { features: [], datasetDriftWindows: 0, cooldownRemaining: 0 },
      } as unknown as DriftReport,
      // A time report does not count for count windows.
      {
        modelName: FIXTURE_MODEL.name,
        modelVersion: FIXTURE_MODEL.version,
        window: { kind: 'TIME', index: 40, start: 0, end: 1 },
        alertState: { features: [], datasetDriftWindows: 0, cooldownRemaining: 0 },
      } as unknown as DriftReport,
    ];
    const countEnv = { STREAMSCORE_DRIFT_WINDOW: 'count', STREAMSCORE_DRIFT_WINDOW_EVENTS: '25' };
    // Out of event-time order: count windows go by arrival.
    const records = [...hourOf(5, 30, 0), ...hourOf(1, 30, 30)];
    /** The two full windows the 60 records make: 25 each, numbered on from the history. */
    const windowsFiveAndSix = (): unknown[] => [
      [
        `${MODEL_KEY}/count/5`,
        'COUNT',
        5,
        BASE + 5 * HOUR,
        BASE + 5 * HOUR + Math.floor((24 * HOUR) / 30) + 1,
        25,
      ],
      [
        `${MODEL_KEY}/count/6`,
        'COUNT',
        6,
        BASE + HOUR,
        BASE + 5 * HOUR + Math.floor((29 * HOUR) / 30) + 1,
        25,
      ],
    ];
    const windowOf = (r: DriftReport) => [
      r.reportId,
      r.window.kind,
      r.window.index,
      r.window.start,
      r.window.end,
      r.events,
    ];

    it('should close a window every N events in arrival order, continuing the numbering of the history', async () => {
      const h = await Harness.start({ env: countEnv, history: countHistory });
      h.admin.ends.set(0, { low: 0, high: 1_000 });
      h.join([0]);
      for (const record of records) await h.deliver(0, [record], String(999 - record.offset));

      expect(h.producer.commits).toHaveLength(2);
      const reports = [
        ...(await reportsOf(h.producer.commits[0])),
        ...(await reportsOf(h.producer.commits[1])),
      ];
      expect(reports.map(windowOf)).toEqual(windowsFiveAndSix());
      expect(offsetsOf(h.producer.commits[0])).toEqual(committedOffsets([0, 25]));
      expect(offsetsOf(h.producer.commits[1])).toEqual(committedOffsets([0, 50]));
      expect(await h.metric('drift_late_records_total')).toEqual([]);
    });

    it('should keep every count window at N events when one fetched batch fills several', async () => {
      const h = await Harness.start({ env: countEnv, history: countHistory });
      h.admin.ends.set(0, { low: 0, high: 1_000 });
      h.join([0]);
      await h.deliver(0, records, '939');

      // 60 records in one batch: windows 5 and 6 of 25 each close together, 10 stay open in 7.
      expect(h.producer.commits).toHaveLength(1);
      const reports = await reportsOf(h.producer.commits[0]);
      expect(reports.map(windowOf)).toEqual(windowsFiveAndSix());
      // Offsets stop at the first record of the window still open.
      expect(offsetsOf(h.producer.commits[0])).toEqual(committedOffsets([0, 50]));
    });
  });

  describe('transactions', () => {
    it('should retry a transaction that fails retriably, aborting the failed one', async () => {
      const h = await Harness.start();
      h.producer.failures.push(Object.assign(new Error('CONCURRENT_TRANSACTIONS'), { retriable: true }));
      h.admin.ends.set(0, { low: 0, high: 100 });
      h.join([0]);
      await h.deliver(0, [...hourOf(0, 30, 0), ...hourOf(1, 1, 30)], '69');
      expect(h.producer.transactions).toBe(2);
      expect(h.producer.aborts).toBe(1);
      expect(h.producer.commits).toHaveLength(1);
      expect((await reportsOf(h.producer.commits[0])).map((r) => r.window.index)).toEqual([FIRST_INDEX]);
      expect(h.service.latestReports(5)).toHaveLength(1);
      expect((await h.health.readiness()).ready).toBe(true);
    });

    it('should keep retrying a retriable failure, past the five attempts it once had, until the transaction commits', async () => {
      const h = await Harness.start();
      for (let i = 0; i < 7; i++)
        h.producer.failures.push(Object.assign(new Error('CONCURRENT_TRANSACTIONS'), { retriable: true }));
      h.admin.ends.set(0, { low: 0, high: 100 });
      h.join([0]);
      await h.deliver(0, [...hourOf(0, 30, 0), ...hourOf(1, 1, 30)], '69');
      expect(h.producer.transactions).toBe(8);
      expect(h.producer.aborts).toBe(7);
      expect(h.producer.commits).toHaveLength(1);
      expect(offsetsOf(h.producer.commits[0])).toEqual(committedOffsets([0, 30]));
      expect(h.service.latestReports(5)).toHaveLength(1);
      expect((await h.health.readiness()).ready).toBe(true);
    });

    it('should stop retrying once the service stops: nothing published, not ready, no exit', async () => {
      const exit = jest.spyOn(process, 'exit').mockImplementation(() => undefined as never);
      const h = await Harness.start();
      for (let i = 0; i < 10; i++)
        h.producer.failures.push(Object.assign(new Error('broker away'), { retriable: true }));
      h.admin.ends.set(0, { low: 0, high: 100 });
      h.join([0]);
      const state = {
        get running() {
          return h.producer.transactions < 3;
        },
        stale: false,
      };
      await h.deliver(0, [...hourOf(0, 30, 0), ...hourOf(1, 1, 30)], '69', state);

      expect(h.producer.transactions).toBe(3);
      expect(h.producer.aborts).toBe(3);
      expect(h.producer.commits).toEqual([]);
      expect(h.service.latestReports(5)).toEqual([]);
      expect(await h.health.readiness()).toMatchObject({
        ready: false,
        checks: {
          'drift-consumer': {
            status: 'down',
            error: expect.stringContaining('stopped while retrying a drift transaction') as string,
          },
        },
      });
      await new Promise((done) => setTimeout(done, 250));
      expect(exit).not.toHaveBeenCalled();
    });

    it('should fail for good on a non-retriable transaction error: not ready, nothing published, exit(1), later batches ignored', async () => {
      const exit = jest.spyOn(process, 'exit').mockImplementation(() => undefined as never);
      const h = await Harness.start();
      h.producer.failures.push(new Error('the transactional id was fenced'));
      h.admin.ends.set(0, { low: 0, high: 100 });
      h.join([0]);
      await h.deliver(0, [...hourOf(0, 30, 0), ...hourOf(1, 1, 30)], '69');

      expect(h.producer.commits).toEqual([]);
      expect(h.producer.aborts).toBe(1);
      expect(h.service.latestReports(5)).toEqual([]);
      expect(await h.metric('drift_windows_evaluated_total')).toEqual([]);
      expect(await h.health.readiness()).toMatchObject({
        ready: false,
        checks: {
          'drift-consumer': {
            status: 'down',
            error: expect.stringContaining(
              'drift transaction failed: Error: the transactional id was fenced',
            ) as string,
          },
        },
      });
      expect(await h.deliver(0, hourOf(2, 1, 31), '68')).toEqual([]);
      await new Promise((done) => setTimeout(done, 250));
      expect(exit).toHaveBeenCalledTimes(1);
      expect(exit).toHaveBeenCalledWith(1);
    });
  });

  describe('a version that stops receiving predictions', () => {
    let repository: string;
    beforeAll(() => {
      repository = mkdtempSync(join(tmpdir(), 'drift-models-'));
      for (const version of ['1', '2']) {
        mkdirSync(join(repository, FIXTURE_MODEL.name, version), { recursive: true });
        copyFileSync(
          join(FIXTURES, 'models', FIXTURE_MODEL.name, '1', 'manifest.json'),
          join(repository, FIXTURE_MODEL.name, version, 'manifest.json'),
        );
      }
    });
    afterAll(() => {
      rmSync(repository, { recursive: true, force: true });
    });

    it('should keep its last window open and the committed offset at its first record (documents current behaviour)', async () => {
      const pipeline = { ...loadPipelineConfig(BASE_ENV.STREAMSCORE_PIPELINE), modelRepository: repository };
      const h = await Harness.start({ pipeline });
      h.admin.ends.set(0, { low: 0, high: 1_000 });
      h.join([0]);
      // Version 2 (e.g. a canary rolled back) scores hour 0 only; version 1 goes on for hours.
      const canary = Array.from({ length: 5 }, (_, i) => ({
        offset: i,
        value: encoded(BASE + i * 60_000, `c${i}`, { modelVersion: '2' }),
      }));
      await h.deliver(
        0,
        [...canary, ...hourOf(0, 30, 5), ...hourOf(1, 30, 35), ...hourOf(2, 30, 65), ...hourOf(3, 1, 95)],
        '900',
      );

      expect(h.producer.commits).toHaveLength(1);
      const reports = await reportsOf(h.producer.commits[0]);
      expect(reports.map((r) => [r.modelVersion, r.window.index])).toEqual([
        ['1', FIRST_INDEX],
        ['1', FIRST_INDEX + 1],
        ['1', FIRST_INDEX + 2],
      ]);
      // Version 2's window 0 never closes (its own event time does not advance), so offset 0 is
      // committed: a restart re-reads everything since, however long ago that was.
      expect(offsetsOf(h.producer.commits[0])).toEqual(committedOffsets([0, 0]));
    });
  });
});
