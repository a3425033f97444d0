import type { ModelSignature } from './model-signature';
import { OipError } from './oip-error';
import type { InferenceResponse, ResponseOutput } from './oip-types';

export interface InferenceResult {
  readonly model: string;
  readonly version: string;
  readonly id: string;
  readonly signature: ModelSignature;
  /** The outputs asked for, by name, in the order asked. */
  readonly outputs: readonly string[];
  readonly rows: number;
  /** The scoring pool's result: the output's first column, one value per row. */
  readonly scores: Float32Array;
}

/** Throws 501 unless the output is one column per row: what the scoring pool returns whole. */
export function checkOutputReturnable(signature: ModelSignature): void {
  const { name, shape } = signature.output;
  if (shape.length !== 2 || shape[1] !== 1)
    throw new OipError(
      501,
      `output ${name} has shape [${shape.join(', ')}]; only [-1, 1] outputs are returned`,
    );
}

/**
 * `$inference_response` of one run. The scoring pool returns an output's first column; that is
 * the whole tensor for the model contract's [batch, 1] probability output, and a wider output is
 * refused rather than returned cut (501: returning every column is not implemented).
 */
export function buildInferenceResponse(result: InferenceResult): InferenceResponse {
  const { signature, rows, scores } = result;
  checkOutputReturnable(signature);
  if (scores.length !== rows)
    throw new RangeError(`the run returned ${scores.length} values for ${rows} rows`);
  const outputs = result.outputs.map((name): ResponseOutput => ({
    name,
    shape: [rows, 1],
    datatype: signature.output.datatype,
    data: Array.from(scores),
  }));
  return { model_name: result.model, model_version: result.version, id: result.id, outputs };
}
