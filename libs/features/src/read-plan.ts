import { emptyStats, finalize, mergeInto, type FeatureValues } from './bucket-stats';
import type { CompiledView } from './compiled-view';
import {
  bucketFieldCount,
  bucketFields,
  decodeBucket,
  metaKey,
  slabKey,
  WATERMARK_FIELD,
} from './key-layout';
import { bucketStartOf, bucketStartsIn, slabStartOf, windowEndingBefore } from './time-buckets';

export interface FeatureQuery {
  readonly view: string;
  readonly entity: string;
  /** Read as of this event time (epoch ms): only records with time < bucketStart(atMs) count. */
  readonly atMs: number;
}

/** One HMGET; the whole plan is sent as one pipeline. */
export interface ReadCommand {
  readonly key: string;
  readonly fields: string[];
}

interface WindowRead {
  readonly compiled: CompiledView;
  /** Per slab touched, ascending: which command and how many buckets it holds. */
  readonly parts: { readonly command: number; readonly buckets: number }[];
  readonly metaCommand: number;
}

export interface ReadPlan {
  readonly commands: ReadCommand[];
  readonly reads: WindowRead[];
  /** For each query, the index of its (deduplicated) window read. */
  readonly readOfQuery: number[];
}

/**
 * Plans a batch: one HMGET of the watermark per view, and per distinct (view, entity, bucket of
 * atMs) one HMGET per slab the window touches (one or two). Queries that share an entity and a
 * bucket share the read, which is common in a batch of events from the same airport and minute.
 */
export function planReads(
  compiledByName: ReadonlyMap<string, CompiledView>,
  keyPrefix: string,
  queries: readonly FeatureQuery[],
): ReadPlan {
  const commands: ReadCommand[] = [];
  const reads: WindowRead[] = [];
  const metaCommandOf = new Map<string, number>();
  const readIndexOf = new Map<string, number>();
  const readOfQuery = queries.map((query) => {
    const compiled = compiledByName.get(query.view);
    if (compiled === undefined) throw new TypeError(`unknown feature view ${JSON.stringify(query.view)}`);
    if (!Number.isFinite(query.atMs)) throw new TypeError(`atMs must be a finite number, got ${query.atMs}`);
    const { view } = compiled;
    const dedupKey = `${view.name}\u0000${query.entity}\u0000${bucketStartOf(query.atMs, view.bucketMs)}`;
    const existing = readIndexOf.get(dedupKey);
    if (existing !== undefined) return existing;
    let metaCommand = metaCommandOf.get(view.name);
    if (metaCommand === undefined) {
      metaCommand = commands.push({ key: metaKey(keyPrefix, view.name), fields: [WATERMARK_FIELD] }) - 1;
      metaCommandOf.set(view.name, metaCommand);
    }
    const parts: { command: number; buckets: number }[] = [];
    let current: ReadCommand | undefined;
    let currentSlab = Number.NaN;
    for (const start of bucketStartsIn(
      windowEndingBefore(query.atMs, view.bucketMs, view.windowMs),
      view.bucketMs,
    )) {
      const slab = slabStartOf(start, view.windowMs);
      if (current === undefined || slab !== currentSlab) {
        current = { key: slabKey(keyPrefix, view.name, slab, query.entity), fields: [] };
        currentSlab = slab;
        parts.push({ command: commands.push(current) - 1, buckets: 0 });
      }
      current.fields.push(...bucketFields(compiled, (start - slab) / view.bucketMs));
      const part = parts[parts.length - 1];
      if (part !== undefined) part.buckets += 1;
    }
    readIndexOf.set(dedupKey, reads.length);
    return reads.push({ compiled, parts, metaCommand }) - 1;
  });
  return { commands, reads, readOfQuery };
}

export interface FeatureReading {
  /** `<view>.<aggregation>` → raw-unit value, or the configured default over an empty window. */
  readonly values: FeatureValues;
  /** The view's watermark had reached atMs: no record with time < atMs can still arrive. */
  readonly complete: boolean;
  readonly watermarkMs: number | null;
}

/** Turns the pipeline's replies (one array of strings/null per command) into readings. */
export function decodeReads(
  plan: ReadPlan,
  queries: readonly FeatureQuery[],
  replies: readonly (readonly (string | null)[])[],
): FeatureReading[] {
  const decoded = plan.reads.map((read) => {
    const { compiled } = read;
    const width = bucketFieldCount(compiled);
    const window = emptyStats(compiled.valueFields.length);
    const bucket = emptyStats(compiled.valueFields.length);
    for (const part of read.parts) {
      const reply = replies[part.command] ?? [];
      for (let b = 0; b < part.buckets; b++) {
        if (decodeBucket(compiled, reply, b * width, bucket)) mergeInto(window, bucket);
      }
    }
    const watermarkReply = replies[read.metaCommand]?.[0];
    const watermarkMs =
      watermarkReply === null || watermarkReply === undefined ? null : Number(watermarkReply);
    return { values: finalize(compiled, window), watermarkMs };
  });
  return queries.map((query, i) => {
    const read = decoded[plan.readOfQuery[i] ?? -1];
    if (read === undefined) throw new Error(`no read planned for query ${i}`);
    return {
      values: { ...read.values },
      complete: read.watermarkMs !== null && read.watermarkMs >= query.atMs,
      watermarkMs: read.watermarkMs,
    };
  });
}
