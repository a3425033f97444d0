import { featureNames } from './feature-view';
import { FeatureViewConfigError, parseFeatureViews } from './feature-view-config';

const valid = {
  name: 'site_load',
  source: 'events',
  entityKey: ['site'],
  timeField: 'at',
  idField: 'id',
  bucketMs: 60_000,
  windowMs: 600_000,
  allowedLatenessMs: 30_000,
  aggregations: [{ kind: 'count' }, { kind: 'mean', field: 'load', default: 0 }],
};

function errorOf(document: unknown): FeatureViewConfigError {
  try {
    parseFeatureViews(document);
  } catch (error) {
    if (error instanceof FeatureViewConfigError) return error;
    throw error;
  }
  throw new Error('expected a FeatureViewConfigError');
}

describe('parseFeatureViews', () => {
  it('should accept a valid view, name its features and default the TTL', () => {
    const [view] = parseFeatureViews({ views: [valid] });
    expect(view).toBeDefined();
    expect(featureNames(view!)).toEqual(['site_load.count', 'site_load.mean']);
    expect(view!.ttlMs).toBe(2 * 600_000 + 30_000);
    expect(view!.aggregations[1]!.default).toBe(0);
  });

  it.each([
    [{ ...valid, windowMs: 90_000 }, 'featureViews.views[0].windowMs', 'multiple of bucketMs'],
    [{ ...valid, bucketMs: 0 }, 'featureViews.views[0].bucketMs', 'integer >= 1'],
    [{ ...valid, colour: 'red' }, 'featureViews.views[0].colour', 'unknown key'],
    [{ ...valid, entityKey: [] }, 'featureViews.views[0].entityKey', 'non-empty'],
    [{ ...valid, entityKey: ['a:b'] }, 'featureViews.views[0].entityKey[0]', 'record field name'],
    [{ ...valid, ttlMs: 1000 }, 'featureViews.views[0].ttlMs', 'integer >= 660000'],
    [
      { ...valid, aggregations: [{ kind: 'median', field: 'load' }] },
      'featureViews.views[0].aggregations[0].kind',
      'one of',
    ],
    [
      { ...valid, aggregations: [{ kind: 'mean' }] },
      'featureViews.views[0].aggregations[0].field',
      'must be a string',
    ],
    [
      { ...valid, aggregations: [{ kind: 'count', field: 'x' }] },
      'featureViews.views[0].aggregations[0].field',
      'no field',
    ],
    [
      { ...valid, aggregations: [{ kind: 'sum', field: 'x', default: 1 }] },
      'featureViews.views[0].aggregations[0].default',
      'no default',
    ],
    [
      {
        ...valid,
        aggregations: [
          { kind: 'mean', field: 'x' },
          { kind: 'mean', field: 'y' },
        ],
      },
      'featureViews.views[0].aggregations[1].name',
      'duplicate feature name site_load.mean',
    ],
  ])('should reject %j at %s', (view, path, problem) => {
    const error = errorOf({ views: [view] });
    expect(error.path).toBe(path);
    expect(error.message).toContain(problem);
  });

  it('should reject duplicate view names and a missing views array', () => {
    expect(errorOf({ views: [valid, valid] }).path).toBe('featureViews.views[1].name');
    expect(errorOf({}).path).toBe('featureViews.views');
    expect(errorOf([valid]).path).toBe('featureViews');
  });
});
