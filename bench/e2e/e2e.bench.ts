import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Type } from 'avsc';
import type { Admin, Kafka } from 'kafkajs';
import { encodeSingleObject, loadSchemaHistory } from '@streamscore/contracts';
import { parseFeatureViews } from '@streamscore/features';
import { loadPipelineConfig } from '@streamscore/platform';
import {
  benchCatalogue,
  benchStack,
  expectCount,
  passThroughRate,
  readOutputs,
  printMeasures,
  produceAll,
  progress,
  round,
} from '../common/bench-kit';
import { defaultSlices, type FlightDeparture, planReplay } from '@streamscore/demo-flights/testing';
import { inWindow, measureWindow, TopicTail } from '@streamscore/testing';
import {
  awaitCommitted,
  percentile,
  produceSteady,
  relabel,
  startPassThrough,
} from '../inference/steady-latency';

/**
 * The whole pipeline (ingestion, features, inference, drift monitor as separate processes), driven
 * by the demo runner, against a plain kafkajs pass-through of the same departures:
 * - throughput: `npm run demo`'s replay with `--rate 0` (as fast as it takes them); predicted / elapsed
 *   from its summary, elapsed = first record produced → every event accounted for (2 s polls);
 * - latency_p99_half_rate: a second demo run at a steady HALF of that rate, latency where users
 *   see it: a departure's append to `events` (its record timestamp) → its prediction's receipt by
 *   a read_committed tail of `predictions` (the summary's receiptLatencyMsP99), over the
 *   departures appended in BENCH_LATENCY_SECONDS (60) after a BENCH_WARMUP_SECONDS (10) warm-up;
 *   against the pass-through at the same rate, measured the same way (its own tail, same window).
 */
const ROOT = resolve(__dirname, '..', '..');
const EVENTS = Number(process.env['BENCH_E2E_EVENTS'] ?? 50_000);
const BASELINE_REPEATS = 5;
/** The steady run: 10 s warm-up, then 60 s measured. */
const WARMUP_SECONDS = Number(process.env['BENCH_WARMUP_SECONDS'] ?? 10);
const LATENCY_SECONDS = Number(process.env['BENCH_LATENCY_SECONDS'] ?? 60);
/** Most departures of the steady run; above it the measured window ends with the replay. */
const LATENCY_MAX_EVENTS = Number(process.env['BENCH_E2E_LATENCY_MAX_EVENTS'] ?? 100_000);
const PARTITIONS = 6;
/** How many of the demo's feature views read each source stream. */
const VIEWS_PER_SOURCE = (() => {
  const pipeline = loadPipelineConfig(join(ROOT, 'demo', 'flights', 'pipeline.json'));
  const views = parseFeatureViews(
    JSON.parse(readFileSync(pipeline.featureViews, 'utf8')),
    pipeline.featureViews,
  );
  return {
    events: views.filter((v) => v.source === 'events').length,
    outcomes: views.filter((v) => v.source === 'outcomes').length,
  };
})();

interface DemoReport {
  produced: number;
  validated: number;
  deadLettered: number;
  predicted: number;
  predictionDeadLettered: number;
  duplicatePredictions: number;
  missingPredictions: number;
  outcomesProduced: number;
  /** The services' counters (comparable with the topics: the bench's runs restart nothing). */
  metrics: { featureUpdatesApplied: number; featureUpdatesLate: number };
  elapsedSeconds: number;
  latencyMsP50: number;
  latencyMsP99: number;
  ingestionHopMsP99: number;
  inferenceHopMsP99: number;
  inferenceQueueMsP99: number;
  featureReadMsP99: number;
  featureWaitMsP99: number;
  latencyWindowFromS: number;
  latencyWindowToS: number;
  latencyMeasured: number;
  receiptLatencyMsP50: number;
  receiptLatencyMsP99: number;
  hopIngestionMsP99: number;
  hopReadinessWaitMsP99: number;
  hopInferenceQueueMsP99: number;
  hopFeatureReadMsP99: number;
  hopScoringMsP99: number;
  hopCommitMsP99: number;
  accountedFor: boolean;
}

/**
 * The demo's own accounting (it reads every topic back read_committed), checked here too: its
 * counts printed, and the run fails unless every departure sent was validated or dead-lettered and
 * every validated one predicted or dead-lettered once (`accountedFor`).
 */
