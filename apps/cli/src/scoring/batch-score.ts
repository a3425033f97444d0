import { computeOfflineRows, type FeatureView } from '@streamscore/features';
import { scoreEvents, type LoadedModel, type RowIssue } from '@streamscore/models';
import type { StreamConfig } from '@streamscore/platform';
import { entityKey } from '../produce/record-encoder';

/** A batch-scored event, shaped like the Prediction record (schemas/prediction) minus the timings. */
export interface ScoredEvent {
  readonly eventId: string;
  readonly entityKey: string;
  readonly eventTime: number;
  readonly modelName: string;
  readonly modelVersion: string;
  readonly role: 'ACTIVE';
  readonly score: number;
  readonly label: boolean;
  readonly features: Record<string, number>;
  readonly categories: Record<string, string>;
}

export interface UnscoredEvent {
  readonly row: number;
  readonly eventId: string;
  readonly issues: readonly RowIssue[];
}

export interface BatchScoreInput {
  readonly model: LoadedModel;
  readonly views: readonly FeatureView[];
  /** The events' stream: its id, time and key fields. */
  readonly stream: StreamConfig;
  readonly events: readonly Record<string, unknown>[];
  /** Source records of the views by logical stream name (`events`, `outcomes`). */
  readonly sources: Readonly<Record<string, readonly Record<string, unknown>[]>>;
  readonly batchSize: number;
  /** Called with each scored batch, in event order. */
  readonly onBatch: (
    scored: readonly ScoredEvent[],
    unscored: readonly UnscoredEvent[],
  ) => void | Promise<void>;
}

/**
 * Backfill scoring: the online features of each event are the OFFLINE computation of the same
 * feature views as of the event's time (libs/features computeOfflineRows, point in time), then the
 * same tensor building and ONNX run as the service (libs/models scoreEvents), batch by batch.
 */
export async function scoreRecords(input: BatchScoreInput): Promise<{ scored: number; unscored: number }> {
  const { model, stream, events } = input;
  const online = computeOfflineRows(
    input.views,
    input.sources,
    events.map((record) => ({ record, atMs: Number(record[stream.timeField]) })),
  );
  const output = model.manifest.outputs[0];
  if (output === undefined) throw new RangeError(`model ${model.manifest.name} declares no output`);
  let scored = 0;
  let unscored = 0;
  for (let start = 0; start < events.length; start += input.batchSize) {
    const batch = events.slice(start, start + input.batchSize);
    const result = await scoreEvents(model, batch, online.slice(start, start + batch.length));
    const issuesByRow = new Map<number, RowIssue[]>();
    for (const issue of result.issues)
      issuesByRow.set(issue.row, [...(issuesByRow.get(issue.row) ?? []), issue]);
    const good: ScoredEvent[] = [];
    const bad: UnscoredEvent[] = [];
    batch.forEach((event, row) => {
      const eventId = String(event[stream.idField]);
      const issues = issuesByRow.get(row);
      if (issues !== undefined) {
        bad.push({ row: start + row, eventId, issues });
        return;
      }
      const score = result.scores[row] ?? Number.NaN;
      const features: Record<string, number> = {};
      const categories: Record<string, string> = {};
      for (const [name, column] of result.raw.columns) {
        const value = column[row];
        if (typeof value === 'number') features[name] = value;
        else if (typeof value === 'string') categories[name] = value;
      }
      good.push({
        eventId,
        entityKey: entityKey(event, stream.keyFields),
        eventTime: Number(event[stream.timeField]),
        modelName: model.manifest.name,
        modelVersion: String(model.manifest.version),
        role: 'ACTIVE',
        score,
        label: score >= output.decisionThreshold,
        features,
        categories,
      });
    });
    scored += good.length;
    unscored += bad.length;
    await input.onBatch(good, bad);
  }
  return { scored, unscored };
}
