/**
 * @jest-environment ./libs/models/testing/onnx-environment.js
 */
import { InferenceSession } from 'onnxruntime-node';
import { ModelError } from './errors';
import type { ModelManifest } from './manifest-types';
import { fixtureManifest } from './manifest.fixture';
import { denseSigmoidForward, denseSigmoidOnnx, type DenseSigmoid } from './onnx-model.fixture';
import { runScoring, scoringTensors, type ScoringTensors } from './scoring';

const WIDTH = 9;

/** One dense layer, 9 → `columns` sigmoid outputs, written with the fixture manifest's tensors. */
function dense(columns: number): DenseSigmoid {
  return {
    inputs: WIDTH,
    outputs: columns,
    weights: Float32Array.from({ length: WIDTH * columns }, (_, i) => Math.sin(i + 1)),
    bias: Float32Array.from({ length: columns }, (_, i) => i / 4),
  };
}

function withOutputColumns(manifest: ModelManifest, columns: number): ModelManifest {
  const [output] = manifest.outputs;
  return { ...manifest, outputs: [{ ...output!, shape: [-1, columns] }] };
}

describe('scoringTensors', () => {
  it("should give the manifest's one input and first output", () => {
    const manifest = fixtureManifest();
    expect(scoringTensors(manifest)).toEqual({ input: manifest.inputs[0], output: manifest.outputs[0] });
  });

  it('should refuse two inputs or no output with TENSOR_MISMATCH', () => {
    const manifest = fixtureManifest();
    for (const bad of [
      { ...manifest, inputs: [manifest.inputs[0]!, { ...manifest.inputs[0]!, tensor: 'other' }] },
      { ...manifest, outputs: [] },
    ]) {
      expect(() => scoringTensors(bad)).toThrow(ModelError);
      expect(() => scoringTensors(bad)).toThrow('fixture@1: scoring supports one input and one output');
    }
  });
});

describe('runScoring', () => {
  const rows = 5;
  const tensor = Float32Array.from({ length: rows * WIDTH }, (_, i) => Math.cos(i) * 2);

  async function session(model: DenseSigmoid): Promise<InferenceSession> {
    const manifest = fixtureManifest();
    return InferenceSession.create(
      denseSigmoidOnnx(model, { input: manifest.inputs[0]!.tensor, output: manifest.outputs[0]!.tensor }),
    );
  }

  it('should return the scores of the forward pass in a buffer of its own, and time the run', async () => {
    const model = dense(1);
    const run = await session(model);
    try {
      const { scores, runMs } = await runScoring(run, scoringTensors(fixtureManifest()), tensor, rows);
      const expected = denseSigmoidForward(model, tensor, rows);
      expect(scores).toHaveLength(rows);
      scores.forEach((score, row) => {
        expect(score).toBeCloseTo(expected[row]!, 6);
      });
      // Owned: exactly the scores, so a worker can transfer it.
      expect(scores.byteOffset).toBe(0);
      expect(scores.buffer.byteLength).toBe(rows * 4);
      expect(runMs).toBeGreaterThan(0);
    } finally {
      await run.release();
    }
  });

  it('should take the first column of a wider output', async () => {
    const model = dense(3);
    const run = await session(model);
    try {
      const tensors: ScoringTensors = scoringTensors(withOutputColumns(fixtureManifest(), 3));
      const { scores } = await runScoring(run, tensors, tensor, rows);
      const all = denseSigmoidForward(model, tensor, rows);
      expect(all).toHaveLength(rows * 3);
      scores.forEach((score, row) => {
        expect(score).toBeCloseTo(all[row * 3]!, 6);
      });
    } finally {
      await run.release();
    }
  });

  it('should refuse a tensor whose length is not rows × width, before running', async () => {
    const runFn = jest.fn();
    const run = { run: runFn } as unknown as InferenceSession;
    await expect(runScoring(run, scoringTensors(fixtureManifest()), new Float32Array(10), 1)).rejects.toThrow(
      'tensor holds 10 values, expected 1×9',
    );
    expect(runFn).not.toHaveBeenCalled();
  });
});
