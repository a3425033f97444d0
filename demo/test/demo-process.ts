import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Summary } from '../runner/accounting';

const ROOT = resolve(__dirname, '..', '..');

/** The summary demo/run-demo.ts writes with --summary: the accounting plus the run's context. */
export interface DemoReport extends Summary {
  metrics: {
    validated: number;
    deadLettered: number;
    predicted: number;
    predictionDeadLettered: number;
    featureUpdatesApplied: number;
    featureUpdatesLate: number;
    driftLateRecords: number;
  };
  restarts: { service: string; exitCode: number | null; stopMs: number }[];
  topicPrefix: string;
  partitions: number;
}

export interface DemoProcess {
  /** The summary, as soon as the runner has written it (with --keep-running the services still run). */
  readonly report: Promise<DemoReport>;
  /** The runner's exit code. */
  readonly exited: Promise<number | null>;
  /** SIGINT: the runner stops its four services (SIGTERM each) and exits with the run's result. */
  stop(): Promise<number | null>;
}

/** Starts `tsx demo/run-demo.ts <args> --summary <tmp file>`; its output is printed when it exits. */
export function startDemo(args: readonly string[]): DemoProcess {
  const summary = join(mkdtempSync(join(tmpdir(), 'streamscore-e2e-')), 'summary.json');
  let output = '';
  let stdout = '';
  const child = spawn(
    join(ROOT, 'node_modules', '.bin', 'tsx'),
    [join(ROOT, 'demo', 'run-demo.ts'), ...args, '--summary', summary],
    { cwd: ROOT, env: process.env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const readSummary = (): DemoReport => JSON.parse(readFileSync(summary, 'utf8')) as DemoReport;
  const report = new Promise<DemoReport>((resolveReport, reject) => {
    // The runner writes the summary file, then prints the same report as one JSON line on stdout.
    child.stdout.on('data', (d: Buffer) => {
      output += d.toString();
      stdout += d.toString();
      if (/^\{.*\n/m.test(stdout)) resolveReport(readSummary());
    });
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => {
      try {
        resolveReport(readSummary());
      } catch (error) {
        reject(new Error(`no summary (exit ${String(code)}): ${String(error)}\n${output}`));
      }
    });
  });
  // Awaited by the caller; this only keeps an early failure from being an unhandled rejection.
  report.catch(() => undefined);
  const exited = new Promise<number | null>((resolveExit, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      process.stdout.write(
        output
          .split('\n')
          .filter((l) => !l.startsWith('{'))
          .join('\n'),
      );
      resolveExit(code);
    });
  });
  return {
    report,
    exited,
    stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
      return exited;
    },
  };
}
