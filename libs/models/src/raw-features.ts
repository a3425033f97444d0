import { epochMsOf } from '@streamscore/contracts';
import type { CategoricalFeature, FeatureSource, NumericFeature, TimePart } from './manifest-types';

/** What reading a raw value needs: the preprocessing parameters play no part. */
export type RawFeatureSpec =
  | Pick<NumericFeature, 'name' | 'type' | 'source' | 'missing'>
  | Pick<CategoricalFeature, 'name' | 'type' | 'source' | 'missing'>;

/** Raw values of one feature over a batch: numbers (NaN = missing) or strings (null = missing). */
export type RawColumn = Float64Array | readonly (string | null)[];

/** The raw, unscaled feature values of a batch by feature name: what a Prediction carries. */
export interface RawFeatures {
  readonly rowCount: number;
  readonly columns: ReadonlyMap<string, RawColumn>;
}

/** Online feature values of one row by `<view>.<aggregation>`; null or absent = missing. */
export type OnlineValues = Readonly<Record<string, number | null | undefined>>;

/** A row that cannot be scored, and why. Bad data is reported, not thrown. */
export interface RowIssue {
  readonly row: number;
  readonly feature: string;
  readonly reason: 'missing' | 'wrong-type';
  readonly message: string;
}

export interface ResolvedFeatures {
  readonly raw: RawFeatures;
  /** Rows listed here hold no usable value for some feature; score the others. */
  readonly issues: readonly RowIssue[];
}

function readPath(event: unknown, path: readonly string[]): unknown {
  let value = event;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function timePart(ms: number, part: TimePart): number {
  const date = new Date(ms);
  switch (part) {
    case 'hour-of-day':
      return date.getUTCHours();
    case 'minute-of-day':
      return date.getUTCHours() * 60 + date.getUTCMinutes();
    case 'day-of-week':
      return date.getUTCDay();
    case 'day-of-month':
      return date.getUTCDate();
    case 'month':
      return date.getUTCMonth() + 1;
  }
}

/** Returns a reader of the source's value for row i. */
function sourceReader(
  source: FeatureSource,
  events: readonly unknown[],
  online: readonly OnlineValues[] | undefined,
): (row: number) => unknown {
  switch (source.kind) {
    case 'event': {
      const path = source.field.split('.');
      return (row) => readPath(events[row], path);
    }
    case 'event-time': {
      const path = source.field.split('.');
      return (row) => {
        const ms = epochMsOf(readPath(events[row], path));
        return ms === undefined ? undefined : timePart(ms, source.part);
      };
    }
    case 'online':
      return (row) => online?.[row]?.[source.feature];
  }
}

function describe(value: unknown): string {
  return value === null ? 'null' : typeof value;
}

function resolveNumeric(
  feature: RawFeatureSpec & { type: 'numeric' },
  read: (row: number) => unknown,
  rowCount: number,
  issues: RowIssue[],
): Float64Array {
  const column = new Float64Array(rowCount);
  const fallback = feature.missing?.default;
  for (let row = 0; row < rowCount; row++) {
    const value = read(row);
    let number = typeof value === 'number' ? value : typeof value === 'bigint' ? Number(value) : Number.NaN;
    if (!Number.isFinite(number)) {
      const absent = value === null || value === undefined || typeof value === 'number';
      if (absent && fallback !== undefined) number = fallback;
      else {
        const reason = absent ? 'missing' : 'wrong-type';
        const message = absent
          ? `no value for ${feature.name}`
          : `${feature.name}: expected a number, got ${describe(value)}`;
        issues.push({ row, feature: feature.name, reason, message });
      }
    }
    column[row] = number;
  }
  return column;
}

function resolveCategorical(
  feature: RawFeatureSpec & { type: 'categorical' },
  read: (row: number) => unknown,
  rowCount: number,
  issues: RowIssue[],
): (string | null)[] {
  const column = new Array<string | null>(rowCount);
  const fallback = feature.missing?.default;
  for (let row = 0; row < rowCount; row++) {
    const value = read(row);
    if (typeof value === 'string') column[row] = value;
    else if ((value === null || value === undefined) && fallback !== undefined) column[row] = fallback;
    else {
      column[row] = null;
      const absent = value === null || value === undefined;
      const message = absent
        ? `no value for ${feature.name}`
        : `${feature.name}: expected a string, got ${describe(value)}`;
      issues.push({ row, feature: feature.name, reason: absent ? 'missing' : 'wrong-type', message });
    }
  }
  return column;
}

/**
 * Reads every feature's raw value for a batch of events (and their online features, one record per
 * event), applying the manifest's missing-value defaults. A missing value without a default, or a
 * value of the wrong type, is reported per row.
 */
export function resolveRawFeatures(
  features: readonly RawFeatureSpec[],
  events: readonly unknown[],
  online?: readonly OnlineValues[],
): ResolvedFeatures {
  if (online && online.length !== events.length) {
    throw new RangeError(`online values: ${online.length} rows for ${events.length} events`);
  }
  const rowCount = events.length;
  const issues: RowIssue[] = [];
  const columns = new Map<string, RawColumn>();
  for (const feature of features) {
    const read = sourceReader(feature.source, events, online);
    columns.set(
      feature.name,
      feature.type === 'numeric'
        ? resolveNumeric(feature, read, rowCount, issues)
        : resolveCategorical(feature, read, rowCount, issues),
    );
  }
  return { raw: { rowCount, columns }, issues };
}
