import { join } from 'node:path';
import type { Admin, Kafka } from 'kafkajs';
import type { Redis } from 'ioredis';
import {
  createDecoder,
  Headers,
  loadSchemaHistory,
  TopicCatalogue,
  type Prediction,
} from '@streamscore/contracts';
import { createRedis } from '@streamscore/platform';
import {
  createTestTopics,
  deleteTestTopics,
  randomName,
  readTopicToEnd,
  startServiceProcess,
  testKafka,
  type ServiceProcess,
} from '@streamscore/testing';
import {
  deleteKeys,
  expectedScores,
  inputPositions,
  loadFlightStream,
  materializeFlights,
  PIPELINE,
  produceValidated,
  ROOT,
} from '@streamscore/demo-flights/testing';

/** 10,000 in CI; STREAMSCORE_TEST_INFERENCE_EVENTS sets it (beyond 20,000 the flights come from the parquet file). */
const EVENTS = Number(process.env['STREAMSCORE_TEST_INFERENCE_EVENTS'] ?? 10_000);
const BAD_EVERY = 200;
/** Waits are deadlines sized for 10,000 events; larger runs get proportionally longer ones. */
const SCALE = Math.max(1, EVENTS / 10_000);
// jest.setTimeout, not it()'s third argument, which prettier lays out compactly only for a literal.
jest.setTimeout(300_000 * SCALE);

