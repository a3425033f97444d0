import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { cpuSecondsOf } from '../common/cpu-clock';
import { expectCount, progress } from '../common/bench-kit';
import { parseReport, type LoadPlan, type PhaseReport } from './load-protocol';

/** A server under load: its process (for its CPU clock) and its own count of what it answered. */
export interface LoadTarget {
  /** Named in the progress lines and the counts. */
  readonly label: string;
  readonly pid: number;
  /** Infer requests the server took so far, and the model runs they went into. */
  counted(): Promise<{ requests: number; runs: number }>;
}

/** One measured load run: the load generator's view, and both processes' CPU over the same phase. */
export interface LoadMeasure {
  readonly measured: PhaseReport;
  /** Server CPU (user + system, all threads) per answered request, µs. */
  readonly serverCpuUsPerRequest: number;
  /** Server CPU over the window, in cores. */
  readonly serverCores: number;
  /** The server's CPU per request above what it spends idle (idleCores), µs. */
  readonly serverAboveIdleUsPerRequest: number;
  readonly loadCpuUsPerRequest: number;
  readonly loadCores: number;
  /** Requests per model run the server counted over the window (1 without batching). */
  readonly requestsPerRun: number;
  /** 1-minute load average at the end of the measured phase (the machine is shared). */
  readonly loadAverage: number;
}

/**
 * Drives `target` with the load generator in a process of its own (load-run.ts): warm-up, then the
 * measured phase. Checks, through expectCount (the bench fails on a wrong count), that neither phase
 * saw an error, a timeout or a non-2xx answer and that the server counted exactly the requests the
 * load generator was answered in the measured phase.
 */
export async function measureLoad(target: LoadTarget, plan: LoadPlan, idle = 0): Promise<LoadMeasure> {
  const child = spawn(
    process.execPath,
    ['--require', 'tsx/cjs', join(__dirname, 'load-run.ts'), JSON.stringify(plan)],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const loadPid = child.pid;
  if (loadPid === undefined) throw new Error('the load generator did not start');
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const reports = reportsOf(createInterface({ input: child.stdout }));
  try {
    const warmed = await nextReport(reports, 'warmed');
    expectClean(`${target.label}, warm-up`, warmed);
    // A timed warm-up ends with requests in flight that the server still answers: let it settle.
    const before = await settledCount(target);
    const cpuBefore = {
      server: cpuSecondsOf(target.pid),
      load: cpuSecondsOf(loadPid),
      at: performance.now(),
    };
    child.stdin.write('go\n');
    const measured = await nextReport(reports, 'measured');
    const cpuAfter = { server: cpuSecondsOf(target.pid), load: cpuSecondsOf(loadPid), at: performance.now() };
    const after = await target.counted();
    expectClean(`${target.label}, measured`, measured);
    expectCount(
      `${target.label}: requests the server counted = 2xx answers`,
      after.requests - before.requests,
      measured.responses,
    );
    const seconds = (cpuAfter.at - cpuBefore.at) / 1000;
    const requests = Math.max(1, measured.responses);
    const result: LoadMeasure = {
      measured,
      serverCpuUsPerRequest: ((cpuAfter.server - cpuBefore.server) * 1e6) / requests,
      serverCores: (cpuAfter.server - cpuBefore.server) / seconds,
      serverAboveIdleUsPerRequest: ((cpuAfter.server - cpuBefore.server - idle * seconds) * 1e6) / requests,
      loadCpuUsPerRequest: ((cpuAfter.load - cpuBefore.load) * 1e6) / requests,
      loadCores: (cpuAfter.load - cpuBefore.load) / seconds,
      requestsPerRun: (after.requests - before.requests) / Math.max(1, after.runs - before.runs),
      loadAverage: loadavg()[0] ?? Number.NaN,
    };
    progress(describe(target.label, plan, warmed, result));
    return result;
  } finally {
    child.stdin.end();
    if ((await Promise.race([exited, sleep(5_000).then(() => 'running')])) === 'running')
      child.kill('SIGKILL');
  }
}

/**
 * The server's CPU with no request coming, in cores over `ms`: what it spends anyway (the
 * service's Kafka loop on its empty topics, its timers), included in each CPU per request.
 */
export async function idleCores(target: LoadTarget, ms = 3_000): Promise<number> {
  const before = cpuSecondsOf(target.pid);
  await sleep(ms);
  const cores = (cpuSecondsOf(target.pid) - before) / (ms / 1000);
  progress(`${target.label}, idle: ${cores.toFixed(3)} cores`);
  return cores;
}

function expectClean(what: string, report: PhaseReport): void {
  expectCount(
    `${what}: errors + timeouts + non-2xx + mismatches`,
    report.errors + report.non2xx + report.mismatches,
    0,
  );
}

function describe(label: string, plan: LoadPlan, warmed: PhaseReport, m: LoadMeasure): string {
  const r = m.measured;
  return (
    `${label}, warm-up ${warmed.rate.toFixed(0)} requests/s; ` +
    `${label}, ${plan.connections} connection(s): ${r.rate.toFixed(0)} requests/s, p50 ${r.p50Ms.toFixed(3)} ms, ` +
    `p99 ${r.p99Ms.toFixed(3)} ms over ${r.seconds.toFixed(1)} s (${r.responses} answers, ${r.chunks} chunk(s)); ` +
    `server ${m.serverCpuUsPerRequest.toFixed(1)} µs CPU/request (${m.serverCores.toFixed(2)} cores; ` +
    `${m.serverAboveIdleUsPerRequest.toFixed(1)} µs above its idle), ` +
    `${m.requestsPerRun.toFixed(2)} requests/run; load generator ${m.loadCpuUsPerRequest.toFixed(1)} µs ` +
    `CPU/request (${m.loadCores.toFixed(2)} cores); load average ${m.loadAverage.toFixed(2)}`
  );
}

/** The server's count once it stops moving (two reads 200 ms apart agree). */
async function settledCount(target: LoadTarget): Promise<{ requests: number; runs: number }> {
  let previous = await target.counted();
  for (let i = 0; i < 50; i++) {
    await sleep(200);
    const now = await target.counted();
    if (now.requests === previous.requests && now.runs === previous.runs) return now;
    previous = now;
  }
  throw new Error(`${target.label}: its request count kept moving 10 s after the warm-up`);
}

async function* reportsOf(lines: AsyncIterable<string>): AsyncGenerator<PhaseReport, void> {
  for await (const line of lines) {
    const report = parseReport(line);
    if (report) yield report;
  }
}

async function nextReport(
  reports: AsyncGenerator<PhaseReport, void>,
  phase: PhaseReport['phase'],
): Promise<PhaseReport> {
  const { value, done } = await reports.next();
  if (done) throw new Error(`the load generator ended before its ${phase} report`);
  if (value.phase !== phase) throw new Error(`the load generator reported ${value.phase}, not ${phase}`);
  return value;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
