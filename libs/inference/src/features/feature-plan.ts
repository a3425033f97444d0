import { entityOf, type FeatureQuery, type FeatureReading, type FeatureView } from '@streamscore/features';
import type { ModelManifest, OnlineValues } from '@streamscore/models';

/**
 * The feature views a model version reads online: the `<view>` of every `online` source
 * `<view>.<aggregation>`. Throws when the manifest names a view the pipeline does not define, so
 * such a version is refused at load instead of scoring with defaults.
 */
export function onlineViewsOf(manifest: ModelManifest, views: readonly FeatureView[]): FeatureView[] {
  const byName = new Map(views.map((view) => [view.name, view]));
  const needed = new Map<string, FeatureView>();
  for (const input of manifest.inputs) {
    for (const feature of input.features) {
      if (feature.source.kind !== 'online') continue;
      const name = feature.source.feature;
      const viewName = name.slice(0, name.lastIndexOf('.'));
      const view = byName.get(viewName);
      if (!view) {
        throw new RangeError(
          `model ${manifest.name} v${manifest.version} reads ${name}, but no feature view ${viewName} is configured`,
        );
      }
      needed.set(view.name, view);
    }
  }
  return [...needed.values()];
}

/** The union of several versions' views, by name, in first-seen order. */
export function unionOfViews(lists: readonly (readonly FeatureView[])[]): FeatureView[] {
  const union = new Map<string, FeatureView>();
  for (const list of lists) for (const view of list) union.set(view.name, view);
  return [...union.values()];
}

export interface FeaturePlan {
  readonly queries: FeatureQuery[];
  /** The row each query belongs to. */
  readonly rowOfQuery: number[];
}

/**
 * One query per (row, view), as of the row's event time, for the rows' entities. A row without
 * an entity for a view (a key field missing) gets no query: its values stay missing, and the
 * manifest's defaults or a MISSING_FEATURES dead letter decide.
 */
export function planFeatureQueries(
  views: readonly FeatureView[],
  events: readonly object[],
  eventTimesMs: readonly number[],
): FeaturePlan {
  const queries: FeatureQuery[] = [];
  const rowOfQuery: number[] = [];
  events.forEach((event, row) => {
    const atMs = eventTimesMs[row];
    if (atMs === undefined) throw new RangeError(`no event time for row ${row}`);
    for (const view of views) {
      const entity = entityOf(view, event);
      if (entity === undefined) continue;
      queries.push({ view: view.name, entity, atMs });
      rowOfQuery.push(row);
    }
  });
  return { queries, rowOfQuery };
}

export interface RowFeatures {
  readonly online: OnlineValues[];
  /** The watermark of some view had not reached the row's cut-off (libs/features readCutoffOf). */
  readonly stale: boolean[];
}

/** Regroups the readings into one record of online values per row. */
export function assembleRows(
  rowCount: number,
  plan: FeaturePlan,
  readings: readonly FeatureReading[],
): RowFeatures {
  const online: Record<string, number | null>[] = Array.from({ length: rowCount }, () => ({}));
  const stale = new Array<boolean>(rowCount).fill(false);
  readings.forEach((reading, q) => {
    const row = plan.rowOfQuery[q];
    if (row === undefined) throw new RangeError(`reading ${q} has no planned query`);
    Object.assign(online[row] ?? {}, reading.values);
    if (!reading.complete) stale[row] = true;
  });
  return { online, stale };
}

/** Indices of the readings that are not complete yet: the ones worth reading again. */
export function incompleteReadings(readings: readonly FeatureReading[]): number[] {
  const indices: number[] = [];
  readings.forEach((reading, i) => {
    if (!reading.complete) indices.push(i);
  });
  return indices;
}
