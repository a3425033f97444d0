import { join } from 'node:path';
import type { Type } from 'avsc';
import type { Admin, Kafka } from 'kafkajs';
import { createDecoder, loadSchemaHistory, TopicCatalogue, type Prediction } from '@streamscore/contracts';
import { createRedis } from '@streamscore/platform';
import { cpuSecondsOf } from '../common/cpu-clock';
import {
  randomName,
  type ReadMessage,
  scrape,
  type ServiceProcess,
  startServiceProcess,
  sumMetric,
} from '@streamscore/testing';
import {
  benchStack,
  commitMeasure,
  commitRate,
  expectCount,
  expectEachOnce,
  passThrough as passThroughMeasured,
  printMeasures,
  progress,
  readOutputs,
  round,
  serviceSettingsFromEnv,
} from '../common/bench-kit';
import {
  deleteKeys,
  inferenceEnv,
  loadFlightsParquet,
  MODEL_DIR,
  produceValidated,
  ROOT,
  toFlightEvents,
} from '@streamscore/demo-flights/testing';
import { materializeWeek } from './materialize';
import { firstRecord, kafkaFloorRate } from './kafka-floor';
import { ortMsPerRow } from './ort-loop';
import { transactionCost } from './transaction-cost';
import {
  awaitCommitted,
  latencies,
  percentile,
  produceSteady,
  relabel,
  startPassThrough,
} from './steady-latency';

/**
 * Inference (features read from Redis, ONNX Runtime, exactly-once) against a plain kafkajs
 * pass-through of the same validated departures on the same partitions: throughput, ORT
 * efficiency, exactly-once vs at-least-once, and p99 latency at half the measured maximum rate.
 * Real flights: departures of 2001-01-25..31 (features from the 24th on, so windows start warm).
 */
const EVENTS = Number(process.env['BENCH_INFERENCE_EVENTS'] ?? 100_000);
const PARTITIONS = 6;
const LATENCY_SECONDS = Number(process.env['BENCH_LATENCY_SECONDS'] ?? 20);
const ORT_RUNS = 3_000;
/** Paced ORT runs, and the longest idle gap between them (the cold-run cost is reached well before). */
const ORT_PACED_RUNS = 200;
const ORT_MAX_GAP_MS = 50;
/** Back-to-back transactions of a steady input's micro-batch size. */
const TXN_RECORDS = 100;
const TXN_COUNT = 40;
const DAY_MS = 86_400_000;
const FROM_MS = Date.UTC(2001, 0, 25);
const profileDir = process.env['BENCH_PROFILE_DIR'];

/**
 * Fresh topics for one run. Created without kafkajs' waitForLeaders (on a busy single broker its
 * metadata poll failed with UNKNOWN_TOPIC_OR_PARTITION), then polled until every partition has a leader.
 */
async function catalogueOf(admin: Admin, name: string): Promise<{ prefix: string; topics: TopicCatalogue }> {
  const prefix = randomName(`bench-${name}`);
  const topics = new TopicCatalogue({ prefix, partitions: PARTITIONS });
  const specs = topics.all();
  await admin.createTopics({
    waitForLeaders: false,
    topics: specs.map((spec) => ({
      topic: spec.name,
      numPartitions: spec.partitions,
      replicationFactor: 1,
      configEntries: [
        { name: 'cleanup.policy', value: spec.cleanupPolicy },
        { name: 'retention.ms', value: String(spec.retentionMs) },
      ],
    })),
  });
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const { topics: meta } = await admin.fetchTopicMetadata({ topics: specs.map((s) => s.name) });
      if (meta.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))) break;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    if (Date.now() > deadline) throw new Error(`topics under ${prefix} have no leaders after 60 s`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return { prefix, topics };
}

