import type { IHeaders } from 'kafkajs';
import { Headers, type ModelRole, type Prediction } from '@streamscore/contracts';
import type { OutputMessage } from '@streamscore/kafka';
import { scoringTensors } from '@streamscore/models';
import { buildPrediction } from '../prediction-builder';
import { predictionRecord, type PredictionRecordOptions } from '../prediction-record';
import type { ServedVersion } from '../serving/serving';
import { rawFeaturesOfTensor } from './tensor-features';

/** One answered `/v2` infer request: what its Predictions are made of. */
export interface AnsweredInference {
  /** The request's id as answered (echoed, or generated when it gave none). */
  readonly id: string;
  readonly version: ServedVersion;
  /** The version's role when the request was answered (a path may name the canary or the shadow). */
  readonly role: ModelRole;
  /** The input tensor as sent, row-major. */
  readonly tensor: Float32Array;
  readonly rows: number;
  /** The answered scores, one per row. */
  readonly scores: Float32Array;
  /** Epoch ms the service began handling the request: the Predictions' event time. */
  readonly receivedAtMs: number;
  /** Epoch ms the scores were ready. */
  readonly scoredAtMs: number;
  /** From receipt to the end of the run, less the run: validation, the batcher's wait, the hand-off. */
  readonly queueMs: number;
  /** ONNX Runtime's run of the batch the request went into. */
  readonly runMs: number;
}

/** The header that tells a Prediction of a `/v2` request from one of the stream (no schema change). */
export const OIP_ORIGIN = 'oip';

/**
 * A row's event id: the request id for a one-row request, `<id>/<row>` (row from 0) otherwise, so
 * the rows of one request are distinct events. Unique as long as no client's ids end in `/<n>`.
 */
export function rowEventId(requestId: string, row: number, rows: number): string {
  return rows === 1 ? requestId : `${requestId}/${row}`;
}

/**
 * One Prediction per row, built by the stream's builder. A request has no entity: its id stands
 * in for the entity key. Features are the raw values the tensor encodes (rawFeaturesOfTensor);
 * no feature read happens, so featuresMs and featureWaitMs are 0 and no flag is set (whether a
 * value was a default is not known).
 */
export function predictionsOf(inference: AnsweredInference): Prediction[] {
  const { version, rows } = inference;
  const { input } = scoringTensors(version.manifest);
  const raw = rawFeaturesOfTensor(input, inference.tensor, rows);
  const timings = {
    queueMs: inference.queueMs,
    featuresMs: 0,
    featureWaitMs: 0,
    inferenceMs: inference.runMs,
  };
  return Array.from({ length: rows }, (_, row) =>
    buildPrediction({
      eventId: rowEventId(inference.id, row, rows),
      entityKey: inference.id,
      eventTimeMs: inference.receivedAtMs,
      modelName: version.name,
      modelVersion: version.version,
      role: inference.role,
      score: inference.scores[row] ?? Number.NaN,
      decisionThreshold: version.decisionThreshold,
      raw,
      row,
      stale: false,
      defaulted: false,
      timings,
      scoredAt: inference.scoredAtMs,
    }),
  );
}

/**
 * The Kafka records of an answered request, by the stream's record rule (predictionRecord) with
 * the request id as the key: a request's rows land on one partition, in row order, and a
 * retried request's on the same partition as its first attempt. Marked with Headers.origin.
 */
export function inferenceRecords(
  inference: AnsweredInference,
  options: PredictionRecordOptions,
): OutputMessage[] {
  const origin: IHeaders = { [Headers.origin]: OIP_ORIGIN };
  return predictionsOf(inference).map((prediction) =>
    predictionRecord(prediction, inference.id, options, origin),
  );
}
