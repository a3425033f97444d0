import type { Type } from 'avsc';
import type { KafkaMessage } from 'kafkajs';
import {
  eventIdOf,
  eventTimeOf,
  fieldText,
  Headers,
  type DeadLetterCode,
  type Decoder,
  type ModelRole,
  type PredictionTimings,
} from '@streamscore/contracts';
import { routeByShare } from '@streamscore/deployments';
import { deadLetter, type OutputMessage, type PartitionBatch } from '@streamscore/kafka';
import type { OnlineValues } from '@streamscore/models';
import { fetchFeatures, type FeatureSource } from './features/feature-fetch';
import { assembleRows, planFeatureQueries } from './features/feature-plan';
import { buildPrediction, usedDefaults } from './prediction-builder';
import { predictionRecord } from './prediction-record';
import type { Serving, ServedVersion } from './serving/serving';
import { rowsByRole, type ServingRole } from './serving/version-routing';
import { scoreGroup, type GroupResult, type Scorer } from './score-group';

export interface BatchScorerOptions {
  readonly decoder: Decoder<Record<string, unknown>>;
  readonly features: FeatureSource;
  readonly scorer: Scorer;
  readonly idField: string;
  readonly timeField: string;
  /** Field hashed for canary routing. */
  readonly routingField: string;
  readonly topics: { readonly predictions: string; readonly shadow: string; readonly deadLetter: string };
  /** The Prediction schema (latest version) and its full name, for the schema header. */
  readonly prediction: { readonly type: Type; readonly name: string };
  readonly featureMaxWaitMs: number;
  readonly featureReadDeadlineMs: number;
}

export interface VersionRun {
  readonly version: ServedVersion;
  readonly role: ModelRole;
  /** Predictions written (rows without issues). */
  readonly rows: number;
  readonly runMs: number;
  /** Time the scoring thread was runnable but without a CPU during the run, where the OS tells. */
  readonly runWaitMs: number | undefined;
  readonly roundTripMs: number;
}

export interface BatchStats {
  readonly rows: number;
  readonly runs: VersionRun[];
  readonly deadLettered: Map<DeadLetterCode, number>;
  readonly stale: number;
  /** From the oldest record's timestamp to the start of the batch. */
  readonly queueMs: number;
  /** The feature read itself (the first read of the batch). */
  readonly featuresMs: number;
  /** Waiting after it for the features to be complete (re-reads included), up to the max wait. */
  readonly featureWaitMs: number;
  readonly featureRereads: number;
}

export interface ScoredOutputs {
  readonly outputs: OutputMessage[];
  readonly stats: BatchStats;
  /** Greatest event time among the scored rows: the progress committed with the batch's offset. */
  readonly eventTimeMs: number | undefined;
}

interface Row {
  readonly index: number;
  readonly message: KafkaMessage;
  readonly record: Record<string, unknown>;
  readonly eventTimeMs: number;
}

/**
 * Turns one partition's micro-batch into outputs, one per input record (plus shadow predictions):
 * decode → one feature read for the batch as of each event's time → one ONNX Runtime run per
 * served version → predictions in input order, or dead letters with a reason. Bad data becomes
 * dead letters; a Redis or worker failure throws a RetriableError and the runner retries the batch.
 */
export class BatchScorer {
  constructor(private readonly options: BatchScorerOptions) {}

