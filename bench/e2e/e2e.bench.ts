import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import type { Type } from 'avsc';
import type { Admin, Kafka } from 'kafkajs';
import { loadSchemaHistory, TopicCatalogue } from '@streamscore/contracts';
import {
  benchCatalogue,
  benchStack,
  expectCount,
  readOutputs,
  printMeasures,
  progress,
  round,
  type Measure,
} from '../common/bench-kit';
import { kafkaBrokerPid, RoleCpuClock, redisServerPid } from '../common/process-cpu';
import { defaultSlices, type FlightDeparture, planReplay } from '@streamscore/demo-flights/testing';
import { inWindow, measureWindow, TopicTail } from '@streamscore/testing';
import {
  awaitCommitted,
  percentile,
  produceSteady,
  relabel,
  startPassThrough,
} from '../inference/steady-latency';
import { runChainFloor } from './chain-floor';
import { DEMO_PIPELINE, demoProcessRoles, startDemo, type DemoReport } from './demo-run';
import { RunWatch, type RunMeasure } from './run-watch';

/**
 * The whole pipeline (ingestion, features, inference, drift monitor as separate processes), driven
 * by the demo runner, against its floor and a plain kafkajs pass-through:
 * - throughput_vs_chain_floor: `npm run demo`'s replay with `--rate 0` (as fast as it takes them)
 *   against chain_floor (chain-floor.ts: the same four stages as the platform runner with the
 *   services' settings and nothing but their Kafka work, fed the same way); both measured by one
 *   RunWatch: departures / (first departure appended → last prediction visible read_committed);
 * - cpu_us_per_departure: CPU (all threads) of the services (or stages), the replay process and
 *   the broker from the run's first commit to its last, per departure, against chain_floor's;
 *   redis_cpu_us_per_departure: Redis's apart (chain_floor touches no Redis: its figure is what
 *   else used this Redis meanwhile);
 * - latency_p99_half_rate: a second demo run at a steady HALF of the pipeline's rate, latency where
 *   users see it: a departure's append to `events` (its record timestamp) → its prediction's
 *   receipt by a read_committed tail of `predictions` (the summary's receiptLatencyMsP99), over the
 *   departures appended in BENCH_LATENCY_SECONDS (60) after a BENCH_WARMUP_SECONDS (10) warm-up;
 *   against the pass-through at the same rate, measured the same way (its own tail, same window).
 * The pass-through's throughput is no longer a measure: one uncommitted hop is not the pipeline's
 * work, and chain_floor is.
 */
const ROOT = resolve(__dirname, '..', '..');
const EVENTS = Number(process.env['BENCH_E2E_EVENTS'] ?? 50_000);
/** The issue's steady run: 10 s warm-up, then 60 s measured. */
const WARMUP_SECONDS = Number(process.env['BENCH_WARMUP_SECONDS'] ?? 10);
const LATENCY_SECONDS = Number(process.env['BENCH_LATENCY_SECONDS'] ?? 60);
/** Most departures of the steady run; above it the measured window ends with the replay. */
const LATENCY_MAX_EVENTS = Number(process.env['BENCH_E2E_LATENCY_MAX_EVENTS'] ?? 100_000);
const PARTITIONS = 6;
const DEMO_ARGS = [
  '--partitions',
  String(PARTITIONS),
  '--warmup-s',
  String(WARMUP_SECONDS),
  '--measure-s',
  String(LATENCY_SECONDS),
];
/** Roles whose CPU is the work per departure; Redis is reported apart. */
const WORK_ROLES = ['ingestion', 'features', 'inference', 'drift-monitor', 'producer', 'broker'] as const;

const load = (): string =>
  `load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`;

function describeCpu(what: string, run: RunMeasure): void {
  const cpu = run.cpuUsPerDeparture;
  progress(
    `${what}: ${run.rate.toFixed(0)} departures/s (${run.departures} in ${run.seconds.toFixed(2)} s); CPU µs/departure over ` +
      `${run.cpuWindowSeconds.toFixed(2)} s: ${WORK_ROLES.map((r) => `${r} ${(cpu[r] ?? 0).toFixed(1)}`).join(', ')}; ` +
      `total ${workCpu(run).toFixed(1)}; redis ${(cpu['redis'] ?? 0).toFixed(1)} (${load()})`,
  );
}

