import { fixtureManifest } from '@streamscore/models/testing';
import type { ModelManifest } from '@streamscore/models';
import { modelMetadata, signatureOf } from './model-signature';

describe('signatureOf', () => {
  it("should name the manifest's input and output tensors with the protocol's datatype and shape", () => {
    expect(signatureOf(fixtureManifest())).toEqual({
      input: { name: 'features', datatype: 'FP32', shape: [-1, 9] },
      output: { name: 'probability', datatype: 'FP32', shape: [-1, 1] },
    });
  });

  it('should refuse a manifest with more than one input (not the scoring contract)', () => {
    const manifest = fixtureManifest();
    const twoInputs = { ...manifest, inputs: [...manifest.inputs, ...manifest.inputs] } as ModelManifest;
    expect(() => signatureOf(twoInputs)).toThrow('scoring supports one input and one output');
  });
});

describe('modelMetadata', () => {
  it('should be the metadata response with the loaded versions and the ONNX platform name', () => {
    expect(modelMetadata('fixture', ['1', '2'], signatureOf(fixtureManifest()))).toEqual({
      name: 'fixture',
      versions: ['1', '2'],
      platform: 'onnx_onnxv1',
      inputs: [{ name: 'features', datatype: 'FP32', shape: [-1, 9] }],
      outputs: [{ name: 'probability', datatype: 'FP32', shape: [-1, 1] }],
    });
  });
});
