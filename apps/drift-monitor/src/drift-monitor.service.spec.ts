/**
 * The drift monitor's decisions with Kafka faked (no broker): the handler's assigned() and
 * handle() as the transport calls them, and delivered() / abandoned() as it reports back. Which
 * windows close when, which outputs go with which offsets, late / undecodable / unknown-model
 * records, restarts from the report history, rebalances and deliveries that never land. Retrying
 * a delivery, and skipping stale micro-batches, are the transport's (libs/kafka/src/transport).
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Logger } from '@nestjs/common';
import type { Admin, Kafka, KafkaMessage, ProducerConfig } from 'kafkajs';
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
import {
  encodeEventTime,
  type CommitOffset,
  type HandledBatch,
  type OutputMessage,
  type PartitionBatch,
} from '@streamscore/kafka';
import { HealthRegistry } from '@streamscore/observability';
import { loadPipelineConfig, type PipelineConfig } from '@streamscore/platform';
import { loadDriftMonitorConfig } from './config';
import { DriftHandler } from './drift.handler';
import { DriftMetrics } from './drift.metrics';
import { DriftMonitorService } from './drift-monitor.service';
import { readReportHistory } from './report-history';
import { DRIFT_FIXTURE_DIR, FIXTURE_MODEL, prediction, syntheticRows } from '@streamscore/testing';

jest.mock('./report-history', () => ({ readReportHistory: jest.fn() }));
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

/** What the transport wrote for one micro-batch: its outputs and offsets, in one transaction. */
interface Landed {
  readonly outputs: readonly OutputMessage[];
  readonly commit: readonly CommitOffset[];
}

/** Topic ends and committed offsets as the admin client reports them. */
class FakeAdmin {
  readonly ends = new Map<number, { low: number; high: number }>();
  readonly committed = new Map<number, string>();
  /** Partition 0 of an upstream topic (events, validated events): its end and the committed offset with its metadata; absent = empty. */
  readonly upstream = new Map<string, { end: number; committed: number; metadata: string }>();
  failure: Error | undefined;

