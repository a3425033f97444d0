import { spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { randomName } from '../harness/names';
import { readTopicToEnd } from '../harness/read-topic';
import { createTestTopics } from '../harness/topics';
import { startStack, stopStack } from './local-stack';
import { REPO_ROOT, stackFiles, type StackOptionsInput } from './options';
import { privateStackOptions } from './ports';
import { isAlive, readPidFile } from './processes';
import { kafkaAnswers, portOpen, redisAnswers } from './readiness';

jest.setTimeout(180_000);

interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/** Runs `npm run stack:<command>`'s script with this test's private ports and data dir. */
function cli(command: 'up' | 'down' | 'status', options: StackOptionsInput): Promise<CliRun> {
  const args = [
    join(REPO_ROOT, 'libs/testing/src/stack/cli.ts'),
    command,
    `--kafka-port=${options.kafkaPort}`,
    `--controller-port=${options.controllerPort}`,
    `--redis-port=${options.redisPort}`,
    `--data-dir=${options.dataDir}`,
  ];
  // Without the shared addresses, so the CLI can only find what this test started.
  const env = { ...process.env, KAFKA_BROKERS: '', REDIS_URL: '' };
  const started = Date.now();
  return new Promise((resolveRun) => {
    const child = spawn(join(REPO_ROOT, 'node_modules/.bin/tsx'), args, { env, cwd: REPO_ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => {
      resolveRun({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}

function pids(dataDir: string) {
  const files = stackFiles(dataDir);
  return { kafka: readPidFile(files.kafkaPid)?.pid, redis: readPidFile(files.redisPid)?.pid };
}

describe('a private stack on free ports', () => {
  let options: StackOptionsInput;
  let kafkaBrokers: string;
  let redisUrl: string;

  beforeAll(async () => {
    options = await privateStackOptions();
    kafkaBrokers = `127.0.0.1:${options.kafkaPort}`;
    redisUrl = `redis://127.0.0.1:${options.redisPort}`;
  });

  afterAll(async () => {
    await stopStack(options);
    rmSync(options.dataDir ?? '', { recursive: true, force: true });
  });

  it('should start Kafka and Redis on `up` and print their addresses', async () => {
    const run = await cli('up', options);
    expect(run.stderr).toContain('kafka: started');
    expect(run.stderr).toContain('redis: started');
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`KAFKA_BROKERS=${kafkaBrokers}\nREDIS_URL=${redisUrl}\n`);
    expect(await kafkaAnswers(kafkaBrokers)).toBe(true);
    expect(await redisAnswers(redisUrl)).toBe(true);
  });

  it('should start nothing on a second `up`, in under 5 seconds', async () => {
    const before = pids(options.dataDir ?? '');
    const run = await cli('up', options);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('kafka: already running (ours)');
    expect(run.stderr).toContain('redis: already running (ours)');
    expect(run.ms).toBeLessThan(5_000);
    expect(pids(options.dataDir ?? '')).toEqual(before);
  });

  it('should report both components as ours', async () => {
    const run = await cli('status', options);
    expect(run.stdout).toMatch(new RegExp(`kafka: ours at ${kafkaBrokers} \\(pid \\d+\\)`));
    expect(run.stdout).toMatch(/redis: ours at redis:\/\/127\.0\.0\.1:\d+ \(pid \d+\)/);
  });

  it('should stop and restart Kafka and Redis, keeping the topic data', async () => {
    const stack = await startStack(options);
    expect(stack.kafka.ownership).toBe('ours');
    expect(stack.redis.ownership).toBe('ours');
    const kafka = new Kafka({
      clientId: 'private-stack-test',
      brokers: [stack.kafkaBrokers],
      logLevel: logLevel.NOTHING,
    });
    const topic = randomName('survives-restart');
    const admin = kafka.admin();
    await admin.connect();
    await createTestTopics(admin, [{ name: topic }]);
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: [{ value: 'before-restart' }] });
    await producer.disconnect();

    await stack.stopKafka();
    expect(await portOpen(options.kafkaPort ?? 0)).toBe(false);
    await stack.stopRedis();
    expect(await redisAnswers(stack.redisUrl)).toBe(false);

    await stack.startKafka();
    await stack.startRedis();
    expect(await redisAnswers(stack.redisUrl)).toBe(true);
    const messages = await readTopicToEnd(kafka, topic, { expected: 1, timeoutMs: 30_000 });
    expect(messages.map((m) => m.value?.toString())).toEqual(['before-restart']);
  });

  it('should leave nothing running after `down`', async () => {
    const before = pids(options.dataDir ?? '');
    expect(before.kafka).toBeDefined();
    expect(before.redis).toBeDefined();
    const run = await cli('down', options);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('kafka: stopped');
    expect(run.stderr).toContain('redis: stopped');
    expect(isAlive(before.kafka ?? 0)).toBe(false);
    expect(isAlive(before.redis ?? 0)).toBe(false);
    expect(await portOpen(options.kafkaPort ?? 0)).toBe(false);
    expect(await portOpen(options.controllerPort ?? 0)).toBe(false);
    expect(await portOpen(options.redisPort ?? 0)).toBe(false);
    const files = stackFiles(options.dataDir ?? '');
    expect(existsSync(files.kafkaPid) || existsSync(files.redisPid)).toBe(false);
  });
});