  async handle(batch: PartitionBatch, serving: Serving): Promise<ScoredOutputs> {
    const startedAtMs = Date.now();
    const { options } = this;
    const perRow = new Array<OutputMessage | undefined>(batch.messages.length);
    const deadLettered = new Map<DeadLetterCode, number>();
    const reject = (
      message: KafkaMessage,
      index: number,
      code: DeadLetterCode,
      reason: string,
      fields: readonly string[] = [],
    ): void => {
      deadLettered.set(code, (deadLettered.get(code) ?? 0) + 1);
      perRow[index] = deadLetter(message, batch, options.topics.deadLetter, code, reason, fields);
    };

    const rows: Row[] = [];
    for (const [index, message] of batch.messages.entries()) {
      const decoded = await options.decoder.decode(message.value, message.headers);
      if (!decoded.ok) {
        reject(message, index, decoded.code, decoded.reason, decoded.fields);
        continue;
      }
      const eventTimeMs = eventTimeOf(decoded.record, options.timeField);
      if (eventTimeMs === undefined) {
        reject(message, index, 'INVALID_FIELD', `no usable event time in ${options.timeField}`, [
          options.timeField,
        ]);
        continue;
      }
      rows.push({ index, message, record: decoded.record, eventTimeMs });
    }

    const plan = planFeatureQueries(
      serving.views,
      rows.map((r) => r.record),
      rows.map((r) => r.eventTimeMs),
    );
    // The read and the readiness wait after it are two hops of the breakdown (timings, metrics).
    const {
      readings,
      rereads,
      readMs: featuresMs,
      waitMs: featureWaitMs,
    } = await fetchFeatures(options.features, plan.queries, {
      maxWaitMs: options.featureMaxWaitMs,
      readDeadlineMs: options.featureReadDeadlineMs,
      heartbeat: () => batch.heartbeat(),
    });
    const { online, stale } = assembleRows(rows.length, plan, readings);

    // The routing key is the routing field's text ('' when missing): a replay routes the same way.
    const canary = serving.canary;
    const roles = rows.map((row): ServingRole =>
      canary ? routeByShare(canary.share, fieldText(row.record[options.routingField]) ?? '') : 'ACTIVE',
    );
    const groups = rowsByRole(roles);
    const runs: VersionRun[] = [];
    /** Predictions written with stale features (dead-lettered rows are not predictions). */
    let staleWritten = 0;
    const timing = (row: Row, run: { runMs: number }): PredictionTimings => ({
      queueMs: Math.max(0, startedAtMs - Number(row.message.timestamp)),
      featuresMs,
      featureWaitMs,
      inferenceMs: run.runMs,
    });

    const served: [ServingRole, ServedVersion | undefined][] = [
      ['ACTIVE', serving.active],
      ['CANARY', serving.canary?.version],
    ];
    for (const [role, version] of served) {
      const members = groups[role];
      if (!version || members.length === 0) continue;
      const result = await scoreGroup(
        options.scorer,
        version,
        members.map((m) => rows[m] as Row),
        members.map((m) => online[m] ?? {}),
      );
      let written = 0;
      members.forEach((m, g) => {
        const row = rows[m] as Row;
        const issue = result.issues.get(g);
        const score = result.scores?.[g];
        if (issue !== undefined) {
          reject(row.message, row.index, issue.code, issue.reason, issue.fields);
        } else if (score === undefined || !Number.isFinite(score)) {
          const problem =
            score === undefined
              ? `returned ${result.scores?.length ?? 0} scores for ${members.length} rows`
              : 'returned a non-finite score';
          reject(row.message, row.index, 'MODEL_ERROR', result.error ?? `${version.key} ${problem}`);
        } else {
          written += 1;
          if (stale[m] === true) staleWritten += 1;
          perRow[row.index] = this.predictionMessage(
            row,
            version,
            role,
            score,
            result,
            g,
            online[m],
            stale[m] ?? false,
            timing(row, result),
          );
        }
      });
      runs.push({
        version,
        role,
        rows: written,
        runMs: result.runMs,
        runWaitMs: result.runWaitMs,
        roundTripMs: result.roundTripMs,
      });
    }

    const outputs = perRow.filter((o): o is OutputMessage => o !== undefined);
    if (outputs.length !== batch.messages.length)
      throw new Error(`${outputs.length} outputs for ${batch.messages.length} inputs`);
    if (serving.shadow && rows.length > 0) {
      const shadow = serving.shadow;
      const result = await scoreGroup(options.scorer, shadow, rows, online);
      let written = 0;
      rows.forEach((row, g) => {
        const score = result.scores?.[g];
        if (result.issues.has(g) || score === undefined || !Number.isFinite(score)) return;
        written += 1;
        outputs.push(
          this.predictionMessage(
            row,
            shadow,
            'SHADOW',
            score,
            result,
            g,
            online[g],
            stale[g] ?? false,
            timing(row, result),
          ),
        );
      });
      runs.push({
        version: shadow,
        role: 'SHADOW',
        rows: written,
        runMs: result.runMs,
        runWaitMs: result.runWaitMs,
        roundTripMs: result.roundTripMs,
      });
    }
    const oldest = batch.messages.reduce(
      (min, m) => Math.min(min, Number(m.timestamp)),
      Number.POSITIVE_INFINITY,
    );
    return {
      outputs,
      eventTimeMs: rows.reduce<number | undefined>(
        (max, r) => Math.max(max ?? r.eventTimeMs, r.eventTimeMs),
        undefined,
      ),
      stats: {
        rows: batch.messages.length,
        runs,
        deadLettered,
        stale: staleWritten,
        queueMs: Number.isFinite(oldest) ? Math.max(0, startedAtMs - oldest) : 0,
        featuresMs,
        featureWaitMs,
        featureRereads: rereads,
      },
    };
  }

  private predictionMessage(
    row: Row,
    version: ServedVersion,
    role: ModelRole,
    score: number,
    result: GroupResult,
    rowInGroup: number,
    online: OnlineValues | undefined,
    stale: boolean,
    timings: PredictionTimings,
  ): OutputMessage {
    const { options } = this;
    const prediction = buildPrediction({
      // The Prediction's eventId is a plain string: an event without one is scored under ''.
      eventId: eventIdOf(row.record, options.idField) ?? '',
      entityKey: row.message.key?.toString() ?? '',
      eventTimeMs: row.eventTimeMs,
      modelName: version.name,
      modelVersion: version.version,
      role,
      score,
      decisionThreshold: version.decisionThreshold,
      raw: result.raw,
      row: rowInGroup,
      stale,
      defaulted: usedDefaults(version.builder.input.features, row.record, online),
      timings,
      scoredAt: Date.now(),
    });
    const traceparent = row.message.headers?.[Headers.traceparent];
    return predictionRecord(
      prediction,
      row.message.key,
      { topics: options.topics, schema: options.prediction },
      traceparent === undefined ? {} : { [Headers.traceparent]: traceparent },
    );
  }
}
