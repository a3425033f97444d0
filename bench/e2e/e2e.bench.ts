import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { encodeSingleObject, loadSchemaHistory } from '@streamscore/contracts';
import {
  benchCatalogue,
  benchStack,
  passThroughRate,
  printMeasures,
  produceAll,
  progress,
  round,
} from '../common/bench-kit';
import { defaultSlices, type FlightDeparture, planReplay } from '@streamscore/demo-flights/testing';
import {
  awaitCommitted,
  latencies,
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
 * - latency_p99: a second demo run at a steady HALF of that rate (event append on `events` →
 *   prediction append on `predictions`, broker timestamps, from the summary), against the
 *   pass-through's p99 at the same rate.
 */
const ROOT = resolve(__dirname, '..', '..');
const EVENTS = Number(process.env['BENCH_E2E_EVENTS'] ?? 50_000);
const BASELINE_REPEATS = 5;
const LATENCY_SECONDS = Number(process.env['BENCH_LATENCY_SECONDS'] ?? 20);
const PARTITIONS = 6;

interface DemoReport {
  produced: number;
  validated: number;
  predicted: number;
  predictionDeadLettered: number;
  elapsedSeconds: number;
  latencyMsP50: number;
  latencyMsP99: number;
  ingestionHopMsP99: number;
  inferenceHopMsP99: number;
  inferenceQueueMsP99: number;
  featureReadMsP99: number;
  featureWaitMsP99: number;
  accountedFor: boolean;
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
      const report = JSON.parse(line) as DemoReport;
      if (!report.accountedFor) fail(new Error(`demo did not account for every event: ${line}`));
      else done(report);
    });
  });
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
    const count = Math.min(EVENTS, rate * LATENCY_SECONDS);
    progress(`demo --events ${count} --rate ${rate} (half the e2e rate)`);
    const steady = await runDemo(count, rate);
    progress(`e2e at ${rate}/s: p50 ${steady.latencyMsP50} ms, p99 ${steady.latencyMsP99} ms`);
    progress(
      `  hops (p99 each): ingestion ${steady.ingestionHopMsP99} ms, inference ${steady.inferenceHopMsP99} ms ` +
        `(micro-batch queue ${steady.inferenceQueueMsP99} ms, feature read ${steady.featureReadMsP99} ms, ` +
        `wait for complete features ${steady.featureWaitMsP99} ms)`,
    );

    const lat = await benchCatalogue(admin, 'e2e-pt-latency', PARTITIONS);
    created.push(...lat.all().map((t) => t.name));
    const pt = await startPassThrough(kafka, lat.name('events'), lat.name('predictions'));
    const ptRun = await produceSteady(kafka, lat.name('events'), type, relabel(departures, count, 'P'), rate);
    await awaitCommitted(admin, pt.groupId, lat.name('events'), count);
    await pt.stop();
    const ptLatency = await latencies(kafka, lat.name('predictions'), ptRun, count, (m) =>
      Promise.resolve(m.value ? (type.decode(m.value, 10).value as { eventId: string }).eventId : undefined),
    );
    const ptP99 = percentile(ptLatency, 0.99);
    progress(`pass-through at ${rate}/s: p50 ${percentile(ptLatency, 0.5)} ms, p99 ${ptP99} ms`);

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
        measure: 'latency_p99',
        value: steady.latencyMsP99,
        unit: 'ms',
        baseline: ptP99,
        ratio: round(steady.latencyMsP99 / ptP99),
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
