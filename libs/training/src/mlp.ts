/**
 * A multilayer perceptron for binary scores: dense layers with ReLU between them and a sigmoid at
 * the end. With one layer it is logistic regression. Weights are float32, as in the ONNX export.
 */
export interface DenseLayer {
  readonly inputs: number;
  readonly outputs: number;
  /** outputs × inputs, row-major (ONNX Gemm with transB = 1). */
  readonly weights: Float32Array;
  readonly bias: Float32Array;
}

export interface Mlp {
  readonly layers: readonly DenseLayer[];
}

export function checkMlp(model: Mlp): void {
  if (model.layers.length === 0) throw new RangeError('an MLP needs at least one layer');
  model.layers.forEach((layer, index) => {
    if (layer.weights.length !== layer.inputs * layer.outputs) {
      throw new RangeError(
        `layer ${index}: ${layer.weights.length} weights for ${layer.outputs}×${layer.inputs}`,
      );
    }
    if (layer.bias.length !== layer.outputs) {
      throw new RangeError(`layer ${index}: ${layer.bias.length} biases for ${layer.outputs} outputs`);
    }
    const previous = model.layers[index - 1];
    if (previous && previous.outputs !== layer.inputs) {
      throw new RangeError(
        `layer ${index} takes ${layer.inputs} inputs but layer ${index - 1} gives ${previous.outputs}`,
      );
    }
  });
}

export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/** Dense layer over a batch: out[r, o] = bias[o] + Σ_i x[r, i]·W[o, i]. Accumulates in float64. */
function dense(layer: DenseLayer, x: Float32Array | Float64Array, rows: number): Float64Array {
  const { inputs, outputs, weights, bias } = layer;
  const out = new Float64Array(rows * outputs);
  for (let r = 0; r < rows; r++) {
    const xBase = r * inputs;
    for (let o = 0; o < outputs; o++) {
      let sum = bias[o] ?? 0;
      const wBase = o * inputs;
      for (let i = 0; i < inputs; i++) sum += (x[xBase + i] ?? 0) * (weights[wBase + i] ?? 0);
      out[r * outputs + o] = sum;
    }
  }
  return out;
}

/** The TypeScript reference forward pass: rows × inputs in, rows × outputs probabilities out. */
export function mlpForward(model: Mlp, x: Float32Array, rows: number): Float32Array {
  checkMlp(model);
  const first = model.layers[0];
  if (first && x.length !== rows * first.inputs) {
    throw new RangeError(`input holds ${x.length} values, expected ${rows}×${first.inputs}`);
  }
  let activations: Float32Array | Float64Array = x;
  model.layers.forEach((layer, index) => {
    const z = dense(layer, activations, rows);
    const last = index === model.layers.length - 1;
    for (let k = 0; k < z.length; k++) {
      const v = z[k] ?? 0;
      // Round hidden activations to float32 as ONNX Runtime stores them between nodes.
      z[k] = last ? sigmoid(v) : Math.fround(Math.max(0, v));
    }
    activations = z;
  });
  return Float32Array.from(activations);
}
