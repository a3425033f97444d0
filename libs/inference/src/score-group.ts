import type { DeadLetterCode } from '@streamscore/contracts';
import type { OnlineValues, RawFeatures } from '@streamscore/models';
import type { ServedVersion } from './serving/serving';
import { ModelRunError, type ScoreResult } from './scoring/scoring-pool';

/** Scores a tensor for a served version (the scoring pool, or a fake in unit specs). */
export interface Scorer {
  score(key: string, tensor: Float32Array, rows: number): Promise<ScoreResult>;
}

/** The records of a group: the decoded event fields. */
export type GroupRows = readonly { readonly record: Record<string, unknown> }[];

export type RowIssue = { code: DeadLetterCode; reason: string; fields: string[] };

export interface GroupResult {
  readonly raw: RawFeatures;
  readonly scores: Float32Array | undefined;
  readonly issues: Map<number, RowIssue>;
  readonly runMs: number;
  readonly runWaitMs: number | undefined;
  readonly roundTripMs: number;
  readonly error: string | undefined;
}

/**
 * One served version's run over a group of rows: feature vectors (rows whose features cannot be
 * built get a MISSING_FEATURES issue), then one ONNX Runtime run for the rest. A ModelRunError
 * (the runtime refused this input, deterministic) leaves the group unscored with its message, so
 * its rows become dead letters rather than a stuck partition; any other error propagates.
 */
export async function scoreGroup(
  scorer: Scorer,
  version: ServedVersion,
  rows: GroupRows,
  online: readonly OnlineValues[],
): Promise<GroupResult> {
  const vectors = version.builder.build(
    rows.map((r) => r.record),
    online,
  );
  const issues = new Map<number, RowIssue>();
  for (const issue of vectors.issues) {
    const existing = issues.get(issue.row);
    if (existing) {
      existing.fields.push(issue.feature);
      existing.reason += `; ${issue.message}`;
    } else
      issues.set(issue.row, { code: 'MISSING_FEATURES', reason: issue.message, fields: [issue.feature] });
  }
  // Nothing scored: every row has an issue, or the runtime refused the batch (`error`).
  const unscored = (error: string | undefined): GroupResult => ({
    raw: vectors.raw,
    scores: undefined,
    issues,
    runMs: 0,
    runWaitMs: undefined,
    roundTripMs: 0,
    error,
  });
  if (issues.size === rows.length) return unscored(undefined);
  try {
    const scored = await scorer.score(version.key, vectors.tensor, rows.length);
    return {
      raw: vectors.raw,
      scores: scored.scores,
      issues,
      runMs: scored.runMs,
      runWaitMs: scored.runWaitMs,
      roundTripMs: scored.totalMs,
      error: undefined,
    };
  } catch (error) {
    // The runtime refused this input (deterministic): those rows are dead letters, not a stuck partition.
    if (!(error instanceof ModelRunError)) throw error;
    return unscored(error.message);
  }
}
