import { onnx } from 'onnx-proto';
import type { DenseLayer, Mlp } from './mlp';

function floats(tensor: onnx.ITensorProto): Float32Array {
  const raw = tensor.rawData;
  if (raw && raw.length > 0) {
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    return Float32Array.from({ length: raw.length / 4 }, (_, i) => view.getFloat32(i * 4, true));
  }
  return Float32Array.from(tensor.floatData ?? []);
}

/**
 * Reads back an MLP written by exportMlp (Gemm with transB = 1, Relu, Sigmoid): used to compare
 * the weights of two trainings and to run the TypeScript forward pass on a committed model.
 */
export function readMlpFromOnnx(bytes: Uint8Array): Mlp {
  const graph = onnx.ModelProto.decode(bytes).graph;
  if (!graph) throw new RangeError('ONNX model has no graph');
  const initializers = new Map((graph.initializer ?? []).map((tensor) => [tensor.name ?? '', tensor]));
  const layers: DenseLayer[] = [];
  for (const node of graph.node ?? []) {
    if (node.opType !== 'Gemm') continue;
    const [, weightName = '', biasName = ''] = node.input ?? [];
    const transB: unknown = (node.attribute ?? []).find((attribute) => attribute.name === 'transB')?.i;
    const weight = initializers.get(weightName);
    const bias = initializers.get(biasName);
    if (!weight || !bias || Number(transB) !== 1)
      throw new RangeError(`Gemm ${node.name ?? ''} is not an exported dense layer`);
    const [outputs = 0, inputs = 0] = (weight.dims ?? []).map(Number);
    layers.push({ inputs, outputs, weights: floats(weight), bias: floats(bias) });
  }
  return { layers };
}
