import { readFileSync } from 'node:fs';

/**
 * Peak resident set size of a live process (VmHWM in /proc/<pid>/status, "high water mark"),
 * in MiB; undefined once it has exited. Linux only (proc(5)).
 */
export function peakRssMiB(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(status);
    return match?.[1] === undefined ? undefined : Number(match[1]) / 1024;
  } catch {
    return undefined;
  }
}
