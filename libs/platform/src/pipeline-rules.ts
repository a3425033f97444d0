import {
  fieldRuleProblem,
  isoInstantMs,
  loadSchemaHistory,
  type EventTimeWindow,
  type FieldRule,
} from '@streamscore/contracts';

/**
 * A stream's field rules in the pipeline file (issue #18): constraints beyond the schema, checked
 * by the decoder everywhere input is accepted (OUT_OF_RANGE, libs/contracts field-rules.ts).
 *
 *   "rules": {
 *     "distance": { "min": 0, "max": 20000 },
 *     "origin": { "minLength": 3, "maxLength": 3 },
 *     "scheduledAt": { "min": "1990-01-01T00:00:00Z", "max": "2100-01-01T00:00:00Z" }
 *   },
 *   "eventTimeWindow": { "pastMs": 604800000, "futureMs": 86400000 }
 *
 * `min`/`max` (numbers; inclusive) apply to numeric fields and may be written as ISO 8601 instants
 * for epoch-ms fields; `minLength`/`maxLength` (characters; inclusive) to string fields. Each rule
 * names a top-level field of the stream's latest schema. The id field has `minLength: 1` unless
 * its rule says otherwise: an empty id is never valid. `eventTimeWindow` bounds the event time
 * (`timeField`) relative to ingestion time.
 */
type At = (path: string, message: string) => Error;

const RULE_KEYS = ['min', 'max', 'minLength', 'maxLength', '$comment'] as const;
/** Largest window either side: 100 years. */
const MAX_WINDOW_MS = 100 * 366 * 86_400_000;

function objectAt(value: unknown, path: string, at: At): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw at(path, 'must be an object');
  return value as Record<string, unknown>;
}

function onlyKeys(value: Record<string, unknown>, keys: readonly string[], path: string, at: At): void {
  for (const key of Object.keys(value))
    if (!keys.includes(key)) throw at(`${path}.${key}`, 'is not a known setting');
}

function bound(value: unknown, path: string, at: At): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  const ms = typeof value === 'string' ? isoInstantMs(value) : undefined;
  if (ms === undefined)
    throw at(
      path,
      `must be a finite number or an ISO 8601 instant with offset, got ${JSON.stringify(value)}`,
    );
  return ms;
}

function length(value: unknown, path: string, at: At): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0)
    throw at(path, `must be an integer of at least 0 (characters), got ${JSON.stringify(value)}`);
  return value;
}

function fieldRule(raw: unknown, path: string, at: At): FieldRule {
  const rule = objectAt(raw, path, at);
  onlyKeys(rule, RULE_KEYS, path, at);
  const parsed = {
    min: bound(rule['min'], `${path}.min`, at),
    max: bound(rule['max'], `${path}.max`, at),
    minLength: length(rule['minLength'], `${path}.minLength`, at),
    maxLength: length(rule['maxLength'], `${path}.maxLength`, at),
  };
  if (Object.values(parsed).every((v) => v === undefined))
    throw at(path, 'must set at least one of min, max, minLength, maxLength');
  if (parsed.min !== undefined && parsed.max !== undefined && parsed.min > parsed.max)
    throw at(path, `has min ${parsed.min} above max ${parsed.max}`);
  if (parsed.minLength !== undefined && parsed.maxLength !== undefined && parsed.minLength > parsed.maxLength)
    throw at(path, `has minLength ${parsed.minLength} above maxLength ${parsed.maxLength}`);
  return Object.fromEntries(Object.entries(parsed).filter(([, v]) => v !== undefined));
}

/**
 * The stream's rules (`rules`, at `path`.rules) with the id field's default, checked against the
 * latest schema in `schemaDir` when the file states any.
 */
export function streamRules(
  raw: unknown,
  stream: { readonly path: string; readonly schemaDir: string; readonly idField: string },
  at: At,
): Readonly<Record<string, FieldRule>> {
  const path = `${stream.path}.rules`;
  const stated: Record<string, FieldRule> = {};
  if (raw !== undefined) {
    const rules = objectAt(raw, path, at);
    for (const [field, rule] of Object.entries(rules)) {
      if (field === '$comment') continue;
      stated[field] = fieldRule(rule, `${path}.${field}`, at);
    }
    if (Object.keys(stated).length > 0) {
      let history;
      try {
        history = loadSchemaHistory(stream.schemaDir);
      } catch (error) {
        throw at(path, `cannot be checked against the schema: ${(error as Error).message}`);
      }
      const problem = fieldRuleProblem(history.latest.type, stated);
      if (problem) throw at(`${path}.${problem[0]}`, problem[1]);
    }
  }
  // The id's rule first: an empty id is reported before anything else in the record.
  const id = stated[stream.idField];
  const rules: Record<string, FieldRule> = {
    [stream.idField]: id?.minLength === undefined ? { minLength: 1, ...id } : id,
  };
  for (const [field, rule] of Object.entries(stated)) if (field !== stream.idField) rules[field] = rule;
  return rules;
}

/** The stream's `eventTimeWindow`, if any. */
export function parseEventTimeWindow(raw: unknown, streamPath: string, at: At): EventTimeWindow | undefined {
  if (raw === undefined) return undefined;
  const path = `${streamPath}.eventTimeWindow`;
  const window = objectAt(raw, path, at);
  onlyKeys(window, ['pastMs', 'futureMs', '$comment'], path, at);
  const ms = (name: 'pastMs' | 'futureMs'): number | undefined => {
    const value = window[name];
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_WINDOW_MS)
      throw at(
        `${path}.${name}`,
        `must be an integer from 0 to ${MAX_WINDOW_MS} (ms), got ${JSON.stringify(value)}`,
      );
    return value;
  };
  const pastMs = ms('pastMs');
  const futureMs = ms('futureMs');
  if (pastMs === undefined && futureMs === undefined) throw at(path, 'must set pastMs, futureMs or both');
  return { ...(pastMs === undefined ? {} : { pastMs }), ...(futureMs === undefined ? {} : { futureMs }) };
}
