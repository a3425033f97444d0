/**
 * Writes fixtures/models/drift-fixture/1/manifest.json: a valid manifest whose drift references
 * come from 5,000 unshifted synthetic rows (seed 1). Run: npx tsx apps/drift-monitor/src/test/make-fixture-manifest.ts
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { binCounts, quantileBinEdges } from '@streamscore/drift';
import {
  formatManifest,
  validateManifest,
  type ModelManifest,
  type NumericReference,
} from '@streamscore/models';
import { FIXTURE_MODEL, syntheticRows } from './synthetic-predictions';

const ROWS = 5_000;
const SAMPLE = 1_000;
const rows = syntheticRows(1, ROWS);

function numeric(values: Float64Array): NumericReference {
  const edges = quantileBinEdges(values, 10);
  const counts = binCounts(edges, values);
  return {
    kind: 'numeric',
    edges: Array.from(edges),
    proportions: Array.from(counts, (c) => c / values.length),
    sample: Array.from(values.subarray(0, SAMPLE)),
  };
}

const window = { from: '2024-01-01T00:00:00Z', to: '2024-01-25T00:00:00Z' };
const manifest: ModelManifest = {
  name: FIXTURE_MODEL.name,
  version: Number(FIXTURE_MODEL.version),
  createdAt: '2024-02-01T00:00:00.000Z',
  description: 'Test fixture for the drift monitor: references only, the model file is not loaded.',
  model: { file: 'model.onnx', format: 'onnx', sha256: '0'.repeat(64) },
  inputs: [
    {
      tensor: 'features',
      dtype: 'float32',
      shape: [-1, 5],
      features: [
        { name: 'x1', type: 'numeric', source: { kind: 'event', field: 'x1' }, preprocessing: [] },
        { name: 'x2', type: 'numeric', source: { kind: 'event', field: 'x2' }, preprocessing: [] },
        {
          name: 'c1',
          type: 'categorical',
          source: { kind: 'event', field: 'c1' },
          encoding: { op: 'one-hot', vocabulary: ['a', 'b', 'c'] },
        },
      ],
    },
  ],
  outputs: [
    {
      tensor: 'probability',
      dtype: 'float32',
      shape: [-1, 1],
      kind: 'probability',
      meaning: 'synthetic probability',
      label: { field: 'y', operator: '>', threshold: 0 },
      decisionThreshold: 0.5,
    },
  ],
  training: {
    window,
    validationWindow: { from: '2024-01-25T00:00:00Z', to: '2024-02-01T00:00:00Z' },
    rows: ROWS,
    validationRows: 1_000,
    algorithm: 'none (fixture)',
  },
  metrics: {
    validation: {
      auc: 0.5,
      logLoss: 0.69,
      rows: 1_000,
      positiveRate: 0.5,
      baselines: {
        baseRate: { auc: 0.5, logLoss: 0.69 },
        bestSingleFeature: { feature: 'x1', method: 'binned rate', auc: 0.5, logLoss: 0.69 },
      },
    },
  },
  drift: {
    window,
    bins: 10,
    sampleSize: SAMPLE,
    features: {
      x1: numeric(Float64Array.from(rows, (r) => r.x1)),
      x2: numeric(Float64Array.from(rows, (r) => r.x2)),
      c1: {
        kind: 'categorical',
        categories: ['a', 'b', 'c'],
        proportions: ['a', 'b', 'c'].map((c) => rows.filter((r) => r.c1 === c).length / ROWS),
      },
    },
    score: numeric(Float64Array.from(rows, (r) => r.score)),
  },
};

const result = validateManifest(manifest);
if (!result.valid) throw new Error(JSON.stringify(result.issues));
writeFileSync(join(__dirname, 'fixtures/models/drift-fixture/1/manifest.json'), formatManifest(manifest));
