import { mulberry32 } from '@streamscore/drift';
import {
  encodeFeatures,
  formatIssues,
  inputWidth,
  resolveRawFeatures,
  sha256Hex,
  validateManifest,
  type ModelInput,
  type ModelManifest,
  type ModelOutput,
  type OnlineValues,
  type RawFeatures,
  type TimeWindow,
} from '@streamscore/models';
import { baseRateMetrics, bestSingleFeature, meanLabel } from './baselines';
import { logLoss, rocAuc } from './binary-metrics';
import { buildDriftReferences, DEFAULT_SAMPLE_SIZE } from './build-drift-references';
import { fitFeatures, rawSpecOf, type FeatureBlueprint } from './fit-preprocessing';
import { mlpForward, type Mlp } from './mlp';
import { exportMlp } from './onnx-export';
import { sampleIndices } from './random';
import { trainMlp, type TrainOptions } from './train-mlp';

export interface LabelledWindow {
  readonly window: TimeWindow;
  readonly events: readonly unknown[];
  /** Online feature values of each event as of its time (from the offline computation). */
  readonly online: readonly OnlineValues[];
  /** 1 = positive, one per event. */
  readonly labels: Uint8Array;
}

export interface TrainingRunOptions {
  readonly name: string;
  readonly version: number;
  readonly createdAt: string;
  readonly description?: string;
  readonly command?: string;
  readonly blueprints: readonly FeatureBlueprint[];
  readonly inputTensor: string;
  readonly output: Omit<ModelOutput, 'dtype' | 'shape'>;
  readonly train: LabelledWindow;
  readonly validation: LabelledWindow;
  readonly hyperparameters: Omit<TrainOptions, 'onProgress'>;
  readonly onProgress?: (stage: string, done: number) => void;
}

export interface TrainingRunResult {
  readonly manifest: ModelManifest;
  readonly onnx: Uint8Array;
  readonly model: Mlp;
}

/** Keeps only the rows every feature could be read for (none are expected; counted, not hidden). */
function usableRows(
  window: LabelledWindow,
  blueprints: readonly FeatureBlueprint[],
): { raw: RawFeatures; labels: Uint8Array } {
  const { raw, issues } = resolveRawFeatures(blueprints.map(rawSpecOf), window.events, window.online);
  if (issues.length === 0) return { raw, labels: window.labels };
  const bad = new Set(issues.map((issue) => issue.row));
  const keep = Array.from({ length: raw.rowCount }, (_, row) => row).filter((row) => !bad.has(row));
  const columns = new Map(
    [...raw.columns].map(([name, column]) => [
      name,
      column instanceof Float64Array
        ? Float64Array.from(keep, (row) => column[row] ?? Number.NaN)
        : keep.map((row) => column[row] ?? null),
    ]),
  );
  return {
    raw: { rowCount: keep.length, columns },
    labels: Uint8Array.from(keep, (row) => window.labels[row] ?? 0),
  };
}

function algorithmOf(options: TrainOptions | Omit<TrainOptions, 'onProgress'>): string {
  const shape =
    options.hidden.length === 0
      ? 'logistic regression'
      : `MLP ${options.hidden.join('-')} ReLU, sigmoid output`;
  return `${shape}; Adam lr=${options.learningRate}, batch ${options.batchSize}, ${options.epochs} epochs, L2 ${options.l2}`;
}

/**
 * Fit preprocessing on the training window, train, evaluate on the held-out window against the
 * two baselines, export to ONNX and assemble a validated manifest with drift references.
 */
export function runTraining(options: TrainingRunOptions): TrainingRunResult {
  const progress = options.onProgress ?? (() => undefined);
  const train = usableRows(options.train, options.blueprints);
  const validation = usableRows(options.validation, options.blueprints);
  const features = fitFeatures(options.blueprints, train.raw);
  const draft: ModelInput = { tensor: options.inputTensor, dtype: 'float32', shape: [-1, 1], features };
  const shaped: ModelInput = { ...draft, shape: [-1, inputWidth(draft)] };
  const trainX = encodeFeatures(shaped, train.raw);
  const validationX = encodeFeatures(shaped, validation.raw);
  const model = trainMlp(
    { x: trainX, y: train.labels, rows: train.raw.rowCount, width: shaped.shape[1] },
    {
      ...options.hyperparameters,
      onProgress: (done) => {
        progress('train', done);
      },
    },
  );
  progress('evaluate', 0);
  const validationScores = mlpForward(model, validationX, validation.raw.rowCount);
  const trainScores = mlpForward(model, trainX, train.raw.rowCount);
  const names = features.map((feature) => feature.name);
  const metrics: ModelManifest['metrics'] = {
    validation: {
      auc: rocAuc(validation.labels, validationScores),
      logLoss: logLoss(validation.labels, validationScores),
      rows: validation.raw.rowCount,
      positiveRate: meanLabel(validation.labels),
      baselines: {
        baseRate: baseRateMetrics(train.labels, validation.labels),
        bestSingleFeature: bestSingleFeature(
          names,
          train.raw.columns,
          train.labels,
          validation.raw.columns,
          validation.labels,
        ),
      },
    },
  };
  progress('export', 0);
  const onnx = exportMlp(model, {
    inputName: options.inputTensor,
    outputName: options.output.tensor,
    producerName: 'streamscore',
  });
  const sampleRows = sampleIndices(
    train.raw.rowCount,
    DEFAULT_SAMPLE_SIZE,
    mulberry32(options.hyperparameters.seed),
  );
  const manifest: ModelManifest = {
    name: options.name,
    version: options.version,
    createdAt: options.createdAt,
    ...(options.description === undefined ? {} : { description: options.description }),
    model: { file: 'model.onnx', format: 'onnx', sha256: sha256Hex(onnx) },
    inputs: [shaped],
    outputs: [{ ...options.output, dtype: 'float32', shape: [-1, 1] }],
    training: {
      window: options.train.window,
      validationWindow: options.validation.window,
      rows: train.raw.rowCount,
      validationRows: validation.raw.rowCount,
      algorithm: algorithmOf(options.hyperparameters),
      seed: options.hyperparameters.seed,
      ...(options.command === undefined ? {} : { command: options.command }),
    },
    metrics,
    drift: buildDriftReferences({
      features,
      raw: train.raw,
      scores: trainScores,
      window: options.train.window,
      sampleRows,
    }),
  };
  const checked = validateManifest(manifest);
  if (!checked.valid)
    throw new Error(`the trainer built an invalid manifest: ${formatIssues(checked.issues)}`);
  return { manifest, onnx, model };
}
