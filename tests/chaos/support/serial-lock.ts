import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Chaos scenarios run one at a time (issue 9): each starts a broker of its own, and two of those
 * plus services do not fit on 2 cores. tools/test.mjs runs jest with two workers, so the files
 * take turns on this lock (a directory: mkdir is atomic). A holder that died is detected by pid.
 */
const LOCK = join(tmpdir(), 'streamscore-chaos.lock');

export async function takeChaosTurn(timeoutMs = 30 * 60_000): Promise<() => void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      mkdirSync(LOCK);
      writeFileSync(join(LOCK, 'pid'), String(process.pid));
      return () => {
        rmSync(LOCK, { recursive: true, force: true });
      };
    } catch {
      if (holderDied()) rmSync(LOCK, { recursive: true, force: true });
      else if (Date.now() > deadline) throw new Error(`another chaos scenario held ${LOCK} too long`);
      else await new Promise((r) => setTimeout(r, 500));
    }
  }
}

function holderDied(): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(join(LOCK, 'pid'), 'utf8'));
  } catch {
    return false; // being created right now
  }
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'EPERM';
  }
}
