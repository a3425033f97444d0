import { parseFeatureView } from './feature-view-config';
import type { FeatureView } from './feature-view';

/**
 * A generic view exercising every aggregation, for this lib's tests (no domain knowledge):
 * entity = (a, b), 1-minute buckets, 5-minute window.
 */
export function everyAggregationView(overrides: Record<string, unknown> = {}): FeatureView {
  return parseFeatureView({
    name: 'pair_stats',
    source: 'things',
    entityKey: ['a', 'b'],
    timeField: 'time',
    idField: 'id',
    bucketMs: 60_000,
    windowMs: 300_000,
    allowedLatenessMs: 120_000,
    aggregations: [
      { kind: 'count' },
      { kind: 'sum', field: 'x' },
      { kind: 'mean', field: 'x', default: -1 },
      { kind: 'min', field: 'x' },
      { kind: 'max', field: 'y' },
      { kind: 'last', field: 'y' },
      { kind: 'mean', field: 'y', name: 'mean_y' },
    ],
    ...overrides,
  });
}
