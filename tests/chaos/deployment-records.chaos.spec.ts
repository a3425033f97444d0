import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  encodeSingleObject,
  loadSchemaHistory,
  type ModelArtifact,
  type ModelDeployment,
} from '@streamscore/contracts';
import { endOffsetSum, waitFor } from '@streamscore/testing';
import { MODEL_DIR, ROOT } from '@streamscore/demo-flights/testing';
import { chaosSize } from './support/chaos-size';
import { startChaosStack, type ChaosStack } from './support/chaos-stack';
import {
  metricSum,
  prepareInference,
  printInferenceAccounting,
  readInferenceOutcome,
} from './support/inference-run';
import {
  CHAOS_MODEL as MODEL,
  demoArtifact,
  demoManifest,
  privateRepository,
  type PrivateRepository,
} from './support/model-repository';

const SIZE = chaosSize();
const REFUSED = 'inference_model_versions_refused_total';

/**
 * A private model repository: v1 (the committed model), v2 (the ONNX file but no manifest.json),
 * v3 (a manifest naming a file that is not there); no v9 at all.
 */
function brokenRepository(): PrivateRepository & { v1: ModelArtifact } {
  const repository = privateRepository('chaos-deployments');
  mkdirSync(repository.versionDir('2'));
  writeFileSync(join(repository.versionDir('2'), 'model.onnx'), readFileSync(join(MODEL_DIR, 'model.onnx')));
  const v3 = repository.versionDir('3');
  cpSync(MODEL_DIR, v3, { recursive: true });
  rmSync(join(v3, 'model.onnx'));
  const manifest = demoManifest();
  writeFileSync(
    join(v3, 'manifest.json'),
    JSON.stringify({ ...manifest, version: 3, model: { ...manifest.model, file: 'missing.onnx' } }),
  );
  return { ...repository, v1: demoArtifact('1') };
}

/**
 * Scenario 4 (issue 9), the control-plane part: malformed model-deployment records written straight
 * to the compacted topic (DeploymentWriter would refuse them before any replica saw them).
 */
describe('chaos: malformed model-deployment records under inference', () => {
  let chaos: ChaosStack;
  const repository = brokenRepository();

  beforeAll(async () => {
    chaos = await startChaosStack();
  }, 30 * 60_000);

  afterAll(async () => {
    await chaos.teardown();
    repository.remove();
  }, 120_000);

  it('refuses a missing version, a wrong sha256, a missing manifest and a missing model file; v1 serves on', async () => {
    const started = Date.now();
    const run = await prepareInference(chaos, SIZE.inferenceEvents, {
      STREAMSCORE_PIPELINE: repository.pipeline,
      LOG_LEVEL: 'info',
    });
    const type = loadSchemaHistory(join(ROOT, 'schemas', 'model-deployment')).latest.type;
    const producer = chaos.kafka.producer();
    await producer.connect();
    const deploy = async (active: ModelArtifact, reason: string): Promise<void> => {
      const record: ModelDeployment = {
        model: MODEL,
        active,
        canary: null,
        shadow: null,
        updatedAt: Date.now(),
        updatedBy: 'chaos',
        reason,
      };
      await producer.send({
        topic: run.catalogue.name('modelDeployments'),
        messages: [{ key: MODEL, value: encodeSingleObject(type, record) }],
      });
    };
    const { v1 } = repository;
    await deploy(v1, 'serve v1');
    const service = await chaos.start('inference', run.env);
    await waitFor(
      async () => (await endOffsetSum(chaos.admin, run.catalogue.name('predictions'))) > run.events * 0.1,
      { timeoutMs: 180_000, intervalMs: 20 },
    );

    const malformed: [ModelArtifact, string][] = [
      [{ ...v1, version: '9', uri: `${MODEL}/9` }, 'a version that does not exist'],
      [{ ...v1, sha256: 'ab'.repeat(32) }, 'a wrong sha256'],
      [{ ...v1, version: '2', uri: `${MODEL}/2` }, 'no manifest'],
      [{ ...v1, version: '3', uri: `${MODEL}/3` }, 'a manifest naming a missing file'],
    ];
    for (const [artifact, reason] of malformed) await deploy(artifact, reason);
    await producer.disconnect();
    await waitFor(async () => (await metricSum(service.url, REFUSED)) >= malformed.length, {
      timeoutMs: 60_000,
      intervalMs: 250,
      description: 'every malformed record refused',
    });
    const refusedAt = Date.now();

    const outcome = await readInferenceOutcome(chaos.kafka, run);
    const afterRefusals = outcome.predictions.filter((p) => p.scoredAt >= refusedAt);
    const notV1 = outcome.predictions.filter((p) => p.modelVersion !== '1' || p.role !== 'ACTIVE').length;
    const refusedByVersion = Object.fromEntries(
      await Promise.all(
        ['9', '1', '2', '3'].map(async (v) => [v, await metricSum(service.url, REFUSED, { version: v })]),
      ),
    ) as Record<string, number>;
    const refusalLines = service
      .output()
      .split('\n')
      .filter((l) => l.includes('refused, the current version keeps serving'));
    const ready = await fetch(`${service.url}/health/ready`);
    printInferenceAccounting('hostile/deployment-records', run, outcome, started, {
      malformedRecords: malformed.length,
      refused: Object.values(refusedByVersion).reduce((a, b) => a + b, 0),
      refusalLogLines: refusalLines.length,
      scoredAfterRefusals: afterRefusals.length,
      notV1,
      size: SIZE.label,
    });
    for (const line of refusalLines) process.stdout.write(`  ${line.slice(0, 300)}\n`);
    expect(refusedByVersion).toEqual({ '9': 1, '1': 1, '2': 1, '3': 1 });
    expect(refusalLines).toHaveLength(malformed.length);
    expect(afterRefusals.length).toBeGreaterThan(0);
    expect(notV1).toBe(0);
    expect(outcome).toMatchObject({
      predicted: run.events,
      deadLettered: run.bad,
      duplicates: 0,
      missing: 0,
    });
    expect(ready.status).toBe(200);
    expect(service.child.exitCode).toBeNull();
  }, 600_000);
});
