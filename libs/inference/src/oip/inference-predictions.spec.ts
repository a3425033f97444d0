import { resolve } from 'node:path';
import { createDecoder, Headers, loadSchemaHistory, type Prediction } from '@streamscore/contracts';
import {
  encodeFeatures,
  FeatureVectorBuilder,
  type ModelManifest,
  type RawFeatures,
} from '@streamscore/models';
import { fixtureManifest } from '@streamscore/models/testing';
import type { Serving, ServedVersion } from '../serving/serving';
import {
  inferenceRecords,
  OIP_ORIGIN,
  predictionsOf,
  rowEventId,
  type AnsweredInference,
} from './inference-predictions';
import { OpenInferenceServer } from './open-inference';

const repo = resolve(__dirname, '../../../..');
const predictionHistory = loadSchemaHistory(resolve(repo, 'schemas/prediction'));
const RECORDS = {
  topics: { predictions: 'test.predictions', shadow: 'test.predictions.shadow' },
  schema: { type: predictionHistory.latest.type, name: predictionHistory.name },
};
const RECEIVED = Date.UTC(2026, 11, 5, 18, 0, 0);

function served(version: string, manifest: ModelManifest = fixtureManifest()): ServedVersion {
  const [input] = manifest.inputs;
  if (!input) throw new Error('the fixture manifest has an input');
  return {
    key: `fixture@${version}`,
    name: 'fixture',
    version,
    manifest,
    builder: new FeatureVectorBuilder(input),
    views: [],
    decisionThreshold: 0.5,
    sha256: '0'.repeat(64),
    provider: 'cpu',
  };
}

const SERVING: Serving = {
  active: served('1'),
  canary: { version: served('2'), share: 0.1 },
  shadow: served('3'),
  views: [],
};

/** The tensor of rows (distance, origin.mean_delay, origin) with no destination. */
function tensorOf(rows: [number, number, string][]): Float32Array {
  const [input] = fixtureManifest().inputs;
  if (!input) throw new Error('the fixture manifest has an input');
  const raw: RawFeatures = {
    rowCount: rows.length,
    columns: new Map<string, Float64Array | (string | null)[]>([
      ['distance', Float64Array.from(rows.map((r) => r[0]))],
      ['origin.mean_delay', Float64Array.from(rows.map((r) => r[1]))],
      ['origin', rows.map((r) => r[2])],
      ['destination', rows.map(() => null)],
    ]),
  };
  return encodeFeatures(input, raw);
}

function answered(
  rows: [number, number, string][],
  overrides: Partial<AnsweredInference> = {},
): AnsweredInference {
  return {
    id: 'req-7',
    version: SERVING.active,
    role: 'ACTIVE',
    tensor: tensorOf(rows),
    rows: rows.length,
    scores: Float32Array.from(rows, (_, i) => 0.25 + i / 2),
    receivedAtMs: RECEIVED,
    scoredAtMs: RECEIVED + 3,
    queueMs: 1.5,
    runMs: 0.75,
    ...overrides,
  };
}

describe('rowEventId', () => {
  it('should be the request id for a one-row request and <id>/<row> for each row of a larger one', () => {
    expect(rowEventId('abc', 0, 1)).toBe('abc');
    expect([0, 1, 2].map((row) => rowEventId('abc', row, 3))).toEqual(['abc/0', 'abc/1', 'abc/2']);
  });
});

describe('predictionsOf', () => {
  it('should make one Prediction per row with its event id, score, raw features, receipt time and timings', () => {
    const predictions = predictionsOf(
      answered([
        [740, 13, 'ORD'],
        [300, -5, 'ATL'],
      ]),
    );
    expect(predictions).toEqual([
      {
        eventId: 'req-7/0',
        entityKey: 'req-7',
        eventTime: RECEIVED,
        modelName: 'fixture',
        modelVersion: '1',
        role: 'ACTIVE',
        score: 0.25,
        label: false,
        features: { distance: 740, 'origin.mean_delay': 13 },
        categories: { origin: 'ORD' },
        flags: [],
        timings: { queueMs: 1.5, featuresMs: 0, featureWaitMs: 0, inferenceMs: 0.75 },
        scoredAt: RECEIVED + 3,
      },
      expect.objectContaining({
        eventId: 'req-7/1',
        score: 0.75,
        label: true,
        categories: { origin: 'ATL' },
      }),
    ]);
  });
});

