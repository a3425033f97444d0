/**
 * Synthetic predictions for the drift monitor's tests: x1 ~ N(0, 1), x2 ~ N(10, 2), c1 in a/b/c,
 * score = logistic(x1), from a seeded generator, so the fixture manifest's references and the
 * test streams come from the same distribution. A shift moves x1's mean by `shift` sd.
 */
import { mulberry32 } from '@streamscore/drift';
import type { Prediction } from '@streamscore/contracts';

export const FIXTURE_MODEL = { name: 'drift-fixture', version: '1' } as const;

function normal(random: () => number): number {
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

export interface SyntheticRow {
  readonly x1: number;
  readonly x2: number;
  readonly c1: string;
  readonly score: number;
}

export function syntheticRows(seed: number, count: number, shift = 0): SyntheticRow[] {
  const random = mulberry32(seed);
  return Array.from({ length: count }, () => {
    const x1 = normal(random) + shift;
    const x2 = 10 + 2 * normal(random);
    const u = random();
    return { x1, x2, c1: u < 0.5 ? 'a' : u < 0.8 ? 'b' : 'c', score: 1 / (1 + Math.exp(-x1)) };
  });
}

export function prediction(row: SyntheticRow, eventTime: number, id: string): Prediction {
  return {
    eventId: id,
    entityKey: `e-${id}`,
    eventTime,
    modelName: FIXTURE_MODEL.name,
    modelVersion: FIXTURE_MODEL.version,
    role: 'ACTIVE',
    score: row.score,
    label: row.score >= 0.5,
    features: { x1: row.x1, x2: row.x2 },
    categories: { c1: row.c1 },
    flags: [],
    timings: { queueMs: 0, featuresMs: 0, inferenceMs: 0 },
    scoredAt: eventTime,
  };
}
