import { TopicCatalogue } from '@streamscore/contracts';
import {
  createTestTopics,
  freePort,
  randomName,
  runServiceToExit,
  waitFor,
  type SecureEndpoints,
} from '@streamscore/testing';
import { printAccounting } from './support/accounting';
import { startChaosStack, type ChaosStack } from './support/chaos-stack';
import { prepareIngestion, readIngestionOutcome } from './support/ingestion-run';

const KAFKA_USER = { username: 'ingestion', password: 'kafka-Secret-7f3a9' };
const REDIS_USER = { username: 'features', password: 'redis-Secret-c41d2' };
const WRONG = 'wrong-Password-000';
const EVENTS = 2_000;

interface Ready {
  readonly status: number;
  readonly text: string;
  readonly checks: Record<string, { status: string; error?: string }>;
}

async function ready(url: string): Promise<Ready> {
  const res = await fetch(`${url}/health/ready`);
  const text = await res.text();
  return { status: res.status, text, checks: (JSON.parse(text) as Pick<Ready, 'checks'>).checks };
}

/**
 * Scenario 5 (issue 9): Kafka SASL/SCRAM over TLS and Redis ACL users over TLS, each against a
 * listener configured that way; a bad password is a clear error; no password ever appears in
 * the services' logs or in /health/ready.
 */
describe('chaos: security (SASL_SSL Kafka, TLS + ACL Redis)', () => {
  let chaos: ChaosStack;
  let secure: SecureEndpoints;

  beforeAll(async () => {
    chaos = await startChaosStack({
      kafkaSaslSsl: { port: await freePort(), ...KAFKA_USER },
      redisTls: { port: await freePort(), ...REDIS_USER },
    });
    if (!chaos.stack.secure) throw new Error('the stack did not start its TLS listeners');
    secure = chaos.stack.secure;
  }, 30 * 60_000);

  afterAll(async () => {
    await chaos.teardown();
  }, 120_000);

  function kafkaEnv(password: string): Record<string, string> {
    return {
      KAFKA_BROKERS: secure.kafkaSaslSslBrokers ?? '',
      KAFKA_SASL_MECHANISM: 'scram-sha-256',
      KAFKA_SASL_USERNAME: KAFKA_USER.username,
      KAFKA_SASL_PASSWORD: password,
      KAFKA_TLS: 'true',
      KAFKA_TLS_CA_FILE: secure.caFile,
      LOG_LEVEL: 'info',
    };
  }

  it('ingestion connects with SCRAM-SHA-256 over TLS and processes every input exactly once', async () => {
    const started = Date.now();
    const run = await prepareIngestion(chaos, EVENTS);
    const service = await chaos.start('ingestion', { ...run.env, ...kafkaEnv(KAFKA_USER.password) });
    const outcome = await readIngestionOutcome(chaos.kafka, run, 120_000);
    const health = await ready(service.url);
    printAccounting({
      scenario: 'security/kafka-sasl-ssl',
      sent: EVENTS,
      ...outcome,
      seconds: (Date.now() - started) / 1000,
    });
    expect(outcome).toEqual({ validated: run.valid, deadLettered: run.invalid, duplicates: 0, missing: 0 });
    expect(health.status).toBe(200);
    expect(health.checks['kafka']?.status).toBe('up');
    expect(health.text).not.toContain(KAFKA_USER.password);
    expect(await service.stop('SIGTERM')).toBe(0);
    expect(service.output()).not.toContain(KAFKA_USER.password);
  }, 300_000);

  it('ingestion with a wrong Kafka password exits 1 with one line naming the failure', async () => {
    const run = await prepareIngestion(chaos, 100);
    const { code, output } = await runServiceToExit(
      'ingestion',
      { ...run.env, ...kafkaEnv(WRONG), LOG_LEVEL: 'warn', HTTP_PORT: String(await freePort()) },
      60_000,
    );
    process.stdout.write(`security/kafka-bad-password: exit=${String(code)} output:\n${output}\n`);
    const failures = output.split('\n').filter((line) => line.startsWith('ingestion: failed to start:'));
    expect(code).toBe(1);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatch(/authentication failed/i);
    expect(output).not.toContain(WRONG);
  }, 120_000);

  function redisEnv(password: string): Record<string, string> {
    return {
      REDIS_URL: secure.redisTlsUrl ?? '',
      REDIS_USERNAME: REDIS_USER.username,
      REDIS_PASSWORD: password,
      REDIS_TLS_CA_FILE: secure.caFile,
      LOG_LEVEL: 'info',
    };
  }

  async function startFeatures(password: string) {
    const prefix = randomName('chaossec');
    const catalogue = new TopicCatalogue({ prefix, partitions: 2 });
    await createTestTopics(chaos.admin, catalogue.all());
    return chaos.start('features', { TOPIC_PREFIX: prefix, TOPIC_PARTITIONS: '2', ...redisEnv(password) });
  }

  it('features connects to Redis over TLS as an ACL user and is ready', async () => {
    const service = await startFeatures(REDIS_USER.password);
    const health = await waitFor(
      async () => {
        const h = await ready(service.url);
        return h.status === 200 && h;
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    expect(health.checks['redis']?.status).toBe('up');
    expect(health.text).not.toContain(REDIS_USER.password);
    expect(await service.stop('SIGTERM')).toBe(0);
    expect(service.output()).not.toContain(REDIS_USER.password);
  }, 120_000);

  it('features with a wrong Redis password stays live, is not ready and says why, without the password', async () => {
    const service = await startFeatures(WRONG);
    const health = await waitFor(
      async () => {
        const h = await ready(service.url);
        return h.status === 503 && h.checks['redis']?.status === 'down' && h;
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    await new Promise((r) => setTimeout(r, 1_000));
    const live = await fetch(`${service.url}/health/live`);
    process.stdout.write(
      `security/redis-bad-password: ready=${health.status} ${health.text}\n` +
        `log lines naming the failure: ${
          service
            .output()
            .split('\n')
            .filter((l) => /WRONGPASS|NOAUTH|auth/i.test(l)).length
        }\n`,
    );
    expect(live.status).toBe(200);
    expect(service.output()).toMatch(/WRONGPASS|invalid username-password/i);
    expect(health.text).not.toContain(WRONG);
    expect(service.output()).not.toContain(WRONG);
  }, 120_000);
});
