import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isAlive } from './processes';

/**
 * One file per live process using a stack (jest runs), named by pid. Several test runs on one
 * machine share the broker: whoever started it must not stop it while another run still uses it.
 */
export function takeLease(leaseDir: string, pid = process.pid): void {
  mkdirSync(leaseDir, { recursive: true });
  writeFileSync(join(leaseDir, String(pid)), '');
}

export function dropLease(leaseDir: string, pid = process.pid): void {
  rmSync(join(leaseDir, String(pid)), { force: true });
}

/** Pids of other live holders; leases of dead processes are removed on the way. */
export function otherLeaseHolders(leaseDir: string, pid = process.pid): number[] {
  let names: string[];
  try {
    names = readdirSync(leaseDir);
  } catch {
    return [];
  }
  const holders: number[] = [];
  for (const name of names) {
    const holder = Number(name);
    if (holder === pid) continue;
    if (Number.isInteger(holder) && holder > 0 && isAlive(holder)) holders.push(holder);
    else rmSync(join(leaseDir, name), { force: true });
  }
  return holders;
}
