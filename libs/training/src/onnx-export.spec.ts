/**
 * @jest-environment ./libs/models/testing/onnx-environment.js
 */
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { mlpForward, type Mlp } from './mlp';
import { exportLogisticRegression, exportMlp, logisticAsMlp } from './onnx-export';
import { readMlpFromOnnx } from './onnx-import';
import { mulberry32 } from '@streamscore/drift';
import { gaussian } from './random';

function randomMatrix(length: number, random: () => number): Float32Array {
  return Float32Array.from({ length }, () => gaussian(random));
}

function randomMlp(sizes: readonly number[], seed: number): Mlp {
  const random = mulberry32(seed);
  return {
    layers: sizes.slice(1).map((outputs, l) => {
      const inputs = sizes[l] ?? 0;
      return {
        inputs,
        outputs,
        weights: randomMatrix(inputs * outputs, random),
        bias: randomMatrix(outputs, random),
      };
    }),
  };
}

async function onnxScores(
  bytes: Uint8Array,
  x: Float32Array,
  rows: number,
  width: number,
): Promise<Float32Array> {
  const session = await InferenceSession.create(bytes);
  try {
    const out = await session.run({ x: new Tensor('float32', x, [rows, width]) });
    return out['p']?.data as Float32Array;
  } finally {
    await session.release();
  }
}

describe('exportMlp', () => {
  it('should give onnxruntime-node scores equal to the TypeScript forward pass to 1e-5', async () => {
    const model = randomMlp([12, 16, 8, 1], 7);
    const rows = 500;
    const x = randomMatrix(rows * 12, mulberry32(11));
    const bytes = exportMlp(model, { inputName: 'x', outputName: 'p' });
    const fromOnnx = await onnxScores(bytes, x, rows, 12);
    const fromTs = mlpForward(model, x, rows);
    expect(fromOnnx.length).toBe(rows);
    let maxDiff = 0;
    fromTs.forEach((value, i) => (maxDiff = Math.max(maxDiff, Math.abs(value - (fromOnnx[i] ?? NaN)))));
    expect(maxDiff).toBeLessThan(1e-5);
    // The scores must spread, or equality would prove little.
    expect(Math.max(...fromTs) - Math.min(...fromTs)).toBeGreaterThan(0.5);
  });

  it('should export logistic regression as Gemm → Sigmoid', async () => {
    const model = { weights: Float32Array.of(0.5, -1.25, 2), bias: -0.25 };
    const x = Float32Array.of(1, 2, 3, 0, 0, 0);
    const fromOnnx = await onnxScores(
      exportLogisticRegression(model, { inputName: 'x', outputName: 'p' }),
      x,
      2,
      3,
    );
    const expected = [1 / (1 + Math.exp(-(0.5 - 2.5 + 6 - 0.25))), 1 / (1 + Math.exp(0.25))];
    expect(fromOnnx[0]).toBeCloseTo(expected[0] ?? NaN, 6);
    expect(fromOnnx[1]).toBeCloseTo(expected[1] ?? NaN, 6);
    const fromTs = mlpForward(logisticAsMlp(model), x, 2);
    expect(Math.abs((fromTs[0] ?? NaN) - (fromOnnx[0] ?? NaN))).toBeLessThan(1e-6);
    expect(Math.abs((fromTs[1] ?? NaN) - (fromOnnx[1] ?? NaN))).toBeLessThan(1e-6);
  });
});

describe('readMlpFromOnnx', () => {
  it('should read back exactly the weights that exportMlp wrote', () => {
    const model = randomMlp([5, 3, 1], 9);
    const read = readMlpFromOnnx(exportMlp(model, { inputName: 'x', outputName: 'p' }));
    expect(read.layers.map((l) => [l.inputs, l.outputs, Array.from(l.weights), Array.from(l.bias)])).toEqual(
      model.layers.map((l) => [l.inputs, l.outputs, Array.from(l.weights), Array.from(l.bias)]),
    );
  });
});
