/**
 * The JSON objects of the Open Inference Protocol v2 REST API (kserve/open-inference-protocol,
 * specification/protocol/inference_rest.md), named as the specification names them.
 */

/** The specification's tensor data types (the table "Tensor Data Types"). */
export const TENSOR_DATATYPES = [
  'BOOL',
  'UINT8',
  'UINT16',
  'UINT32',
  'UINT64',
  'INT8',
  'INT16',
  'INT32',
  'INT64',
  'FP16',
  'FP32',
  'FP64',
  'BYTES',
] as const;

export type TensorDatatype = (typeof TENSOR_DATATYPES)[number];

/** `$parameters`: name → string, number or boolean. */
export type OipParameters = Readonly<Record<string, string | number | boolean>>;

/** `$metadata_tensor`: variable-size dimensions are -1. */
export interface MetadataTensor {
  readonly name: string;
  readonly datatype: TensorDatatype;
  readonly shape: readonly number[];
}

/** `$metadata_server_response`. */
export interface ServerMetadataResponse {
  readonly name: string;
  readonly version: string;
  readonly extensions: readonly string[];
}

/** `$metadata_model_response`. */
export interface ModelMetadataResponse {
  readonly name: string;
  readonly versions: readonly string[];
  readonly platform: string;
  readonly inputs: readonly MetadataTensor[];
  readonly outputs: readonly MetadataTensor[];
}

/** `$ready_model_response`. */
export interface ModelReadyResponse {
  readonly name: string;
  readonly ready: boolean;
}

/** `$response_output`: data row-major and flat. */
export interface ResponseOutput {
  readonly name: string;
  readonly shape: readonly number[];
  readonly datatype: TensorDatatype;
  readonly data: readonly number[];
}

/** `$inference_response`. */
export interface InferenceResponse {
  readonly model_name: string;
  readonly model_version: string;
  readonly id: string;
  readonly outputs: readonly ResponseOutput[];
}

/** `$inference_error_response` (and every other error object of the specification). */
export interface ErrorResponse {
  readonly error: string;
}
