import { type INestApplication, Inject, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import { RetriableError } from '@streamscore/contracts';
import type { HandledBatch, PartitionAssignment, PartitionBatch } from '@streamscore/kafka';
import { HealthRegistry, METRICS_REGISTRY } from '@streamscore/observability';
import {
  awaitGroupCommitted,
  createTestTopics,
  deleteTestTopics,
  randomName,
  readTopicToEnd,
  testKafka,
  waitFor,
  echoOutputs,
} from '@streamscore/testing';
import type { Admin, Kafka } from 'kafkajs';
import { Registry } from 'prom-client';
import { KAFKA, KAFKA_ADMIN } from '../platform.module';
import { BatchHandlerController, batchTransport, startBatchTransport } from './batch-transport';
import { PartitionBatchContext } from './partition-batch-server';

const PATTERN = 'test.batch';
const PROBE = Symbol('PROBE');
const RECORDS = 60;

/** What the Nest handlers saw, and how the test wants them to behave. */
class Probe {
  readonly batches: {
    topic: string;
    partition: number;
    firstOffset: string;
    rows: number;
    context: string;
  }[] = [];
  readonly assignments: PartitionAssignment[] = [];
  readonly delivered: number[] = [];
  /** Thrown by the handler's next calls (one each), before it handles anything. */
  readonly throwNext: Error[] = [];
  /** Thrown by every call once throwNext is empty. */
  throwAlways: Error | undefined;

  constructor(readonly output: string) {}

  get deliveredRows(): number {
    return this.delivered.reduce((n, rows) => n + rows, 0);
  }
}

@BatchHandlerController()
class TestBatchController {
  constructor(@Inject(PROBE) private readonly probe: Probe) {}

  @MessagePattern(PATTERN)
  handle(@Payload() batch: PartitionBatch, @Ctx() context: PartitionBatchContext): Promise<HandledBatch> {
    const { probe } = this;
    probe.batches.push({
      topic: batch.topic,
      partition: batch.partition,
      firstOffset: batch.messages[0]?.offset ?? '',
      rows: batch.messages.length,
      context: `${context.topic}:${context.partition}`,
    });
    const error = probe.throwNext.shift() ?? probe.throwAlways;
    if (error) return Promise.reject(error);
    return Promise.resolve({
      outputs: echoOutputs(batch, probe.output),
      delivered: (info) => probe.delivered.push(info.rows),
    });
  }

  @EventPattern(`${PATTERN}.assigned`)
  assigned(@Payload() assignment: PartitionAssignment): void {
    this.probe.assignments.push(assignment);
  }
}

interface TestApp {
  readonly app: INestApplication;
  readonly probe: Probe;
  readonly registry: Registry;
  readonly health: HealthRegistry;
  readonly groupId: string;
  readonly metricsPrefix: string;
}

/**
 * The batch transport inside a tiny Nest app: a @Controller with the batch pattern and its
 * `.assigned` event, the `batchTransport` provider, and what it injects (Kafka, an admin, a
 * metrics registry, the health registry) given directly.
 */
describe('PartitionBatchServer in a Nest app (real Kafka)', () => {
  let kafka: Kafka;
  let admin: Admin;
  const topics: string[] = [];
  const apps: INestApplication[] = [];

  beforeAll(async () => {
    kafka = testKafka();
    admin = kafka.admin();
    await admin.connect();
  });

  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close().catch(() => undefined)));
  });

  afterAll(async () => {
    await deleteTestTopics(admin, topics);
    await admin.disconnect();
  });

  /** An input topic of 2 partitions holding RECORDS records, and an empty output topic. */
  async function topicPair(): Promise<{ input: string; output: string }> {
    const input = randomName('server-in');
    const output = randomName('server-out');
    topics.push(input, output);
    await createTestTopics(admin, [
      { name: input, partitions: 2 },
      { name: output, partitions: 2 },
    ]);
    await produce(input, 0, RECORDS);
    return { input, output };
  }

  async function produce(topic: string, from: number, count: number): Promise<void> {
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic,
      messages: Array.from({ length: count }, (_, i) => ({
        value: String(from + i),
        partition: (from + i) % 2,
      })),
    });
    await producer.disconnect();
  }

  async function startApp(input: string, output: string, setUp?: (probe: Probe) => void): Promise<TestApp> {
    const probe = new Probe(output);
    setUp?.(probe);
    const registry = new Registry();
    const groupId = randomName('server-group');
    const metricsPrefix = `test_${randomName('svc').replace(/\W/g, '_')}`;

    @Module({
      controllers: [TestBatchController],
      providers: [
        { provide: PROBE, useValue: probe },
        { provide: KAFKA, useValue: kafka },
        { provide: KAFKA_ADMIN, useValue: admin },
        { provide: METRICS_REGISTRY, useValue: registry },
        HealthRegistry,
        batchTransport({
          inject: [],
          settings: () => ({
            pattern: PATTERN,
            metricsPrefix,
            groupId,
            topics: [input],
            delivery: 'exactly-once',
            maxBatchRows: 20,
            backoff: { initialMs: 20, maxMs: 100 },
          }),
        }),
      ],
    })
    class TestAppModule {}

    const app = await NestFactory.create(TestAppModule, { logger: false });
    apps.push(app);
    await app.init();
    await startBatchTransport(app);
    return { app, probe, registry, health: app.get(HealthRegistry), groupId, metricsPrefix };
  }

  async function retries({ registry, metricsPrefix }: TestApp, topic: string): Promise<number> {
    const metric = registry.getSingleMetric(`${metricsPrefix}_retries_total`);
    if (!metric) throw new Error(`${metricsPrefix}_retries_total is not registered`);
    const { values } = await metric.get();
    return values.find((v) => v.labels['topic'] === topic)?.value ?? 0;
  }

  async function readOutput(output: string, expected: number): Promise<number[]> {
    const out = await readTopicToEnd(kafka, output, {
      expected,
      isolation: 'read_committed',
      timeoutMs: 30_000,
    });
    return out.map((m) => Number(m.value?.toString())).sort((a, b) => a - b);
  }

  const every = (count: number): number[] => Array.from({ length: count }, (_, i) => i);

  it('should hand micro-batches to the @MessagePattern handler and deliver its outputs once; the .assigned event handler is told', async () => {
    const { input, output } = await topicPair();
    const t = await startApp(input, output);

    await waitFor(() => t.probe.deliveredRows >= RECORDS, {
      timeoutMs: 30_000,
      description: 'every record delivered',
    });
    await awaitGroupCommitted(admin, t.groupId, input, { timeoutMs: 30_000 });

    expect(await readOutput(output, RECORDS)).toEqual(every(RECORDS));
    expect(t.probe.assignments).toEqual([{ [input]: [0, 1] }]);
    expect(t.probe.batches.length).toBeGreaterThanOrEqual(RECORDS / 20);
    // @Ctx() is the micro-batch's topic and partition.
    expect(t.probe.batches.every((b) => b.context === `${b.topic}:${b.partition}`)).toBe(true);
    expect(t.probe.batches.every((b) => b.rows <= 20)).toBe(true);
    expect(await retries(t, input)).toBe(0);
  }, 60_000);

  // What @BatchHandlerController() is for: Nest's default RPC filter would hand the transport a
  // plain { status, message } object for every handler error, and nothing would be retriable.
  it('should hand a RetriableError thrown by the Nest handler to the transport unchanged: retried, counted, then delivered once', async () => {
    const { input, output } = await topicPair();
    // The handler's first call fails retriably.
    const t = await startApp(input, output, (probe) =>
      probe.throwNext.push(new RetriableError('feature store down')),
    );

    await waitFor(() => t.probe.deliveredRows >= RECORDS, {
      timeoutMs: 30_000,
      description: 'every record delivered',
    });
    await awaitGroupCommitted(admin, t.groupId, input, { timeoutMs: 30_000 });

    expect(t.probe.throwNext).toEqual([]);
    expect(await retries(t, input)).toBeGreaterThanOrEqual(1);
    // The failed micro-batch was handed again, whole.
    const [failed] = t.probe.batches;
    expect(failed).toBeDefined();
    expect(
      t.probe.batches.filter(
        (b) => b.partition === failed?.partition && b.firstOffset === failed.firstOffset,
      ),
    ).toHaveLength(2);
    expect(await readOutput(output, RECORDS)).toEqual(every(RECORDS));
    expect((await t.health.readiness()).checks['consumer']).toEqual({ status: 'up' });
  }, 60_000);

  it('should hand any other error to the transport unchanged: it stops, the consumer readiness check names the error, nothing is committed', async () => {
    const { input, output } = await topicPair();
    const t = await startApp(input, output, (probe) => {
      probe.throwAlways = new TypeError("cannot read properties of undefined (reading 'score')");
    });

    const consumer = await waitFor(
      async () => {
        const check = (await t.health.readiness()).checks['consumer'];
        return check?.status === 'down' ? check : false;
      },
      { timeoutMs: 30_000, description: 'the consumer readiness check fails' },
    );

    // The error's own text (kafkajs may wrap it when the consumer crashes), not Nest's { status, message }.
    expect(consumer.error).toContain("cannot read properties of undefined (reading 'score')");
    expect(t.probe.batches.length).toBeGreaterThanOrEqual(1);
    expect(t.probe.delivered).toEqual([]);
    expect(await retries(t, input)).toBe(0);
    const [committed] = await admin.fetchOffsets({ groupId: t.groupId, topics: [input] });
    expect(committed?.partitions.map((p) => p.offset)).toEqual(['-1', '-1']);
    expect(await readOutput(output, 0)).toEqual([]);
  }, 60_000);

  it('should stop consuming and leave the group on app.close()', async () => {
    const { input, output } = await topicPair();
    const t = await startApp(input, output);
    await waitFor(() => t.probe.deliveredRows >= RECORDS, {
      timeoutMs: 30_000,
      description: 'every record delivered',
    });
    await awaitGroupCommitted(admin, t.groupId, input, { timeoutMs: 30_000 });
    const handled = t.probe.batches.length;

    await t.app.close();
    apps.splice(apps.indexOf(t.app), 1);
    await produce(input, RECORDS, 10);
    await new Promise((resolve) => setTimeout(resolve, 2_000));

    const [group] = (await admin.describeGroups([t.groupId])).groups;
    expect(group?.state).toBe('Empty');
    expect(group?.members).toEqual([]);
    expect(t.probe.batches).toHaveLength(handled);
    const [committed] = await admin.fetchOffsets({ groupId: t.groupId, topics: [input] });
    const total = (committed?.partitions ?? []).reduce((n, p) => n + Number(p.offset), 0);
    expect(total).toBe(RECORDS);
    expect(await readOutput(output, RECORDS)).toEqual(every(RECORDS));
  }, 60_000);
});
