/**
 * Stack failures a person can act on: one line saying what went wrong and the fix.
 * The CLI prints `message` alone (no stack trace); tests see the same text. Never `retriable`:
 * the test stack is not a pipeline transport, and KAFKA_NOT_READY / REDIS_NOT_READY already waited.
 */
export type StackErrorCode =
  | 'NO_JAVA'
  | 'NO_MAVEN'
  | 'NO_REDIS_SERVER'
  | 'PORT_TAKEN'
  | 'KAFKA_NOT_READY'
  | 'REDIS_NOT_READY'
  | 'DOWNLOAD_FAILED'
  | 'FORMAT_FAILED'
  | 'NOT_OURS'
  | 'MISSING_ADDRESSES'
  | 'BAD_OPTION'
  | 'TLS_FAILED';

export class StackError extends Error {
  override readonly name = 'StackError';
  constructor(
    readonly code: StackErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export const StackErrors = {
  noJava: (): StackError =>
    new StackError(
      'NO_JAVA',
      'java not found on PATH: install a JDK 17+ (e.g. `apt-get install openjdk-17-jre-headless`) or set TEST_STACK=docker|external',
    ),
  noMaven: (): StackError =>
    new StackError(
      'NO_MAVEN',
      'mvn not found on PATH and the Kafka jars are not cached: install Maven (e.g. `apt-get install maven`) or set TEST_STACK=docker|external',
    ),
  noRedisServer: (port: number): StackError =>
    new StackError(
      'NO_REDIS_SERVER',
      `no Redis answers on 127.0.0.1:${port} and redis-server is not on PATH: install Redis (e.g. \`apt-get install redis-server\`) or set REDIS_URL`,
    ),
  portTaken: (what: string, port: number): StackError =>
    new StackError(
      'PORT_TAKEN',
      `port ${port} (${what}) is taken by another program: free it or choose another port with --${what}-port`,
    ),
  kafkaNotReady: (brokers: string, seconds: number, logFile: string): StackError =>
    new StackError(
      'KAFKA_NOT_READY',
      `Kafka at ${brokers} was not ready after ${seconds} s: read ${logFile} (or raise STREAMSCORE_STACK_TIMEOUT_MS)`,
    ),
  kafkaExited: (code: number | null, logFile: string): StackError =>
    new StackError(
      'KAFKA_NOT_READY',
      `the Kafka broker exited during start-up (code ${code ?? 'signal'}): read ${logFile}`,
    ),
  redisNotReady: (url: string, seconds: number, logFile: string): StackError =>
    new StackError(
      'REDIS_NOT_READY',
      `Redis at ${url} did not answer PING after ${seconds} s: read ${logFile}`,
    ),
  downloadFailed: (command: string, detail: string): StackError =>
    new StackError(
      'DOWNLOAD_FAILED',
      `resolving the Kafka jars failed (${detail}): run \`${command}\` by hand to see why (network? ~/.m2 settings?)`,
    ),
  formatFailed: (logFile: string, detail: string): StackError =>
    new StackError(
      'FORMAT_FAILED',
      `formatting the Kafka storage failed (${detail}): read ${logFile}, or delete the data dir to start afresh`,
    ),
  notOurs: (what: string): StackError =>
    new StackError(
      'NOT_OURS',
      `${what} was not started by this stack (it was reused): stop it where it was started`,
    ),
  missingAddresses: (missing: readonly string[]): StackError =>
    new StackError(
      'MISSING_ADDRESSES',
      `TEST_STACK=external needs ${missing.join(' and ')}: set them, or use TEST_STACK=auto`,
    ),
  badOption: (message: string): StackError => new StackError('BAD_OPTION', message),
} as const;
