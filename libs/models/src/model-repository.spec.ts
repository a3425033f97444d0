/**
 * @jest-environment ./libs/models/testing/onnx-environment.js
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ModelError } from './errors';
import { fixtureManifest } from './manifest.fixture';
import type { ModelManifest } from './manifest-types';
import { ModelRepository } from './model-repository';
import { sha256Hex } from './model-session';
import { denseSigmoidOnnx } from './onnx-model.fixture';
import { scoreEvents } from './scoring';

const WIDTH = 9;
const onnxBytes = denseSigmoidOnnx(
  {
    inputs: WIDTH,
    outputs: 1,
    weights: Float32Array.from({ length: WIDTH }, (_, i) => i / 10),
    bias: Float32Array.of(0.1),
  },
  { input: 'features', output: 'probability' },
);

let root: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'models-'));
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function writeVersion(
  version: number,
  model: Uint8Array,
  manifest: ModelManifest | Record<string, unknown>,
): Promise<void> {
  const directory = join(root, 'fixture', String(version));
  await mkdir(directory, { recursive: true });
  await writeFile(join(directory, 'model.onnx'), model);
  await writeFile(join(directory, 'manifest.json'), JSON.stringify(manifest));
}

async function loadError(version: number): Promise<ModelError> {
  const error: unknown = await new ModelRepository(root).load('fixture', version).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof ModelError)) throw new Error(`expected a ModelError, got ${String(error)}`);
  return error;
}

describe('ModelRepository', () => {
  it('should list versions in numeric order and ignore other directories', async () => {
    for (const version of [2, 10, 1])
      await writeVersion(version, onnxBytes, { ...fixtureManifest(), version });
    await mkdir(join(root, 'fixture', 'tmp'));
    const repository = new ModelRepository(root);
    expect(await repository.listModels()).toEqual(['fixture']);
    expect(await repository.listVersions('fixture')).toEqual([1, 2, 10]);
    expect(await repository.latestVersion('fixture')).toBe(10);
    expect(await repository.listVersions('absent')).toEqual([]);
  });

  it('should load a valid version and score events through the feature-vector builder', async () => {
    await writeVersion(1, onnxBytes, fixtureManifest(sha256Hex(onnxBytes)));
    const model = await new ModelRepository(root).load('fixture', 1);
    try {
      const events = [{ distance: Math.expm1(6), origin: 'ATL', destination: 'X' }];
      const { scores, issues } = await scoreEvents(model, events, [{ 'origin.mean_delay': 10 }]);
      expect(issues).toEqual([]);
      // distance → 0, mean delay → 0, origin=ATL (weight 0.2), one hashed bucket (weight 0.5…0.8).
      expect(scores.length).toBe(1);
      expect(scores[0]).toBeGreaterThan(1 / (1 + Math.exp(-(0.1 + 0.2 + 0.5))) - 1e-6);
      expect(scores[0]).toBeLessThan(1 / (1 + Math.exp(-(0.1 + 0.2 + 0.8))) + 1e-6);
    } finally {
      await model.session.release();
    }
  });

  it('should refuse a manifest with a wrong type, naming the field', async () => {
    await writeVersion(1, onnxBytes, { ...fixtureManifest(sha256Hex(onnxBytes)), createdAt: 20240101 });
    const error = await loadError(1);
    expect(error.code).toBe('INVALID_MANIFEST');
    expect(error.message).toContain('/createdAt: must be string');
  });

  it('should refuse a model file whose sha256 does not match', async () => {
    await writeVersion(1, onnxBytes, fixtureManifest('a'.repeat(64)));
    const error = await loadError(1);
    expect(error.code).toBe('SHA256_MISMATCH');
    expect(error.message).toContain(`expected ${'a'.repeat(64)}, file has ${sha256Hex(onnxBytes)}`);
  });

  it('should refuse a model file that is not ONNX', async () => {
    const notOnnx = new TextEncoder().encode('{"this": "is JSON, not ONNX"}');
    await writeVersion(1, notOnnx, fixtureManifest(sha256Hex(notOnnx)));
    const error = await loadError(1);
    expect(error.code).toBe('NOT_ONNX');
    expect(error.message).toMatch(/model\.onnx is not an ONNX model/);
  });

  it('should refuse a model input that the manifest does not map', async () => {
    const other = denseSigmoidOnnx(
      { inputs: WIDTH, outputs: 1, weights: new Float32Array(WIDTH), bias: Float32Array.of(0) },
      { input: 'x', output: 'probability' },
    );
    await writeVersion(1, other, fixtureManifest(sha256Hex(other)));
    const error = await loadError(1);
    expect(error.code).toBe('MISSING_INPUT_MAPPING');
    expect(error.message).toBe('model input x has no input mapping in the manifest');
  });

  it('should refuse a manifest whose name or version differs from its directory', async () => {
    await writeVersion(3, onnxBytes, fixtureManifest(sha256Hex(onnxBytes)));
    const error = await loadError(3);
    expect(error.code).toBe('INVALID_MANIFEST');
    expect(error.issues).toEqual([{ path: '/version', message: 'does not match the directory' }]);
  });
});
