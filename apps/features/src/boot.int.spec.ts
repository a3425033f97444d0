import { Kafka, logLevel } from 'kafkajs';
import { TopicCatalogue } from '@streamscore/contracts';
import { ensureTopics } from '@streamscore/kafka';
import { freePort, runServiceToExit, startServiceProcess, type ServiceProcess } from '@streamscore/testing';

const brokers = process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092';

describe('service boot', () => {
  const prefix = `boot-${Math.random().toString(36).slice(2, 8)}`;
  const catalogue = new TopicCatalogue({ prefix, partitions: 2 });
  const kafka = new Kafka({ brokers: brokers.split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  let service: ServiceProcess | undefined;

  beforeAll(async () => {
    await admin.connect();
    await ensureTopics(admin, catalogue.all());
  });

  afterAll(async () => {
    await service?.stop();
    await admin.deleteTopics({ topics: catalogue.all().map((t) => t.name) }).catch(() => undefined);
    await admin.disconnect();
  });

  it('should exit 1 naming a missing variable', async () => {
    const { code, output } = await runServiceToExit('features', { REDIS_URL: 'redis://127.0.0.1:6379' });
    expect(code).toBe(1);
    expect(output).toContain('KAFKA_BROKERS: is required');
  });

  it('should exit 1 naming a malformed variable', async () => {
    const { code, output } = await runServiceToExit('features', {
      KAFKA_BROKERS: brokers,
      HTTP_PORT: 'eighty',
    });
    expect(code).toBe(1);
    expect(output).toContain('HTTP_PORT: must be an integer');
  });

  it('should exit 1 naming a topic that does not match the catalogue', async () => {
    const { code, output } = await runServiceToExit('features', {
      KAFKA_BROKERS: brokers,
      TOPIC_PREFIX: `${prefix}-missing`,
    });
    expect(code).toBe(1);
    expect(output).toContain(`topic ${prefix}-missing.events.validated does not exist`);
  });

  it('should be live but not ready while Redis is down, and serve metrics', async () => {
    const deadRedisPort = await freePort();
    service = await startServiceProcess('features', {
      KAFKA_BROKERS: brokers,
      TOPIC_PREFIX: prefix,
      TOPIC_PARTITIONS: '2',
      REDIS_URL: `redis://127.0.0.1:${deadRedisPort}`,
    });
    const live = await fetch(`${service.url}/health/live`);
    expect(live.status).toBe(200);
    const ready = await fetch(`${service.url}/health/ready`);
    expect(ready.status).toBe(503);
    const body = (await ready.json()) as { checks: Record<string, { status: string }> };
    expect(body.checks['redis']?.status).toBe('down');
    expect(body.checks['kafka']?.status).toBe('up');
    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    expect(metrics).toContain('process_cpu_user_seconds_total');
    expect(await service.stop('SIGTERM')).toBe(0);
    service = undefined;
  });

  it('should be ready when Kafka and Redis answer', async () => {
    service = await startServiceProcess('features', {
      KAFKA_BROKERS: brokers,
      TOPIC_PREFIX: prefix,
      TOPIC_PARTITIONS: '2',
      REDIS_URL: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379',
    });
    let status = 0;
    for (let i = 0; i < 25 && status !== 200; i++) {
      status = (await fetch(`${service.url}/health/ready`)).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 200));
    }
    expect(status).toBe(200);
    expect(await service.stop('SIGTERM')).toBe(0);
    service = undefined;
  });
});
