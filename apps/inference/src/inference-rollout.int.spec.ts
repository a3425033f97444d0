import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Admin, Kafka } from 'kafkajs';
import type { Redis } from 'ioredis';
import { TopicCatalogue, type ModelArtifact, type ModelDeployment } from '@streamscore/contracts';
import { DeploymentCodec, routingBucket } from '@streamscore/deployments';
import { sha256Hex } from '@streamscore/models';
import { createRedis } from '@streamscore/platform';
import {
  createTestTopics,
  deleteTestTopics,
  randomName,
  readTopicToEnd,
  startServiceProcess,
  testKafka,
  waitFor,
  type ServiceProcess,
} from '@streamscore/testing';
import {
  decodePredictions,
  deleteKeys,
  flightStream,
  inferenceEnv,
  materializeFlights,
  MODEL_DIR,
  produceValidated,
  ROOT,
  writeDemoPipelineServing,
} from '@streamscore/demo-flights/testing';

const EVENTS = 10_000;
const MODEL = 'flight-delay';

/** A private repository: v1 (the committed model), v2 (same graph, its own version), v3 (not ONNX). */
function makeRepository(): {
  dir: string;
  pipeline: string;
  artifacts: Record<'v1' | 'v2' | 'v3', ModelArtifact>;
} {
  const dir = mkdtempSync(join(tmpdir(), 'inference-rollout-'));
  const manifest = JSON.parse(readFileSync(join(MODEL_DIR, 'manifest.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  const onnx = readFileSync(join(MODEL_DIR, 'model.onnx'));
  const write = (version: number, bytes: Buffer): ModelArtifact => {
    const versionDir = join(dir, 'models', MODEL, String(version));
    cpSync(MODEL_DIR, versionDir, { recursive: true });
    const sha256 = sha256Hex(bytes);
    writeFileSync(join(versionDir, 'model.onnx'), bytes);
    const model = { ...(manifest['model'] as object), sha256 };
    writeFileSync(join(versionDir, 'manifest.json'), JSON.stringify({ ...manifest, version, model }));
    return { version: String(version), uri: `${MODEL}/${version}`, sha256 };
  };
  const artifacts = {
    v1: write(1, onnx),
    v2: write(2, onnx),
    v3: write(3, Buffer.from('these bytes are not a model')),
  };
  const pipeline = writeDemoPipelineServing(join(dir, 'pipeline.json'), join(dir, 'models'), MODEL);
  return { dir, pipeline, artifacts };
}

describe('inference model roll-out on the real Kafka and Redis', () => {
  let kafka: Kafka;
  let admin: Admin;
  let redis: Redis;
  let keyPrefix = '';
  let service: ServiceProcess | undefined;
  let catalogue: TopicCatalogue;
  const repository = makeRepository();
  const stream = flightStream(EVENTS);
  const codec = new DeploymentCodec(join(ROOT, 'schemas'));

  beforeAll(async () => {
    kafka = testKafka();
    admin = kafka.admin();
    await admin.connect();
    redis = createRedis({ url: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379' });
    keyPrefix = await materializeFlights(redis, stream);
  });

  afterAll(async () => {
    await service?.stop('SIGKILL');
    await deleteTestTopics(admin, catalogue.all());
    await deleteKeys(redis, keyPrefix);
    await admin.disconnect();
    await redis.quit();
    rmSync(repository.dir, { recursive: true, force: true });
  });

  /** Written raw (not through DeploymentWriter, which would refuse v3 before any replica sees it). */
  async function deploy(
    change: Pick<ModelDeployment, 'active' | 'canary' | 'shadow'>,
    reason: string,
  ): Promise<void> {
    const producer = kafka.producer();
    await producer.connect();
    const record: ModelDeployment = {
      model: MODEL,
      ...change,
      updatedAt: Date.now(),
      updatedBy: 'test',
      reason,
    };
    await producer.send({
      topic: catalogue.name('modelDeployments'),
      messages: [{ key: MODEL, value: codec.encodeDeployment(record) }],
    });
    await producer.disconnect();
  }

  /** Sum of a metric's samples carrying every given label (prom-client may add default labels). */
  async function metric(name: string, labels: Record<string, string> = {}): Promise<number> {
    const text = await (await fetch(`${service?.url ?? ''}/metrics`)).text();
    return text
      .split('\n')
      .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
      .filter((l) => Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)))
      .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
  }

  it('should route 10% to the canary deterministically, keep shadow scores apart, and refuse a corrupt version', async () => {
    const prefix = randomName('infroll');
    catalogue = new TopicCatalogue({ prefix, partitions: 3 });
    await createTestTopics(admin, catalogue.all());
    const { v1, v2, v3 } = repository.artifacts;
    await deploy({ active: v1, canary: { ...v2, share: 0.1 }, shadow: null }, 'canary at 10%');
    const input = catalogue.name('eventsValidated');
    await produceValidated(kafka, input, stream.scored, 0);
    service = await startServiceProcess(
      'inference',
      inferenceEnv(prefix, keyPrefix, { STREAMSCORE_PIPELINE: repository.pipeline, LOG_LEVEL: 'info' }),
    );

    // Canary: 8–12% of 10,000 events by v2, each exactly where the routing bucket says.
    const first = await decodePredictions(
      await readTopicToEnd(kafka, catalogue.name('predictions'), {
        isolation: 'read_committed',
        expected: EVENTS,
        timeoutMs: 120_000,
      }),
    );
    expect(first).toHaveLength(EVENTS);
    const canary = first.filter((p) => p.role === 'CANARY');
    const share = canary.length / EVENTS;
    process.stdout.write(`canary share: ${canary.length}/${EVENTS} = ${(share * 100).toFixed(2)}%\n`);
    expect(share).toBeGreaterThanOrEqual(0.08);
    expect(share).toBeLessThanOrEqual(0.12);
    for (const p of first) {
      expect(p.modelVersion).toBe(p.role === 'CANARY' ? '2' : '1');
      expect(p.role).toBe(routingBucket(p.eventId) < 0.1 ? 'CANARY' : 'ACTIVE');
    }
    const versionOf = new Map(first.map((p) => [p.eventId, p.modelVersion]));

    // A replay of the first 1,000 events is scored by the same versions.
    const replayed = stream.scored.slice(0, 1_000);
    const phase1At = Date.now();
    await produceValidated(kafka, input, replayed, 0);
    const afterReplay = await decodePredictions(
      await readTopicToEnd(kafka, catalogue.name('predictions'), {
        isolation: 'read_committed',
        expected: EVENTS + 1_000,
        timeoutMs: 60_000,
      }),
    );
    const replays = afterReplay.filter((p) => p.scoredAt >= phase1At);
    expect(replays).toHaveLength(1_000);
    expect(replays.every((p) => versionOf.get(p.eventId) === p.modelVersion)).toBe(true);

    // Shadow: v2 scores every event on predictions.shadow only; predictions stay ACTIVE v1.
    await deploy({ active: v1, canary: null, shadow: v2 }, 'shadow v2');
    await waitFor(async () => (await metric('inference_serving', { version: '2', role: 'SHADOW' })) === 1, {
      timeoutMs: 30_000,
    });
    const phase2At = Date.now();
    await produceValidated(kafka, input, replayed, 0);
    const withShadow = await decodePredictions(
      await readTopicToEnd(kafka, catalogue.name('predictions'), {
        isolation: 'read_committed',
        expected: EVENTS + 2_000,
        timeoutMs: 60_000,
      }),
    );
    const shadow = await decodePredictions(
      await readTopicToEnd(kafka, catalogue.name('predictionsShadow'), {
        isolation: 'read_committed',
        expected: 1_000,
        timeoutMs: 60_000,
      }),
    );
    expect(
      withShadow
        .filter((p) => p.scoredAt >= phase2At)
        .every((p) => p.role === 'ACTIVE' && p.modelVersion === '1'),
    ).toBe(true);
    expect(withShadow.some((p) => p.role === 'SHADOW')).toBe(false);
    expect(shadow).toHaveLength(1_000);
    expect(withShadow.filter((p) => p.scoredAt >= phase2At)).toHaveLength(1_000);
    expect(shadow.every((p) => p.role === 'SHADOW' && p.modelVersion === '2')).toBe(true);

    // Corrupt versions: bad bytes, then a wrong sha256. Both refused; v1 (and shadow v2) serve on.
    await deploy({ active: v3, canary: null, shadow: null }, 'bad bytes');
    await deploy({ active: { ...v2, sha256: 'ab'.repeat(32) }, canary: null, shadow: null }, 'wrong sha256');
    await waitFor(async () => (await metric('inference_model_versions_refused_total')) >= 2, {
      timeoutMs: 30_000,
    });
    const phase3At = Date.now();
    await produceValidated(kafka, input, replayed, 0);
    const afterRefusal = await decodePredictions(
      await readTopicToEnd(kafka, catalogue.name('predictions'), {
        isolation: 'read_committed',
        expected: EVENTS + 3_000,
        timeoutMs: 60_000,
      }),
    );
    expect(afterRefusal).toHaveLength(EVENTS + 3_000);
    expect(afterRefusal.filter((p) => p.scoredAt >= phase3At)).toHaveLength(1_000);
    expect(
      afterRefusal
        .filter((p) => p.scoredAt >= phase3At)
        .every((p) => p.modelVersion === '1' && p.role === 'ACTIVE'),
    ).toBe(true);
    expect(await metric('inference_model_versions_refused_total', { version: '3', code: 'NOT_ONNX' })).toBe(
      1,
    );
    expect(
      await metric('inference_model_versions_refused_total', { version: '2', code: 'SHA256_MISMATCH' }),
    ).toBe(1);
    expect(service.output()).toContain('refused, the current version keeps serving');
    expect(await service.stop('SIGTERM')).toBe(0);
    service = undefined;
  }, 300_000);
});
