import { mulberry32 } from '@streamscore/drift';
import type { Mlp } from './mlp';
import { gaussian, shuffleInPlace } from './random';

export interface TrainOptions {
  /** Hidden layer sizes; [] trains logistic regression. */
  readonly hidden: readonly number[];
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  /** L2 penalty on weights (not biases), added to the mean loss as l2/2·‖W‖². */
  readonly l2: number;
  readonly seed: number;
  /** Called after every mini-batch with the fraction of work done and the running epoch loss. */
  readonly onProgress?: (done: number, epochLoss: number) => void;
}

export interface TrainingSet {
  /** rows × width, row-major. */
  readonly x: Float32Array;
  /** 0 or 1 per row. */
  readonly y: Uint8Array;
  readonly rows: number;
  readonly width: number;
}

/** Adam (Kingma & Ba 2015, https://arxiv.org/abs/1412.6980) with its paper defaults. */
const BETA1 = 0.9;
const BETA2 = 0.999;
const ADAM_EPSILON = 1e-8;

interface Layer {
  readonly inputs: number;
  readonly outputs: number;
  readonly w: Float64Array;
  readonly b: Float64Array;
  readonly gw: Float64Array;
  readonly gb: Float64Array;
  readonly mw: Float64Array;
  readonly vw: Float64Array;
  readonly mb: Float64Array;
  readonly vb: Float64Array;
}

function initLayers(sizes: readonly number[], random: () => number): Layer[] {
  const layers: Layer[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const inputs = sizes[l] ?? 0;
    const outputs = sizes[l + 1] ?? 0;
    // He initialisation for ReLU layers (He et al. 2015); small Glorot-like scale for the output.
    const scale = l + 2 < sizes.length ? Math.sqrt(2 / inputs) : Math.sqrt(1 / inputs);
    const w = Float64Array.from({ length: inputs * outputs }, () => gaussian(random) * scale);
    const n = inputs * outputs;
    layers.push({
      inputs,
      outputs,
      w,
      b: new Float64Array(outputs),
      gw: new Float64Array(n),
      gb: new Float64Array(outputs),
      mw: new Float64Array(n),
      vw: new Float64Array(n),
      mb: new Float64Array(outputs),
      vb: new Float64Array(outputs),
    });
  }
  return layers;
}

function adamStep(
  param: Float64Array,
  grad: Float64Array,
  m: Float64Array,
  v: Float64Array,
  rate: number,
): void {
  for (let k = 0; k < param.length; k++) {
    const g = grad[k] ?? 0;
    const mk = BETA1 * (m[k] ?? 0) + (1 - BETA1) * g;
    const vk = BETA2 * (v[k] ?? 0) + (1 - BETA2) * g * g;
    m[k] = mk;
    v[k] = vk;
    param[k] = (param[k] ?? 0) - (rate * mk) / (Math.sqrt(vk) + ADAM_EPSILON);
  }
}

/**
 * Mini-batch training of a sigmoid-output MLP on binary cross-entropy. Deterministic for a seed:
 * the only randomness is the seeded PRNG (initialisation and per-epoch shuffles), and all
 * arithmetic is sequential float64.
 */
