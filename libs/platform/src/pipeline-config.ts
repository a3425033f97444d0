import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import type {
  CompatibilityMode,
  DecoderOptions,
  EventTimeWindow,
  FieldRule,
  FieldSizeLimits,
} from '@streamscore/contracts';
import { streamCompatibility } from './pipeline-compatibility';
import { parseEventTimeWindow, streamRules } from './pipeline-rules';

/**
 * What a deployment serves, as configuration rather than code: which schema each input stream
 * carries and which record fields are its key, id and event time; where the feature views and the
 * model repository are. Paths are relative to the pipeline file. The services know nothing else
 * about the domain (the flights demo is one such file: demo/flights/pipeline.json).
 */
export interface StreamConfig {
  /** Directory of the record's schema history (v1.avsc … vN.avsc). */
  readonly schemaDir: string;
  /** Field(s) whose value(s) become the Kafka key of validated records (the entity key). */
  readonly keyFields: readonly string[];
  /** Field that identifies an event across streams (the outcome of event X has X's id). */
  readonly idField: string;
  /** Event-time field, epoch milliseconds. */
  readonly timeField: string;
  /**
   * Constraints beyond the schema by field name (`rules`; pipeline-rules.ts), with the id field's
   * default `minLength: 1`: a record that breaks one is dead-lettered OUT_OF_RANGE.
   */
  readonly rules?: Readonly<Record<string, FieldRule>>;
  /** Event time allowed relative to ingestion time (`eventTimeWindow`); none when left out. */
  readonly eventTimeWindow?: EventTimeWindow;
  /**
   * `deduplicateWithinMs`: an id already accepted from another input record less than this long
   * ago (ingestion time) is dead-lettered DUPLICATE; no deduplication when left out. Only for a
   * stream whose id names one record (events), not one shared by several (an event's outcomes).
   */
  readonly deduplicateWithinMs?: number;
  /**
   * How the schema history may evolve (`compatibility`; pipeline-compatibility.ts), checked at
   * load; DEFAULT_COMPATIBILITY when the file states none.
   */
  readonly compatibility?: CompatibilityMode;
}

/**
 * Sizes an input record may have beyond the message cap (STREAMSCORE_MAX_MESSAGE_BYTES): a record
 * over them is dead-lettered TOO_LARGE with the field paths by the ingestion gate, refused by the
 * HTTP entry and by `streamscore produce` (one rule: the decoder's field size check, libs/contracts
 * field-sizes.ts).
 */
export interface FieldLimits {
  /** Most bytes of any string (UTF-8), bytes value or map key in a record. */
  readonly maxStringBytes: number;
  /** Most UTF-8 bytes of each key field's value as text, i.e. of each part of the entity key. */
  readonly maxKeyFieldBytes: number;
}

/**
 * The defaults, for a pipeline file without `limits`:
 * - strings 64 KiB: ids, codes, names and short free text are far below it (the flights demo's
 *   longest string is under 40 bytes); it is 1/16 of the default 1 MiB message cap, so a record
 *   can still hold several large strings; a larger one is a mistake or an attack, and every string
 *   is carried on into validated records, dead-letter copies and logs.
 * - key fields 1 KiB: the entity key is hashed by the partitioner of every producer that writes the
 *   record, is the Kafka key of validated records and predictions and part of every Redis feature
 *   key of the entity. Real keys are codes and ids (an airport 3 bytes, a UUID 36); 1 KiB leaves
 *   room for prefixed or composite ids and keeps a key a small fraction of its record. A 300 KB
 *   key once held a partition for minutes (issue #18).
 */
export const DEFAULT_FIELD_LIMITS: FieldLimits = { maxStringBytes: 65_536, maxKeyFieldBytes: 1_024 };

/**
 * Largest settings: a string cannot outgrow the largest message cap (64 MiB), nor a key part a
 * broker's default message (1 MiB).
 */
const FIELD_LIMIT_MAX: FieldLimits = { maxStringBytes: 64 * 1_048_576, maxKeyFieldBytes: 1_048_576 };

export interface PipelineConfig {
  readonly file: string;
  readonly streams: { readonly events: StreamConfig; readonly outcomes: StreamConfig };
  readonly featureViews: string;
  readonly modelRepository: string;
  readonly model: string;
  /** Field size limits of both input streams (`limits`; DEFAULT_FIELD_LIMITS for any left out). */
  readonly limits: FieldLimits;
}

/** The decoder options that apply the pipeline's field size limits to one input stream. */
export function fieldSizeLimits(pipeline: PipelineConfig, stream: 'events' | 'outcomes'): FieldSizeLimits {
  return { ...pipeline.limits, keyFields: pipeline.streams[stream].keyFields };
}

/**
 * The decoder options of everything that accepts input of one stream (the ingestion gate, the HTTP
 * entry, `streamscore produce`, `dlq resend`): the field size limits and the stream's field rules.
 */
export function inputChecks(
  pipeline: PipelineConfig,
  stream: 'events' | 'outcomes',
): Pick<DecoderOptions, 'maxStringBytes' | 'keyFields' | 'maxKeyFieldBytes' | 'rules'> {
  const { rules, timeField, eventTimeWindow: window } = pipeline.streams[stream];
  return {
    ...fieldSizeLimits(pipeline, stream),
    rules: { fields: rules ?? {}, timeField, ...(window ? { eventTimeWindow: window } : {}) },
  };
}

