import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * A pid file records the pid and a marker that must appear in the process command line, so a pid
 * recycled by the OS for some other program is never mistaken for ours (and never killed).
 */
export interface PidRecord {
  readonly pid: number;
  readonly marker: string;
}

export function writePidFile(file: string, record: PidRecord): void {
  writeFileSync(file, JSON.stringify(record) + '\n');
}

export function readPidFile(file: string): PidRecord | undefined {
  if (!existsSync(file)) return undefined;
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<PidRecord>;
    if (typeof parsed.pid !== 'number' || typeof parsed.marker !== 'string') return undefined;
    return { pid: parsed.pid, marker: parsed.marker };
  } catch {
    return undefined;
  }
}

export function removePidFile(file: string): void {
  rmSync(file, { force: true });
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A zombie still answers kill(0) until reaped; /proc says whether it is really running.
  return processState(pid) !== 'Z';
}

/** The live process recorded in the pid file, or undefined (stale files are removed). */
export function runningFromPidFile(file: string): PidRecord | undefined {
  const record = readPidFile(file);
  if (!record) return undefined;
  if (isAlive(record.pid) && commandLineHas(record.pid, record.marker)) return record;
  removePidFile(file);
  return undefined;
}

export interface DetachedSpawn {
  readonly command: string;
  readonly args: readonly string[];
  readonly logFile: string;
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Starts a process that outlives us (its own process group, stdio to a log file), as
 * `npm run stack:up` must return while the broker keeps running.
 */
export function spawnDetached(spec: DetachedSpawn): { pid: number; exited: Promise<number | null> } {
  const logFd = openSync(spec.logFile, 'a');
  try {
    const child = spawn(spec.command, spec.args, {
      detached: true,
      stdio: ['ignore', logFd, logFd],
      cwd: spec.cwd,
      env: spec.env ?? process.env,
    });
    const exited = new Promise<number | null>((resolveExit) => {
      child.once('exit', (code) => {
        resolveExit(code);
      });
      child.once('error', () => {
        resolveExit(-1);
      });
    });
    child.unref();
    if (child.pid === undefined) throw new Error(`could not start ${spec.command}`);
    return { pid: child.pid, exited };
  } finally {
    closeSync(logFd);
  }
}

/** SIGTERM (Kafka and Redis both shut down cleanly on it), then SIGKILL after `graceMs`. */
export async function stopProcess(pid: number, graceMs: number): Promise<void> {
  if (!signal(pid, 'SIGTERM')) return;
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return;
    await sleep(100);
  }
  signal(pid, 'SIGKILL');
  while (isAlive(pid)) await sleep(50);
}

export function onPath(command: string): boolean {
  const dirs = (process.env['PATH'] ?? '').split(delimiter).filter(Boolean);
  return dirs.some((dir) => existsSync(join(dir, command)));
}

export function runSync(command: string, args: readonly string[], options: { cwd?: string } = {}) {
  const result = spawnSync(command, args, {
    cwd: options.cwd,
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, error: result.error };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolveSleep) => setTimeout(resolveSleep, ms));
}

function signal(pid: number, name: NodeJS.Signals): boolean {
  try {
    process.kill(pid, name);
    return true;
  } catch {
    return false;
  }
}

function commandLineHas(pid: number, marker: string): boolean {
  const file = `/proc/${pid}/cmdline`;
  if (!existsSync('/proc/self/cmdline')) return true; // no procfs (macOS): trust the live pid
  try {
    return readFileSync(file, 'utf8').replace(/\0/g, ' ').includes(marker);
  } catch {
    return false;
  }
}

function processState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 3, after the parenthesised command name (which may itself contain spaces).
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
  } catch {
    return undefined;
  }
}
