import { emptyStats, type BucketStats } from './bucket-stats';
import type { ValueField } from './feature-view';

/**
 * Redis key layout (documented in docs/features.md):
 *   <prefix>fv:<view>:meta                       hash { max, wm }  max event time applied, watermark
 *   <prefix>fv:<view>:<slabStartMs>:<entity>     hash of per-bucket statistics + record ids
 * Fields of a slab hash, i = bucket index inside the slab (0 .. windowMs/bucketMs − 1):
 *   c:<i> count · t:<i> time of the last record · s:<field>:<i> sum · n:<field>:<i> min ·
 *   x:<field>:<i> max · l:<field>:<i> last value · r:<recordId> → i (replay guard)
 * The entity comes last so it may contain ':'; the slab start is always an integer.
 */
export function metaKey(prefix: string, viewName: string): string {
  return `${prefix}fv:${viewName}:meta`;
}

export function slabKey(prefix: string, viewName: string, slabStartMs: number, entity: string): string {
  return `${prefix}fv:${viewName}:${slabStartMs}:${entity}`;
}

/** What the layout needs of a compiled view: its value fields, in order. */
type WithValueFields = { readonly valueFields: readonly ValueField[] };

export const WATERMARK_FIELD = 'wm';
export const MAX_EVENT_TIME_FIELD = 'max';

function needsLastTime(compiled: WithValueFields): boolean {
  return compiled.valueFields.some((field) => field.last);
}

/** Hash fields holding bucket `index`, in the order decodeBucket expects them. */
export function bucketFields(compiled: WithValueFields, index: number): string[] {
  const fields = [`c:${index}`];
  if (needsLastTime(compiled)) fields.push(`t:${index}`);
  for (const field of compiled.valueFields) {
    if (field.sum) fields.push(`s:${field.name}:${index}`);
    if (field.min) fields.push(`n:${field.name}:${index}`);
    if (field.max) fields.push(`x:${field.name}:${index}`);
    if (field.last) fields.push(`l:${field.name}:${index}`);
  }
  return fields;
}

export function bucketFieldCount(compiled: WithValueFields): number {
  return bucketFields(compiled, 0).length;
}

function toNumber(reply: string | null | undefined, fallback: number): number {
  return reply === null || reply === undefined ? fallback : Number(reply);
}

/**
 * Reads one bucket from an HMGET reply starting at `offset`: its statistics, or null for an empty
 * bucket (nothing allocated). Statistics the view does not need stay at their neutral values.
 */
export function decodeBucket(
  compiled: WithValueFields,
  reply: readonly (string | null)[],
  offset: number,
): BucketStats | null {
  const count = toNumber(reply[offset], 0);
  if (count === 0) return null;
  const into = emptyStats(compiled.valueFields.length);
  let position = offset + 1;
  into.count = count;
  into.lastTimeMs = needsLastTime(compiled) ? toNumber(reply[position++], -Infinity) : -Infinity;
  compiled.valueFields.forEach((field, i) => {
    into.sums[i] = field.sum ? toNumber(reply[position++], 0) : 0;
    into.mins[i] = field.min ? toNumber(reply[position++], Infinity) : Infinity;
    into.maxs[i] = field.max ? toNumber(reply[position++], -Infinity) : -Infinity;
    into.lasts[i] = field.last ? toNumber(reply[position++], -Infinity) : -Infinity;
  });
  return into;
}

/** The per-field flags the apply script reads: s sum, n min, x max, l last. */
export function fieldFlags(compiled: WithValueFields): string[] {
  return compiled.valueFields.map(
    (field) =>
      `${field.sum ? 's' : ''}${field.min ? 'n' : ''}${field.max ? 'x' : ''}${field.last ? 'l' : ''}`,
  );
}
