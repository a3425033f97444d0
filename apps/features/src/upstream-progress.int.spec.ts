import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Admin, Kafka } from 'kafkajs';
import type { Redis } from 'ioredis';
import { ContentTypes, Headers, TopicCatalogue } from '@streamscore/contracts';
import { FeatureReader, parseFeatureViews } from '@streamscore/features';
import {
  createTestTopics,
  deleteTestTopics,
  groupBacklog,
  randomName,
  startServiceProcess,
  testKafka,
  testRedis,
  waitFor,
  type ServiceProcess,
} from '@streamscore/testing';
import { flightsFixture } from '@streamscore/demo-flights/testing';

const FLIGHTS = 3_000;
/** The demo's lateness: small against the hours the fixture spans, so out-of-order reads would be late. */
const LATENESS_MS = 1_800_000;
const CHUNK = 150;

async function metricSum(service: ServiceProcess, name: string, label: string): Promise<number> {
  const text = await (await fetch(`${service.url}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${name}{`) && l.includes(label))
    .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
}

/**
 * Issue #19 item 4 on the real Kafka and Redis: ingestion and the features service run as in
 * production, input arrives in steady chunks on two of three input partitions, and the third
 * stays empty. The views' watermarks wait on ingestion's committed event-time progress instead of
 * an idle timer: no update is dropped as late, and the empty partition stalls nothing.
 */
describe('feature watermarks on ingestion progress (real Kafka and Redis)', () => {
  const prefix = randomName('upstream');
  const keyPrefix = `${prefix}:`;
  const catalogue = new TopicCatalogue({ prefix, partitions: 3 });
  const ingestionGroup = `${prefix}-ingestion`;
  const featuresGroup = `${prefix}-features`;
  const fixture = flightsFixture(FLIGHTS);
  let kafka: Kafka;
  let admin: Admin;
  let redis: Redis;
  const services: ServiceProcess[] = [];

  beforeAll(async () => {
    kafka = testKafka();
    admin = kafka.admin();
    await admin.connect();
    redis = testRedis();
    await createTestTopics(admin, catalogue.all());
  }, 60_000);

  afterAll(async () => {
    for (const service of services) await service.stop('SIGTERM');
    await deleteTestTopics(admin, catalogue.all());
    await admin.disconnect();
    await redis.quit();
  }, 60_000);

  it('should drop no update as late and settle every watermark with one input partition empty', async () => {
    // The fixture's pipeline with the demo's lateness instead of the fixture's day.
    const pipeline = JSON.parse(readFileSync(fixture.pipelineFile, 'utf8')) as { featureViews: string };
    const views = JSON.parse(readFileSync(pipeline.featureViews, 'utf8')) as {
      views: Record<string, unknown>[];
    };
    const viewsFile = join(fixture.pipelineFile, '..', 'late-views.json');
    const viewsDocument = { views: views.views.map((v) => ({ ...v, allowedLatenessMs: LATENESS_MS })) };
    writeFileSync(viewsFile, JSON.stringify(viewsDocument));
    const pipelineFile = join(fixture.pipelineFile, '..', 'late-pipeline.json');
    writeFileSync(pipelineFile, JSON.stringify({ ...pipeline, featureViews: viewsFile }));
    const parsedViews = parseFeatureViews(viewsDocument, viewsFile);

    const common = {
      KAFKA_BROKERS: process.env['KAFKA_BROKERS'] ?? '',
      REDIS_URL: process.env['REDIS_URL'] ?? '',
      REDIS_KEY_PREFIX: keyPrefix,
      TOPIC_PREFIX: prefix,
      TOPIC_PARTITIONS: '3',
      STREAMSCORE_PIPELINE: pipelineFile,
    };
    services.push(
      await startServiceProcess('ingestion', { ...common, STREAMSCORE_GROUP_ID: ingestionGroup }),
    );
    const features = await startServiceProcess('features', {
      ...common,
      STREAMSCORE_GROUP_ID: featuresGroup,
      STREAMSCORE_INGESTION_GROUP_ID: ingestionGroup,
      STREAMSCORE_MAX_BATCH_ROWS: '200',
    });
    services.push(features);

    // Plan order (event time, outcomes first at a tie), alternating input partitions 0 and 1.
    const records = [
      ...fixture.departures.map((d, i) => ({
        at: d.scheduledAt,
        topic: catalogue.name('events'),
        message: fixture.encodedDepartures[i],
      })),
      ...fixture.outcomes.map((o, i) => ({
        at: o.knownAt,
        topic: catalogue.name('outcomes'),
        message: fixture.encodedOutcomes[i],
      })),
    ].sort((a, b) => a.at - b.at);
    const headers = { [Headers.contentType]: ContentTypes.avro };
    const producer = kafka.producer({ idempotent: true });
    await producer.connect();
    for (let i = 0; i < records.length; i += CHUNK) {
      const chunk = records.slice(i, i + CHUNK);
      const byTopic = new Map<
        string,
        { key: string; value: Buffer; headers: typeof headers; partition: number }[]
      >();
      chunk.forEach((r, j) => {
        if (!r.message) throw new Error('fixture record without its encoding');
        const list = byTopic.get(r.topic) ?? [];
        list.push({ key: r.message.key, value: r.message.value, headers, partition: (i + j) % 2 });
        byTopic.set(r.topic, list);
      });
      await producer.sendBatch({
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      });
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await producer.disconnect();

    await waitFor(
      async () =>
        (await groupBacklog(admin, featuresGroup, catalogue.name('eventsValidated'))) === 0 &&
        (await groupBacklog(admin, featuresGroup, catalogue.name('outcomesValidated'))) === 0 &&
        (await metricSum(features, 'features_records_in_total', '')) === records.length,
      { timeoutMs: 180_000, intervalMs: 500, description: 'features read every validated record' },
    );
    const perSource = { events: fixture.departures.length, outcomes: fixture.outcomes.length };
    const expectedUpdates = parsedViews.reduce(
      (sum, v) => sum + (v.source === 'events' ? perSource.events : perSource.outcomes),
      0,
    );
    await waitFor(
      async () =>
        (await metricSum(features, 'features_records_total', 'outcome="applied"')) +
          (await metricSum(features, 'features_records_total', 'outcome="late"')) ===
        expectedUpdates,
      { timeoutMs: 30_000, description: 'every view update counted' },
    );
    expect(await metricSum(features, 'features_records_total', 'outcome="late"')).toBe(0);
    expect(await metricSum(features, 'features_records_total', 'outcome="applied"')).toBe(expectedUpdates);

    // No stall: with everything read, each view's watermark reaches its newest record − lateness.
    const newest = (source: string): number =>
      (source === 'events'
        ? fixture.departures.map((d) => d.scheduledAt)
        : fixture.outcomes.map((o) => o.knownAt)
      ).reduce((max, t) => Math.max(max, t), 0);
    const reader = new FeatureReader(redis, parsedViews, { keyPrefix });
    await waitFor(
      async () => {
        const watermarks = await reader.readWatermarks({ deadlineMs: 5_000 });
        return parsedViews.every((view) => watermarks[view.name] === newest(view.source) - LATENESS_MS);
      },
      {
        timeoutMs: 30_000,
        intervalMs: 250,
        description: 'every view watermark at its newest record − lateness',
      },
    );
  }, 300_000);
});
