import { scoringTensors, type ModelManifest } from '@streamscore/models';
import type { MetadataTensor, ModelMetadataResponse, TensorDatatype } from './oip-types';

/**
 * The specification's platform name for "an ONNX model encoded for ONNX Runtime" (its list
 * "Platforms" allows only the names it lists).
 */
export const ONNX_PLATFORM = 'onnx_onnxv1';

/** The manifest's element types as the specification names them (the manifest allows float32 only). */
const DATATYPE_OF_DTYPE: Readonly<Record<string, TensorDatatype>> = { float32: 'FP32' };

/**
 * What the protocol shows of a model version: its one input and its one output, by their ONNX
 * graph names. The manifest is the source: the scoring workers refuse a version whose graph does
 * not have exactly these tensors (checkSessionAgainstManifest), so it is the graph's signature too.
 */
export interface ModelSignature {
  readonly input: MetadataTensor;
  readonly output: MetadataTensor;
}

export function signatureOf(manifest: ModelManifest): ModelSignature {
  const { input, output } = scoringTensors(manifest);
  return {
    input: { name: input.tensor, datatype: datatypeOf(input.dtype), shape: [...input.shape] },
    output: { name: output.tensor, datatype: datatypeOf(output.dtype), shape: [...output.shape] },
  };
}

function datatypeOf(dtype: string): TensorDatatype {
  const datatype = DATATYPE_OF_DTYPE[dtype];
  if (!datatype) throw new TypeError(`no Open Inference Protocol datatype for ${dtype}`);
  return datatype;
}

/**
 * `$metadata_model_response`: every version that may be asked for by path, and the tensors of the
 * version asked for (the active one when the path names none).
 */
export function modelMetadata(
  name: string,
  versions: readonly string[],
  signature: ModelSignature,
): ModelMetadataResponse {
  return {
    name,
    versions: [...versions],
    platform: ONNX_PLATFORM,
    inputs: [signature.input],
    outputs: [signature.output],
  };
}
