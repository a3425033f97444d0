import type { ModelSignature } from './model-signature';
import { badRequest } from './oip-error';
import { TENSOR_DATATYPES, type OipParameters } from './oip-types';
import { flattenTensorData, toFloat32 } from './tensor-data';

/** An `$inference_request` checked against a model version's signature, ready for one run. */
export interface ParsedInferenceRequest {
  /** The request's id, when it gave one. */
  readonly id: string | undefined;
  /** The batch: the first dimension of the input tensor. */
  readonly rows: number;
  /** The input tensor, row-major, rows × the model's width. */
  readonly tensor: Float32Array;
  /** The output tensors to return, in the order asked (every output when the request names none). */
  readonly outputs: readonly string[];
}

const REQUEST_KEYS = new Set(['id', 'parameters', 'inputs', 'outputs']);
const INPUT_KEYS = new Set(['name', 'shape', 'datatype', 'parameters', 'data']);
const OUTPUT_KEYS = new Set(['name', 'parameters']);

/**
 * Validates an `$inference_request` body for a model with one FP32 input [-1, width] and turns it
 * into the tensor the scoring pool runs. Every way it can be wrong is a 400 naming what is wrong;
 * nothing is coerced. Parameters are checked for form and otherwise ignored: the specification
 * defines none, and this server defines none either.
 */
export function parseInferenceRequest(body: unknown, signature: ModelSignature): ParsedInferenceRequest {
  const request = objectOf(body, 'the request body', REQUEST_KEYS);
  const id = request['id'];
  if (id !== undefined && typeof id !== 'string') throw badRequest('id must be a string');
  checkParameters(request['parameters'], 'parameters');

  const inputs = request['inputs'];
  if (!Array.isArray(inputs) || inputs.length === 0)
    throw badRequest('inputs must be a non-empty array of input tensors');
  const expected = signature.input;
  let parsed: { rows: number; tensor: Float32Array } | undefined;
  const seen = new Set<string>();
  inputs.forEach((entry: unknown, index) => {
    const input = objectOf(entry, `inputs[${index}]`, INPUT_KEYS);
    const name = input['name'];
    if (typeof name !== 'string' || name === '') throw badRequest(`inputs[${index}].name must be a string`);
    if (seen.has(name)) throw badRequest(`input ${name} is given twice`);
    seen.add(name);
    if (name !== expected.name)
      throw badRequest(`unknown input ${name}: the model's only input is ${expected.name}`);
    parsed = parseInputTensor(input, signature);
  });
  if (!parsed) throw badRequest(`missing input ${expected.name}`);

  return { id, ...parsed, outputs: requestedOutputs(request['outputs'], signature) };
}

function parseInputTensor(
  input: Record<string, unknown>,
  signature: ModelSignature,
): { rows: number; tensor: Float32Array } {
  const { name, datatype, shape: modelShape } = signature.input;
  const label = `input ${name}`;
  const given = input['datatype'];
  if (typeof given !== 'string' || !(TENSOR_DATATYPES as readonly string[]).includes(given))
    throw badRequest(`${label}: datatype must be one of ${TENSOR_DATATYPES.join(', ')}`);
  if (given !== datatype) throw badRequest(`${label}: datatype is ${given}, the model takes ${datatype}`);
  const shape = shapeOf(input['shape'], label);
  const fits =
    shape.length === modelShape.length &&
    shape.every((dimension, axis) => modelShape[axis] === -1 || modelShape[axis] === dimension);
  if (!fits)
    throw badRequest(
      `${label}: shape [${shape.join(', ')}] does not fit the model's [${modelShape.join(', ')}]`,
    );
  const rows = shape[0] ?? 0;
  if (rows === 0) throw badRequest(`${label}: the batch is empty (shape [${shape.join(', ')}])`);
  checkParameters(input['parameters'], `${label}: parameters`);
  return { rows, tensor: toFloat32(flattenTensorData(input['data'], shape, label), label) };
}

function requestedOutputs(outputs: unknown, signature: ModelSignature): string[] {
  const all = [signature.output.name];
  if (outputs === undefined) return all;
  if (!Array.isArray(outputs)) throw badRequest('outputs must be an array of requested outputs');
  // No list and an empty list mean the same: "if not specified all outputs … will be returned".
  if (outputs.length === 0) return all;
  const names: string[] = [];
  outputs.forEach((entry: unknown, index) => {
    const output = objectOf(entry, `outputs[${index}]`, OUTPUT_KEYS);
    const name = output['name'];
    if (typeof name !== 'string' || name === '') throw badRequest(`outputs[${index}].name must be a string`);
    if (!all.includes(name))
      throw badRequest(`unknown output ${name}: the model's outputs are ${all.join(', ')}`);
    if (names.includes(name)) throw badRequest(`output ${name} is requested twice`);
    checkParameters(output['parameters'], `output ${name}: parameters`);
    names.push(name);
  });
  return names;
}

function shapeOf(shape: unknown, label: string): number[] {
  if (
    !Array.isArray(shape) ||
    !shape.every(
      (dimension) => typeof dimension === 'number' && Number.isSafeInteger(dimension) && dimension >= 0,
    )
  )
    throw badRequest(`${label}: shape must be an array of non-negative integers`);
  return shape as number[];
}

function objectOf(value: unknown, label: string, keys: ReadonlySet<string>): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw badRequest(`${label} must be a JSON object`);
  const unknownKey = Object.keys(value).find((key) => !keys.has(key));
  if (unknownKey !== undefined)
    throw badRequest(`${label} has an unknown field ${unknownKey} (allowed: ${[...keys].join(', ')})`);
  return value as Record<string, unknown>;
}

function checkParameters(
  parameters: unknown,
  label: string,
): asserts parameters is OipParameters | undefined {
  if (parameters === undefined) return;
  if (typeof parameters !== 'object' || parameters === null || Array.isArray(parameters))
    throw badRequest(`${label} must be a JSON object`);
  for (const [name, value] of Object.entries(parameters))
    if (!['string', 'number', 'boolean'].includes(typeof value))
      throw badRequest(`${label}: ${name} must be a string, a number or a boolean`);
}
