import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kafka } from 'kafkajs';
import type { ModelArtifact, ModelDeployment, Prediction } from '@streamscore/contracts';
import { DeploymentCodec } from '@streamscore/deployments';
import { encodeFeatures, sha256Hex, type ModelInput, type RawFeatures } from '@streamscore/models';
import { MODEL_DIR, ROOT, writeDemoPipelineServing } from '@streamscore/demo-flights/testing';

/** Fixtures of open-inference.int.spec.ts: a private model repository, feature rows, the specification's examples. */
export const MODEL = 'flight-delay';

/** The specification's examples (libs/inference/src/oip/fixtures), read as files: no import reaches into the lib. */
export const SPEC = JSON.parse(
  readFileSync(join(ROOT, 'libs', 'inference', 'src', 'oip', 'fixtures', 'spec-examples.json'), 'utf8'),
) as {
  inferenceRequest: { body: { id: string; inputs: Record<string, unknown>[]; outputs: { name: string }[] } };
  inferenceResponse: { body: { id: string; outputs: Record<string, unknown>[] } };
};

export interface Tensor {
  name: string;
  datatype: string;
  shape: number[];
}
export interface Output extends Tensor {
  data: number[];
}
export interface InferenceBody {
  model_name: string;
  model_version: string;
  id: string;
  outputs: Output[];
}

/** A private repository: v1 (the committed model) and v2 (the same graph under its own version). */
export function makeRepository(): {
  dir: string;
  pipeline: string;
  artifacts: Record<'v1' | 'v2', ModelArtifact>;
} {
  const dir = mkdtempSync(join(tmpdir(), 'inference-oip-'));
  const manifest = JSON.parse(readFileSync(join(MODEL_DIR, 'manifest.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  const onnx = readFileSync(join(MODEL_DIR, 'model.onnx'));
  const write = (version: number): ModelArtifact => {
    const versionDir = join(dir, 'models', MODEL, String(version));
    cpSync(MODEL_DIR, versionDir, { recursive: true });
    writeFileSync(join(versionDir, 'manifest.json'), JSON.stringify({ ...manifest, version }));
    return { version: String(version), uri: `${MODEL}/${version}`, sha256: sha256Hex(onnx) };
  };
  const artifacts = { v1: write(1), v2: write(2) };
  const pipeline = writeDemoPipelineServing(join(dir, 'pipeline.json'), join(dir, 'models'), MODEL);
  return { dir, pipeline, artifacts };
}

/** Standardized-looking feature rows in [-2, 2), the same on every run (a small LCG). */
export function featureRows(rows: number, width: number, seed: number): number[][] {
  let state = seed;
  const next = (): number => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return (state / 2 ** 32) * 4 - 2;
  };
  return Array.from({ length: rows }, () => Array.from({ length: width }, next));
}

/**
 * The specification's inference request with this model's names: its first input keeps its
 * layout (a batch of 2, data flat) and takes the model's input name, datatype and width; its
 * second input has no counterpart in a one-input model; the requested output takes the model's name.
 */
export function specRequest(input: Tensor, output: Tensor, rows: number[][]): Record<string, unknown> {
  const [first] = SPEC.inferenceRequest.body.inputs;
  return {
    ...SPEC.inferenceRequest.body,
    inputs: [
      {
        ...first,
        name: input.name,
        datatype: input.datatype,
        shape: [rows.length, input.shape[1]],
        data: rows.flat(),
      },
    ],
    outputs: [{ name: output.name }],
  };
}

/**
 * The feature vectors the stream scored: each Prediction's raw features (numbers and categories,
 * by manifest name) encoded again as the model input, one row per prediction.
 */
export function vectorsOf(input: ModelInput, predictions: readonly Prediction[]): number[][] {
  const columns: RawFeatures['columns'] = new Map(
    input.features.map((feature) => [
      feature.name,
      feature.type === 'numeric'
        ? Float64Array.from(predictions.map((p) => p.features[feature.name] ?? Number.NaN))
        : predictions.map((p) => p.categories[feature.name] ?? null),
    ]),
  );
  const tensor = encodeFeatures(input, { rowCount: predictions.length, columns });
  const width = tensor.length / predictions.length;
  return predictions.map((_, row) => Array.from(tensor.subarray(row * width, (row + 1) * width)));
}

/** Writes the model's deployment record (no canary) on the model-deployments topic. */
export async function recordDeployment(
  kafka: Kafka,
  topic: string,
  versions: Pick<ModelDeployment, 'active' | 'shadow'>,
): Promise<void> {
  const record: ModelDeployment = {
    model: MODEL,
    ...versions,
    canary: null,
    updatedAt: Date.now(),
    updatedBy: 'test',
    reason: 'open inference test',
  };
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({
    topic,
    messages: [{ key: MODEL, value: new DeploymentCodec(join(ROOT, 'schemas')).encodeDeployment(record) }],
  });
  await producer.disconnect();
}

/** ONNX Runtime's tensor metadata as the protocol's: float32 is FP32, a symbolic dimension is -1. */
export function graphTensors(
  list: readonly { name: string; type?: string; shape?: readonly (number | string)[] }[],
): Tensor[] {
  return list.map((t) => ({
    name: t.name,
    datatype: t.type === 'float32' ? 'FP32' : String(t.type),
    shape: (t.shape ?? []).map((d) => (typeof d === 'number' && d > 0 ? d : -1)),
  }));
}