function workCpu(run: RunMeasure): number {
  return WORK_ROLES.reduce((sum, role) => sum + (run.cpuUsPerDeparture[role] ?? 0), 0);
}

/**
 * The demo at `--rate 0`, watched like chain_floor: its groups are `<runId>-<role>`
 * (demo/runner/run-namespace.ts serviceGroupId), its processes found below the demo's.
 */
async function measurePipeline(
  kafka: Kafka,
  departures: number,
  outcomes: number,
  pids: { broker: number; redis: number },
): Promise<{ report: DemoReport; run: RunMeasure }> {
  const demo = startDemo(departures, 0, DEMO_ARGS);
  let demoEnded: string | undefined;
  demo.report.then(
    () => (demoEnded = 'the demo finished first'),
    (error: unknown) => (demoEnded = String(error)),
  );
  const runId = await Promise.race([demo.runId, demo.report.then(() => '')]);
  if (!runId) throw new Error('the demo finished without naming its topics');
  const topics = new TopicCatalogue({ prefix: runId, partitions: PARTITIONS });
  const watch = await RunWatch.start(kafka, {
    events: topics.name('events'),
    predictions: topics.name('predictions'),
  });
  try {
    const group = (role: string): string => `${runId}-${role}`;
    const run = await watch.measure({
      stages: [
        [
          {
            name: 'ingestion',
            groupId: group('ingestion'),
            topics: [topics.name('events'), topics.name('outcomes')],
          },
        ],
        [
          {
            name: 'features',
            groupId: group('features'),
            topics: [topics.name('eventsValidated'), topics.name('outcomesValidated')],
          },
          { name: 'inference', groupId: group('inference'), topics: [topics.name('eventsValidated')] },
        ],
      ],
      sources: [
        { topic: topics.name('events'), records: departures },
        { topic: topics.name('outcomes'), records: outcomes },
      ],
      departures,
      failure: () => demoEnded,
      clock: () =>
        new RoleCpuClock({ ...demoProcessRoles(demo.pid), broker: [pids.broker], redis: [pids.redis] }),
    });
    const report = await demo.report;
    expectCount(
      'demo predictions seen by the watch (read_committed)',
      run.predictionsReceived,
      report.predicted,
    );
    return { report, run };
  } finally {
    await watch.stop();
  }
}

/**
 * The pass-through at `rate`, latency at receipt as the demo measures it: each departure's send
 * (its record timestamp) → its copy's receipt by a read_committed tail, same warm-up and window.
 */
async function passThroughReceipts(
  kafka: Kafka,
  admin: Admin,
  type: Type,
  departures: FlightDeparture[],
  rate: number,
): Promise<number[]> {
  const topics = await benchCatalogue(admin, 'e2e-pt-latency', PARTITIONS);
  const pt = await startPassThrough(kafka, topics.name('events'), topics.name('predictions'));
  const tail = await TopicTail.start(kafka, topics.name('predictions'), { maxWaitTimeInMs: 10 });
  try {
    const started = Date.now();
    const run = await produceSteady(kafka, topics.name('events'), type, departures, rate);
    await awaitCommitted(admin, pt.groupId, topics.name('events'), run.produced);
    const received = await tail.awaitReceived(run.produced, 60_000);
    // Its inputs too, to tell a duplicate written by the steady producer from one the copy made.
    const inputs = await readOutputs(kafka, topics.name('events'), run.produced);
    expectCount('pass-through (latency) input records', inputs.length, run.produced);
    expectCount('pass-through (latency) copies received read_committed', received, run.produced);
    const window = measureWindow(started, WARMUP_SECONDS, LATENCY_SECONDS);
    const out: number[] = [];
    for (const m of tail.take()) {
      // Decoded after the run: the tail only stamps (single-object encoding: a 10-byte header).
      const id = m.value ? (type.decode(m.value, 10).value as { eventId: string }).eventId : undefined;
      const sent = id === undefined ? undefined : run.sentAt.get(id);
      if (sent !== undefined && inWindow(window, sent)) out.push(m.receivedAtMs - sent);
    }
    return out;
  } finally {
    await tail.stop();
    await pt.stop();
    await admin.deleteTopics({ topics: topics.all().map((t) => t.name) }).catch(() => undefined);
    await admin.deleteGroups([pt.groupId, tail.groupId]).catch(() => undefined);
  }
}

