import {
  AggregationKinds,
  type AggregationDefinition,
  type AggregationKind,
  type FeatureView,
} from './feature-view';

/** A feature view configuration that cannot be used; `path` names the offending field. */
export class FeatureViewConfigError extends Error {
  override readonly name = 'FeatureViewConfigError';
  constructor(
    readonly path: string,
    problem: string,
  ) {
    super(`${path}: ${problem}`);
  }
}

const VIEW_NAME = /^[a-z][a-z0-9_]*$/;
/** No ':' or '|': record field names end up inside Redis hash field names and entity keys. */
const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const SOURCE_NAME = /^[A-Za-z][A-Za-z0-9_.-]*$/;

const VIEW_KEYS = new Set([
  'name',
  'description',
  'source',
  'entityKey',
  'timeField',
  'idField',
  'bucketMs',
  'windowMs',
  'allowedLatenessMs',
  'ttlMs',
  'aggregations',
]);
const AGGREGATION_KEYS = new Set(['kind', 'field', 'name', 'default']);

type Json = Record<string, unknown>;

function objectAt(value: unknown, path: string, allowed: ReadonlySet<string>): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new FeatureViewConfigError(path, 'must be an object');
  }
  for (const key of Object.keys(value)) {
    if (!allowed.has(key)) throw new FeatureViewConfigError(`${path}.${key}`, 'unknown key');
  }
  return value as Json;
}

function stringAt(object: Json, key: string, path: string, pattern: RegExp): string {
  const value = object[key];
  if (typeof value !== 'string' || !pattern.test(value)) {
    throw new FeatureViewConfigError(
      `${path}.${key}`,
      `must be a string matching ${String(pattern)}, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

function integerAt(object: Json, key: string, path: string, minimum: number): number {
  const value = object[key];
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < minimum) {
    throw new FeatureViewConfigError(
      `${path}.${key}`,
      `must be an integer >= ${minimum}, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

function parseAggregation(value: unknown, path: string): AggregationDefinition {
  const object = objectAt(value, path, AGGREGATION_KEYS);
  const kind = object.kind;
  if (typeof kind !== 'string' || !(AggregationKinds as readonly string[]).includes(kind)) {
    throw new FeatureViewConfigError(
      `${path}.kind`,
      `must be one of ${AggregationKinds.join(', ')}, got ${JSON.stringify(kind)}`,
    );
  }
  const aggregationKind = kind as AggregationKind;
  let field: string | undefined;
  if (aggregationKind === 'count') {
    if (object.field !== undefined) throw new FeatureViewConfigError(`${path}.field`, 'count takes no field');
  } else {
    field = stringAt(object, 'field', path, FIELD_NAME);
  }
  const name = object.name === undefined ? aggregationKind : stringAt(object, 'name', path, VIEW_NAME);
  let fallback: number | null = null;
  if (object.default !== undefined) {
    if (aggregationKind === 'count' || aggregationKind === 'sum') {
      throw new FeatureViewConfigError(
        `${path}.default`,
        `${aggregationKind} is 0 over an empty window and takes no default`,
      );
    }
    if (object.default !== null && (typeof object.default !== 'number' || !Number.isFinite(object.default))) {
      throw new FeatureViewConfigError(
        `${path}.default`,
        `must be a finite number or null, got ${JSON.stringify(object.default)}`,
      );
    }
    fallback = object.default;
  }
  return { kind: aggregationKind, field, name, default: fallback };
}

/** Validates one view; `path` prefixes error locations (e.g. `views[2]`). */
export function parseFeatureView(value: unknown, path = 'view'): FeatureView {
  const object = objectAt(value, path, VIEW_KEYS);
  const name = stringAt(object, 'name', path, VIEW_NAME);
  const description = object.description;
  if (description !== undefined && typeof description !== 'string') {
    throw new FeatureViewConfigError(`${path}.description`, 'must be a string');
  }
  const source = stringAt(object, 'source', path, SOURCE_NAME);
  const entityKeyValue = object.entityKey;
  if (!Array.isArray(entityKeyValue) || entityKeyValue.length === 0) {
    throw new FeatureViewConfigError(`${path}.entityKey`, 'must be a non-empty array of record field names');
  }
  const entityKey = entityKeyValue.map((field: unknown, i) => {
    if (typeof field !== 'string' || !FIELD_NAME.test(field)) {
      throw new FeatureViewConfigError(
        `${path}.entityKey[${i}]`,
        `must be a record field name matching ${String(FIELD_NAME)}, got ${JSON.stringify(field)}`,
      );
    }
    return field;
  });
  const timeField = stringAt(object, 'timeField', path, FIELD_NAME);
  const idField = stringAt(object, 'idField', path, FIELD_NAME);
  const bucketMs = integerAt(object, 'bucketMs', path, 1);
  const windowMs = integerAt(object, 'windowMs', path, bucketMs);
  if (windowMs % bucketMs !== 0) {
    throw new FeatureViewConfigError(
      `${path}.windowMs`,
      `must be a multiple of bucketMs (${bucketMs}), got ${windowMs}`,
    );
  }
  const allowedLatenessMs = integerAt(object, 'allowedLatenessMs', path, 0);
  // A slab key must outlive the reads that still need it (see docs/features.md, "TTL").
  const ttlMs =
    object.ttlMs === undefined
      ? 2 * windowMs + allowedLatenessMs
      : integerAt(object, 'ttlMs', path, windowMs + bucketMs);
  const aggregationsValue = object.aggregations;
  if (!Array.isArray(aggregationsValue) || aggregationsValue.length === 0) {
    throw new FeatureViewConfigError(`${path}.aggregations`, 'must be a non-empty array');
  }
  const aggregations = aggregationsValue.map((item, i) =>
    parseAggregation(item, `${path}.aggregations[${i}]`),
  );
  const seen = new Set<string>();
  aggregations.forEach((aggregation, i) => {
    if (seen.has(aggregation.name)) {
      throw new FeatureViewConfigError(
        `${path}.aggregations[${i}].name`,
        `duplicate feature name ${name}.${aggregation.name}; give each aggregation of the same kind a distinct name`,
      );
    }
    seen.add(aggregation.name);
  });
  return {
    name,
    description,
    source,
    entityKey,
    timeField,
    idField,
    bucketMs,
    windowMs,
    allowedLatenessMs,
    ttlMs,
    aggregations,
  };
}

/** Validates a `{ "views": [...] }` document (e.g. a parsed JSON file) once, at load. */
export function parseFeatureViews(document: unknown, path = 'featureViews'): FeatureView[] {
  const object = objectAt(document, path, new Set(['views']));
  const viewsValue = object.views;
  if (!Array.isArray(viewsValue) || viewsValue.length === 0) {
    throw new FeatureViewConfigError(`${path}.views`, 'must be a non-empty array');
  }
  const views = viewsValue.map((item, i) => parseFeatureView(item, `${path}.views[${i}]`));
  const names = new Set<string>();
  views.forEach((view, i) => {
    if (names.has(view.name))
      throw new FeatureViewConfigError(`${path}.views[${i}].name`, `duplicate view name ${view.name}`);
    names.add(view.name);
  });
  return views;
}