  fetchTopicOffsets(topic: string) {
    if (this.failure) return Promise.reject(this.failure);
    if (topic !== TOPIC.predictions) {
      const up = this.upstream.get(topic);
      return Promise.resolve(
        up ? [{ partition: 0, offset: String(up.end), high: String(up.end), low: '0' }] : [],
      );
    }
    return Promise.resolve(
      [...this.ends].map(([partition, { low, high }]) => ({
        partition,
        offset: String(high),
        high: String(high),
        low: String(low),
      })),
    );
  }
  fetchOffsets({ topics }: { topics: string[] }) {
    const up = this.upstream.get(topics[0] ?? '');
    if (up)
      return Promise.resolve([
        {
          topic: topics[0],
          partitions: [{ partition: 0, offset: String(up.committed), metadata: up.metadata }],
        },
      ]);
    return Promise.resolve([
      {
        topic: topics[0],
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

/** One prediction record to hand over: its offset and payload. */
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
  readonly admin = new FakeAdmin();
  readonly registry = new Registry();
  readonly health = new HealthRegistry();
  /** The start sequence: producers connected (by transactional id) and the history read. */
  readonly startSteps: string[] = [];
  /** What the transport wrote, one entry per micro-batch with outputs or offsets. */
  readonly landed: Landed[] = [];
  readonly service: DriftMonitorService;
  readonly handler: DriftHandler;

  constructor(env: Record<string, string>, pipeline: PipelineConfig) {
    const config = loadDriftMonitorConfig({ ...BASE_ENV, ...env });
    const metrics = new DriftMetrics(this.registry);
    const kafka = {
      producer: (producerConfig: ProducerConfig) => ({
        connect: () => {
          this.startSteps.push(`connect ${producerConfig.transactionalId ?? '-'}`);
          return Promise.resolve();
        },
        disconnect: () => {
          this.startSteps.push(`disconnect ${producerConfig.transactionalId ?? '-'}`);
          return Promise.resolve();
        },
        // kafkajs initialises the transactional id (the fencing step) at the first transaction().
        transaction: () => {
          this.startSteps.push(`init ${producerConfig.transactionalId ?? '-'}`);
          return Promise.resolve({ abort: () => Promise.resolve() });
        },
      }),
    };
    this.service = new DriftMonitorService(
      kafka as unknown as Kafka,
      catalogue,
      config,
      metrics,
      this.health,
    );
    this.handler = new DriftHandler(
      this.admin as unknown as Admin,
      catalogue,
      config,
      pipeline,
      metrics,
      this.service,
      this.health,
    );
  }

  static async start(
    options: { env?: Record<string, string>; history?: DriftReport[]; pipeline?: PipelineConfig } = {},
  ): Promise<Harness> {
    const harness = new Harness(
      options.env ?? {},
      options.pipeline ?? loadPipelineConfig(BASE_ENV.STREAMSCORE_PIPELINE),
    );
    reportHistory.mockImplementation(() => {
      harness.startSteps.push('read history');
      return Promise.resolve(options.history ?? []);
    });
    await harness.service.onApplicationBootstrap();
    return harness;
  }

  /** A rebalance that assigns these partitions (ends and committed offsets from the fake admin). */
  join(partitions: number[]): Promise<void> {
    return this.handler.assigned({ [TOPIC.predictions]: partitions });
  }

  /** Hands the handler one micro-batch, as the transport does; nothing is delivered yet. */
  async handle(partition: number, records: readonly Record_[], highWatermark: number): Promise<HandledBatch> {
    const messages: KafkaMessage[] = records.map((r) => ({
      key: Buffer.from(`k-${r.offset}`),
      value: r.value,
      timestamp: String(NOW),
      attributes: 0,
      offset: String(r.offset),
      headers: { [Headers.contentType]: Buffer.from(ContentTypes.avro) },
    }));
    const batch: PartitionBatch = {
      topic: TOPIC.predictions,
      partition,
      messages,
      highWatermark: String(highWatermark),
      heartbeat: () => Promise.resolve(),
    };
    // The progress the handler's timer reads: the fake admin's ends as the test set them.
    await this.handler.refreshInputProgress();
    return this.handler.handle(batch);
  }

  /**
   * Handles one micro-batch and lands it as the transport does: its outputs and commit offsets in
   * one transaction (only when there are any), then delivered().
   */
  async deliver(
    partition: number,
    records: readonly Record_[],
    highWatermark: number,
  ): Promise<HandledBatch> {
    const handled = await this.handle(partition, records, highWatermark);
    const commit = handled.commit ?? [];
    if (handled.outputs.length > 0 || commit.length > 0)
      this.landed.push({ outputs: handled.outputs, commit });
    handled.delivered?.({
      topic: TOPIC.predictions,
      partition,
      firstOffset: String(records[0]?.offset ?? 0),
      rows: records.length,
      outputs: handled.outputs.length,
      handleMs: 0,
      deliverMs: 0,
    });
    return handled;
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
  messages: readonly OutputMessage[],
): Promise<T[]> {
  const out: T[] = [];
  for (const m of messages) {
    const result = await decoder.decode(m.value);
    if (!result.ok) throw new Error(result.reason);
    out.push(result.record);
  }
  return out;
}

function messagesOf(landed: Landed | HandledBatch | undefined, topic: string): OutputMessage[] {
  if (!landed) throw new Error('nothing landed');
  return landed.outputs.filter((o) => o.topic === topic);
}

async function reportsOf(landed: Landed | HandledBatch | undefined): Promise<DriftReport[]> {
  return decodeAll(reportDecoder, messagesOf(landed, TOPIC.reports));
}

function offsetsOf(landed: Landed | HandledBatch | undefined): readonly CommitOffset[] | undefined {
  if (!landed) throw new Error('nothing landed');
  return landed.commit;
}

function committedOffsets(...partitions: [number, number][]): CommitOffset[] {
  return partitions.map(([partition, offset]) => ({
    topic: TOPIC.predictions,
    partition,
    offset: String(offset),
  }));
}

const timeWindow = (hour: number) => ({
  kind: 'TIME',
  index: FIRST_INDEX + hour,
  start: BASE + hour * HOUR,
  end: BASE + (hour + 1) * HOUR,
});

describe('drift monitor (DriftHandler with DriftMonitorService)', () => {
  beforeAll(() => {
    Logger.overrideLogger(false);
  });
  beforeEach(() => {
    jest.spyOn(Date, 'now').mockReturnValue(NOW);
  });
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('should fence a previous instance, then read the report history on start with its own group and the history timeout', async () => {
    const h = await Harness.start({ env: { STREAMSCORE_DRIFT_HISTORY_TIMEOUT_MS: '4321' } });
    expect(reportHistory).toHaveBeenLastCalledWith(
      expect.anything(),
      TOPIC.reports,
      expect.objectContaining({ name: 'streamscore.DriftReport' }),
      `${GROUP}.history.${process.pid}.${NOW}`,
      4321,
    );
    // The transport's transactional id: its initialisation aborts a crashed predecessor's
    // transaction, which would otherwise hold back the history's last stable offset.
    expect(h.startSteps).toEqual([
      `connect ${GROUP}.drift`,
      `init ${GROUP}.drift`,
      `disconnect ${GROUP}.drift`,
      'read history',
    ]);
  });

  it('should not be ready before the history is read, and ready after', async () => {
    const h = new Harness({}, loadPipelineConfig(BASE_ENV.STREAMSCORE_PIPELINE));
    expect(await h.health.readiness()).toMatchObject({
      ready: false,
      checks: {
        'drift-history': {
          status: 'down',
          error: expect.stringContaining('reading report history') as string,
        },
      },
    });
    reportHistory.mockResolvedValue([]);
    await h.service.onApplicationBootstrap();
    expect(await h.health.readiness()).toEqual({
      ready: true,
      checks: { 'drift-history': { status: 'up' }, 'drift-windows': { status: 'up' } },
    });
  });

  describe('time windows', () => {
    it('should close a window once the input passes its end, and return its report with the offsets of the still-open window', async () => {
      const h = await Harness.start();
      h.admin.ends.set(0, { low: 0, high: 100 });
      await h.join([0]);
      const records = [...hourOf(0, 30, 0), ...hourOf(1, 1, 30)];

      const handled = await h.handle(0, records, 100);

      const reports = await reportsOf(handled);
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
      expect(handled.outputs.map((o) => [o.topic, o.key, o.headers])).toEqual([
        [TOPIC.reports, MODEL_KEY, { [Headers.contentType]: ContentTypes.avro }],
      ]);
      // Offset 30 starts window 1, still open: it must be read again after a restart.
      expect(offsetsOf(handled)).toEqual(committedOffsets([0, 30]));
      // Published only once delivered, however long the transport takes to land it.
      expect(h.service.latestReports(10)).toEqual([]);
      expect(await h.metric('drift_windows_evaluated_total')).toEqual([]);

      handled.delivered?.({
        topic: TOPIC.predictions,
        partition: 0,
        firstOffset: '0',
        rows: records.length,
        outputs: 1,
        handleMs: 0,
        deliverMs: 0,
      });
      expect(h.service.latestReports(10)).toEqual(reports);
      expect(await h.metric('drift_windows_evaluated_total')).toEqual([
        { value: 1, labels: { model: FIXTURE_MODEL.name, version: FIXTURE_MODEL.version, judged: 'true' } },
      ]);
      expect((await h.health.readiness()).ready).toBe(true);
    });

    it('should keep a window open until the watermark reaches its end (allowed lateness), writing nothing meanwhile', async () => {
      const h = await Harness.start({ env: { STREAMSCORE_DRIFT_ALLOWED_LATENESS_MS: String(HOUR / 2) } });
      h.admin.ends.set(0, { low: 0, high: 100 });
      await h.join([0]);
      const open = await h.deliver(
        0,
        [...hourOf(0, 30, 0), { offset: 30, value: encoded(BASE + HOUR + HOUR / 2 - 1, 'a') }],
        81,
      );
      // No window closed: no outputs and no offsets, so the transport writes nothing.
      expect(open).toEqual({ outputs: [] });
      expect(h.landed).toEqual([]);
      await h.deliver(0, [{ offset: 31, value: encoded(BASE + HOUR + HOUR / 2, 'b') }], 81);
      expect(h.landed).toHaveLength(1);
      const reports = await reportsOf(h.landed[0]);
      expect(reports.map((r) => [r.window.index, r.events])).toEqual([[FIRST_INDEX, 30]]);
      expect(offsetsOf(h.landed[0])).toEqual(committedOffsets([0, 30]));
    });

    it('should hold windows back while another assigned partition with records left has not delivered', async () => {
      const h = await Harness.start();
      h.admin.ends.set(0, { low: 0, high: 100 });
      h.admin.ends.set(1, { low: 0, high: 40 });
      await h.join([0, 1]);
      await h.deliver(0, [...hourOf(0, 30, 0), ...hourOf(2, 1, 30)], 91);
      expect(h.landed).toEqual([]);

      // Partition 1 delivers up to 0:59:59.999: window 0 may still get records from it.
      await h.deliver(1, [{ offset: 0, value: encoded(BASE + HOUR - 1, 'p1-0') }], 40);
      expect(h.landed).toEqual([]);

      await h.deliver(1, [{ offset: 1, value: encoded(BASE + HOUR, 'p1-1') }], 40);
      expect(h.landed).toHaveLength(1);
      const reports = await reportsOf(h.landed[0]);
      expect(reports.map((r) => [r.window.index, r.events])).toEqual([[FIRST_INDEX, 31]]);
      // p0: window 2 starts at 30; p1: window 1 starts at 1.
      expect(offsetsOf(h.landed[0])).toEqual(committedOffsets([0, 30], [1, 1]));
    });

    it('should not wait for an assigned partition already read to its end', async () => {
      const h = await Harness.start();
      h.admin.ends.set(0, { low: 0, high: 100 });
      h.admin.ends.set(1, { low: 10, high: 25 });
      h.admin.ends.set(2, { low: 0, high: 0 });
      h.admin.committed.set(1, '25');
      await h.join([0, 1, 2]);
      await h.deliver(0, [...hourOf(0, 30, 0), ...hourOf(1, 1, 30)], 100);
      expect(h.landed).toHaveLength(1);
      expect((await reportsOf(h.landed[0])).map((r) => r.window.index)).toEqual([FIRST_INDEX]);
    });

    it('should stop waiting for a partition once it is caught up (last offset + 1 reaches the high watermark)', async () => {
      const h = await Harness.start();
      h.admin.ends.set(0, { low: 0, high: 100 });
      h.admin.ends.set(1, { low: 0, high: 1 });
      await h.join([0, 1]);
      await h.deliver(1, [{ offset: 0, value: encoded(BASE + 10, 'p1-0') }], 1);
      await h.deliver(0, [...hourOf(0, 30, 0), ...hourOf(3, 1, 30)], 100);
      expect(h.landed).toHaveLength(1);
      const reports = await reportsOf(h.landed[0]);
      expect(reports.map((r) => [r.window.index, r.events])).toEqual([[FIRST_INDEX, 31]]);
      // Partition 1 has no open window left: its next offset is committed.
      expect(offsetsOf(h.landed[0])).toEqual(committedOffsets([1, 1], [0, 30]));
    });

    it('should count a partition as caught up once the transport skipped past its last records (a commit marker)', async () => {
      const h = await Harness.start();
      h.admin.ends.set(0, { low: 0, high: 100 });
      h.admin.ends.set(1, { low: 0, high: 3 });
      await h.join([0, 1]);
      // Offset 1 is an aborted transaction's record and 2 its abort marker: the micro-batch ends two
      // short of the end (a drained partition's last offset, a commit marker, would count as read).
      await h.deliver(1, [{ offset: 0, value: encoded(BASE + 10, 'p1-0') }], 3);
      await h.deliver(0, [...hourOf(0, 30, 0), ...hourOf(3, 1, 30)], 100);
      expect(h.landed).toEqual([]);

      // A skip short of the high watermark (e.g. a fetch cut by size) changes nothing.
      h.handler.skipped({ topic: TOPIC.predictions, partition: 1, nextOffset: 1 });
      await h.deliver(0, hourOf(3, 1, 31), 100);
      expect(h.landed).toEqual([]);

      h.handler.skipped({ topic: TOPIC.predictions, partition: 1, nextOffset: 3 });
      await h.deliver(0, hourOf(3, 1, 32), 100);
      expect(h.landed).toHaveLength(1);
      const reports = await reportsOf(h.landed[0]);
      expect(reports.map((r) => [r.window.index, r.events])).toEqual([[FIRST_INDEX, 31]]);
      expect(offsetsOf(h.landed[0])).toEqual(committedOffsets([1, 1], [0, 30]));
    });

    it("should hold windows at ingestion's committed progress while it has events left to validate", async () => {
      const h = await Harness.start();
      h.admin.ends.set(0, { low: 0, high: 100 });
      // Ingestion has validated events up to the first half hour and has more left to read.
      h.admin.upstream.set(catalogue.name('events'), {
        end: 50,
        committed: 20,
        metadata: encodeEventTime(BASE + HOUR / 2),
      });
      await h.join([0]);
      await h.deliver(0, [...hourOf(0, 30, 0), ...hourOf(3, 1, 30)], 100);
      expect(h.landed).toEqual([]);
      // Ingestion caught up at hour 3: partition 0 (read to its end) no longer holds the first hour.
      h.admin.upstream.set(catalogue.name('events'), {
        end: 50,
        committed: 50,
        metadata: encodeEventTime(BASE + 3 * HOUR),
      });
      h.admin.ends.set(0, { low: 0, high: 31 });
      await h.deliver(0, [], 31);
      expect(h.landed).toHaveLength(1);
      const reports = await reportsOf(h.landed[0]);
      expect(reports.map((r) => [r.window.index, r.events])).toEqual([[FIRST_INDEX, 30]]);
    });

    it('should report each closable window oldest first, an empty hour leaving no report', async () => {
      const h = await Harness.start();
      h.admin.ends.set(0, { low: 0, high: 1_000 });
      await h.join([0]);
      await h.deliver(
        0,
        [...hourOf(0, 25, 0), ...hourOf(1, 22, 25), ...hourOf(3, 21, 47), ...hourOf(4, 1, 68)],
        78,
      );
      expect(h.landed).toHaveLength(1);
      const reports = await reportsOf(h.landed[0]);
      expect(reports.map((r) => [r.window.index, r.events])).toEqual([
        [FIRST_INDEX, 25],
        [FIRST_INDEX + 1, 22],
        [FIRST_INDEX + 3, 21],
      ]);
      expect(offsetsOf(h.landed[0])).toEqual(committedOffsets([0, 68]));
    });

    it('should report a window below the minimum size as not judged', async () => {
      const h = await Harness.start();
      h.admin.ends.set(0, { low: 0, high: 100 });
      await h.join([0]);
      await h.deliver(0, [...hourOf(0, 19, 0), ...hourOf(1, 1, 19)], 70);
      const reports = await reportsOf(h.landed[0]);
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
    it('should drop a record of a window already reported as late, count it, and commit past it', async () => {
      const h = await Harness.start();
      h.admin.ends.set(0, { low: 0, high: 100 });
      await h.join([0]);
      await h.deliver(0, [...hourOf(0, 30, 0), ...hourOf(1, 25, 30)], 100);
      expect(h.landed).toHaveLength(1);

      await h.deliver(0, [{ offset: 55, value: encoded(BASE + HOUR - 1, 'late') }, ...hourOf(2, 1, 56)], 100);

      expect(await h.metric('drift_late_records_total')).toEqual([
        { value: 1, labels: { model: FIXTURE_MODEL.name, version: FIXTURE_MODEL.version } },
      ]);
      expect(h.landed).toHaveLength(2);
      const reports = await reportsOf(h.landed[1]);
      expect(reports.map((r) => [r.window.index, r.events])).toEqual([[FIRST_INDEX + 1, 25]]);
      expect(offsetsOf(h.landed[1])).toEqual(committedOffsets([0, 56]));
    });

    it('should skip undecodable predictions and predictions of versions without a manifest, counting each reason', async () => {
      const h = await Harness.start();
      h.admin.ends.set(0, { low: 0, high: 100 });
      await h.join([0]);
      const records: Record_[] = [
        ...hourOf(0, 30, 0),
        { offset: 30, value: Buffer.from('not a prediction') },
        { offset: 31, value: encoded(BASE + 20, 'x', { modelVersion: '99' }) },
        { offset: 32, value: encoded(BASE + 21, 'y', { modelName: '../drift-fixture' }) },
      ];
      // Bad data is never thrown: the micro-batch is handled, with nothing to write yet.
      expect(await h.deliver(0, records, 100)).toEqual({ outputs: [] });
      expect(await h.metric('drift_records_skipped_total')).toEqual([
        { value: 1, labels: { reason: 'undecodable' } },
        { value: 2, labels: { reason: 'no_manifest' } },
      ]);
      expect(h.landed).toEqual([]);

      await h.deliver(0, hourOf(1, 1, 33), 100);
      const reports = await reportsOf(h.landed[0]);
      expect(reports.map((r) => [r.modelVersion, r.window.index, r.events])).toEqual([
        ['1', FIRST_INDEX, 30],
      ]);
      expect(offsetsOf(h.landed[0])).toEqual(committedOffsets([0, 33]));
    });

    it('should let a prediction of an unknown version move the input time (it closes the known version windows only with its own records)', async () => {
      const h = await Harness.start();
      h.admin.ends.set(0, { low: 0, high: 100 });
      h.admin.ends.set(1, { low: 0, high: 100 });
      await h.join([0, 1]);
      await h.deliver(0, [...hourOf(0, 30, 0), ...hourOf(1, 1, 30)], 100);
      expect(h.landed).toEqual([]);
      await h.deliver(1, [{ offset: 0, value: encoded(BASE + 2 * HOUR, 'u', { modelVersion: '99' }) }], 100);
      expect(h.landed).toHaveLength(1);
      expect((await reportsOf(h.landed[0])).map((r) => r.window.index)).toEqual([FIRST_INDEX]);
      expect(offsetsOf(h.landed[0])).toEqual(committedOffsets([0, 30], [1, 1]));
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
      await h.join([0]);

      await h.deliver(0, [...hourOf(1, 10, 0), ...hourOf(2, 30, 10), ...hourOf(3, 1, 40)], 100);

      expect(await h.metric('drift_late_records_total')).toEqual([
        { value: 10, labels: { model: FIXTURE_MODEL.name, version: FIXTURE_MODEL.version } },
      ]);
      const reports = await reportsOf(h.landed[0]);
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
      await h.join([0]);
      const hour0 = hourOf(0, 30, 0);
      const hour1 = hourOf(1, 25, 30);
      await h.deliver(0, [...hour0, ...hour1], 100);
      expect(offsetsOf(h.landed[0])).toEqual(committedOffsets([0, 30]));

      // The group rebalances; the transport fetches again from the committed offset 30.
      h.admin.committed.set(0, '30');
      await h.join([0]);
      await h.deliver(0, [...hour1, ...hourOf(2, 1, 55)], 100);

      expect(h.landed).toHaveLength(2);
      const reports = await reportsOf(h.landed[1]);
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
      await h.join([0]);
      await h.deliver(0, [...hourOf(0, 300, 0, 2), ...hourOf(1, 1, 300)], 311);

      expect(h.landed).toHaveLength(1);
      const landed = h.landed[0];
      const [report] = await reportsOf(landed);
      expect(report?.driftedFeatures).toEqual(['x1']);
      expect(report?.datasetDrift).toBe(true);
      const id = `${MODEL_KEY}/time/${FIRST_INDEX}`;
      const alerts = await decodeAll(alertDecoder, messagesOf(landed, TOPIC.alerts));
      expect(alerts.map((a) => [a.alertId, a.status, a.feature, a.consecutiveWindows, a.reportId])).toEqual([
        [`${id}/x1/started`, 'STARTED', 'x1', 1, id],
      ]);
      const triggers = await decodeAll(triggerDecoder, messagesOf(landed, TOPIC.triggers));
      expect(triggers.map((t) => [t.triggerId, t.features, t.consecutiveWindows, t.cooldownWindows])).toEqual(
        [[`${id}/retrain`, ['x1'], 1, 5]],
      );
      expect(landed?.outputs.map((o) => [o.topic, o.key, o.headers])).toEqual([
        [TOPIC.reports, MODEL_KEY, { [Headers.contentType]: ContentTypes.avro }],
        [TOPIC.alerts, MODEL_KEY, { [Headers.contentType]: ContentTypes.avro }],
        [TOPIC.triggers, MODEL_KEY, { [Headers.contentType]: ContentTypes.avro }],
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
      await h.join([0]);
      await h.deliver(0, [...hourOf(0, 300, 0, 2), ...hourOf(1, 300, 300, 2), ...hourOf(2, 1, 600)], 611);

      expect(h.landed).toHaveLength(1);
      const landed = h.landed[0];
      const reports = await reportsOf(landed);
      expect(reports.map((r) => r.alertState.features.find((f) => f.feature === 'x1'))).toEqual([
        { feature: 'x1', driftingWindows: 1, cleanWindows: 0, open: false },
        { feature: 'x1', driftingWindows: 2, cleanWindows: 0, open: true },
      ]);
      expect(reports.map((r) => [r.alertState.datasetDriftWindows, r.alertState.cooldownRemaining])).toEqual([
        [1, 5],
        [2, 4],
      ]);
      const alerts = await decodeAll(alertDecoder, messagesOf(landed, TOPIC.alerts));
      expect(alerts.map((a) => [a.alertId, a.consecutiveWindows])).toEqual([
        [`${MODEL_KEY}/time/${FIRST_INDEX + 1}/x1/started`, 2],
      ]);
      const triggers = await decodeAll(triggerDecoder, messagesOf(landed, TOPIC.triggers));
      expect(triggers.map((t) => t.triggerId)).toEqual([`${MODEL_KEY}/time/${FIRST_INDEX}/retrain`]);
    });
  });

  describe('alert state across micro-batches', () => {
    it('should carry the delivered alert state into the windows of later micro-batches', async () => {
      const h = await Harness.start({ env: { STREAMSCORE_DRIFT_ALERT_AFTER: '2' } });
      h.admin.ends.set(0, { low: 0, high: 1_000 });
      await h.join([0]);
      await h.deliver(0, [...hourOf(0, 300, 0, 2), ...hourOf(1, 150, 300, 2)], 1_000);
      expect(h.landed).toHaveLength(1);
      expect(messagesOf(h.landed[0], TOPIC.alerts)).toEqual([]);
      await h.deliver(0, [...hourOf(1, 150, 450, 2, 7), ...hourOf(2, 1, 600)], 1_000);

      expect(h.landed).toHaveLength(2);
      const [report] = await reportsOf(h.landed[1]);
      expect(report?.window.index).toBe(FIRST_INDEX + 1);
      expect(report?.alertState.features.find((f) => f.feature === 'x1')).toEqual({
        feature: 'x1',
        driftingWindows: 2,
        cleanWindows: 0,
        open: true,
      });
      const alerts = await decodeAll(alertDecoder, messagesOf(h.landed[1], TOPIC.alerts));
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
      await h.join([0]);
      for (const record of records) await h.deliver(0, [record], 1_000);

      expect(h.landed).toHaveLength(2);
      const reports = [...(await reportsOf(h.landed[0])), ...(await reportsOf(h.landed[1]))];
      expect(reports.map(windowOf)).toEqual(windowsFiveAndSix());
      expect(offsetsOf(h.landed[0])).toEqual(committedOffsets([0, 25]));
      expect(offsetsOf(h.landed[1])).toEqual(committedOffsets([0, 50]));
      expect(await h.metric('drift_late_records_total')).toEqual([]);
    });

    it('should keep every count window at N events when one micro-batch fills several', async () => {
      const h = await Harness.start({ env: countEnv, history: countHistory });
      h.admin.ends.set(0, { low: 0, high: 1_000 });
      await h.join([0]);
      await h.deliver(0, records, 1_000);

      // 60 records in one micro-batch: windows 5 and 6 of 25 each close together, 10 stay open in 7.
      expect(h.landed).toHaveLength(1);
      const reports = await reportsOf(h.landed[0]);
      expect(reports.map(windowOf)).toEqual(windowsFiveAndSix());
      // Offsets stop at the first record of the window still open.
      expect(offsetsOf(h.landed[0])).toEqual(committedOffsets([0, 50]));
    });
  });

  describe('deliveries that never land', () => {
    it('should, when the transport stops before delivering: publish nothing, turn not ready, not exit, and count no later micro-batch', async () => {
      const exit = jest.spyOn(process, 'exit').mockImplementation(() => undefined as never);
      const h = await Harness.start();
      h.admin.ends.set(0, { low: 0, high: 100 });
      await h.join([0]);
      const handled = await h.handle(0, [...hourOf(0, 30, 0), ...hourOf(1, 1, 30)], 100);
      expect((await reportsOf(handled)).map((r) => r.window.index)).toEqual([FIRST_INDEX]);

      handled.abandoned?.('stopped');

      expect(h.service.latestReports(5)).toEqual([]);
      expect(await h.metric('drift_windows_evaluated_total')).toEqual([]);
      expect(await h.health.readiness()).toMatchObject({
        ready: false,
        checks: {
          'drift-windows': {
            status: 'down',
            error: expect.stringContaining('stopped while delivering closed windows') as string,
          },
        },
      });
      expect(await h.handle(0, [...hourOf(1, 30, 31), ...hourOf(2, 1, 61)], 100)).toEqual({ outputs: [] });
      await new Promise((done) => setTimeout(done, 250));
      expect(exit).not.toHaveBeenCalled();
    });

    it.each(['fenced', 'rebalanced'] as const)(
      'should exit(1) when %s: not ready, nothing published, later micro-batches ignored',
      async (reason) => {
        const exit = jest.spyOn(process, 'exit').mockImplementation(() => undefined as never);
        const h = await Harness.start();
        h.admin.ends.set(0, { low: 0, high: 100 });
        await h.join([0]);
        const handled = await h.handle(0, [...hourOf(0, 30, 0), ...hourOf(1, 1, 30)], 100);
        expect(offsetsOf(handled)).toEqual(committedOffsets([0, 30]));

        handled.abandoned?.(reason);

        expect(h.service.latestReports(5)).toEqual([]);
        expect(await h.metric('drift_windows_evaluated_total')).toEqual([]);
        expect(await h.health.readiness()).toMatchObject({
          ready: false,
          checks: {
            'drift-windows': {
              status: 'down',
              error: expect.stringContaining(`drift outputs abandoned (${reason})`) as string,
            },
          },
        });
        expect(await h.handle(0, [...hourOf(1, 30, 31), ...hourOf(2, 1, 61)], 100)).toEqual({ outputs: [] });
        await new Promise((done) => setTimeout(done, 250));
        expect(exit).toHaveBeenCalledTimes(1);
        expect(exit).toHaveBeenCalledWith(1);
      },
    );

    it('should exit(1) when the offsets of a new assignment cannot be read, and rethrow to the transport', async () => {
      const exit = jest.spyOn(process, 'exit').mockImplementation(() => undefined as never);
      const h = await Harness.start();
      h.admin.ends.set(0, { low: 0, high: 100 });
      h.admin.failure = new Error('broker away');

      await expect(h.join([0])).rejects.toThrow('broker away');

      expect(await h.health.readiness()).toMatchObject({
        ready: false,
        checks: {
          'drift-windows': { status: 'down', error: expect.stringContaining('broker away') as string },
        },
      });
      // Without the assignment's progress a micro-batch could close windows too early: ignored.
      expect(await h.handle(0, [...hourOf(0, 30, 0), ...hourOf(1, 1, 30)], 100)).toEqual({ outputs: [] });
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
      await h.join([0]);
      // Version 2 (e.g. a canary rolled back) scores hour 0 only; version 1 goes on for hours.
      const canary = Array.from({ length: 5 }, (_, i) => ({
        offset: i,
        value: encoded(BASE + i * 60_000, `c${i}`, { modelVersion: '2' }),
      }));
      await h.deliver(
        0,
        [...canary, ...hourOf(0, 30, 5), ...hourOf(1, 30, 35), ...hourOf(2, 30, 65), ...hourOf(3, 1, 95)],
        1_000,
      );

      expect(h.landed).toHaveLength(1);
      const reports = await reportsOf(h.landed[0]);
      expect(reports.map((r) => [r.modelVersion, r.window.index])).toEqual([
        ['1', FIRST_INDEX],
        ['1', FIRST_INDEX + 1],
        ['1', FIRST_INDEX + 2],
      ]);
      // Version 2's window 0 never closes (its own event time does not advance), so offset 0 is
      // committed: a restart re-reads everything since, however long ago that was.
      expect(offsetsOf(h.landed[0])).toEqual(committedOffsets([0, 0]));
    });
  });
});
