import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { StackErrors } from './errors';
import { KAFKA_VERSION, kafkaLibsDir, type StackOptions } from './options';
import { onPath } from './processes';

/** The jar whose presence says the copy finished (the copy goes to a temp dir, then is renamed). */
const BROKER_JAR = `kafka_2.13-${KAFKA_VERSION}.jar`;

export function kafkaLibsReady(options: Pick<StackOptions, 'cacheDir'>): boolean {
  const libs = kafkaLibsDir(options);
  return existsSync(libs) && readdirSync(libs).includes(BROKER_JAR);
}

/**
 * Resolves the broker jars from Maven Central with the pom kept in the repo, once per machine:
 * `mvn -B -q -f tools/stack/pom.xml dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory=<libs>`.
 */
export async function ensureKafkaLibs(
  options: Pick<StackOptions, 'cacheDir' | 'pomFile' | 'log'>,
): Promise<string> {
  const libs = kafkaLibsDir(options);
  if (kafkaLibsReady(options)) return libs;
  if (!onPath('mvn')) throw StackErrors.noMaven();
  const partial = `${libs}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(dirname(libs), { recursive: true });
  const args = [
    '-B',
    '-q',
    '-f',
    options.pomFile,
    'dependency:copy-dependencies',
    '-DincludeScope=runtime',
    `-DoutputDirectory=${partial}`,
  ];
  const printable = `mvn ${args.join(' ').replace(partial, libs)}`;
  options.log(
    `resolving Kafka ${KAFKA_VERSION} jars from Maven Central into ${libs} (first run only, about a minute)`,
  );
  options.log(`  ${printable}`);
  const started = Date.now();
  const ticker = setInterval(() => {
    const jars = existsSync(partial) ? readdirSync(partial).length : 0;
    options.log(`  downloading… ${Math.round((Date.now() - started) / 1000)} s, ${jars} jars copied`);
  }, 5_000);
  try {
    const { code, output } = await runCollecting('mvn', args);
    if (code !== 0) {
      const lastLine = output.trim().split('\n').filter(Boolean).pop() ?? `exit code ${code}`;
      throw StackErrors.downloadFailed(printable, lastLine.slice(0, 200));
    }
  } finally {
    clearInterval(ticker);
  }
  if (!existsSync(partial) || !readdirSync(partial).includes(BROKER_JAR)) {
    throw StackErrors.downloadFailed(printable, `${BROKER_JAR} missing after the copy`);
  }
  rmSync(libs, { recursive: true, force: true });
  renameSync(partial, libs);
  options.log(`  Kafka jars ready in ${Math.round((Date.now() - started) / 1000)} s`);
  return libs;
}

function runCollecting(
  command: string,
  args: readonly string[],
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolveRun) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const collect = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-8_000);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.once('error', (error) => {
      resolveRun({ code: -1, output: error.message });
    });
    child.once('close', (code) => {
      resolveRun({ code, output });
    });
  });
}
