import type { InputFeature, RawFeatures } from '@streamscore/models';
import { buildPrediction, rawValuesOfRow, usedDefaults } from './prediction-builder';

const raw: RawFeatures = {
  rowCount: 2,
  columns: new Map<string, Float64Array | (string | null)[]>([
    ['distance', Float64Array.from([100, 250])],
    ['origin', ['JFK', 'ORD']],
  ]),
};

describe('buildPrediction', () => {
  it('should carry the row raw features by name, the label at the threshold, and the flags', () => {
    const prediction = buildPrediction({
      eventId: 'e1',
      entityKey: 'ORD',
      eventTimeMs: 1_000,
      modelName: 'm',
      modelVersion: '2',
      role: 'CANARY',
      score: 0.5,
      decisionThreshold: 0.5,
      raw,
      row: 1,
      stale: true,
      defaulted: false,
      timings: { queueMs: 1, featuresMs: 2, featureWaitMs: 4, inferenceMs: 3 },
      scoredAt: 9,
    });
    expect(prediction).toEqual({
      eventId: 'e1',
      entityKey: 'ORD',
      eventTime: 1_000,
      modelName: 'm',
      modelVersion: '2',
      role: 'CANARY',
      score: 0.5,
      label: true,
      features: { distance: 250 },
      categories: { origin: 'ORD' },
      flags: ['staleFeatures'],
      timings: { queueMs: 1, featuresMs: 2, featureWaitMs: 4, inferenceMs: 3 },
      scoredAt: 9,
    });
  });

  it('should leave out values that are missing', () => {
    const partial: RawFeatures = {
      rowCount: 1,
      columns: new Map<string, Float64Array | (string | null)[]>([
        ['distance', Float64Array.from([Number.NaN])],
        ['origin', [null]],
      ]),
    };
    expect(rawValuesOfRow(partial, 0)).toEqual({ features: {}, categories: {} });
  });
});

describe('usedDefaults', () => {
  const features: InputFeature[] = [
    {
      name: 'count',
      type: 'numeric',
      source: { kind: 'online', feature: 'v.count' },
      missing: { default: 0 },
      preprocessing: [],
    },
    {
      name: 'origin',
      type: 'categorical',
      source: { kind: 'event', field: 'origin' },
      encoding: { op: 'one-hot', vocabulary: ['JFK'] },
    },
  ];

  it('should be true when a feature with a default had no usable source value', () => {
    expect(usedDefaults(features, { origin: 'JFK' }, {})).toBe(true);
    expect(usedDefaults(features, { origin: 'JFK' }, { 'v.count': null })).toBe(true);
  });

  it('should be false when every defaulted feature had a value', () => {
    expect(usedDefaults(features, { origin: 'JFK' }, { 'v.count': 4 })).toBe(false);
  });
});
