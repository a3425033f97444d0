import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { stackStatus } from '@streamscore/testing';
import { cpuSecondsOf } from './cpu-clock';

/** Processes whose CPU is counted together, by role (e.g. services, producer, broker, redis). */
export type ProcessRoles = Readonly<Record<string, readonly number[]>>;

/** CPU seconds by role, as read by RoleCpuClock. */
export type CpuByRole = Readonly<Record<string, number>>;

/**
 * The CPU (user + system, all threads: cpu-clock.ts) of several processes, summed by role. A
 * process that has exited since keeps its last reading, so a role's total never goes back.
 */
export class RoleCpuClock {
  private readonly lastSeconds = new Map<number, number>();

  constructor(readonly roles: ProcessRoles) {}

  read(): CpuByRole {
    const out: Record<string, number> = {};
    for (const [role, pids] of Object.entries(this.roles)) {
      out[role] = pids.reduce((sum, pid) => sum + this.secondsOf(pid), 0);
    }
    return out;
  }

  private secondsOf(pid: number): number {
    try {
      const seconds = cpuSecondsOf(pid);
      this.lastSeconds.set(pid, seconds);
      return seconds;
    } catch {
      return this.lastSeconds.get(pid) ?? 0;
    }
  }
}

/** CPU µs per unit of work by role, between two readings of one clock. */
export function cpuUsPer(units: number, from: CpuByRole, to: CpuByRole): Record<string, number> {
  const out: Record<string, number> = {};
  for (const role of Object.keys(to)) out[role] = (((to[role] ?? 0) - (from[role] ?? 0)) * 1e6) / units;
  return out;
}

/** The command line of a live process, arguments joined by spaces ('' once it has exited). */
export function commandLineOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // After the command (which may hold spaces): state, then the parent's pid.
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

/** Every live process below `root` (children, their children, …), read from /proc. */
export function descendantsOf(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    const parent = parentOf(pid);
    if (parent !== undefined) children.set(parent, [...(children.get(parent) ?? []), pid]);
  }
  const out: number[] = [];
  const queue = [root];
  for (let pid = queue.shift(); pid !== undefined; pid = queue.shift()) {
    for (const child of children.get(pid) ?? []) {
      out.push(child);
      queue.push(child);
    }
  }
  return out;
}

/** Pids whose command line matches `pattern` (pgrep -f), none when nothing does. */
function pgrep(pattern: string): number[] {
  try {
    return execFileSync('pgrep', ['-f', pattern], { encoding: 'utf8' })
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map(Number);
  } catch {
    return [];
  }
}

/**
 * The Kafka broker's java process: the local stack's own (its pid file, libs/testing's
 * stackStatus) or else the one `kafka.Kafka` process on this machine; fails when that is not one.
 */
export async function kafkaBrokerPid(): Promise<number> {
  const status = await stackStatus();
  if (status.kafka.state === 'ours') return status.kafka.pid;
  const found = pgrep('kafka\\.Kafka ');
  if (found.length !== 1 || found[0] === undefined)
    throw new Error(`expected one kafka.Kafka process to measure, found ${found.length}`);
  return found[0];
}

/**
 * The redis-server of `redisUrl`: the local stack's own, or else the one whose command line (its
 * process title, "redis-server <host>:<port>") names the URL's port.
 */
export async function redisServerPid(redisUrl: string): Promise<number> {
  const status = await stackStatus();
  if (status.redis.state === 'ours') return status.redis.pid;
  const port = new URL(redisUrl).port || '6379';
  const found = pgrep('^redis-server ').filter((pid) => commandLineOf(pid).endsWith(`:${port}`));
  if (found.length !== 1 || found[0] === undefined)
    throw new Error(`expected one redis-server on port ${port} to measure, found ${found.length}`);
  return found[0];
}
