import { createHash } from 'node:crypto';
import { InferenceSession } from 'onnxruntime-node';
import { onnx } from 'onnx-proto';
import { ModelError } from './errors';
import type { ModelManifest } from './manifest-types';

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Throws NOT_ONNX unless the bytes decode as an ONNX ModelProto with a graph. */
export function assertOnnxBytes(bytes: Uint8Array, label: string): void {
  let proto: onnx.ModelProto;
  try {
    proto = onnx.ModelProto.decode(bytes);
  } catch (cause) {
    throw new ModelError('NOT_ONNX', `${label} is not an ONNX model: ${(cause as Error).message}`, [], {
      cause,
    });
  }
  if (!proto.graph || (proto.graph.node ?? []).length === 0 || Number(proto.irVersion) <= 0) {
    throw new ModelError('NOT_ONNX', `${label} is not an ONNX model: no IR version or no graph nodes`);
  }
}

/** Creates an ONNX Runtime session; a file ONNX Runtime refuses is reported as NOT_ONNX. */
export async function createSession(
  bytes: Uint8Array,
  label: string,
  options: InferenceSession.SessionOptions = {},
): Promise<InferenceSession> {
  assertOnnxBytes(bytes, label);
  try {
    return await InferenceSession.create(bytes, options);
  } catch (cause) {
    throw new ModelError(
      'NOT_ONNX',
      `${label} could not be loaded by ONNX Runtime: ${(cause as Error).message}`,
      [],
      {
        cause,
      },
    );
  }
}

function metadataOf(
  list: readonly InferenceSession.ValueMetadata[],
  name: string,
): InferenceSession.ValueMetadata | undefined {
  return list.find((entry) => entry.name === name);
}

function checkTensor(
  side: 'input' | 'output',
  metadata: InferenceSession.ValueMetadata,
  declared: { tensor: string; shape: readonly [number, number] },
): void {
  if (!metadata.isTensor)
    throw new ModelError('TENSOR_MISMATCH', `model ${side} ${declared.tensor} is not a tensor`);
  if (metadata.type !== 'float32') {
    throw new ModelError(
      'TENSOR_MISMATCH',
      `model ${side} ${declared.tensor} is ${metadata.type}, manifest says float32`,
    );
  }
  const width = metadata.shape[1];
  if (metadata.shape.length !== 2 || (typeof width === 'number' && width !== declared.shape[1])) {
    throw new ModelError(
      'TENSOR_MISMATCH',
      `model ${side} ${declared.tensor} has shape [${metadata.shape.join(', ')}], manifest says [${declared.shape.join(', ')}]`,
    );
  }
}

/** Every graph input needs a manifest mapping, and every declared tensor must exist with its type. */
export function checkSessionAgainstManifest(session: InferenceSession, manifest: ModelManifest): void {
  for (const name of session.inputNames) {
    if (!manifest.inputs.some((input) => input.tensor === name)) {
      throw new ModelError(
        'MISSING_INPUT_MAPPING',
        `model input ${name} has no input mapping in the manifest`,
      );
    }
  }
  for (const input of manifest.inputs) {
    const metadata = metadataOf(session.inputMetadata, input.tensor);
    if (!metadata)
      throw new ModelError('TENSOR_MISMATCH', `manifest input ${input.tensor} is not an input of the model`);
    checkTensor('input', metadata, input);
  }
  for (const output of manifest.outputs) {
    const metadata = metadataOf(session.outputMetadata, output.tensor);
    if (!metadata)
      throw new ModelError(
        'TENSOR_MISMATCH',
        `manifest output ${output.tensor} is not an output of the model`,
      );
    checkTensor('output', metadata, output);
  }
}
