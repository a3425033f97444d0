import { execFileSync } from 'node:child_process';
import type { Redis } from 'ioredis';
import { ContentTypes, encodeSingleObject, Headers, loadSchemaHistory } from '@streamscore/contracts';
import {
  compileView,
  entityOf,
  FeatureReader,
  parseFeatureViews,
  planReads,
  type FeatureQuery,
} from '@streamscore/features';
import { createRedis, loadPipelineConfig } from '@streamscore/platform';
import { awaitGroupCommitted, randomName, startServiceProcess, waitFor } from '@streamscore/testing';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { benchCatalogue, benchStack, expectCount, printMeasures, progress, round } from '../common/bench-kit';
import { loadFlightsParquet, toFlightEvents } from '@streamscore/demo-flights/testing';

/**
 * The features service against Redis itself:
 * - materialize_throughput: source records/s the service consumes from the validated topics and
 *   writes to Redis (demo pipeline, 6 partitions), vs `redis-benchmark -t set -P 16` on the same Redis;
 * - read_p99: the reader's p99 for a 1,000-event batch (every view), vs a bare ioredis pipeline
 *   issuing the same HMGETs (planReads gives them);
 * - late_updates: view updates dropped as late (outcomes are published in knownAt order).
 */
const DAYS = Number(process.env['BENCH_FEATURES_DAYS'] ?? 3);
const READ_ROUNDS = Number(process.env['BENCH_FEATURES_READ_ROUNDS'] ?? 100);
const PARTITIONS = 6;
const PIPELINE = join(__dirname, '..', '..', 'demo', 'flights', 'pipeline.json');
const FROM_MS = Date.UTC(2001, 0, 1);

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? Number.NaN;
}

function redisSetRate(redisUrl: string): number {
  const url = new URL(redisUrl);
  const output = execFileSync(
    'redis-benchmark',
    ['-h', url.hostname, '-p', url.port || '6379', '-t', 'set', '-P', '16', '-n', '200000', '-q'],
    { encoding: 'utf8' },
  );
  const match = /SET: ([\d.]+) requests per second/.exec(output.split('\r').pop() ?? output);
  if (match?.[1] === undefined) throw new Error(`cannot read redis-benchmark output: ${output}`);
  return Number(match[1]);
}

async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 5_000);
    cursor = next;
    if (keys.length > 0) await redis.unlink(...keys);
  } while (cursor !== '0');
}

