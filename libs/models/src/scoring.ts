import { Tensor } from 'onnxruntime-node';
import { FeatureVectorBuilder } from './feature-vector';
import type { LoadedModel } from './model-repository';
import type { OnlineValues, RawFeatures, RowIssue } from './raw-features';

function onlyInput(model: LoadedModel): LoadedModel['manifest']['inputs'][number] {
  const [input, ...others] = model.manifest.inputs;
  if (!input || others.length > 0) {
    throw new RangeError(
      `model ${model.manifest.name} has ${model.manifest.inputs.length} inputs; scoring supports one`,
    );
  }
  return input;
}

/** One ONNX Runtime run over a row-major tensor; returns the first output's first column. */
export async function scoreTensor(
  model: LoadedModel,
  tensor: Float32Array,
  rows: number,
): Promise<Float32Array> {
  const input = onlyInput(model);
  const output = model.manifest.outputs[0];
  if (!output) throw new RangeError(`model ${model.manifest.name} declares no output`);
  const width = input.shape[1];
  if (tensor.length !== rows * width)
    throw new RangeError(`tensor holds ${tensor.length} values, expected ${rows}×${width}`);
  const results = await model.session.run({ [input.tensor]: new Tensor('float32', tensor, [rows, width]) });
  const result = results[output.tensor];
  if (!result) throw new RangeError(`ONNX Runtime returned no ${output.tensor}`);
  const data = result.data;
  if (!(data instanceof Float32Array)) throw new TypeError(`output ${output.tensor} is not float32`);
  const columns = output.shape[1];
  if (columns === 1) return data;
  return Float32Array.from({ length: rows }, (_, row) => data[row * columns] ?? Number.NaN);
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
  const builder = new FeatureVectorBuilder(onlyInput(model));
  const { tensor, raw, issues } = builder.build(events, online);
  const scores = events.length === 0 ? new Float32Array(0) : await scoreTensor(model, tensor, events.length);
  return { scores, raw, issues };
}
