import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ModelManifest } from '@streamscore/models';
import { readMlpFromOnnx } from '@streamscore/training';
import { REPO_ROOT, runTsx } from './run-tsx';

const COMMITTED = join(REPO_ROOT, 'models', 'flight-delay', '1');
/** Training is deterministic (seeded PRNG, sequential float64): we expect equality; tolerances say how much slack. */
const WEIGHT_TOLERANCE = 1e-6;
const METRIC_TOLERANCE = 1e-9;

async function readModel(directory: string): Promise<{ manifest: ModelManifest; onnx: Buffer }> {
  const manifest = JSON.parse(await readFile(join(directory, 'manifest.json'), 'utf8')) as ModelManifest;
  return { manifest, onnx: await readFile(join(directory, 'model.onnx')) };
}

function withoutTimestamps(manifest: ModelManifest): unknown {
  return {
    ...manifest,
    createdAt: undefined,
    model: undefined,
    metrics: undefined,
    training: { ...manifest.training, command: undefined },
  };
}

describe('retraining flight-delay/1 with its recorded command', () => {
  let out: string;

  beforeAll(async () => {
    out = await mkdtemp(join(tmpdir(), 'retrain-'));
  });

  afterAll(async () => {
    await rm(out, { recursive: true, force: true });
  });

  it('should reproduce the committed weights, metrics and references', async () => {
    const committed = await readModel(COMMITTED);
    const command = committed.manifest.training.command ?? '';
    expect(command).toMatch(/^npx tsx demo\/flights\/train\.ts /);
    const args = command.replace(/^npx tsx /, '').split(' ');
    await runTsx([...args, '--out', out], 290_000);
    const retrained = await readModel(join(out, 'flight-delay', '1'));

    const a = readMlpFromOnnx(committed.onnx);
    const b = readMlpFromOnnx(retrained.onnx);
    expect(b.layers.map((l) => [l.inputs, l.outputs])).toEqual(a.layers.map((l) => [l.inputs, l.outputs]));
    let maxWeightDifference = 0;
    a.layers.forEach((layer, l) => {
      const other = b.layers[l]!;
      layer.weights.forEach(
        (w, i) => (maxWeightDifference = Math.max(maxWeightDifference, Math.abs(w - other.weights[i]!))),
      );
      layer.bias.forEach(
        (w, i) => (maxWeightDifference = Math.max(maxWeightDifference, Math.abs(w - other.bias[i]!))),
      );
    });
    expect(maxWeightDifference).toBeLessThanOrEqual(WEIGHT_TOLERANCE);

    const m1 = committed.manifest.metrics.validation;
    const m2 = retrained.manifest.metrics.validation;
    for (const [x, y] of [
      [m1.auc, m2.auc],
      [m1.logLoss, m2.logLoss],
      [m1.baselines.baseRate.logLoss, m2.baselines.baseRate.logLoss],
      [m1.baselines.bestSingleFeature.logLoss, m2.baselines.bestSingleFeature.logLoss],
      [m1.baselines.bestSingleFeature.auc, m2.baselines.bestSingleFeature.auc],
    ] as const) {
      expect(Math.abs(x - y)).toBeLessThanOrEqual(METRIC_TOLERANCE);
    }
    expect(m2.baselines.bestSingleFeature.feature).toBe(m1.baselines.bestSingleFeature.feature);
    // Everything else (inputs and their fitted preprocessing, windows, drift references) is identical.
    expect(withoutTimestamps(retrained.manifest)).toEqual(withoutTimestamps(committed.manifest));
  }, 300_000);
});
