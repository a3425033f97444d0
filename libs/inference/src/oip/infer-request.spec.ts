import examples from './fixtures/spec-examples.json';
import { parseInferenceRequest } from './infer-request';
import type { ModelSignature } from './model-signature';
import { OipError } from './oip-error';

/** A model whose input is [-1, 2], so the specification's [2, 2] input fits it as it is. */
const signature: ModelSignature = {
  input: { name: 'features', datatype: 'FP32', shape: [-1, 2] },
  output: { name: 'probability', datatype: 'FP32', shape: [-1, 1] },
};

type Body = Record<string, unknown> & { inputs: Record<string, unknown>[] };

/**
 * The specification's request with this model's names: its first input keeps its shape and
 * data and takes the model's input name and datatype; the second (BOOL) has no place in a
 * one-input model and is left out; the requested output takes the model's output name.
 */
function specRequest(): Body {
  const body = structuredClone(examples.inferenceRequest.body) as unknown as Body;
  const [first] = body.inputs;
  return {
    ...body,
    inputs: [{ ...first, name: 'features', datatype: 'FP32' }],
    outputs: [{ name: 'probability' }],
  };
}

function withInput(change: Record<string, unknown>): Body {
  const body = specRequest();
  return { ...body, inputs: [{ ...body.inputs[0], ...change }] };
}

function refusal(body: unknown): { status: number; message: string } {
  try {
    parseInferenceRequest(body, signature);
  } catch (error) {
    if (error instanceof OipError) return { status: error.status, message: error.message };
    throw error;
  }
  throw new Error('expected the request to be refused');
}

describe('parseInferenceRequest', () => {
  it("should turn the specification's example request into the model's input tensor", () => {
    const parsed = parseInferenceRequest(specRequest(), signature);
    expect(parsed.id).toBe('42');
    expect(parsed.rows).toBe(2);
    expect(Array.from(parsed.tensor)).toEqual([1, 2, 3, 4]);
    expect(parsed.outputs).toEqual(['probability']);
  });

  it('should read nested data as the same row-major tensor', () => {
    const nested = parseInferenceRequest(withInput({ data: examples.tensorData.natural }), signature);
    expect(Array.from(nested.tensor)).toEqual(examples.tensorData.flattened);
  });

  it("should refuse the specification's request as it stands: its input names are not this model's", () => {
    expect(refusal(examples.inferenceRequest.body)).toEqual({
      status: 400,
      message: "unknown input input0: the model's only input is features",
    });
  });

  it("should refuse the specification's second input (BOOL) given under the model's input name", () => {
    const [, second] = examples.inferenceRequest.body.inputs;
    expect(refusal(withInput({ ...second, name: 'features' })).message).toBe(
      'input features: datatype is BOOL, the model takes FP32',
    );
  });

  it("should refuse the specification's first input with its own datatype (UINT32 is not coerced)", () => {
    expect(refusal(withInput({ datatype: 'UINT32' })).message).toBe(
      'input features: datatype is UINT32, the model takes FP32',
    );
    expect(refusal(withInput({ datatype: 'FLOAT' })).message).toMatch(
      /^input features: datatype must be one of BOOL, UINT8, .*, BYTES$/,
    );
  });

  it('should refuse a missing, repeated or unknown input', () => {
    expect(refusal({ inputs: [] }).message).toBe('inputs must be a non-empty array of input tensors');
    expect(refusal({ id: '1' }).message).toBe('inputs must be a non-empty array of input tensors');
    const body = specRequest();
    expect(refusal({ ...body, inputs: [...body.inputs, ...body.inputs] }).message).toBe(
      'input features is given twice',
    );
    expect(refusal(withInput({ name: '' })).message).toBe('inputs[0].name must be a string');
  });

  it("should refuse a shape that does not fit the model's [-1, 2]", () => {
    expect(refusal(withInput({ shape: [1, 4] })).message).toBe(
      "input features: shape [1, 4] does not fit the model's [-1, 2]",
    );
    expect(refusal(withInput({ shape: [4] })).message).toBe(
      "input features: shape [4] does not fit the model's [-1, 2]",
    );
    expect(refusal(withInput({ shape: [0, 2], data: [] })).message).toBe(
      'input features: the batch is empty (shape [0, 2])',
    );
    expect(refusal(withInput({ shape: [2, -2] })).message).toBe(
      'input features: shape must be an array of non-negative integers',
    );
    expect(refusal(withInput({ shape: [1.5, 2] })).status).toBe(400);
  });

  it('should refuse data that does not match the shape or is not numeric', () => {
    expect(refusal(withInput({ data: [1, 2, 3] })).message).toBe(
      'input features: data holds 3 elements, shape [2, 2] needs 4',
    );
    expect(refusal(withInput({ data: [1, 2, 3, 'x'] })).message).toBe(
      'input features: element 3 is "x", FP32 needs a number',
    );
  });

  it('should return every output when none or an empty list is requested, and refuse unknown or repeated ones', () => {
    const { outputs: _outputs, ...withoutOutputs } = specRequest();
    expect(parseInferenceRequest(withoutOutputs, signature).outputs).toEqual(['probability']);
    expect(parseInferenceRequest({ ...specRequest(), outputs: [] }, signature).outputs).toEqual([
      'probability',
    ]);
    expect(refusal({ ...specRequest(), outputs: [{ name: 'output0' }] }).message).toBe(
      "unknown output output0: the model's outputs are probability",
    );
    expect(
      refusal({ ...specRequest(), outputs: [{ name: 'probability' }, { name: 'probability' }] }).message,
    ).toBe('output probability is requested twice');
  });

  it('should leave the id unset when the request gives none, and refuse one that is not a string', () => {
    const { id: _id, ...anonymous } = specRequest();
    expect(parseInferenceRequest(anonymous, signature).id).toBeUndefined();
    expect(refusal({ ...specRequest(), id: 42 }).message).toBe('id must be a string');
  });

  it('should accept parameters of the three allowed kinds and refuse any other value', () => {
    const parameters = { priority: 1, tag: 'a', debug: false };
    const body = withInput({ parameters });
    expect(parseInferenceRequest({ ...body, parameters }, signature).rows).toBe(2);
    expect(refusal({ ...specRequest(), parameters: { nested: { a: 1 } } }).message).toBe(
      'parameters: nested must be a string, a number or a boolean',
    );
    expect(refusal(withInput({ parameters: [] })).message).toBe(
      'input features: parameters must be a JSON object',
    );
  });

  it('should refuse a body that is not an object and fields the specification does not define', () => {
    expect(refusal([]).message).toBe('the request body must be a JSON object');
    expect(refusal(undefined).message).toBe('the request body must be a JSON object');
    expect(refusal({ ...specRequest(), input: [] }).message).toBe(
      'the request body has an unknown field input (allowed: id, parameters, inputs, outputs)',
    );
    expect(refusal(withInput({ contents: {} })).message).toMatch(
      /^inputs\[0\] has an unknown field contents/,
    );
  });
});
