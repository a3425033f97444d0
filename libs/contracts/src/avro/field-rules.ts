import type * as avro from 'avsc';
import { eventTimeOf } from '../stream-accessors';
import { decodeFailure, type DecodeFailure } from './decode-result';

/**
 * Field rules: constraints beyond the schema (pipeline file `streams.<name>.rules` and
 * `eventTimeWindow`; issue #18). A schema says `distance` is a double and `scheduledAt` a long; it
 * cannot say that a distance is not negative, an airport code has three letters, an id is not
 * empty or an event did not happen in year 0. A record that breaks a rule is dead-lettered
 * OUT_OF_RANGE with the field paths, and the reason names each value and the rule it breaks. Like
 * the field size check, the decoder runs it on records from Avro and JSON alike, so the ingestion
 * gate, the HTTP entry and `streamscore produce` refuse the same records.
 */
export interface FieldRule {
  /** Least value of a number (inclusive). */
  readonly min?: number;
  /** Greatest value of a number (inclusive). */
  readonly max?: number;
  /** Fewest characters (Unicode code points) of a string (inclusive). */
  readonly minLength?: number;
  /** Most characters (Unicode code points) of a string (inclusive). */
  readonly maxLength?: number;
}

/** Event time allowed relative to ingestion time: at most `pastMs` before, `futureMs` after. */
export interface EventTimeWindow {
  readonly pastMs?: number;
  readonly futureMs?: number;
}

export interface FieldRules {
  /** Rules by top-level field name; a null value (an optional field left out) passes. */
  readonly fields?: Readonly<Record<string, FieldRule>>;
  /** The stream's event-time field, read by eventTimeOf (needed for `eventTimeWindow`). */
  readonly timeField?: string;
  readonly eventTimeWindow?: EventTimeWindow;
}

const NUMERIC = new Set(['int', 'long', 'float', 'double']);

interface TypeInternals {
  readonly typeName: string;
  readonly fields?: readonly { name: string; type: avro.Type }[];
  readonly types?: readonly avro.Type[];
  readonly underlyingType?: avro.Type;
}

/** The type names a field's value can have (a union's branches, a logical type's underlying type). */
function valueTypeNames(type: avro.Type): string[] {
  const t = type as unknown as TypeInternals;
  if (t.typeName === 'union' || t.typeName.startsWith('union:'))
    return (t.types ?? []).flatMap((branch) => valueTypeNames(branch));
  if (t.typeName.startsWith('logical:') && t.underlyingType) return valueTypeNames(t.underlyingType);
  return [t.typeName];
}

/**
 * Why `rules` cannot apply to records of `type` (a record schema), as `[field, message]`, or
 * undefined when they can: each rule names a top-level field of the schema, `min`/`max` a numeric
 * one, `minLength`/`maxLength` a string one.
 */
export function fieldRuleProblem(
  type: avro.Type,
  fields: Readonly<Record<string, FieldRule>>,
): [string, string] | undefined {
  const schemaFields = (type as unknown as TypeInternals).fields ?? [];
  for (const [name, rule] of Object.entries(fields)) {
    const field = schemaFields.find((f) => f.name === name);
    if (!field) return [name, `is not a field of the stream's schema ${type.name ?? ''}`.trimEnd()];
    const names = valueTypeNames(field.type).filter((n) => n !== 'null');
    if ((rule.min !== undefined || rule.max !== undefined) && !names.every((n) => NUMERIC.has(n)))
      return [name, `has min/max but is not a number (${names.join(' | ')})`];
    if ((rule.minLength !== undefined || rule.maxLength !== undefined) && !names.every((n) => n === 'string'))
      return [name, `has minLength/maxLength but is not a string (${names.join(' | ')})`];
  }
  return undefined;
}

/** At most this many paths go into the dead letter's fields header (the reason says how many more). */
const MAX_REPORTED = 10;

function allowed(min: number | undefined, max: number | undefined, show: (n: number) => string): string {
  if (min !== undefined && max !== undefined)
    return min === max ? `exactly ${show(min)}` : `${show(min)} to ${show(max)}`;
  return min !== undefined ? `at least ${show(min)}` : `at most ${show(max ?? 0)}`;
}

