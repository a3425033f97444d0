/**
 * @jest-environment ./libs/models/testing/onnx-environment.js
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readManifest, type ModelManifest } from '@streamscore/models';
import { mlpForward, readMlpFromOnnx } from '@streamscore/training';
import { MODEL_DIR } from '@streamscore/demo-flights/testing';
import { ScoringPool } from './scoring-pool';

describe('ScoringPool', () => {
  let pool: ScoringPool;
  let manifest: ModelManifest;
  let bytes: Uint8Array;

  beforeAll(async () => {
    manifest = await readManifest(MODEL_DIR);
    bytes = await readFile(join(MODEL_DIR, manifest.model.file));
    pool = new ScoringPool({ workers: 1, executionProviders: ['cpu'], intraOpNumThreads: 1 });
    await pool.load('demo@1', bytes, manifest);
  });

  afterAll(async () => {
    await pool.close();
  });

  it('scores a batch in the worker as the forward pass does, and times the run', async () => {
    const width = manifest.inputs[0]!.shape[1];
    const rows = 64;
    const tensor = new Float32Array(rows * width).map((_, i) => Math.sin(i) * 2);
    const expected = mlpForward(readMlpFromOnnx(bytes), tensor.slice(), rows);
    const result = await pool.score('demo@1', tensor, rows);
    expect(result.scores).toHaveLength(rows);
    result.scores.forEach((score, row) => {
      expect(score).toBeCloseTo(expected[row]!, 5);
    });
    expect(result.runMs).toBeGreaterThan(0);
    expect(result.totalMs).toBeGreaterThanOrEqual(result.runMs);
    if (process.platform !== 'linux') return;
    // The worker's own clock: the wait for a CPU is part of the run's wall time (give or take
    // the two /proc reads around it).
    expect(result.runWaitMs).toBeDefined();
    expect(result.runWaitMs).toBeGreaterThanOrEqual(0);
    expect(result.runWaitMs).toBeLessThanOrEqual(result.runMs + 1);
  });
});