describe('inferenceRecords', () => {
  const decoder = createDecoder<Prediction>(predictionHistory);

  it('should key every row by the request id, mark the origin and encode a decodable Prediction', async () => {
    const records = inferenceRecords(
      answered([
        [740, 13, 'ORD'],
        [300, -5, 'ATL'],
      ]),
      RECORDS,
    );
    expect(records.map((r) => [r.topic, r.key, r.headers?.[Headers.origin]])).toEqual([
      ['test.predictions', 'req-7', OIP_ORIGIN],
      ['test.predictions', 'req-7', OIP_ORIGIN],
    ]);
    expect(records[0]?.headers).toMatchObject({
      [Headers.schemaName]: predictionHistory.name,
      [Headers.modelName]: 'fixture',
      [Headers.modelVersion]: '1',
    });
    const [first] = records;
    const decoded = await decoder.decode(first?.value ?? null, first?.headers);
    expect(decoded.ok && decoded.record.eventId).toBe('req-7/0');
  });

  it("should send a shadow version's predictions to the shadow topic, as the stream does", () => {
    const records = inferenceRecords(
      answered([[740, 13, 'ORD']], { version: SERVING.shadow ?? SERVING.active, role: 'SHADOW' }),
      RECORDS,
    );
    expect(records.map((r) => r.topic)).toEqual(['test.predictions.shadow']);
  });
});

describe('OpenInferenceServer answered requests', () => {
  it('should tell listeners of each answer with its id, role, receipt time and the tensor as sent', async () => {
    const heard: AnsweredInference[] = [];
    const server = new OpenInferenceServer({
      server: { name: 'streamscore-inference', version: '0.1.0' },
      model: 'fixture',
      serving: { current: () => SERVING, acquire: () => ({ serving: SERVING, release: () => undefined }) },
      scorer: {
        score: (_key, tensor, rows) => {
          // As the pool does: the tensor's buffer moves to the worker.
          structuredClone(tensor.buffer, { transfer: [tensor.buffer as ArrayBuffer] });
          return Promise.resolve({ scores: new Float32Array(rows).fill(0.5), runMs: 0.4, totalMs: 0.6 });
        },
      },
      newId: () => 'generated-id',
      now: () => RECEIVED,
    });
    server.onAnswered((inference) => heard.push(inference));
    const tensor = tensorOf([[740, 13, 'ORD']]);
    const body = {
      inputs: [{ name: 'features', shape: [1, 9], datatype: 'FP32', data: Array.from(tensor) }],
    };
    const response = await server.infer('fixture', '2', body);
    expect(response.id).toBe('generated-id');
    expect(heard).toHaveLength(1);
    expect(heard[0]).toMatchObject({
      id: 'generated-id',
      role: 'CANARY',
      rows: 1,
      receivedAtMs: RECEIVED,
      runMs: 0.4,
    });
    expect(Array.from(heard[0]?.tensor ?? [])).toEqual(Array.from(tensor));
    expect(predictionsOf(heard[0] as AnsweredInference)[0]).toMatchObject({
      eventId: 'generated-id',
      modelVersion: '2',
      role: 'CANARY',
      score: 0.5,
      features: { distance: 740, 'origin.mean_delay': 13 },
    });
  });

  it('should tell no listener of a refused request', async () => {
    const heard: AnsweredInference[] = [];
    const server = new OpenInferenceServer({
      server: { name: 'streamscore-inference', version: '0.1.0' },
      model: 'fixture',
      serving: { current: () => SERVING, acquire: () => ({ serving: SERVING, release: () => undefined }) },
      scorer: { score: () => Promise.reject(new Error('not reached')) },
    });
    server.onAnswered((inference) => heard.push(inference));
    await expect(server.infer('fixture', undefined, { inputs: [] })).rejects.toThrow();
    expect(heard).toEqual([]);
  });
});
