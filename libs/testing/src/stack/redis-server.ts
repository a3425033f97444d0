import { mkdirSync } from 'node:fs';
import { StackErrors } from './errors';
import { stackFiles, type SecureListener, type StackOptions } from './options';
import {
  onPath,
  removePidFile,
  runningFromPidFile,
  spawnDetached,
  stopProcess,
  writePidFile,
} from './processes';
import { pollUntil, portOpen, redisAnswers, redisAnswersOverTls } from './readiness';
import { tlsMaterial } from './tls-material';

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
  const secure = options.redisTls;
  if (secure && (await portOpen(secure.port))) throw StackErrors.portTaken('redis-tls', secure.port);
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
      ...(secure ? tlsArgs(secure, files.tlsDir) : []),
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
  if (secure) {
    const tlsUrl = redisTlsAddress(secure);
    const { caFile } = tlsMaterial(files.tlsDir);
    const tlsReady = await pollUntil(() => redisAnswersOverTls(tlsUrl, secure, caFile), {
      timeoutMs: READY_TIMEOUT_MS,
      what: `Redis on ${tlsUrl}`,
      log: options.log,
      exited: child.exited,
    });
    if (!tlsReady.ready) {
      await stopProcess(child.pid, STOP_GRACE_MS);
      removePidFile(files.redisPid);
      throw StackErrors.redisNotReady(tlsUrl, READY_TIMEOUT_MS / 1000, files.redisLog);
    }
  }
  return child.pid;
}

export function redisTlsAddress(secure: SecureListener): string {
  return `rediss://127.0.0.1:${secure.port}`;
}

/**
 * TLS beside the plain port (Redis docs "TLS"): the server certificate from tls-material, no client
 * certificates, and one ACL user with a password (Redis docs "ACL"); the default user keeps the
 * plain port working for the harness.
 */
function tlsArgs(secure: SecureListener, tlsDir: string): string[] {
  const tls = tlsMaterial(tlsDir);
  return [
    '--tls-port',
    String(secure.port),
    '--tls-cert-file',
    tls.certFile,
    '--tls-key-file',
    tls.keyFile,
    '--tls-ca-cert-file',
    tls.caFile,
    '--tls-auth-clients',
    'no',
    '--user',
    secure.username,
    'on',
    `>${secure.password}`,
    '~*',
    '&*',
    '+@all',
  ];
}

export async function stopRedisServer(options: Pick<StackOptions, 'dataDir'>): Promise<boolean> {
  const files = stackFiles(options.dataDir);
  const record = runningFromPidFile(files.redisPid);
  if (!record) return false;
  await stopProcess(record.pid, STOP_GRACE_MS);
  removePidFile(files.redisPid);
  return true;
}
