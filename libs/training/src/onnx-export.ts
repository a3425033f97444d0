import { onnx } from 'onnx-proto';
import { checkMlp, type Mlp } from './mlp';

export interface OnnxExportOptions {
  readonly inputName: string;
  readonly outputName: string;
  readonly producerName?: string;
  readonly docString?: string;
}

/** ONNX Runtime 1.x reads IR version 8 / opset 13 (checked with onnxruntime-node 1.30). */
const IR_VERSION = 8;
const OPSET = 13;
const BATCH_DIM = 'batch';

/** Initializer with raw little-endian float32 data (ONNX TensorProto.raw_data spec). */
function floatInitializer(name: string, dims: number[], values: Float32Array): onnx.ITensorProto {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  values.forEach((value, index) => {
    view.setFloat32(index * 4, value, true);
  });
  return { name, dims, dataType: onnx.TensorProto.DataType.FLOAT, rawData: bytes };
}

function floatMatrix(name: string, columns: number): onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: onnx.TensorProto.DataType.FLOAT,
        shape: { dim: [{ dimParam: BATCH_DIM }, { dimValue: columns }] },
      },
    },
  };
}

/** Exports an MLP as Gemm (transB = 1) → Relu → … → Gemm → Sigmoid. */
export function exportMlp(model: Mlp, options: OnnxExportOptions): Uint8Array {
  checkMlp(model);
  const nodes: onnx.INodeProto[] = [];
  const initializers: onnx.ITensorProto[] = [];
  let current = options.inputName;
  model.layers.forEach((layer, index) => {
    const weights = `layer${index}.weight`;
    const bias = `layer${index}.bias`;
    initializers.push(floatInitializer(weights, [layer.outputs, layer.inputs], layer.weights));
    initializers.push(floatInitializer(bias, [layer.outputs], layer.bias));
    const linear = `layer${index}.linear`;
    nodes.push({
      name: `gemm${index}`,
      opType: 'Gemm',
      input: [current, weights, bias],
      output: [linear],
      attribute: [{ name: 'transB', type: onnx.AttributeProto.AttributeType.INT, i: 1 }],
    });
    const last = index === model.layers.length - 1;
    const activated = last ? options.outputName : `layer${index}.relu`;
    nodes.push({
      name: last ? 'sigmoid' : `relu${index}`,
      opType: last ? 'Sigmoid' : 'Relu',
      input: [linear],
      output: [activated],
    });
    current = activated;
  });
  const first = model.layers[0];
  const last = model.layers[model.layers.length - 1];
  const proto = onnx.ModelProto.create({
    irVersion: IR_VERSION,
    opsetImport: [{ domain: '', version: OPSET }],
    producerName: options.producerName ?? 'streamscore',
    docString: options.docString ?? '',
    graph: {
      name: 'mlp',
      node: nodes,
      initializer: initializers,
      input: [floatMatrix(options.inputName, first?.inputs ?? 0)],
      output: [floatMatrix(options.outputName, last?.outputs ?? 0)],
    },
  });
  return onnx.ModelProto.encode(proto).finish();
}

export interface LogisticRegression {
  readonly weights: Float32Array;
  readonly bias: number;
}

/** Logistic regression is the one-layer MLP: Gemm → Sigmoid. */
export function exportLogisticRegression(model: LogisticRegression, options: OnnxExportOptions): Uint8Array {
  return exportMlp(logisticAsMlp(model), options);
}

export function logisticAsMlp(model: LogisticRegression): Mlp {
  return {
    layers: [
      { inputs: model.weights.length, outputs: 1, weights: model.weights, bias: Float32Array.of(model.bias) },
    ],
  };
}