function checkDemo(report: DemoReport, events: number, line: string): void {
  expectCount('demo departures produced', report.produced, events);
  expectCount(
    `demo validated (${report.validated}) + dead letters (${report.deadLettered})`,
    report.validated + report.deadLettered,
    report.produced,
  );
  expectCount(
    `demo predictions (${report.predicted}) + prediction dead letters (${report.predictionDeadLettered})`,
    report.predicted + report.predictionDeadLettered,
    report.validated,
  );
  expectCount('demo duplicate predictions', report.duplicatePredictions, 0);
  expectCount('demo missing predictions', report.missingPredictions, 0);
  // One feature-view update (applied, or dropped as late) per source record and view of its source.
  const { featureUpdatesApplied: applied, featureUpdatesLate: late } = report.metrics;
  expectCount(
    `demo feature-view updates (${applied} applied + ${late} late)`,
    applied + late,
    report.produced * VIEWS_PER_SOURCE.events + report.outcomesProduced * VIEWS_PER_SOURCE.outcomes,
  );
  if (!report.accountedFor) throw new Error(`demo did not account for every event: ${line}`);
}

function runDemo(events: number, rate: number): Promise<DemoReport> {
  return new Promise((done, fail) => {
    const child = spawn(
      join(ROOT, 'node_modules', '.bin', 'tsx'),
      [
        join(ROOT, 'demo', 'run-demo.ts'),
        '--events',
        String(events),
        '--rate',
        String(rate),
        '--partitions',
        String(PARTITIONS),
        '--warmup-s',
        String(WARMUP_SECONDS),
        '--measure-s',
        String(LATENCY_SECONDS),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'], env: process.env },
    );
    let stdout = '';
    let lastLine = 0;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      if (Date.now() - lastLine < 5_000) return;
      lastLine = Date.now();
      const lines = d.toString().trim().split('\n');
      progress(`demo: ${(lines[lines.length - 1] ?? '').trim()}`);
    });
    child.once('error', fail);
    child.once('exit', (code) => {
      const line = stdout
        .trim()
        .split('\n')
        .reverse()
        .find((l) => l.startsWith('{'));
      if (!line) {
        fail(new Error(`demo exited ${String(code)} without a summary`));
        return;
      }
      try {
        const report = JSON.parse(line) as DemoReport;
        checkDemo(report, events, line);
        done(report);
      } catch (error) {
        fail(error instanceof Error ? error : new Error(String(error)));
      }
    });
  });
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
  const { kafka, admin } = await benchStack();
  const created: string[] = [];
  try {
    const plan = await planReplay({ events: EVENTS, slices: defaultSlices(), warmUpMs: 86_400_000 });
    const departures = plan.records.flatMap((r): FlightDeparture[] =>
      r.stream === 'events' ? [r.record] : [],
    );
    const type = loadSchemaHistory(join(ROOT, 'demo', 'flights', 'schemas', 'flight-departure')).latest.type;
    const messages = departures.map((d) => ({ key: d.origin, value: encodeSingleObject(type, d) }));

    // The same departures several times over: the pass-through copies 50,000 in well under a
    // second, too short for its first-to-last commit rate to be stable.
    const baseline = Array.from({ length: BASELINE_REPEATS }, () => messages).flat();
    progress(`baseline: kafkajs pass-through of ${messages.length} departures × ${BASELINE_REPEATS}`);
    const base = await benchCatalogue(admin, 'e2e-base', PARTITIONS);
    created.push(...base.all().map((t) => t.name));
    await produceAll(kafka, base.name('events'), baseline);
    const passThrough = await passThroughRate(
      kafka,
      admin,
      base.name('events'),
      base.name('predictions'),
      baseline.length,
    );
    progress(`pass-through ${passThrough.toFixed(0)} events/s`);

    progress(`demo --events ${EVENTS} --rate 0`);
    const full = await runDemo(EVENTS, 0);
    const e2eRate = full.predicted / full.elapsedSeconds;
    progress(
      `e2e: ${full.predicted} predicted (+${full.predictionDeadLettered} dead letters) of ${full.produced} in ${full.elapsedSeconds} s = ${e2eRate.toFixed(0)}/s`,
    );

    const rate = Math.max(1, Math.round(e2eRate / 2));
    const count = Math.min(LATENCY_MAX_EVENTS, Math.ceil(rate * (WARMUP_SECONDS + LATENCY_SECONDS)));
    progress(`demo --events ${count} --rate ${rate} (half the e2e rate)`);
    const steady = await runDemo(count, rate);
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
      `pass-through at ${rate}/s, at receipt: p50 ${percentile(ptLatency, 0.5)} ms, p99 ${ptP99} ms over ${ptLatency.length}`,
    );

    printMeasures([
      {
        case: 'e2e',
        measure: 'throughput',
        value: round(e2eRate, 0),
        unit: 'events/s',
        baseline: round(passThrough, 0),
        ratio: round(e2eRate / passThrough),
      },
      {
        case: 'e2e',
        measure: 'latency_p99_half_rate',
        value: steady.receiptLatencyMsP99,
        unit: 'ms',
        baseline: ptP99,
        ratio: round(steady.receiptLatencyMsP99 / Math.max(ptP99, 1)),
      },
    ]);
  } finally {
    await admin.deleteTopics({ topics: created }).catch(() => undefined);
    await admin.disconnect();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench e2e: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