function startInference(
  prefix: string,
  keyPrefix: string,
  extra: Record<string, string> = {},
): Promise<ServiceProcess> {
  // Any STREAMSCORE_* setting in the bench's environment reaches the service.
  const overrides = serviceSettingsFromEnv();
  if (process.env['BENCH_MAX_BATCH_ROWS'])
    overrides['STREAMSCORE_MAX_BATCH_ROWS'] = process.env['BENCH_MAX_BATCH_ROWS'];
  if (process.env['BENCH_MAX_BYTES_PER_PARTITION'])
    overrides['STREAMSCORE_MAX_BYTES_PER_PARTITION'] = process.env['BENCH_MAX_BYTES_PER_PARTITION'];
  if (process.env['BENCH_CONCURRENCY'])
    overrides['STREAMSCORE_PARTITIONS_CONCURRENTLY'] = process.env['BENCH_CONCURRENCY'];
  return startServiceProcess(
    'inference',
    inferenceEnv(prefix, keyPrefix, {
      TOPIC_PARTITIONS: String(PARTITIONS),
      LOG_LEVEL: 'warn',
      ...overrides,
      ...extra,
    }),
    {
      timeoutMs: 60_000,
      // A CPU profile of each service run (open the .cpuprofile in Chrome DevTools).
      nodeArgs: [
        ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
        // Extra Node/V8 flags for the service, e.g. BENCH_NODE_ARGS=--max-semi-space-size=64.
        ...(process.env['BENCH_NODE_ARGS']?.split(' ').filter(Boolean) ?? []),
      ],
    },
  );
}

/**
 * The eventIds of what an inference service wrote: its predictions and its prediction dead letters
 * (each a copy of the validated departure), read back read_committed to the end once at least
 * `expected` records are there in all.
 */
async function predictedIds(
  kafka: Kafka,
  topics: TopicCatalogue,
  expected: number,
  decodePrediction: (m: ReadMessage) => Promise<string | undefined>,
  departureType: Type,
): Promise<{ predictions: number; deadLetters: number; ids: (string | undefined)[] }> {
  const deadLetters = await readOutputs(kafka, topics.name('predictionsDeadLetter'), 0);
  const predictions = await readOutputs(
    kafka,
    topics.name('predictions'),
    Math.max(0, expected - deadLetters.length),
  );
  const ids: (string | undefined)[] = [];
  for (const m of predictions) ids.push(await decodePrediction(m));
  for (const m of deadLetters)
    ids.push(m.value ? (departureType.decode(m.value, 10).value as { eventId: string }).eventId : undefined);
  return { predictions: predictions.length, deadLetters: deadLetters.length, ids };
}