async function main(): Promise<void> {
  const { kafka, admin, brokers, redisUrl } = await benchStack();
  try {
    const plan = await planReplay({ events: EVENTS, slices: defaultSlices(), warmUpMs: 86_400_000 });
    const departures = plan.records.flatMap((r): FlightDeparture[] =>
      r.stream === 'events' ? [r.record] : [],
    );
    const outcomes = plan.records.length - departures.length;
    const type = loadSchemaHistory(join(ROOT, 'demo', 'flights', 'schemas', 'flight-departure')).latest.type;
    const pids = { broker: await kafkaBrokerPid(), redis: await redisServerPid(redisUrl) };

    progress(`pipeline: demo --events ${EVENTS} --rate 0 (${load()})`);
    const { report: full, run: pipeline } = await measurePipeline(kafka, departures.length, outcomes, pids);
    progress(`  the demo's own rate: ${full.predicted} predicted in ${full.elapsedSeconds} s (2 s polls)`);
    describeCpu('pipeline', pipeline);

    progress(`chain floor: the same replay through the four stages' Kafka work alone (${load()})`);
    const floor = await runChainFloor(kafka, admin, {
      departureIds: departures.map((d) => d.eventId),
      outcomes,
      partitions: PARTITIONS,
      brokers,
      pipeline: DEMO_PIPELINE,
      brokerPid: pids.broker,
      redisPid: pids.redis,
    });
    describeCpu('chain floor', floor);

    const rate = Math.max(1, Math.round(pipeline.rate / 2));
    const count = Math.min(LATENCY_MAX_EVENTS, Math.ceil(rate * (WARMUP_SECONDS + LATENCY_SECONDS)));
    progress(`demo --events ${count} --rate ${rate} (half the pipeline's rate; ${load()})`);
    const steady = await startDemo(count, rate, DEMO_ARGS).report;
    progress(
      `e2e at ${rate}/s, at receipt: p50 ${steady.receiptLatencyMsP50} ms, p99 ${steady.receiptLatencyMsP99} ms ` +
        `over ${steady.latencyMeasured} predictions (departures of ${steady.latencyWindowFromS}–${steady.latencyWindowToS} s)`,
    );
    progress(
      `  hops (p99 each): ingestion ${steady.hopIngestionMsP99} ms, micro-batch queue ${steady.hopInferenceQueueMsP99} ms, ` +
        `feature read ${steady.hopFeatureReadMsP99} ms, readiness wait ${steady.hopReadinessWaitMsP99} ms, ` +
        `scoring ${steady.hopScoringMsP99} ms, commit ${steady.hopCommitMsP99} ms`,
    );
    progress(
      `  append to append, every prediction: p50 ${steady.latencyMsP50} ms, p99 ${steady.latencyMsP99} ms`,
    );

    const ptLatency = await passThroughReceipts(kafka, admin, type, relabel(departures, count, 'P'), rate);
    const ptP99 = percentile(ptLatency, 0.99);
    progress(
      `pass-through at ${rate}/s, at receipt: p50 ${percentile(ptLatency, 0.5)} ms, p99 ${ptP99} ms over ${ptLatency.length} (${load()})`,
    );

    const measures: Measure[] = [
      {
        case: 'e2e',
        measure: 'throughput_vs_chain_floor',
        value: round(pipeline.rate, 0),
        unit: 'departures/s',
        baseline: round(floor.rate, 0),
        ratio: round(pipeline.rate / floor.rate),
      },
      {
        case: 'e2e',
        measure: 'cpu_us_per_departure',
        value: round(workCpu(pipeline), 1),
        unit: 'µs/departure',
        baseline: round(workCpu(floor), 1),
        ratio: round(workCpu(pipeline) / workCpu(floor)),
      },
      {
        case: 'e2e',
        measure: 'redis_cpu_us_per_departure',
        value: round(pipeline.cpuUsPerDeparture['redis'] ?? 0, 1),
        unit: 'µs/departure',
        baseline: round(floor.cpuUsPerDeparture['redis'] ?? 0, 1),
      },
      {
        case: 'e2e',
        measure: 'latency_p99_half_rate',
        value: steady.receiptLatencyMsP99,
        unit: 'ms',
        baseline: ptP99,
        ratio: round(steady.receiptLatencyMsP99 / Math.max(ptP99, 1)),
      },
    ];
    printMeasures(measures);
  } finally {
    await admin.disconnect();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench e2e: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
