import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import { inWindow, measureWindow, type MeasureWindow } from '@streamscore/testing';
import {
  addCounts,
  chunkAmount,
  latencySummary,
  MIN_CHUNK_SECONDS,
  NO_COUNTS,
  type ChunkCounts,
  type LoadPlan,
  type PhaseReport,
} from './load-protocol';

/**
 * The load generator, in a process of its own so its CPU is not the server's nor the bench's:
 * autocannon's closed-loop connections, a timed warm-up, then a measured phase in chunks of a fixed
 * number of requests (see load-protocol.ts for their size and the protocol). Response times are
 * taken from autocannon's per-response event (fractional ms): its own latency histogram keeps
 * whole milliseconds, too coarse for a one-client p50 under a millisecond.
 */
interface Chunk {
  readonly counts: ChunkCounts;
  /** When its last answer came (performance.now()). */
  readonly lastMs: number;
}

/** One autocannon run; the 2xx response times that arrive inside `window` go into `latencies`. */
async function runChunk(
  plan: LoadPlan,
  limit: { duration: number } | { amount: number },
  window: MeasureWindow,
  latencies: number[],
): Promise<Chunk> {
  let lastMs = performance.now();
  const instance = autocannon({
    url: plan.url,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: plan.body,
    connections: plan.connections,
    pipelining: 1,
    ...limit,
  });
  instance.on('response', (_client, statusCode, _bytes, responseTimeMs) => {
    lastMs = performance.now();
    if (statusCode >= 200 && statusCode < 300 && inWindow(window, lastMs)) latencies.push(responseTimeMs);
  });
  const result = await instance;
  const counts = {
    responses: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    mismatches: result.mismatches,
    sent: result.requests.sent,
  };
  return { counts, lastMs };
}

/** The timed warm-up; its rate and percentiles are of its second half. */
async function warmUp(plan: LoadPlan): Promise<PhaseReport> {
  const startedMs = performance.now();
  const window = measureWindow(startedMs, plan.warmupSeconds / 2, plan.warmupSeconds / 2);
  const latencies: number[] = [];
  const { counts, lastMs } = await runChunk(plan, { duration: plan.warmupSeconds }, window, latencies);
  const windowSeconds = (Math.min(lastMs, window.toMs) - window.fromMs) / 1000;
  return {
    phase: 'warmed',
    ...counts,
    rate: latencies.length / Math.max(1e-9, windowSeconds),
    seconds: (lastMs - startedMs) / 1000,
    chunks: 1,
    ...latencySummary(latencies),
  };
}

/** The measured phase: chunks until less than MIN_CHUNK_SECONDS of plan.measureSeconds is left. */
async function measure(plan: LoadPlan, warmRate: number): Promise<PhaseReport> {
  const startedMs = performance.now();
  const everything = measureWindow(startedMs, 0, Number.POSITIVE_INFINITY);
  const latencies: number[] = [];
  let counts = NO_COUNTS;
  let chunks = 0;
  let rate = warmRate;
  let lastMs = startedMs;
  for (;;) {
    const chunkStartMs = performance.now();
    const secondsLeft = plan.measureSeconds - (chunkStartMs - startedMs) / 1000;
    if (chunks > 0 && secondsLeft < MIN_CHUNK_SECONDS) break;
    const amount = chunkAmount(rate, Math.max(secondsLeft, MIN_CHUNK_SECONDS), plan.connections);
    const chunk = await runChunk(plan, { amount }, everything, latencies);
    counts = addCounts(counts, chunk.counts);
    chunks += 1;
    lastMs = chunk.lastMs;
    rate = chunk.counts.responses / Math.max(1e-9, (chunk.lastMs - chunkStartMs) / 1000);
  }
  const seconds = (lastMs - startedMs) / 1000;
  return {
    phase: 'measured',
    ...counts,
    rate: counts.responses / Math.max(1e-9, seconds),
    seconds,
    chunks,
    ...latencySummary(latencies),
  };
}

async function main(plan: LoadPlan): Promise<void> {
  const stdin = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
  const warmed = await warmUp(plan);
  process.stdout.write(`${JSON.stringify(warmed)}\n`);
  // The bench reads the server's count and both CPU clocks, then says go.
  await stdin.next();
  process.stdout.write(`${JSON.stringify(await measure(plan, warmed.rate))}\n`);
  // Stay until the bench has read this process' CPU time and closes stdin.
  while (!(await stdin.next()).done);
}

main(JSON.parse(process.argv[2] ?? '{}') as LoadPlan).then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
