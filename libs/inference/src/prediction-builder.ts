import type { ModelRole, Prediction, PredictionTimings } from '@streamscore/contracts';
import type { InputFeature, OnlineValues, RawFeatures } from '@streamscore/models';

export const PredictionFlags = {
  staleFeatures: 'staleFeatures',
  defaultedFeatures: 'defaultedFeatures',
} as const;

/** Numeric and categorical raw values of one row, by manifest feature name (the drift names). */
export function rawValuesOfRow(
  raw: RawFeatures,
  row: number,
): { features: Record<string, number>; categories: Record<string, string> } {
  const features: Record<string, number> = {};
  const categories: Record<string, string> = {};
  for (const [name, column] of raw.columns) {
    if (column instanceof Float64Array) {
      const value = column[row];
      if (value !== undefined && Number.isFinite(value)) features[name] = value;
    } else {
      const value = column[row];
      if (typeof value === 'string') categories[name] = value;
    }
  }
  return { features, categories };
}

function readPath(value: unknown, path: readonly string[]): unknown {
  let current = value;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function isUsable(value: unknown, type: InputFeature['type']): boolean {
  if (type === 'categorical') return typeof value === 'string';
  const number = typeof value === 'bigint' ? Number(value) : value;
  return typeof number === 'number' && Number.isFinite(number);
}

/**
 * Whether some feature of the row took the manifest's `missing.default` because its source had no
 * usable value (the builder substitutes silently; the Prediction says so with a flag).
 */
export function usedDefaults(
  features: readonly InputFeature[],
  event: unknown,
  online: OnlineValues | undefined,
): boolean {
  for (const feature of features) {
    if (feature.missing === undefined) continue;
    const { source } = feature;
    if (source.kind === 'online') {
      if (!isUsable(online?.[source.feature], feature.type)) return true;
    } else if (source.kind === 'event') {
      if (!isUsable(readPath(event, source.field.split('.')), feature.type)) return true;
    }
  }
  return false;
}

export interface PredictionInput {
  readonly eventId: string;
  readonly entityKey: string;
  readonly eventTimeMs: number;
  readonly modelName: string;
  readonly modelVersion: string;
  readonly role: ModelRole;
  readonly score: number;
  readonly decisionThreshold: number;
  readonly raw: RawFeatures;
  readonly row: number;
  readonly stale: boolean;
  readonly defaulted: boolean;
  readonly timings: PredictionTimings;
  readonly scoredAt: number;
}

export function buildPrediction(input: PredictionInput): Prediction {
  const { features, categories } = rawValuesOfRow(input.raw, input.row);
  const flags: string[] = [];
  if (input.stale) flags.push(PredictionFlags.staleFeatures);
  if (input.defaulted) flags.push(PredictionFlags.defaultedFeatures);
  return {
    eventId: input.eventId,
    entityKey: input.entityKey,
    eventTime: input.eventTimeMs,
    modelName: input.modelName,
    modelVersion: input.modelVersion,
    role: input.role,
    score: input.score,
    label: input.score >= input.decisionThreshold,
    features,
    categories,
    flags,
    timings: input.timings,
    scoredAt: input.scoredAt,
  };
}
