import type { ManifestIssue } from './manifest-validation';

export type ModelErrorCode =
  | 'NOT_FOUND'
  | 'INVALID_MANIFEST'
  | 'SHA256_MISMATCH'
  | 'NOT_ONNX'
  | 'MISSING_INPUT_MAPPING'
  | 'TENSOR_MISMATCH';

/**
 * A model version that must not serve, with a code and a message naming what is wrong. A boot or
 * deployment error, not a transport one: never `retriable` (a deployment is refused and the current
 * version keeps serving; rows the runtime refuses are MODEL_ERROR dead letters instead).
 */
export class ModelError extends Error {
  override readonly name = 'ModelError';
  constructor(
    readonly code: ModelErrorCode,
    message: string,
    readonly issues: readonly ManifestIssue[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
