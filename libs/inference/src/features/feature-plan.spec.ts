import { parseFeatureViews, type FeatureReading } from '@streamscore/features';
import type { ModelManifest } from '@streamscore/models';
import {
  assembleRows,
  incompleteReadings,
  onlineViewsOf,
  planFeatureQueries,
  unionOfViews,
} from './feature-plan';

const views = parseFeatureViews(
  {
    views: [
      {
        name: 'by_origin',
        source: 'outcomes',
        entityKey: ['origin'],
        timeField: 't',
        idField: 'id',
        bucketMs: 60_000,
        windowMs: 600_000,
        allowedLatenessMs: 0,
        aggregations: [{ kind: 'count' }],
      },
      {
        name: 'by_route',
        source: 'outcomes',
        entityKey: ['origin', 'destination'],
        timeField: 't',
        idField: 'id',
        bucketMs: 60_000,
        windowMs: 600_000,
        allowedLatenessMs: 0,
        aggregations: [{ kind: 'count' }],
      },
    ],
  },
  'test',
);

function manifestReading(...features: string[]): ModelManifest {
  return {
    name: 'm',
    version: 1,
    inputs: [
      {
        tensor: 'x',
        dtype: 'float32',
        shape: [-1, features.length],
        features: features.map((feature) => ({
          name: feature,
          type: 'numeric' as const,
          source: { kind: 'online' as const, feature },
          preprocessing: [],
        })),
      },
    ],
  } as unknown as ModelManifest;
}

describe('onlineViewsOf', () => {
  it('should list each view an online feature reads, once', () => {
    const needed = onlineViewsOf(manifestReading('by_route.count', 'by_origin.count'), views);
    expect(needed.map((v) => v.name)).toEqual(['by_route', 'by_origin']);
  });

  it('should refuse a manifest that reads a view the pipeline lacks', () => {
    expect(() => onlineViewsOf(manifestReading('nope.count'), views)).toThrow(/no feature view nope/);
  });
});

describe('planFeatureQueries', () => {
  it('should plan one query per row and view as of the row time, skipping rows without the entity', () => {
    const plan = planFeatureQueries(
      views,
      [{ origin: 'JFK', destination: 'LAX' }, { origin: 'ORD' }],
      [1_000, 2_000],
    );
    expect(plan.queries).toEqual([
      { view: 'by_origin', entity: 'JFK', atMs: 1_000 },
      { view: 'by_route', entity: 'JFK|LAX', atMs: 1_000 },
      { view: 'by_origin', entity: 'ORD', atMs: 2_000 },
    ]);
    expect(plan.rowOfQuery).toEqual([0, 0, 1]);
  });
});

describe('assembleRows', () => {
  it('should merge the readings of a row and flag it stale when any is incomplete', () => {
    const plan = { queries: [], rowOfQuery: [0, 0, 1] };
    const readings: FeatureReading[] = [
      { values: { 'by_origin.count': 3 }, complete: true, watermarkMs: 5 },
      { values: { 'by_route.count': 1 }, complete: false, watermarkMs: 0 },
      { values: { 'by_origin.count': 7 }, complete: true, watermarkMs: 5 },
    ];
    const rows = assembleRows(2, plan, readings);
    expect(rows.online).toEqual([{ 'by_origin.count': 3, 'by_route.count': 1 }, { 'by_origin.count': 7 }]);
    expect(rows.stale).toEqual([true, false]);
    expect(incompleteReadings(readings)).toEqual([1]);
  });
});

describe('unionOfViews', () => {
  it('should keep each view once in first-seen order', () => {
    const [a, b] = views as [(typeof views)[0], (typeof views)[0]];
    expect(unionOfViews([[b], [a, b]]).map((v) => v.name)).toEqual(['by_route', 'by_origin']);
  });
});
