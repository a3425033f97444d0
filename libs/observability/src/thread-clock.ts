import { readFileSync } from 'node:fs';

/** What the scheduler has counted for the calling thread, in ms since the thread started. */
export interface ThreadTimes {
  /**
   * On a CPU — brought up to date only at scheduler ticks and switches (every 4 ms here), so
   * differences are meaningful over spans of many ticks, not around one short call.
   */
  readonly cpuMs: number;
  /**
   * Runnable but waiting for a CPU (run queue). A wait is added when it ends, so the difference
   * between two reads holds every wait that ended in between, exactly.
   */
  readonly waitMs: number;
}

/**
 * Parses a /proc schedstat line: "<ns on cpu> <ns waiting on a run queue> <timeslices>".
 * Returns undefined for anything else.
 */
export function parseSchedstat(text: string): ThreadTimes | undefined {
  const [cpu, wait] = text.trim().split(/\s+/, 2).map(Number);
  if (cpu === undefined || wait === undefined || !Number.isFinite(cpu) || !Number.isFinite(wait))
    return undefined;
  return { cpuMs: cpu / 1e6, waitMs: wait / 1e6 };
}

let available = process.platform === 'linux';

/**
 * The calling thread's CPU and run-queue times (Linux: /proc/thread-self/schedstat, ~5 µs a read),
 * or undefined where the kernel does not expose them. Node 20 has no per-thread CPU clock; the
 * wait tells a slow call from one that waited for a core.
 */
export function threadTimes(): ThreadTimes | undefined {
  if (!available) return undefined;
  try {
    return parseSchedstat(readFileSync('/proc/thread-self/schedstat', 'utf8'));
  } catch {
    available = false;
    return undefined;
  }
}
