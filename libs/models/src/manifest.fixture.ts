import type { ModelManifest } from './manifest-types';

/**
 * A small, valid manifest for tests: two numeric features, one one-hot and one hashed categorical.
 * Tensor width 1 + 1 + 3 + 4 = 9.
 */
export function fixtureManifest(sha256 = '0'.repeat(64)): ModelManifest {
  const window = { from: '2001-01-01T00:00:00Z', to: '2001-01-25T00:00:00Z' };
  return {
    name: 'fixture',
    version: 1,
    createdAt: '2024-01-01T00:00:00.000Z',
    model: { file: 'model.onnx', format: 'onnx', sha256 },
    inputs: [
      {
        tensor: 'features',
        dtype: 'float32',
        shape: [-1, 9],
        features: [
          {
            name: 'distance',
            type: 'numeric',
            source: { kind: 'event', field: 'distance' },
            preprocessing: [{ op: 'log1p' }, { op: 'standardize', mean: 6, std: 0.5 }],
          },
          {
            name: 'origin.mean_delay',
            type: 'numeric',
            source: { kind: 'online', feature: 'origin.mean_delay' },
            missing: { default: 0 },
            preprocessing: [
              { op: 'clip', min: -30, max: 120 },
              { op: 'standardize', mean: 10, std: 20 },
            ],
          },
          {
            name: 'origin',
            type: 'categorical',
            source: { kind: 'event', field: 'origin' },
            encoding: { op: 'one-hot', vocabulary: ['ATL', 'ORD', 'DFW'] },
          },
          {
            name: 'destination',
            type: 'categorical',
            source: { kind: 'event', field: 'destination' },
            missing: { default: 'UNKNOWN' },
            encoding: { op: 'hashed', buckets: 4, hash: 'fnv1a-32' },
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
        meaning: 'probability that the label is positive',
        label: { field: 'delay', operator: '>', threshold: 15 },
        decisionThreshold: 0.5,
      },
    ],
    training: {
      window,
      validationWindow: { from: '2001-01-25T00:00:00Z', to: '2001-02-01T00:00:00Z' },
      rows: 100,
      validationRows: 20,
      algorithm: 'logistic regression',
    },
    metrics: {
      validation: {
        auc: 0.7,
        logLoss: 0.5,
        rows: 20,
        positiveRate: 0.2,
        baselines: {
          baseRate: { auc: 0.5, logLoss: 0.6 },
          bestSingleFeature: { feature: 'distance', method: 'binned rate', auc: 0.6, logLoss: 0.55 },
        },
      },
    },
    drift: {
      window,
      bins: 10,
      sampleSize: 10000,
      features: {
        distance: {
          kind: 'numeric',
          edges: [300, 800],
          proportions: [0.3, 0.4, 0.3],
          sample: [100, 500, 900],
        },
        'origin.mean_delay': { kind: 'numeric', edges: [5], proportions: [0.5, 0.5], sample: [1, 9] },
        origin: { kind: 'categorical', categories: ['ATL', 'ORD'], proportions: [0.75, 0.25] },
        destination: { kind: 'categorical', categories: ['LAX'], proportions: [1] },
      },
      score: { kind: 'numeric', edges: [0.2], proportions: [0.6, 0.4], sample: [0.1, 0.3] },
    },
  };
}

type Json = Record<string | number, unknown>;

/** A copy of the fixture with the value at `path` replaced (or deleted when `value` is undefined). */
export function fixtureWith(path: readonly (string | number)[], value: unknown): unknown {
  const document = JSON.parse(JSON.stringify(fixtureManifest())) as Json;
  let parent: Json = document;
  for (const key of path.slice(0, -1)) parent = parent[key] as Json;
  const last = path[path.length - 1] ?? '';
  if (value === undefined) {
    if (Array.isArray(parent)) parent.splice(Number(last), 1);
    else Reflect.deleteProperty(parent, last);
  } else parent[last] = value;
  return document;
}
