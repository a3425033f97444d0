import { entityKeyOf, eventIdOf, eventTimeOf } from '@streamscore/contracts';
import { computeOfflineRows, type FeatureView } from '@streamscore/features';
import { scoreEvents, type LoadedModel, type RowIssue } from '@streamscore/models';
import type { StreamConfig } from '@streamscore/platform';

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
 * An event without a usable time stops the run before anything is scored (the service would
 * dead-letter it): every feature of the file is read as of its events' times.
 */
export async function scoreRecords(input: BatchScoreInput): Promise<{ scored: number; unscored: number }> {
  const { model, stream, events } = input;
  const timed = events.map((record, index) => {
    const atMs = eventTimeOf(record, stream.timeField);
    if (atMs === undefined)
      throw new RangeError(`event ${index + 1}: no usable event time in ${stream.timeField}`);
    return { record, atMs };
  });
  const online = computeOfflineRows(input.views, input.sources, timed);
  const output = model.manifest.outputs[0];
  if (output === undefined) throw new RangeError(`model ${model.manifest.name} declares no output`);
  let scored = 0;
  let unscored = 0;
  for (let start = 0; start < timed.length; start += input.batchSize) {
    const batch = timed.slice(start, start + input.batchSize);
    const result = await scoreEvents(
      model,
      batch.map((event) => event.record),
      online.slice(start, start + batch.length),
    );
    const issuesByRow = new Map<number, RowIssue[]>();
    for (const issue of result.issues)
      issuesByRow.set(issue.row, [...(issuesByRow.get(issue.row) ?? []), issue]);
    const good: ScoredEvent[] = [];
    const bad: UnscoredEvent[] = [];
    batch.forEach(({ record: event, atMs }, row) => {
      const eventId = eventIdOf(event, stream.idField) ?? '';
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
        entityKey: entityKeyOf(event, stream.keyFields),
        eventTime: atMs,
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
