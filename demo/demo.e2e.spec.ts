import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * End to end: the four services as separate processes on the real stack, fed by the demo's
 * replay of real flights (the held-out end of January, then June). Sizes from the environment so
 * the same test runs larger outside CI.
 */
const EVENTS = Number(process.env['STREAMSCORE_E2E_EVENTS'] ?? 50_000);
const RESTART_EVENTS = Number(process.env['STREAMSCORE_E2E_RESTART_EVENTS'] ?? 20_000);
const ROOT = resolve(__dirname, '..');

interface Report {
  produced: number;
  validated: number;
  deadLettered: number;
  predicted: number;
  predictionDeadLettered: number;
  duplicatePredictions: number;
  missingPredictions: number;
  driftAlerts: number;
  accountedFor: boolean;
  metrics: { validated: number; deadLettered: number; predicted: number; predictionDeadLettered: number };
  restarts: { service: string; exitCode: number | null; stopMs: number }[];
}

function runDemo(args: string[]): Promise<{ code: number | null; report: Report; output: string }> {
  const summary = join(mkdtempSync(join(tmpdir(), 'streamscore-e2e-')), 'summary.json');
  return new Promise((resolvePromise, reject) => {
    let output = '';
    const child = spawn(
      join(ROOT, 'node_modules', '.bin', 'tsx'),
      [join(ROOT, 'demo', 'run-demo.ts'), ...args, '--summary', summary],
      {
        cwd: ROOT,
        env: process.env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      process.stdout.write(
        output
          .split('\n')
          .filter((l) => !l.startsWith('{'))
          .join('\n'),
      );
      try {
        resolvePromise({ code, report: JSON.parse(readFileSync(summary, 'utf8')) as Report, output });
      } catch (error) {
        reject(new Error(`no summary (exit ${String(code)}): ${String(error)}\n${output}`));
      }
    });
  });
}

describe('end to end: events in → predictions out → drift alert out', () => {
  it(`should account for every one of ${EVENTS} replayed flights and raise a drift alert in June`, async () => {
    const { code, report } = await runDemo(['--events', String(EVENTS), '--rate', '0']);
    expect(report.produced).toBe(EVENTS);
    expect(report.validated + report.deadLettered).toBe(report.produced);
    expect(report.predicted + report.predictionDeadLettered).toBe(report.validated);
    expect(report.duplicatePredictions).toBe(0);
    expect(report.missingPredictions).toBe(0);
    expect(report.driftAlerts).toBeGreaterThanOrEqual(1);
    // The services' own counters equal the accounting read back from the topics.
    expect(report.metrics).toEqual({
      validated: report.validated,
      deadLettered: report.deadLettered,
      predicted: report.predicted,
      predictionDeadLettered: report.predictionDeadLettered,
    });
    expect(code).toBe(0);
  }, 900_000);

  it('should stop each service on SIGTERM within its grace period, committing its in-flight batch', async () => {
    const { code, report } = await runDemo([
      '--events',
      String(RESTART_EVENTS),
      '--rate',
      '4000',
      '--restart-services',
    ]);
    expect(report.restarts.map((r) => r.service)).toEqual([
      'ingestion',
      'features',
      'inference',
      'drift-monitor',
    ]);
    for (const r of report.restarts) {
      expect(r.exitCode).toBe(0);
      expect(r.stopMs).toBeLessThan(30_000);
    }
    expect(report.accountedFor).toBe(true);
    expect(report.duplicatePredictions).toBe(0);
    expect(report.missingPredictions).toBe(0);
    expect(code).toBe(0);
  }, 900_000);
});