export class PipelineConfigError extends Error {
  override readonly name = 'PipelineConfigError';
}

export function loadPipelineConfig(file: string): PipelineConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new PipelineConfigError(`${file}: ${(error as Error).message}`);
  }
  return parsePipelineConfig(raw, file);
}

export function parsePipelineConfig(raw: unknown, file: string): PipelineConfig {
  const base = dirname(resolve(file));
  const at = (path: string, message: string): PipelineConfigError =>
    new PipelineConfigError(`${file}: ${path} ${message}`);
  const root = object(raw, '', at);
  allowOnly(root, ['streams', 'featureViews', 'modelRepository', 'model', 'limits', '$comment'], '', at);
  const streams = object(root['streams'], 'streams', at);
  allowOnly(streams, ['events', 'outcomes'], 'streams', at);
  const stream = (name: 'events' | 'outcomes'): StreamConfig => {
    const path = `streams.${name}`;
    const s = object(streams[name], path, at);
    allowOnly(
      s,
      [
        'schemaDir',
        'keyFields',
        'idField',
        'timeField',
        'rules',
        'eventTimeWindow',
        'deduplicateWithinMs',
        'compatibility',
        '$comment',
      ],
      path,
      at,
    );
    const keyFields = s['keyFields'];
    if (
      !Array.isArray(keyFields) ||
      keyFields.length === 0 ||
      !keyFields.every((k) => typeof k === 'string')
    ) {
      throw at(`${path}.keyFields`, 'must be a non-empty array of field names');
    }
    const schemaDir = pathIn(base, string(s['schemaDir'], `${path}.schemaDir`, at));
    const idField = string(s['idField'], `${path}.idField`, at);
    // Before the rules, which read the latest schema: a broken evolution is named as such first.
    const compatibility = streamCompatibility(s['compatibility'], { path, schemaDir }, at);
    const window = parseEventTimeWindow(s['eventTimeWindow'], path, at);
    const deduplicateWithinMs = deduplicationHorizon(s['deduplicateWithinMs'], path, at);
    return {
      schemaDir,
      keyFields,
      idField,
      timeField: string(s['timeField'], `${path}.timeField`, at),
      rules: streamRules(s['rules'], { path, schemaDir, idField }, at),
      ...(window ? { eventTimeWindow: window } : {}),
      ...(deduplicateWithinMs === undefined ? {} : { deduplicateWithinMs }),
      compatibility,
    };
  };
  return {
    file: resolve(file),
    streams: { events: stream('events'), outcomes: stream('outcomes') },
    featureViews: pathIn(base, string(root['featureViews'], 'featureViews', at)),
    modelRepository: pathIn(base, string(root['modelRepository'], 'modelRepository', at)),
    model: string(root['model'], 'model', at),
    limits: fieldLimits(root['limits'], at),
  };
}

/** From one second (below it, a client's retry would slip through) to 30 days. */
const DEDUPLICATION_MS = { min: 1_000, max: 30 * 86_400_000 };

function deduplicationHorizon(raw: unknown, path: string, at: At): number | undefined {
  if (raw === undefined) return undefined;
  const { min, max } = DEDUPLICATION_MS;
  if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < min || raw > max)
    throw at(
      `${path}.deduplicateWithinMs`,
      `must be an integer from ${min} to ${max} (milliseconds), got ${JSON.stringify(raw)}`,
    );
  return raw;
}

function fieldLimits(raw: unknown, at: At): FieldLimits {
  if (raw === undefined) return DEFAULT_FIELD_LIMITS;
  const limits = object(raw, 'limits', at);
  allowOnly(limits, ['maxStringBytes', 'maxKeyFieldBytes', '$comment'], 'limits', at);
  const limit = (name: keyof FieldLimits): number => {
    const value = limits[name];
    if (value === undefined) return DEFAULT_FIELD_LIMITS[name];
    const max = FIELD_LIMIT_MAX[name];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max)
      throw at(`limits.${name}`, `must be an integer from 1 to ${max} (bytes), got ${JSON.stringify(value)}`);
    return value;
  };
  return { maxStringBytes: limit('maxStringBytes'), maxKeyFieldBytes: limit('maxKeyFieldBytes') };
}

type At = (path: string, message: string) => PipelineConfigError;

function object(value: unknown, path: string, at: At): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw at(path || '(root)', 'must be an object');
  return value as Record<string, unknown>;
}

function string(value: unknown, path: string, at: At): string {
  if (typeof value !== 'string' || value.length === 0) throw at(path, 'must be a non-empty string');
  return value;
}

function allowOnly(value: Record<string, unknown>, keys: readonly string[], path: string, at: At): void {
  for (const key of Object.keys(value)) {
    if (!keys.includes(key)) throw at(path ? `${path}.${key}` : key, 'is not a known setting');
  }
}

function pathIn(base: string, path: string): string {
  return isAbsolute(path) ? path : resolve(base, path);
}
