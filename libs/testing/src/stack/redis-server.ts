import { mkdirSync } from 'node:fs';
import { StackErrors } from './errors';
import { stackFiles, type StackOptions } from './options';
import {
  onPath,
  removePidFile,
  runningFromPidFile,
  spawnDetached,
  stopProcess,
  writePidFile,
} from './processes';
import { pollUntil, portOpen, redisAnswers } from './readiness';

const STOP_GRACE_MS = 10_000;
const READY_TIMEOUT_MS = 15_000;

export function redisAddress(options: Pick<StackOptions, 'redisPort'>): string {
  return `redis://127.0.0.1:${options.redisPort}`;
}

export function runningRedis(options: Pick<StackOptions, 'dataDir'>): number | undefined {
  return runningFromPidFile(stackFiles(options.dataDir).redisPid)?.pid;
}

/** Starts `redis-server` from PATH, detached, with no persistence (a test cache, not a store). */
export async function startRedisServer(options: StackOptions): Promise<number> {
  const files = stackFiles(options.dataDir);
  const url = redisAddress(options);
  if (!onPath('redis-server')) throw StackErrors.noRedisServer(options.redisPort);
  if (await portOpen(options.redisPort)) throw StackErrors.portTaken('redis', options.redisPort);
  mkdirSync(files.redisDir, { recursive: true });
  options.log(`starting redis-server on 127.0.0.1:${options.redisPort} (log: ${files.redisLog})`);
  const child = spawnDetached({
    command: 'redis-server',
    args: [
      '--port',
      String(options.redisPort),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--daemonize',
      'no',
      '--dir',
      files.redisDir,
      '--logfile',
      files.redisLog,
    ],
    logFile: files.redisLog,
  });
  // redis-server rewrites its process title to "redis-server 127.0.0.1:<port>".
  writePidFile(files.redisPid, { pid: child.pid, marker: `:${options.redisPort}` });
  const outcome = await pollUntil(() => redisAnswers(url, 1_000), {
    timeoutMs: READY_TIMEOUT_MS,
    what: `Redis on ${url}`,
    log: options.log,
    exited: child.exited,
  });
  if (!outcome.ready) {
    await stopProcess(child.pid, STOP_GRACE_MS);
    removePidFile(files.redisPid);
    throw StackErrors.redisNotReady(url, READY_TIMEOUT_MS / 1000, files.redisLog);
  }
  return child.pid;
}

export async function stopRedisServer(options: Pick<StackOptions, 'dataDir'>): Promise<boolean> {
  const files = stackFiles(options.dataDir);
  const record = runningFromPidFile(files.redisPid);
  if (!record) return false;
  await stopProcess(record.pid, STOP_GRACE_MS);
  removePidFile(files.redisPid);
  return true;
}