export function trainMlp(data: TrainingSet, options: TrainOptions): Mlp {
  const random = mulberry32(options.seed);
  const sizes = [data.width, ...options.hidden, 1];
  const layers = initLayers(sizes, random);
  const batch = options.batchSize;
  const acts = sizes.map((size) => new Float64Array(batch * size));
  const deltas = sizes.map((size) => new Float64Array(batch * size));
  const order = Uint32Array.from({ length: data.rows }, (_, i) => i);
  const batchesPerEpoch = Math.ceil(data.rows / batch);
  let step = 0;
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    shuffleInPlace(order, random);
    let epochLoss = 0;
    for (let start = 0; start < data.rows; start += batch) {
      const size = Math.min(batch, data.rows - start);
      const input = acts[0] ?? new Float64Array(0);
      for (let r = 0; r < size; r++) {
        const row = order[start + r] ?? 0;
        for (let i = 0; i < data.width; i++) input[r * data.width + i] = data.x[row * data.width + i] ?? 0;
      }
      // Forward.
      layers.forEach((layer, l) => {
        const x = acts[l] ?? input;
        const z = acts[l + 1] ?? input;
        const last = l === layers.length - 1;
        for (let r = 0; r < size; r++) {
          for (let o = 0; o < layer.outputs; o++) {
            let sum = layer.b[o] ?? 0;
            for (let i = 0; i < layer.inputs; i++)
              sum += (x[r * layer.inputs + i] ?? 0) * (layer.w[o * layer.inputs + i] ?? 0);
            z[r * layer.outputs + o] = last ? 1 / (1 + Math.exp(-sum)) : Math.max(0, sum);
          }
        }
      });
      // Output delta of sigmoid + cross-entropy is p − y, averaged over the batch.
      const probabilities = acts[layers.length] ?? input;
      const outDelta = deltas[layers.length] ?? input;
      for (let r = 0; r < size; r++) {
        const p = probabilities[r] ?? 0;
        const y = data.y[order[start + r] ?? 0] ?? 0;
        outDelta[r] = (p - y) / size;
        epochLoss -= y > 0 ? Math.log(Math.max(p, 1e-15)) : Math.log(Math.max(1 - p, 1e-15));
      }
      // Backward.
      for (let l = layers.length - 1; l >= 0; l--) {
        const layer = layers[l];
        if (!layer) continue;
        const x = acts[l] ?? input;
        const delta = deltas[l + 1] ?? input;
        const below = deltas[l] ?? input;
        layer.gw.fill(0);
        layer.gb.fill(0);
        for (let r = 0; r < size; r++) {
          for (let o = 0; o < layer.outputs; o++) {
            const d = delta[r * layer.outputs + o] ?? 0;
            if (d === 0) continue;
            layer.gb[o] = (layer.gb[o] ?? 0) + d;
            for (let i = 0; i < layer.inputs; i++) {
              const k = o * layer.inputs + i;
              layer.gw[k] = (layer.gw[k] ?? 0) + d * (x[r * layer.inputs + i] ?? 0);
            }
          }
        }
        if (l > 0) {
          for (let r = 0; r < size; r++) {
            for (let i = 0; i < layer.inputs; i++) {
              // ReLU derivative: the activation below is positive exactly where it passed.
              if ((x[r * layer.inputs + i] ?? 0) <= 0) {
                below[r * layer.inputs + i] = 0;
                continue;
              }
              let sum = 0;
              for (let o = 0; o < layer.outputs; o++)
                sum += (delta[r * layer.outputs + o] ?? 0) * (layer.w[o * layer.inputs + i] ?? 0);
              below[r * layer.inputs + i] = sum;
            }
          }
        }
        for (let k = 0; k < layer.w.length; k++)
          layer.gw[k] = (layer.gw[k] ?? 0) + options.l2 * (layer.w[k] ?? 0);
      }
      step++;
      const rate = (options.learningRate * Math.sqrt(1 - BETA2 ** step)) / (1 - BETA1 ** step);
      for (const layer of layers) {
        adamStep(layer.w, layer.gw, layer.mw, layer.vw, rate);
        adamStep(layer.b, layer.gb, layer.mb, layer.vb, rate);
      }
      const batchesDone = epoch * batchesPerEpoch + start / batch + 1;
      options.onProgress?.(batchesDone / (batchesPerEpoch * options.epochs), epochLoss / (start + size));
    }
  }
  return {
    layers: layers.map((layer) => ({
      inputs: layer.inputs,
      outputs: layer.outputs,
      weights: Float32Array.from(layer.w),
      bias: Float32Array.from(layer.b),
    })),
  };
}
