// Jest runs each test file in its own VM context, so `Float32Array` inside the test differs from the
// one onnxruntime-node's native binding creates, and onnxruntime-common's `instanceof` checks fail
// ("A float32 tensor's data must be type of function Float32Array()"; microsoft/onnxruntime#16622).
// This environment hands the test context the host realm's typed arrays. Use it with the docblock
// `@jest-environment ./libs/models/testing/onnx-environment.js` in specs that run ONNX Runtime.
const { TestEnvironment } = require('jest-environment-node');

const TYPED_ARRAYS = [
  'ArrayBuffer',
  'Float32Array',
  'Float64Array',
  'Int8Array',
  'Int16Array',
  'Int32Array',
  'BigInt64Array',
  'Uint8Array',
  'Uint16Array',
  'Uint32Array',
  'BigUint64Array',
];

class OnnxEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of TYPED_ARRAYS) this.global[name] = globalThis[name];
  }
}

module.exports = OnnxEnvironment;
