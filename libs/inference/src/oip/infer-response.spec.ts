import examples from './fixtures/spec-examples.json';
import { buildInferenceResponse } from './infer-response';
import type { ModelSignature } from './model-signature';
import { OipError } from './oip-error';

const signature: ModelSignature = {
  input: { name: 'features', datatype: 'FP32', shape: [-1, 2] },
  output: { name: 'probability', datatype: 'FP32', shape: [-1, 1] },
};

const result = {
  model: 'fixture',
  version: '3',
  id: '42',
  signature,
  outputs: ['probability'],
  rows: 2,
  scores: Float32Array.from([0.25, 0.75]),
};

describe('buildInferenceResponse', () => {
  it("should answer in the specification's response form, with the model's output and the batch's shape", () => {
    const response = buildInferenceResponse(result);
    const spec = examples.inferenceResponse.body;
    // The specification's example keys, plus the model name and version it requires of a versioned server.
    expect(Object.keys(response).sort()).toEqual(
      [...Object.keys(spec), 'model_name', 'model_version'].sort(),
    );
    expect(Object.keys(response.outputs[0] ?? {})).toEqual(Object.keys(spec.outputs[0] ?? {}));
    expect(response).toEqual({
      model_name: 'fixture',
      model_version: '3',
      id: '42',
      outputs: [{ name: 'probability', shape: [2, 1], datatype: 'FP32', data: [0.25, 0.75] }],
    });
  });

  it('should return no output when none is requested', () => {
    expect(buildInferenceResponse({ ...result, outputs: [] }).outputs).toEqual([]);
  });

  it('should refuse to cut a wider output to its first column (501)', () => {
    const wide: ModelSignature = { ...signature, output: { ...signature.output, shape: [-1, 2] } };
    expect(() => buildInferenceResponse({ ...result, signature: wide })).toThrow(
      new OipError(501, 'output probability has shape [-1, 2]; only [-1, 1] outputs are returned'),
    );
  });

  it('should fail loudly when the run returned another number of scores than rows', () => {
    expect(() => buildInferenceResponse({ ...result, rows: 3 })).toThrow(RangeError);
  });
});