async function main(): Promise<void> {
  const { kafka, admin, redisUrl } = await benchStack();
  const redis = createRedis({ url: redisUrl });
  const created: TopicCatalogue[] = [];
  const services: ServiceProcess[] = [];
  let keyPrefix = '';
  try {
    const flights = await loadFlightsParquet({ fromMs: FROM_MS - DAY_MS, toMs: FROM_MS + 7 * DAY_MS });
    const { departures, outcomes } = toFlightEvents(flights);
    const scored = departures.filter((d) => d.scheduledAt >= FROM_MS).slice(0, EVENTS);
    if (scored.length < EVENTS) throw new RangeError(`only ${scored.length} departures in range`);
    // Throughput: pass-through, exactly-once, at-least-once, each on fresh topics.
    const base = await catalogueOf(admin, 'inference-base');
    const eos = await catalogueOf(admin, 'inference-eos');
    const alo = await catalogueOf(admin, 'inference-alo');
    const floor = await catalogueOf(admin, 'inference-floor');
    created.push(base.topics, eos.topics, alo.topics, floor.topics);
    let t0 = performance.now();
    for (const c of [base, eos, alo, floor])
      await produceValidated(kafka, c.topics.name('eventsValidated'), scored, 0);
    progress(`produced 4 × ${EVENTS} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    t0 = performance.now();
    keyPrefix = await materializeWeek(redis, departures, outcomes);
    progress(
      `${departures.length} departures + ${outcomes.length} outcomes materialized in ${((performance.now() - t0) / 1000).toFixed(1)} s; ` +
        `scoring ${EVENTS} on ${PARTITIONS} partitions`,
    );

    progress('baseline: kafkajs pass-through');
    const passThroughMeasure = await passThroughMeasured(
      kafka,
      admin,
      base.topics.name('eventsValidated'),
      base.topics.name('predictions'),
      EVENTS,
    );
    const passThrough = passThroughMeasure.rate;
    progress(
      `pass-through ${passThrough.toFixed(0)} records/s, ${passThroughMeasure.cpuUsPerRecord.toFixed(1)} µs CPU/record`,
    );

    progress('inference service, exactly-once');
    const eosService = await startInference(eos.prefix, keyPrefix);
    services.push(eosService);
    const eosGroup = `${eos.prefix}-group`;
    const eosPid = eosService.child.pid;
    if (eosPid === undefined) throw new Error('the inference process has no pid');
    const eosMeasure = await commitMeasure(admin, eosGroup, eos.topics.name('eventsValidated'), EVENTS, () =>
      cpuSecondsOf(eosPid),
    );
    const eosRate = eosMeasure.rate;
    const metrics = await scrape(eosService.url);
    progress(
      `exactly-once ${eosRate.toFixed(0)} predictions/s, ${eosMeasure.cpuUsPerRecord.toFixed(1)} µs CPU/prediction`,
    );

    // The transport's own ceiling: the same runner and transactions with the service's output
    // records, nothing decoded, read or scored.
    const floorRate = await kafkaFloorRate(
      floor.topics.name('eventsValidated'),
      floor.topics.name('predictions'),
      EVENTS,
      await firstRecord(kafka, eos.topics.name('predictions')),
    );
    progress(
      `Kafka work alone (runner, exactly-once, prediction-sized records) ${floorRate.toFixed(0)} records/s`,
    );
    expectCount(
      'Kafka floor outputs (one per input)',
      (await readOutputs(kafka, floor.topics.name('predictions'), EVENTS)).length,
      EVENTS,
    );
    const stage = (name: string): number =>
      sumMetric(metrics, 'inference_stage_seconds_sum', `stage="${name}"`);
    const rowsScored = sumMetric(metrics, 'inference_rows_scored_total');
    const batches = sumMetric(metrics, 'inference_batch_rows_count');
    const meanBatch = sumMetric(metrics, 'inference_batch_rows_sum') / Math.max(1, batches);
    const stages = ['queue', 'features', 'feature_wait', 'inference', 'scoring', 'produce'].map(
      (s) => `${s} ${((stage(s) / Math.max(1, batches)) * 1000).toFixed(1)} ms`,
    );
    progress(
      `${batches} batches of ${meanBatch.toFixed(0)} rows on average; per batch: ${stages.join(', ')}`,
    );
    const cache = (result: string): number =>
      sumMetric(metrics, 'inference_feature_cache_buckets', `result="${result}"`);
    progress(
      `feature buckets: ${cache('hit')} from the cache, ${cache('miss')} read from Redis; ` +
        `${cache('slabs')} slabs held; service RSS ${(sumMetric(metrics, 'process_resident_memory_bytes') / 2 ** 20).toFixed(0)} MiB`,
    );

    // Latency: steady input at half the exactly-once maximum, for the service and the pass-through.
    const rate = eosRate / 2;
    const count = Math.round(rate * LATENCY_SECONDS);
    const departureType = loadSchemaHistory(join(ROOT, 'demo', 'flights', 'schemas', 'flight-departure'))
      .latest.type;
    const predictionDecoder = createDecoder<Prediction>(
      loadSchemaHistory(join(ROOT, 'schemas', 'prediction')),
    );
    const decodePrediction = async (m: ReadMessage): Promise<string | undefined> => {
      const r = await predictionDecoder.decode(m.value, m.headers);
      return r.ok ? r.record.eventId : undefined;
    };
    progress(`latency: ${count} events at ${rate.toFixed(0)}/s through the service`);
    const latencyDepartures = relabel(scored, count, 'L');
    const serviceRun = await produceSteady(
      kafka,
      eos.topics.name('eventsValidated'),
      departureType,
      latencyDepartures,
      rate,
    );
    await awaitCommitted(admin, eosGroup, eos.topics.name('eventsValidated'), EVENTS + count);
    const serviceLatency = await latencies(
      kafka,
      eos.topics.name('predictions'),
      serviceRun,
      EVENTS + count,
      decodePrediction,
    );
    // Every validated departure sent (throughput and latency phases) predicted or dead-lettered once.
    const eosOut = await predictedIds(kafka, eos.topics, EVENTS + count, decodePrediction, departureType);
    progress(
      `exactly-once: ${eosOut.predictions} predictions + ${eosOut.deadLetters} prediction dead letters`,
    );
    expectEachOnce(
      'exactly-once predictions + prediction dead letters',
      eosOut.ids,
      [...scored, ...latencyDepartures].map((d) => d.eventId),
    );
    await eosService.stop('SIGTERM');

    const lat = await catalogueOf(admin, 'inference-pt-latency');
    created.push(lat.topics);
    progress(`latency: ${count} events at ${rate.toFixed(0)}/s through the pass-through`);
    const pt = await startPassThrough(
      kafka,
      lat.topics.name('eventsValidated'),
      lat.topics.name('predictions'),
    );
    const ptRun = await produceSteady(
      kafka,
      lat.topics.name('eventsValidated'),
      departureType,
      relabel(scored, count, 'P'),
      rate,
    );
    await awaitCommitted(admin, pt.groupId, lat.topics.name('eventsValidated'), count);
    await pt.stop();
    // Its inputs too, to tell a duplicate written by the steady producer from one the copy made.
    expectCount(
      'pass-through (latency) input records',
      (await readOutputs(kafka, lat.topics.name('eventsValidated'), count)).length,
      count,
    );
    const ptLatency = await latencies(kafka, lat.topics.name('predictions'), ptRun, count, (m) =>
      Promise.resolve(
        m.value ? (departureType.decode(m.value, 10).value as { eventId: string }).eventId : undefined,
      ),
    );
    const serviceP99 = percentile(serviceLatency, 0.99);
    const ptP99 = percentile(ptLatency, 0.99);
    progress(
      `latency p50/p99: service ${percentile(serviceLatency, 0.5)}/${serviceP99} ms, pass-through ${percentile(ptLatency, 0.5)}/${ptP99} ms`,
    );

    progress('inference service, at-least-once');
    const aloService = await startInference(alo.prefix, keyPrefix, { STREAMSCORE_DELIVERY: 'at-least-once' });
    services.push(aloService);
    const aloRate = await commitRate(
      admin,
      `${alo.prefix}-group`,
      alo.topics.name('eventsValidated'),
      EVENTS,
    );
    // At least once: a record may be predicted twice (a retried batch), none may be missing.
    const aloOut = await predictedIds(kafka, alo.topics, EVENTS, decodePrediction, departureType);
    await aloService.stop('SIGTERM');
    progress(
      `at-least-once ${aloRate.toFixed(0)} predictions/s; ${aloOut.predictions} predictions + ` +
        `${aloOut.deadLetters} prediction dead letters (${aloOut.ids.length - new Set(aloOut.ids).size} repeated)`,
    );
    expectEachOnce(
      'at-least-once distinct predicted eventIds',
      [...new Set(aloOut.ids)],
      scored.map((d) => d.eventId),
    );

    // ORT efficiency at the service's mean micro-batch size, on an otherwise idle service.
    const rows = Math.max(1, Math.round(meanBatch));
    const standaloneMsPerRow = await ortMsPerRow(MODEL_DIR, rows, ORT_RUNS);
    const serviceMsPerRow = (stage('inference') * 1000) / Math.max(1, rowsScored);
    // The same loop idling between runs as long as the service's scoring thread did on average
    // (one run per micro-batch): what a run costs when it is not back to back.
    const gapMs = Math.min(ORT_MAX_GAP_MS, ((EVENTS / eosRate) * 1000) / Math.max(1, batches));
    const pacedMsPerRow = await ortMsPerRow(MODEL_DIR, rows, ORT_PACED_RUNS, gapMs);
    // Of the service's ORT time, the share its scoring thread spent runnable but without a core.
    const ortWait =
      sumMetric(metrics, 'inference_ort_wait_seconds_total') / Math.max(1e-9, stage('inference'));
    progress(
      `ORT per row at ${rows} rows: standalone ${(standaloneMsPerRow * 1000).toFixed(3)} µs back to back, ` +
        `${(pacedMsPerRow * 1000).toFixed(3)} µs with ${gapMs.toFixed(0)} ms idle between runs; ` +
        `service ${(serviceMsPerRow * 1000).toFixed(3)} µs, ${(ortWait * 100).toFixed(0)}% of it waiting for a core`,
    );

    const txn = await transactionCost(
      kafka,
      floor.topics.name('predictions'),
      floor.topics.name('eventsValidated'),
      TXN_RECORDS,
      TXN_COUNT,
    );
    progress(
      `${TXN_COUNT} back-to-back transactions of ${TXN_RECORDS} records: ${txn.platformMs.toFixed(1)} ms each ` +
        `with the platform's 20 ms retry, ${txn.clientRetryMs.toFixed(1)} ms with kafkajs' client retry (200 ms)`,
    );

    printMeasures([
      {
        case: 'inference',
        measure: 'throughput',
        value: round(eosRate, 0),
        unit: 'predictions/s',
        baseline: round(passThrough, 0),
        ratio: round(eosRate / passThrough),
      },
      {
        // The service process' CPU (all its threads) per prediction against the pass-through's.
        case: 'inference',
        measure: 'cpu_per_prediction',
        value: round(eosMeasure.cpuUsPerRecord, 1),
        unit: 'µs/prediction',
        baseline: round(passThroughMeasure.cpuUsPerRecord, 1),
        ratio: round(eosMeasure.cpuUsPerRecord / passThroughMeasure.cpuUsPerRecord),
      },
      {
        case: 'inference',
        measure: 'kafka_floor',
        value: round(floorRate, 0),
        unit: 'records/s',
        baseline: round(passThrough, 0),
        ratio: round(floorRate / passThrough),
      },
      {
        case: 'inference',
        measure: 'ort_efficiency',
        value: round(standaloneMsPerRow / serviceMsPerRow),
        unit: 'ratio',
        baseline: 1,
        ratio: round(standaloneMsPerRow / serviceMsPerRow),
      },
      {
        case: 'inference',
        measure: 'ort_efficiency_paced',
        value: round(pacedMsPerRow / serviceMsPerRow),
        unit: 'ratio',
        baseline: 1,
        ratio: round(pacedMsPerRow / serviceMsPerRow),
      },
      {
        case: 'inference',
        measure: 'ort_wait_share',
        value: round(ortWait),
        unit: 'ratio',
        baseline: 0,
        ratio: round(ortWait),
      },
      {
        case: 'inference',
        measure: 'transaction_ms',
        value: round(txn.platformMs, 1),
        unit: 'ms',
        baseline: round(txn.clientRetryMs, 1),
        ratio: round(txn.platformMs / txn.clientRetryMs),
      },
      {
        case: 'inference',
        measure: 'eos_vs_alo',
        value: round(eosRate / aloRate),
        unit: 'ratio',
        baseline: 1,
        ratio: round(eosRate / aloRate),
      },
      {
        case: 'inference',
        measure: 'latency_p99',
        value: serviceP99,
        unit: 'ms',
        baseline: ptP99,
        ratio: round(serviceP99 / ptP99),
      },
    ]);
  } finally {
    await Promise.all(services.map((s) => s.stop('SIGKILL')));
    await admin
      .deleteTopics({ topics: created.flatMap((c) => c.all()).map((t) => t.name) })
      .catch(() => undefined);
    if (keyPrefix) await deleteKeys(redis, keyPrefix);
    await redis.quit();
    await admin.disconnect();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench inference: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