function instant(ms: number): string {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? String(ms) : `${date.toISOString()} (${ms})`;
}

function numberRule(
  field: string,
  rule: FieldRule,
  value: number,
  show: (n: number) => string,
): string | undefined {
  if ((rule.min === undefined || value >= rule.min) && (rule.max === undefined || value <= rule.max))
    return undefined;
  return `${field} is ${show(value)}; the pipeline allows ${allowed(rule.min, rule.max, show)}`;
}

function lengthRule(field: string, rule: FieldRule, value: string): string | undefined {
  const { minLength: min, maxLength: max } = rule;
  // Code points: a string may have up to twice as many UTF-16 units; count only when it matters.
  if (min !== undefined && value.length < min) {
    /* fewer units means fewer code points: too short */
  } else if (max === undefined || value.length <= max) {
    return undefined;
  }
  // A surrogate pair is one character.
  const length = value.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, '_').length;
  if ((min === undefined || length >= min) && (max === undefined || length <= max)) return undefined;
  const is = length === 0 ? 'empty' : `${length} characters long`;
  const unit = (max ?? min) === 1 ? 'character' : 'characters';
  return `${field} is ${is}; the pipeline allows ${allowed(min, max, String)} ${unit}`;
}

/**
 * Compiles the rule check. Returns an OUT_OF_RANGE failure naming every field that breaks a rule
 * (up to ten), or undefined. `now` is the ingestion time for `eventTimeWindow`.
 */
export function compileFieldRuleCheck(
  rules: FieldRules,
  now: () => number = Date.now,
): (record: unknown) => DecodeFailure | undefined {
  const fields = Object.entries(rules.fields ?? {});
  const { timeField, eventTimeWindow: window } = rules;
  const hasWindow = timeField !== undefined && window !== undefined;
  if (fields.length === 0 && !hasWindow) return () => undefined;
  return (record) => {
    if (typeof record !== 'object' || record === null) return undefined;
    const values = record as Record<string, unknown>;
    const found: [string, string][] = [];
    for (const [field, rule] of fields) {
      const value = values[field];
      let broken: string | undefined;
      // The event time reads as an instant as well as a number.
      const show = field === timeField ? instant : String;
      if (typeof value === 'number') broken = numberRule(field, rule, value, show);
      else if (typeof value === 'bigint') broken = numberRule(field, rule, Number(value), show);
      else if (value instanceof Date) broken = numberRule(field, rule, value.getTime(), instant);
      else if (typeof value === 'string') broken = lengthRule(field, rule, value);
      if (broken !== undefined) found.push([field, broken]);
    }
    if (hasWindow) {
      const time = eventTimeOf(values, timeField);
      const at = now();
      const min = window.pastMs === undefined ? undefined : at - window.pastMs;
      const max = window.futureMs === undefined ? undefined : at + window.futureMs;
      if (time === undefined) found.push([timeField, `${timeField} is not an event time`]);
      else if ((min !== undefined && time < min) || (max !== undefined && time > max)) {
        const relative = allowed(window.pastMs, window.futureMs, String)
          .replace(/^(\d+) to (\d+)$/, '$1 ms before to $2 ms after')
          .replace(/^at least (\d+)$/, 'at most $1 ms before')
          .replace(/^at most (\d+)$/, 'at most $1 ms after')
          .replace(/^exactly (\d+)$/, '$1 ms either side of');
        found.push([
          timeField,
          `${timeField} is ${instant(time)}; the pipeline allows ${allowed(min, max, instant)} ` +
            `(${relative} ingestion)`,
        ]);
      }
    }
    if (found.length === 0) return undefined;
    const reported = found.slice(0, MAX_REPORTED);
    const more = found.length - reported.length;
    const reason = reported.map(([, why]) => why).join('; ') + (more > 0 ? `; and ${more} more` : '');
    return decodeFailure('OUT_OF_RANGE', reason, [...new Set(reported.map(([path]) => path))]);
  };
}
