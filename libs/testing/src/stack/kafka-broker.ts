import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StackErrors } from './errors';
import { ensureKafkaLibs } from './kafka-dist';
import { stackFiles, type StackOptions } from './options';
import {
  onPath,
  removePidFile,
  runningFromPidFile,
  runSync,
  spawnDetached,
  stopProcess,
  writePidFile,
} from './processes';
import { kafkaAnswers, pollUntil, portOpen, transactionsWork } from './readiness';
import { newClusterId, renderServerProperties } from './server-properties';
import { tlsMaterial } from './tls-material';

/** Heap as in the Kafka quickstart for small machines; two of these must fit beside the tests. */
const HEAP = ['-Xms256m', '-Xmx512m'];
/** Kafka finishes a controlled shutdown of one node in a few seconds; past this we SIGKILL. */
const STOP_GRACE_MS = 30_000;

export function kafkaAddress(options: Pick<StackOptions, 'kafkaPort'>): string {
  return `127.0.0.1:${options.kafkaPort}`;
}

/** Our broker from its pid file, if it is running. */
export function runningKafka(options: Pick<StackOptions, 'dataDir'>): number | undefined {
  return runningFromPidFile(stackFiles(options.dataDir).kafkaPid)?.pid;
}

/**
 * Starts the broker detached, formatting its storage the first time, and waits until it answers
 * describeCluster and can run a transaction. Returns the pid.
 */
export async function startKafkaBroker(options: StackOptions): Promise<number> {
  const java = javaCommand();
  const files = stackFiles(options.dataDir);
  const address = kafkaAddress(options);
  if (await portOpen(options.kafkaPort)) throw StackErrors.portTaken('kafka', options.kafkaPort);
  if (await portOpen(options.controllerPort))
    throw StackErrors.portTaken('controller', options.controllerPort);
  const libs = await ensureKafkaLibs(options);
  const classpath = join(libs, '*');
  mkdirSync(files.kafkaLogDirs, { recursive: true });
  const secure = options.kafkaSaslSsl;
  if (secure && (await portOpen(secure.port))) throw StackErrors.portTaken('kafka-sasl-ssl', secure.port);
  const tls = secure ? tlsMaterial(files.tlsDir) : undefined;
  writeFileSync(
    files.serverProperties,
    renderServerProperties({
      kafkaPort: options.kafkaPort,
      controllerPort: options.controllerPort,
      logDirs: files.kafkaLogDirs,
      ...(secure && tls
        ? {
            saslSsl: {
              port: secure.port,
              keystoreFile: tls.keystoreFile,
              keystorePassword: tls.keystorePassword,
            },
          }
        : {}),
    }),
  );
  // KRaft keeps SCRAM credentials in the metadata log; format seeds them (KIP-900).
  const scram = secure
    ? ['--add-scram', `SCRAM-SHA-256=[name=${secure.username},password=${secure.password}]`]
    : [];
  formatStorageOnce(java, classpath, files, options.log, scram);

  options.log(`starting Kafka on ${address} (log: ${files.kafkaLog})`);
  const started = Date.now();
  const child = spawnDetached({
    command: java,
    args: [...HEAP, '-cp', classpath, 'kafka.Kafka', files.serverProperties],
    logFile: files.kafkaLog,
    cwd: options.dataDir,
  });
  // The server.properties path is in the command line: it tells our broker from any other java.
  writePidFile(files.kafkaPid, { pid: child.pid, marker: files.serverProperties });

  const waitOptions = {
    timeoutMs: options.readyTimeoutMs,
    what: `Kafka on ${address}`,
    log: options.log,
    exited: child.exited,
  };
  const outcome = await pollUntil(() => kafkaAnswers(address), waitOptions);
  if (!outcome.ready) {
    await stopProcess(child.pid, STOP_GRACE_MS);
    removePidFile(files.kafkaPid);
    if ('exitCode' in outcome) throw StackErrors.kafkaExited(outcome.exitCode ?? null, files.kafkaLog);
    throw StackErrors.kafkaNotReady(address, Math.round(options.readyTimeoutMs / 1000), files.kafkaLog);
  }
  const remainingMs = Math.max(10_000, options.readyTimeoutMs - (Date.now() - started));
  if (!(await transactionsWork(address, remainingMs))) {
    throw StackErrors.kafkaNotReady(
      `${address} (transaction coordinator)`,
      Math.round(remainingMs / 1000),
      files.kafkaLog,
    );
  }
  options.log(`  Kafka ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return child.pid;
}

/** Stops our broker (pid file) and waits for it to exit. False when none was running. */
export async function stopKafkaBroker(options: Pick<StackOptions, 'dataDir'>): Promise<boolean> {
  const files = stackFiles(options.dataDir);
  const record = runningFromPidFile(files.kafkaPid);
  if (!record) return false;
  await stopProcess(record.pid, STOP_GRACE_MS);
  removePidFile(files.kafkaPid);
  return true;
}

function formatStorageOnce(
  java: string,
  classpath: string,
  files: ReturnType<typeof stackFiles>,
  log: (line: string) => void,
  extraArgs: readonly string[] = [],
): void {
  // meta.properties is what `StorageTool format` writes; present means formatted.
  if (existsSync(join(files.kafkaLogDirs, 'meta.properties'))) return;
  if (!existsSync(files.clusterId)) writeFileSync(files.clusterId, newClusterId(randomBytes) + '\n');
  const clusterId = readFileSync(files.clusterId, 'utf8').trim();
  log(`formatting Kafka storage in ${files.kafkaLogDirs} (cluster id ${clusterId})`);
  const args = [
    '-cp',
    classpath,
    'kafka.tools.StorageTool',
    'format',
    // `--cluster-id=<id>`, not `-t <id>`: a base64url id may start with '-', which argparse would
    // take for an option ("argument --cluster-id/-t: expected one argument").
    `--cluster-id=${clusterId}`,
    '-c',
    files.serverProperties,
    '--ignore-formatted',
    ...extraArgs,
  ];
  const result = runSync(java, args);
  // The command line may carry a SCRAM password: log it without the arguments after --add-scram.
  const shown = extraArgs.length > 0 ? [...args.slice(0, -extraArgs.length), '--add-scram', '…'] : args;
  appendFileSync(files.kafkaLog, `$ java ${shown.join(' ')}\n${result.stdout}${result.stderr}\n`);
  if (result.status !== 0) {
    const detail = result.error?.message ?? `exit code ${String(result.status)}`;
    throw StackErrors.formatFailed(files.kafkaLog, detail);
  }
}

function javaCommand(): string {
  const javaHome = process.env['JAVA_HOME'];
  if (javaHome && existsSync(join(javaHome, 'bin', 'java'))) return join(javaHome, 'bin', 'java');
  if (!onPath('java')) throw StackErrors.noJava();
  return 'java';
}
