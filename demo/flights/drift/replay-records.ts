/**
 * The replay file: scored real events written by a tsx child process (the parquet reader is
 * ESM-only and cannot run inside Jest) and read back by the replay test. Rows are compact arrays
 * so a week of flights stays a few tens of MB; `toPrediction` turns one into the Prediction record
 * that both the drift monitor (through Kafka) and the offline computation see.
 */
import { readFileSync } from 'node:fs';
import type { Prediction } from '@streamscore/contracts';

/** [eventTime, entityKey, eventId, score, numeric values (null = missing), categories (null = missing)]. */
export type ReplayRow = [number, string, string, number, (number | null)[], (string | null)[]];

export interface ReplaySlice {
  readonly name: string;
  /** Inclusive, epoch ms UTC. */
  readonly fromMs: number;
  /** Exclusive, epoch ms UTC. */
  readonly toMs: number;
}

export interface ReplayFile {
  readonly modelName: string;
  readonly modelVersion: string;
  readonly decisionThreshold: number;
  readonly numericNames: readonly string[];
  readonly categoricalNames: readonly string[];
  readonly slices: readonly (ReplaySlice & { readonly rows: number })[];
  /** Every row of every slice, in event-time order. */
  readonly rows: readonly ReplayRow[];
}

export function readReplayFile(path: string): ReplayFile {
  return JSON.parse(readFileSync(path, 'utf8')) as ReplayFile;
}

export function toPrediction(file: ReplayFile, row: ReplayRow): Prediction {
  const [eventTime, entityKey, eventId, score, numbers, strings] = row;
  const features: Record<string, number> = {};
  file.numericNames.forEach((name, i) => {
    const value = numbers[i];
    if (typeof value === 'number') features[name] = value;
  });
  const categories: Record<string, string> = {};
  file.categoricalNames.forEach((name, i) => {
    const value = strings[i];
    if (typeof value === 'string') categories[name] = value;
  });
  return {
    eventId,
    entityKey,
    eventTime,
    modelName: file.modelName,
    modelVersion: file.modelVersion,
    role: 'ACTIVE',
    score,
    label: score >= file.decisionThreshold,
    features,
    categories,
    flags: [],
    timings: { queueMs: 0, featuresMs: 0, featureWaitMs: 0, inferenceMs: 0 },
    scoredAt: eventTime,
  };
}
