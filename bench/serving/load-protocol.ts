import { percentile } from '@streamscore/testing';

/**
 * What the load generator's process (load-run.ts) is asked to do and what it reports: pure types
 * and arithmetic, shared by that process and the bench that starts it (load-generator.ts).
 *
 * Protocol, one JSON line each way on stdout: the child runs the warm-up, prints a `warmed`
 * report and waits for a line on stdin; it then runs the measured phase, prints a `measured`
 * report and waits for stdin to end, so the bench can read its CPU time (/proc/<pid>/stat) while
 * it is still there.
 */
export interface LoadPlan {
  /** The infer endpoint. */
  readonly url: string;
  /** The request body, the same for every request. */
  readonly body: string;
  /** Closed-loop connections: each sends its next request when the previous one is answered. */
  readonly connections: number;
  readonly warmupSeconds: number;
  /** How long the measured phase lasts, about (it runs in chunks of requests: chunkAmount). */
  readonly measureSeconds: number;
}

/** One phase of a load run, as the load generator saw it. */
export interface PhaseReport {
  readonly phase: 'warmed' | 'measured';
  /** 2xx responses. */
  readonly responses: number;
  readonly non2xx: number;
  /** Connection errors and timeouts (autocannon counts a timeout as an error too). */
  readonly errors: number;
  readonly timeouts: number;
  /** Responses whose body failed the check (none is set: always 0 unless autocannon disagrees). */
  readonly mismatches: number;
  /** Requests written. */
  readonly sent: number;
  /** 2xx responses per second: the warm-up's second half (past start-up), the whole measured phase. */
  readonly rate: number;
  /** From the phase's start to its last response. */
  readonly seconds: number;
  /** autocannon runs the phase took (see chunkAmount). */
  readonly chunks: number;
  /** Response time percentiles of the phase's 2xx responses (the warm-up's: of its second half). */
  readonly p50Ms: number;
  readonly p99Ms: number;
}

/** What one autocannon run of a phase counted. */
export interface ChunkCounts {
  readonly responses: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly mismatches: number;
  readonly sent: number;
}

/**
 * The measured phase is run as fixed numbers of requests ("chunks"), not for a fixed time: a chunk
 * ends once every answer is in, so the server's count can be checked exactly (a timed run ends with
 * up to one request per connection in flight, which the server answers and the load generator
 * never counts). Each chunk is sized from the rate so far to fill the time left; one that ran
 * faster than that rate leaves time for the next. The warm-up's rate underestimates the measured
 * one by up to 2.6× (the load generator's own code warms up too), so one chunk is rarely enough.
 */
export function chunkAmount(rate: number, secondsLeft: number, connections: number): number {
  if (!(rate > 0)) throw new RangeError(`no rate to size the next chunk by (${rate}/s)`);
  return Math.max(connections, Math.round(rate * secondsLeft));
}

/** Less time left than this after a chunk ends the measured phase (a shorter chunk is mostly its tail). */
export const MIN_CHUNK_SECONDS = 1;

/** The counts of a phase's chunks, added up. */
export function addCounts(a: ChunkCounts, b: ChunkCounts): ChunkCounts {
  return {
    responses: a.responses + b.responses,
    non2xx: a.non2xx + b.non2xx,
    errors: a.errors + b.errors,
    timeouts: a.timeouts + b.timeouts,
    mismatches: a.mismatches + b.mismatches,
    sent: a.sent + b.sent,
  };
}

export const NO_COUNTS: ChunkCounts = {
  responses: 0,
  non2xx: 0,
  errors: 0,
  timeouts: 0,
  mismatches: 0,
  sent: 0,
};

/** p50 and p99 (the shared nearest-rank rule) of response times in ms, sorted in place. */
export function latencySummary(latenciesMs: number[]): { p50Ms: number; p99Ms: number } {
  latenciesMs.sort((a, b) => a - b);
  return { p50Ms: percentile(latenciesMs, 0.5), p99Ms: percentile(latenciesMs, 0.99) };
}

/** A line of the child's stdout as a report, or undefined for any other line. */
export function parseReport(line: string): PhaseReport | undefined {
  if (!line.startsWith('{"phase":')) return undefined;
  return JSON.parse(line) as PhaseReport;
}
