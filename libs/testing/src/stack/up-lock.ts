import { openSync, closeSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { isAlive, sleep } from './processes';

/**
 * Serialises `up` per data dir: jest runs and `npm run stack:up` started at the same moment would
 * otherwise both find nothing running and race to format and start the same broker.
 * The lock file holds the holder's pid; a dead holder's lock is taken over.
 */
export async function withUpLock<T>(
  lockFile: string,
  timeoutMs: number,
  log: (line: string) => void,
  action: () => Promise<T>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let announced = false;
  for (;;) {
    try {
      const fd = openSync(lockFile, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = Number(safeRead(lockFile));
    if (!Number.isInteger(holder) || holder <= 0 || !isAlive(holder)) {
      rmSync(lockFile, { force: true });
      continue;
    }
    if (Date.now() > deadline)
      throw new Error(`another \`stack up\` (pid ${holder}) holds ${lockFile}; stop it or delete the file`);
    if (!announced) {
      log(`waiting for another \`stack up\` (pid ${holder}) to finish`);
      announced = true;
    }
    await sleep(250);
  }
  try {
    return await action();
  } finally {
    rmSync(lockFile, { force: true });
  }
}

function safeRead(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return '';
  }
}
