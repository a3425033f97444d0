import { mulberry32 } from '@streamscore/drift';
import { logLoss, rocAuc } from './binary-metrics';
import { mlpForward } from './mlp';
import { gaussian } from './random';
import { trainMlp, type TrainingSet } from './train-mlp';

/** y ~ Bernoulli(sigmoid(2·x0 − x1 + x0·x1)): learnable, with an interaction only an MLP sees. */
function synthetic(rows: number, seed: number): TrainingSet {
  const random = mulberry32(seed);
  const x = new Float32Array(rows * 3);
  const y = new Uint8Array(rows);
  for (let r = 0; r < rows; r++) {
    const a = gaussian(random);
    const b = gaussian(random);
    x.set([a, b, gaussian(random)], r * 3);
    const p = 1 / (1 + Math.exp(-(2 * a - b + 2 * a * b)));
    y[r] = random() < p ? 1 : 0;
  }
  return { x, y, rows, width: 3 };
}

const options = { epochs: 4, batchSize: 64, learningRate: 0.01, l2: 1e-5, seed: 3 };

describe('trainMlp', () => {
  const train = synthetic(4000, 1);
  const test = synthetic(2000, 2);

  it('should learn logistic regression that beats the base rate', () => {
    const model = trainMlp(train, { ...options, hidden: [] });
    const scores = mlpForward(model, test.x, test.rows);
    const rate = test.y.reduce((s, v) => s + v, 0) / test.rows;
    expect(logLoss(test.y, scores)).toBeLessThan(
      logLoss(test.y, new Float64Array(test.rows).fill(rate)) - 0.1,
    );
    expect(rocAuc(test.y, scores)).toBeGreaterThan(0.75);
  });

  it('should learn an interaction with a hidden layer that logistic regression misses', () => {
    const linear = mlpForward(trainMlp(train, { ...options, hidden: [] }), test.x, test.rows);
    const mlp = mlpForward(trainMlp(train, { ...options, hidden: [8] }), test.x, test.rows);
    expect(logLoss(test.y, mlp)).toBeLessThan(logLoss(test.y, linear) - 0.02);
  });

  it('should be reproducible for a seed and differ for another seed', () => {
    const first = trainMlp(train, { ...options, hidden: [4] });
    const again = trainMlp(train, { ...options, hidden: [4] });
    const other = trainMlp(train, { ...options, hidden: [4], seed: 4 });
    expect(again.layers.map((l) => Array.from(l.weights))).toEqual(
      first.layers.map((l) => Array.from(l.weights)),
    );
    expect(other.layers[0]?.weights).not.toEqual(first.layers[0]?.weights);
  });

  it('should report progress up to completion', () => {
    const done: number[] = [];
    trainMlp(synthetic(200, 5), {
      ...options,
      epochs: 2,
      hidden: [],
      onProgress: (fraction) => done.push(fraction),
    });
    expect(done.at(-1)).toBe(1);
    expect(done.every((value, i) => i === 0 || value > (done[i - 1] ?? 0))).toBe(true);
  });
});
