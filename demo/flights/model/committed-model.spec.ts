/**
 * @jest-environment ./libs/models/testing/onnx-environment.js
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { computeOfflineRows } from '@streamscore/features';
import {
  FeatureVectorBuilder,
  ModelRepository,
  scoreTensor,
  type LoadedModel,
  type ModelInput,
} from '@streamscore/models';
import { mlpForward, readMlpFromOnnx } from '@streamscore/training';
import { loadFlightsJson, toFlightEvents } from '../data';
import { loadFlightFeatureViews } from '../feature-views';

const REPOSITORY = join(__dirname, '..', '..', '..', 'models');

describe('committed model flight-delay/1', () => {
  let model: LoadedModel;

  beforeAll(async () => {
    model = await new ModelRepository(REPOSITORY).load('flight-delay', 1);
  });

  afterAll(async () => {
    await model.session.release();
  });

  it('should be listed, small, and beat both baselines on the held-out days', async () => {
    expect(await new ModelRepository(REPOSITORY).listVersions('flight-delay')).toContain(1);
    const { validation } = model.manifest.metrics;
    expect(validation.logLoss).toBeLessThan(validation.baselines.baseRate.logLoss);
    expect(validation.logLoss).toBeLessThan(validation.baselines.bestSingleFeature.logLoss);
    expect(validation.auc).toBeGreaterThan(validation.baselines.bestSingleFeature.auc);
    const bytes = ['model.onnx', 'manifest.json'].map(
      (file) => readFileSync(join(model.directory, file)).length,
    );
    expect(bytes.reduce((a, b) => a + b, 0)).toBeLessThan(2 * 1024 * 1024);
  });

  it('should score 2,000 real flights in onnxruntime-node as the TypeScript forward pass does, to 1e-5', async () => {
    const { departures, outcomes } = toFlightEvents(loadFlightsJson('2k'));
    const online = computeOfflineRows(
      loadFlightFeatureViews(),
      { events: departures, outcomes },
      departures.map((record) => ({ record, atMs: record.scheduledAt })),
    );
    const builder = new FeatureVectorBuilder(model.manifest.inputs[0] as ModelInput);
    const { tensor, issues } = builder.build(departures, online);
    expect(issues).toEqual([]);
    const fromOnnx = await scoreTensor(model, tensor, departures.length);
    const fromTs = mlpForward(
      readMlpFromOnnx(readFileSync(join(model.directory, 'model.onnx'))),
      tensor,
      departures.length,
    );
    let maxDifference = 0;
    fromTs.forEach((score, i) => {
      maxDifference = Math.max(maxDifference, Math.abs(score - (fromOnnx[i] ?? Number.NaN)));
    });
    expect(maxDifference).toBeLessThan(1e-5);
    expect(Math.max(...fromOnnx) - Math.min(...fromOnnx)).toBeGreaterThan(0.3);
  });
});