describe('inference on the real Kafka and Redis', () => {
  let kafka: Kafka;
  let admin: Admin;
  let redis: Redis;
  let service: ServiceProcess | undefined;
  let catalogue: TopicCatalogue;
  let keyPrefix = '';

  beforeAll(async () => {
    kafka = testKafka();
    admin = kafka.admin();
    await admin.connect();
    redis = createRedis({ url: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379' });
  });

  afterAll(async () => {
    await service?.stop('SIGKILL');
    await deleteTestTopics(admin, catalogue.all());
    if (keyPrefix) await deleteKeys(redis, keyPrefix);
    await admin.disconnect();
    await redis.quit();
  });

  it(`should score ${EVENTS} real flights exactly once, in order, equal to the offline features' forward pass`, async () => {
    const stream = await loadFlightStream(EVENTS);
    keyPrefix = await materializeFlights(redis, stream);
    const prefix = randomName('inf');
    catalogue = new TopicCatalogue({ prefix, partitions: 3 });
    await createTestTopics(admin, catalogue.all());
    const { bad } = await produceValidated(
      kafka,
      catalogue.name('eventsValidated'),
      stream.scored,
      BAD_EVERY,
    );
    const positions = await inputPositions(kafka, catalogue, EVENTS + bad);
    expect(positions.size).toBe(EVENTS);

    const started = Date.now();
    service = await startServiceProcess('inference', {
      KAFKA_BROKERS: process.env['KAFKA_BROKERS'] ?? '',
      REDIS_URL: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379',
      REDIS_KEY_PREFIX: keyPrefix,
      TOPIC_PREFIX: prefix,
      TOPIC_PARTITIONS: '3',
      STREAMSCORE_PIPELINE: PIPELINE,
      STREAMSCORE_SCHEMAS_DIR: join(ROOT, 'schemas'),
      STREAMSCORE_GROUP_ID: `${prefix}-group`,
      STREAMSCORE_FEATURE_MAX_WAIT_MS: '200',
      LOG_LEVEL: 'info',
    });
    const predictions = await readTopicToEnd(kafka, catalogue.name('predictions'), {
      isolation: 'read_committed',
      expected: EVENTS,
      timeoutMs: 180_000 * SCALE,
    });
    const elapsedS = (Date.now() - started) / 1000;
    const dead = await readTopicToEnd(kafka, catalogue.name('predictionsDeadLetter'), {
      isolation: 'read_committed',
      expected: bad,
      timeoutMs: 30_000,
    });
    const shadow = await readTopicToEnd(kafka, catalogue.name('predictionsShadow'), {
      isolation: 'read_committed',
      timeoutMs: 5_000,
    });

    // Exactly N outputs: one prediction per good event, one dead letter per bad record.
    expect(predictions.length + dead.length).toBe(EVENTS + bad);
    expect(dead).toHaveLength(bad);
    expect(shadow).toHaveLength(0);
    for (const m of dead)
      expect(m.headers[Headers.dlqCode]?.toString()).toMatch(
        /^(UNSUPPORTED_FORMAT|MALFORMED|UNKNOWN_SCHEMA)$/,
      );

    const decoder = createDecoder<Prediction>(loadSchemaHistory(join(ROOT, 'schemas', 'prediction')));
    const decoded: { partition: number; prediction: Prediction }[] = [];
    for (const m of predictions) {
      const result = await decoder.decode(m.value, m.headers);
      if (!result.ok) throw new Error(`undecodable prediction: ${result.reason}`);
      decoded.push({ partition: m.partition, prediction: result.record });
    }
    const ids = new Set(decoded.map((d) => d.prediction.eventId));
    expect(ids.size).toBe(EVENTS);

    // In input order within each partition: per (output partition, input partition), input offsets ascend.
    const lastOffset = new Map<string, bigint>();
    let outOfOrder = 0;
    for (const { partition, prediction } of decoded) {
      const source = positions.get(prediction.eventId);
      if (!source) throw new Error(`prediction for unknown event ${prediction.eventId}`);
      const lane = `${partition}:${source.partition}`;
      if ((lastOffset.get(lane) ?? -1n) >= source.offset) outOfOrder += 1;
      lastOffset.set(lane, source.offset);
    }
    expect(outOfOrder).toBe(0);

    // Scores equal the TypeScript forward pass on OFFLINE features.
    const offlineStarted = Date.now();
    const expected = await expectedScores(stream);
    const offlineS = (Date.now() - offlineStarted) / 1000;
    const heapUsedMb = process.memoryUsage().heapUsed / 1e6;
    let maxDifference = 0;
    let stale = 0;
    for (const { prediction } of decoded) {
      const want = expected.get(prediction.eventId) ?? Number.NaN;
      maxDifference = Math.max(maxDifference, Math.abs(prediction.score - want));
      if (prediction.flags.includes('staleFeatures')) stale += 1;
      expect(prediction.modelName).toBe('flight-delay');
      expect(prediction.modelVersion).toBe('1');
      expect(prediction.role).toBe('ACTIVE');
    }
    const sample = decoded[0]?.prediction;
    expect(Object.keys(sample?.features ?? {})).toContain('origin_delay_1h.mean');
    expect(Object.keys(sample?.categories ?? {})).toEqual(expect.arrayContaining(['origin', 'destination']));
    process.stdout.write(
      `inference: ${EVENTS} events + ${bad} bad → ${predictions.length} predictions + ${dead.length} dead letters ` +
        `in ${elapsedS.toFixed(1)} s (incl. start-up); max |score − offline forward pass| = ${maxDifference.toExponential(2)}; stale ${stale}\n` +
        `offline features + forward pass: ${EVENTS} rows over ${stream.departures.length} source flights ` +
        `in ${offlineS.toFixed(1)} s; test heap used after it ${heapUsedMb.toFixed(0)} MB\n`,
    );
    expect(maxDifference).toBeLessThan(1e-5);
    expect(stale).toBe(0);

    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    const sum = (name: string): number =>
      metrics
        .split('\n')
        .filter((l) => l.startsWith(name))
        .reduce((total, l) => total + Number(l.split(' ').pop()), 0);
    expect(sum('inference_rows_scored_total')).toBe(EVENTS);
    expect(sum('inference_dead_lettered_total')).toBe(bad);
    expect(metrics).toContain('inference_event_loop_delay_seconds');
    expect(await service.stop('SIGTERM')).toBe(0);
    service = undefined;
  });
});
