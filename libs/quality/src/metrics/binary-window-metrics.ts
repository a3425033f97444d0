import { checkBinaryInputs } from './binary-inputs';
import { calibration, type Calibration } from './calibration';
import { binaryLogLossTerm } from './log-loss';
import { rocAuc, type RocAuc } from './roc-auc';

/** The quality of a binary classifier over one window of labelled events (issue #21 item 2). */
export interface BinaryWindowMetrics {
  readonly count: number;
  readonly positiveRate: number;
  readonly meanScore: number;
  readonly auc: RocAuc;
  /** sklearn 1.2 log_loss (see log-loss.ts). */
  readonly logLoss: number;
  /** sklearn brier_score_loss: mean (p − y)². */
  readonly brierScore: number;
  readonly calibration: Calibration;
}

/** Mean binary log-loss (sklearn 1.2 `log_loss`). */
export function binaryLogLoss(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  checkBinaryInputs(scores, labels, 'binaryLogLoss');
  if (scores.length === 0) throw new RangeError('binaryLogLoss: no events');
  let sum = 0;
  for (let i = 0; i < scores.length; i++) sum += binaryLogLossTerm(scores[i] ?? 0, labels[i] ?? 0);
  return sum / scores.length;
}

/** Brier score: the mean squared difference between score and label (sklearn brier_score_loss). */
export function brierScore(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  checkBinaryInputs(scores, labels, 'brierScore');
  if (scores.length === 0) throw new RangeError('brierScore: no events');
  let sum = 0;
  for (let i = 0; i < scores.length; i++) sum += ((labels[i] ?? 0) - (scores[i] ?? 0)) ** 2;
  return sum / scores.length;
}

/**
 * Every binary metric of one window, from its scores p ∈ [0, 1] and labels y ∈ {0, 1} (the labelled
 * events only). Undefined for a window without labelled events: none of the means exists.
 */
export function binaryWindowMetrics(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
): BinaryWindowMetrics | undefined {
  checkBinaryInputs(scores, labels, 'binaryWindowMetrics');
  const count = scores.length;
  if (count === 0) return undefined;
  let positives = 0;
  let scoreSum = 0;
  for (let i = 0; i < count; i++) {
    positives += labels[i] ?? 0;
    scoreSum += scores[i] ?? 0;
  }
  return {
    count,
    positiveRate: positives / count,
    meanScore: scoreSum / count,
    auc: rocAuc(scores, labels),
    logLoss: binaryLogLoss(scores, labels),
    brierScore: brierScore(scores, labels),
    calibration: calibration(scores, labels),
  };
}
