import type { InferenceSession } from 'onnxruntime-node';
import { Tensor } from 'onnxruntime-node';
import { ModelError } from './errors';
import { FeatureVectorBuilder } from './feature-vector';
import type { ModelInput, ModelManifest, ModelOutput } from './manifest-types';
import type { LoadedModel } from './model-repository';
import type { OnlineValues, RawFeatures, RowIssue } from './raw-features';

/** The tensors scoring uses: the model's one input and its first output. */
export interface ScoringTensors {
  readonly input: ModelInput;
  readonly output: ModelOutput;
}

/** Throws TENSOR_MISMATCH unless the manifest declares exactly one input and at least one output. */
export function scoringTensors(manifest: ModelManifest): ScoringTensors {
  const [input, ...others] = manifest.inputs;
  const output = manifest.outputs[0];
  if (!input || others.length > 0 || !output) {
    throw new ModelError(
      'TENSOR_MISMATCH',
      `${manifest.name}@${manifest.version}: scoring supports one input and one output`,
    );
  }
  return { input, output };
}

export interface TensorScores {
  /** The first output column, one value per row, in a buffer the caller owns (it may transfer it). */
  readonly scores: Float32Array;
  /** Time inside ONNX Runtime's run, ms. */
  readonly runMs: number;
}

/**
 * One ONNX Runtime run over a row-major float32 tensor of `rows` rows: the only place a session is
 * run for scoring (the inference workers and the CLI). The input is wrapped, not copied.
 */
export async function runScoring(
  session: InferenceSession,
  tensors: ScoringTensors,
  tensor: Float32Array,
  rows: number,
): Promise<TensorScores> {
  const { input, output } = tensors;
  const width = input.shape[1];
  if (tensor.length !== rows * width)
    throw new RangeError(`tensor holds ${tensor.length} values, expected ${rows}×${width}`);
  const started = performance.now();
  const results = await session.run({ [input.tensor]: new Tensor('float32', tensor, [rows, width]) });
  const runMs = performance.now() - started;
  const result = results[output.tensor];
  if (!result) throw new RangeError(`ONNX Runtime returned no ${output.tensor}`);
  const data = result.data;
  if (!(data instanceof Float32Array)) throw new TypeError(`output ${output.tensor} is not float32`);
  // Copy into a fresh buffer the caller owns: the runtime's buffer may be shared and must not be
  // transferred to another thread.
  const columns = output.shape[1];
  const scores = new Float32Array(rows);
  for (let row = 0; row < rows; row++) scores[row] = data[row * columns] ?? Number.NaN;
  return { scores, runMs };
}

/** Scores of a loaded model over a row-major tensor (see runScoring). */
export async function scoreTensor(
  model: LoadedModel,
  tensor: Float32Array,
  rows: number,
): Promise<Float32Array> {
  return (await runScoring(model.session, scoringTensors(model.manifest), tensor, rows)).scores;
}

export interface ScoredBatch {
  readonly scores: Float32Array;
  readonly raw: RawFeatures;
  /** Rows that could not be scored properly (their score is not meaningful). */
  readonly issues: readonly RowIssue[];
}

/** Events (+ their online features) → raw features → tensor → scores, in one run. */
export async function scoreEvents(
  model: LoadedModel,
  events: readonly unknown[],
  online?: readonly OnlineValues[],
): Promise<ScoredBatch> {
  const tensors = scoringTensors(model.manifest);
  const { tensor, raw, issues } = new FeatureVectorBuilder(tensors.input).build(events, online);
  const scores =
    events.length === 0
      ? new Float32Array(0)
      : (await runScoring(model.session, tensors, tensor, events.length)).scores;
  return { scores, raw, issues };
}
