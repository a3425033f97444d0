import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';

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
}

export interface PipelineConfig {
  readonly file: string;
  readonly streams: { readonly events: StreamConfig; readonly outcomes: StreamConfig };
  readonly featureViews: string;
  readonly modelRepository: string;
  readonly model: string;
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
  allowOnly(root, ['streams', 'featureViews', 'modelRepository', 'model', '$comment'], '', at);
  const streams = object(root['streams'], 'streams', at);
  allowOnly(streams, ['events', 'outcomes'], 'streams', at);
  const stream = (name: 'events' | 'outcomes'): StreamConfig => {
    const path = `streams.${name}`;
    const s = object(streams[name], path, at);
    allowOnly(s, ['schemaDir', 'keyFields', 'idField', 'timeField'], path, at);
    const keyFields = s['keyFields'];
    if (
      !Array.isArray(keyFields) ||
      keyFields.length === 0 ||
      !keyFields.every((k) => typeof k === 'string')
    ) {
      throw at(`${path}.keyFields`, 'must be a non-empty array of field names');
    }
    return {
      schemaDir: pathIn(base, string(s['schemaDir'], `${path}.schemaDir`, at)),
      keyFields,
      idField: string(s['idField'], `${path}.idField`, at),
      timeField: string(s['timeField'], `${path}.timeField`, at),
    };
  };
  return {
    file: resolve(file),
    streams: { events: stream('events'), outcomes: stream('outcomes') },
    featureViews: pathIn(base, string(root['featureViews'], 'featureViews', at)),
    modelRepository: pathIn(base, string(root['modelRepository'], 'modelRepository', at)),
    model: string(root['model'], 'model', at),
  };
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
