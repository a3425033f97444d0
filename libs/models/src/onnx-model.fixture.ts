import { onnx } from 'onnx-proto';

/** One dense layer with a sigmoid: `outputs` × `inputs` weights, row-major. */
export interface DenseSigmoid {
  readonly inputs: number;
  readonly outputs: number;
  readonly weights: Float32Array;
  readonly bias: Float32Array;
}

function floatTensor(name: string, dims: number[], values: Float32Array): onnx.ITensorProto {
  return { name, dims, dataType: onnx.TensorProto.DataType.FLOAT, floatData: Array.from(values) };
}

function floatMatrix(name: string, columns: number): onnx.IValueInfoProto {
  const shape = { dim: [{ dimParam: 'batch' }, { dimValue: columns }] };
  return { name, type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape } } };
}

/**
 * The layer as ONNX bytes (MatMul → Add → Sigmoid, IR 8 / opset 13) for the specs. Written here,
 * not by libs/training's exporter: serving is tested against the tensors a manifest declares, not
 * one exporter's graph, and libs/models must not depend on libs/training.
 */
export function denseSigmoidOnnx(
  layer: DenseSigmoid,
  tensors: { readonly input: string; readonly output: string },
): Uint8Array {
  const { inputs, outputs } = layer;
  // MatMul takes inputs × outputs: the transpose of the row-major weights.
  const transposed = Float32Array.from(
    { length: inputs * outputs },
    (_, k) => layer.weights[(k % outputs) * inputs + Math.floor(k / outputs)] ?? 0,
  );
  const proto = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: 'dense-sigmoid',
      node: [
        { opType: 'MatMul', input: [tensors.input, 'weight'], output: ['product'] },
        { opType: 'Add', input: ['product', 'bias'], output: ['linear'] },
        { opType: 'Sigmoid', input: ['linear'], output: [tensors.output] },
      ],
      initializer: [
        floatTensor('weight', [inputs, outputs], transposed),
        floatTensor('bias', [outputs], layer.bias),
      ],
      input: [floatMatrix(tensors.input, inputs)],
      output: [floatMatrix(tensors.output, outputs)],
    },
  });
  return onnx.ModelProto.encode(proto).finish();
}

/** The expected scores, rows × outputs: sigmoid(bias + W·x), summed in float64. */
export function denseSigmoidForward(layer: DenseSigmoid, x: Float32Array, rows: number): Float64Array {
  const { inputs, outputs, weights, bias } = layer;
  return Float64Array.from({ length: rows * outputs }, (_, k) => {
    const row = Math.floor(k / outputs);
    const output = k % outputs;
    let sum = bias[output] ?? 0;
    for (let i = 0; i < inputs; i++) sum += (x[row * inputs + i] ?? 0) * (weights[output * inputs + i] ?? 0);
    return 1 / (1 + Math.exp(-sum));
  });
}
