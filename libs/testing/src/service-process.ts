import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './stack/ports';

export type ServiceName = 'ingestion' | 'inference' | 'features' | 'drift-monitor';

const ROOT = join(__dirname, '..', '..', '..');

export function serviceEntry(name: ServiceName): string {
  const entry = join(ROOT, 'dist', 'apps', name, 'src', 'main.js');
  if (!existsSync(entry))
    throw new Error(`${entry} is missing: run \`npm run build\` (npm test does it first)`);
  return entry;
}

export interface ServiceProcess {
  readonly name: ServiceName;
  readonly url: string;
  readonly child: ChildProcess;
  /** Everything the process wrote so far (stdout + stderr). */
  output(): string;
  /** Sends a signal and resolves with the exit code (null when killed by a signal). */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number | null>;
}

/** Starts a built service as its own process and waits until /health/live answers. */
export async function startServiceProcess(
  name: ServiceName,
  env: Record<string, string>,
  options: { timeoutMs?: number; nodeArgs?: readonly string[] } = {},
): Promise<ServiceProcess> {
  const port = env['HTTP_PORT'] ?? String(await freePort());
  let output = '';
  // STREAMSCORE_SERVICE_NODE_ARGS reaches every service a harness starts (the demo, the e2e
  // bench), e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile a whole pipeline run.
  const nodeArgs = options.nodeArgs ?? (process.env['STREAMSCORE_SERVICE_NODE_ARGS'] ?? '').split(' ');
  const child = spawn(process.execPath, [...nodeArgs.filter((a) => a !== ''), serviceEntry(name)], {
    env: {
      PATH: process.env['PATH'] ?? '',
      LOG_LEVEL: 'warn',
      // As in the images (deploy/docker/Dockerfile): a larger young generation, fewer scavenges.
      NODE_OPTIONS: '--max-semi-space-size=64',
      ...env,
      HTTP_PORT: port,
      HTTP_HOST: '127.0.0.1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      resolve(code);
    });
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`${name} exited with ${child.exitCode} during start-up:\n${output}`);
    try {
      const res = await fetch(`${url}/health/live`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${name} did not answer /health/live in time:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    name,
    url,
    child,
    output: () => output,
    async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 30_000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill(signal);
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
      }, timeoutMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** Runs a service expected to stop by itself (e.g. on bad config); resolves with its exit code and output. */
export function runServiceToExit(
  name: ServiceName,
  env: Record<string, string>,
  timeoutMs = 20_000,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    let output = '';
    const child = spawn(process.execPath, [serviceEntry(name)], {
      env: { PATH: process.env['PATH'] ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} did not exit within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}