async function main(): Promise<void> {
  const { kafka, admin, brokers, redisUrl } = await benchStack();
  const pipeline = loadPipelineConfig(PIPELINE);
  const views = parseFeatureViews(
    JSON.parse(readFileSync(pipeline.featureViews, 'utf8')),
    pipeline.featureViews,
  );
  const flights = await loadFlightsParquet({ fromMs: FROM_MS, toMs: FROM_MS + DAYS * 86_400_000 });
  const { departures, outcomes } = toFlightEvents(flights);
  const total = departures.length + outcomes.length;
  progress(`${flights.length} flights (${DAYS} days) → ${total} source records on ${PARTITIONS} partitions`);

  const catalogue = await benchCatalogue(admin, 'features', PARTITIONS);
  const departureType = loadSchemaHistory(pipeline.streams.events.schemaDir).latest.type;
  const outcomeType = loadSchemaHistory(pipeline.streams.outcomes.schemaDir).latest.type;
  const headers = { [Headers.contentType]: ContentTypes.avro };
  const producer = kafka.producer();
  await producer.connect();
  for (const [topic, messages] of [
    [
      catalogue.name('eventsValidated'),
      departures.map((d) => ({ key: d.origin, value: encodeSingleObject(departureType, d), headers })),
    ],
    [
      catalogue.name('outcomesValidated'),
      // In knownAt order, as outcomes happen: the bench measures the store, not disorder in its input.
      [...outcomes]
        .sort((a, b) => a.knownAt - b.knownAt)
        .map((o) => ({ key: o.origin, value: encodeSingleObject(outcomeType, o), headers })),
    ],
  ] as const) {
    for (let i = 0; i < messages.length; i += 2_000)
      await producer.send({ topic, messages: messages.slice(i, i + 2_000) });
  }
  await producer.disconnect();
  progress('produced; baseline: redis-benchmark SET -P 16');
  const setRate = redisSetRate(redisUrl);
  progress(`baseline ${setRate.toFixed(0)} SET/s`);

  const keyPrefix = `${randomName('bench-features')}:`;
  const redis = createRedis({ url: redisUrl });
  const service = await startServiceProcess('features', {
    KAFKA_BROKERS: brokers,
    REDIS_URL: redisUrl,
    REDIS_KEY_PREFIX: keyPrefix,
    TOPIC_PREFIX: catalogue.name('events').replace(/\.events$/, ''),
    TOPIC_PARTITIONS: String(PARTITIONS),
    STREAMSCORE_PIPELINE: PIPELINE,
    STREAMSCORE_GROUP_ID: `${keyPrefix}group`,
  });
  try {
    const consumed = async (): Promise<number> => {
      const text = await (await fetch(`${service.url}/metrics`)).text();
      return text
        .split('\n')
        .filter((l) => l.startsWith('features_records_in_total{'))
        .reduce((s, l) => s + Number(l.split(' ').pop()), 0);
    };
    const first = await waitFor(
      async () => {
        const n = await consumed();
        return n > 0 ? { n, at: performance.now() } : false;
      },
      { timeoutMs: 60_000, intervalMs: 20 },
    );
    let lastReport = 0;
    const done = await waitFor(
      async () => {
        const n = await consumed();
        if (Date.now() - lastReport > 5_000) {
          progress(`materialized ${n} / ${total}`);
          lastReport = Date.now();
        }
        return n >= total ? { n, at: performance.now() } : false;
      },
      { timeoutMs: 300_000, intervalMs: 20 },
    );
    const rate = ((done.n - first.n) / (done.at - first.at)) * 1000;
    progress(`service ${rate.toFixed(0)} source records/s`);
    // Every source record × view of its source must be an update applied in Redis or dropped as
    // late (a fresh run replays nothing, and the records are valid and placeable): read once the
    // service committed both topics to their ends, so its counters include every batch.
    const group = `${keyPrefix}group`;
    await awaitGroupCommitted(admin, group, catalogue.name('eventsValidated'));
    await awaitGroupCommitted(admin, group, catalogue.name('outcomesValidated'));
    const metricsText = await (await fetch(`${service.url}/metrics`)).text();
    const byViewOutcome = new Map<string, number>();
    let deadLettered = 0;
    let consumedIn = 0;
    for (const l of metricsText.split('\n')) {
      if (l.startsWith('features_records_in_total{')) consumedIn += Number(l.split(' ').pop());
      if (l.startsWith('features_dead_lettered_total{')) deadLettered += Number(l.split(' ').pop());
      if (!l.startsWith('features_records_total{')) continue;
      const view = /view="([^"]+)"/.exec(l)?.[1] ?? '?';
      const outcome = /outcome="(\w+)"/.exec(l)?.[1] ?? '?';
      const key = `${view}/${outcome}`;
      byViewOutcome.set(key, (byViewOutcome.get(key) ?? 0) + Number(l.split(' ').pop()));
    }
    const count = (view: string, outcome: string): number => byViewOutcome.get(`${view}/${outcome}`) ?? 0;
    const sourceCount = (source: string): number =>
      source === 'events' ? departures.length : source === 'outcomes' ? outcomes.length : 0;
    let applied = 0;
    let late = 0;
    for (const view of views) {
      const [a, l] = [count(view.name, 'applied'), count(view.name, 'late')];
      applied += a;
      late += l;
      progress(
        `view ${view.name} (${view.source}): ${a} applied, ${l} late, ` +
          `${count(view.name, 'duplicate')} duplicate, ${count(view.name, 'invalid')} invalid`,
      );
      expectCount(`view ${view.name} updates applied + late`, a + l, sourceCount(view.source));
    }
    const expectedUpdates = views.reduce((sum, v) => sum + sourceCount(v.source), 0);
    expectCount(
      `feature-view updates (${applied} applied + ${late} late) over ${views.length} views`,
      applied + late,
      expectedUpdates,
    );
    expectCount('features source records consumed', consumedIn, total);
    expectCount('features dead letters', deadLettered, 0);

    // One batch of 1,000 departures spread over the period, each read as of its own time.
    const queries: FeatureQuery[] = [];
    for (let i = 0; i < 1_000; i++) {
      const event = departures[Math.floor(((i + 0.5) * departures.length) / 1_000)];
      if (event === undefined) continue;
      for (const view of views) {
        const entity = entityOf(view, event);
        if (entity !== undefined) queries.push({ view: view.name, entity, atMs: event.scheduledAt });
      }
    }
    const reader = new FeatureReader(redis, views, { keyPrefix });
    const plan = planReads(new Map(views.map((v) => [v.name, compileView(v)])), keyPrefix, queries);
    const bare = async (): Promise<void> => {
      const p = redis.pipeline();
      for (const c of plan.commands) p.hmget(c.key, ...c.fields);
      await p.exec();
    };
    const readerTimes: number[] = [];
    const bareTimes: number[] = [];
    for (let i = 0; i < 10; i++) {
      await reader.readBatch(queries, { deadlineMs: 10_000 });
      await bare();
    }
    // Alternating rounds, so both see the same machine load.
    for (let i = 0; i < READ_ROUNDS; i++) {
      let t = performance.now();
      await reader.readBatch(queries, { deadlineMs: 10_000 });
      readerTimes.push(performance.now() - t);
      t = performance.now();
      await bare();
      bareTimes.push(performance.now() - t);
    }
    readerTimes.sort((a, b) => a - b);
    bareTimes.sort((a, b) => a - b);
    const readP99 = percentile(readerTimes, 0.99);
    const bareP99 = percentile(bareTimes, 0.99);
    progress(
      `read: ${queries.length} queries, ${plan.commands.length} HMGET; reader p50 ${percentile(readerTimes, 0.5).toFixed(1)} p99 ${readP99.toFixed(1)} ms; bare p50 ${percentile(bareTimes, 0.5).toFixed(1)} p99 ${bareP99.toFixed(1)} ms`,
    );
    printMeasures([
      {
        case: 'features',
        measure: 'read_p99',
        value: round(readP99, 2),
        unit: 'ms',
        baseline: round(bareP99, 2),
        ratio: round(readP99 / bareP99),
      },
      {
        case: 'features',
        measure: 'materialize_throughput',
        value: round(rate, 0),
        unit: 'records/s',
        baseline: round(setRate, 0),
        ratio: round(rate / setRate, 4),
      },
      // Goal 0 (issue #19): the source watermark holds for every partition with records left.
      { case: 'features', measure: 'late_updates', value: late, unit: 'updates', baseline: 0 },
    ]);
  } finally {
    await service.stop('SIGTERM');
    await deleteKeys(redis, keyPrefix);
    await redis.quit();
    await admin.deleteTopics({ topics: catalogue.all().map((t) => t.name) }).catch(() => undefined);
    await admin.disconnect();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench features: ${String(error)}\n`);
  process.exit(1);
});
