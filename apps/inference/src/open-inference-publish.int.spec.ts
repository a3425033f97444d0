import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Admin, Kafka } from 'kafkajs';
import { headerText, Headers, TopicCatalogue, type Prediction } from '@streamscore/contracts';
import { OIP_ORIGIN } from '@streamscore/inference';
import { encodeFeatures, type ModelInput, type ModelManifest } from '@streamscore/models';
import {
  createTestTopics,
  deleteTestTopics,
  randomName,
  readTopicToEnd,
  runServiceToExit,
  scrape,
  startServiceProcess,
  sumMetric,
  testKafka,
  waitFor,
  type ReadMessage,
  type ServiceProcess,
} from '@streamscore/testing';
import { decodePredictions, inferenceEnv, MODEL_DIR } from '@streamscore/demo-flights/testing';
import { makeRepository, MODEL, recordDeployment, type InferenceBody } from './test/open-inference-fixtures';

/** A row's raw features (what a Prediction carries) and the tensor row encoding them. */
interface Row {
  readonly features: Record<string, number>;
  readonly categories: Record<string, string>;
}

/** Plausible raw departures: integers, so the raw values a Prediction gives back compare exactly. */
function rowsOf(input: ModelInput, count: number, seed: number): Row[] {
  const origins = input.features.flatMap((f) =>
    f.type === 'categorical' && f.encoding.op === 'one-hot' ? f.encoding.vocabulary : [],
  );
  return Array.from({ length: count }, (_, i) => {
    const n = seed + i;
    const features: Record<string, number> = {};
    for (const feature of input.features)
      if (feature.type === 'numeric')
        features[feature.name] = feature.name === 'distance' ? 150 + n * 7 : n % 24;
    return { features, categories: { origin: origins[n % origins.length] ?? 'ORD', destination: 'JFK' } };
  });
}

function tensorOf(input: ModelInput, rows: readonly Row[]): number[][] {
  const columns = new Map(
    input.features.map((f) => [
      f.name,
      f.type === 'numeric'
        ? Float64Array.from(rows.map((r) => r.features[f.name] ?? Number.NaN))
        : rows.map((r) => r.categories[f.name] ?? null),
    ]),
  );
  const tensor = encodeFeatures(input, { rowCount: rows.length, columns });
  const width = tensor.length / rows.length;
  return rows.map((_, r) => Array.from(tensor.subarray(r * width, (r + 1) * width)));
}

describe('predictions of Open Inference Protocol requests on the predictions topic', () => {
  let kafka: Kafka;
  let admin: Admin;
  let service: ServiceProcess;
  let catalogue: TopicCatalogue;
  let prefix = '';
  const repository = makeRepository();
  const manifest = JSON.parse(readFileSync(join(MODEL_DIR, 'manifest.json'), 'utf8')) as ModelManifest;
  const manifestInput = manifest.inputs[0];
  if (!manifestInput) throw new Error('the manifest has an input');
  const input: ModelInput = manifestInput;
  /** What each answered row should have become: event id → its request id, score and raw row. */
  const expected = new Map<
    string,
    { requestId: string; score: number; row: Row; sentAt: [number, number] }
  >();

  const infer = async (
    body: Record<string, unknown>,
    path = `/v2/models/${MODEL}/infer`,
  ): Promise<{ status: number; body: InferenceBody }> => {
    const response = await fetch(`${service.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as InferenceBody };
  };
  /** Sends one request of these rows and notes the Predictions it should make. */
  const send = async (id: string | undefined, rows: readonly Row[]): Promise<void> => {
    const before = Date.now();
    const { status, body } = await infer({
      ...(id === undefined ? {} : { id }),
      inputs: [
        {
          name: input.tensor,
          shape: [rows.length, input.shape[1]],
          datatype: 'FP32',
          data: tensorOf(input, rows),
        },
      ],
    });
    const after = Date.now();
    expect([status, body.id === id || id === undefined]).toEqual([200, true]);
    const scores = body.outputs[0]?.data ?? [];
    rows.forEach((row, r) => {
      const eventId = rows.length === 1 ? body.id : `${body.id}/${r}`;
      expected.set(eventId, {
        requestId: body.id,
        score: scores[r] ?? Number.NaN,
        row,
        sentAt: [before, after],
      });
    });
  };
  const read = (topic: string, count: number): Promise<ReadMessage[]> =>
    readTopicToEnd(kafka, topic, { isolation: 'read_committed', expected: count, timeoutMs: 60_000 });
  /** Each record as its Prediction, its key and its origin header. */
  const decode = async (records: readonly ReadMessage[]) => {
    const predictions = await decodePredictions(records);
    return records.map((record, i) => ({
      prediction: predictions[i] as Prediction,
      key: record.key?.toString(),
      origin: headerText(record.headers, Headers.origin),
    }));
  };

  beforeAll(async () => {
    kafka = testKafka();
    admin = kafka.admin();
    await admin.connect();
    prefix = randomName('infoippub');
    catalogue = new TopicCatalogue({ prefix, partitions: 3 });
    await createTestTopics(admin, catalogue.all());
    await recordDeployment(kafka, catalogue.name('modelDeployments'), {
      active: repository.artifacts.v1,
      shadow: repository.artifacts.v2,
    });
    // No feature is read for /v2: the Redis key prefix only has to be its own.
    service = await startServiceProcess(
      'inference',
      inferenceEnv(prefix, `${prefix}:`, { STREAMSCORE_PIPELINE: repository.pipeline }),
      { timeoutMs: 60_000 },
    );
  }, 120_000);

  afterAll(async () => {
    await service.stop('SIGKILL');
    await deleteTestTopics(admin, catalogue.all());
    await admin.disconnect();
    rmSync(repository.dir, { recursive: true, force: true });
  });

  it('should publish exactly one Prediction per answered row, with the request id, the answered score and the raw features', async () => {
    const rows = rowsOf(input, 60, 0);
    // 30 one-row requests with an id, 10 without (the answer's generated id), 5 of 4 rows: 60 rows.
    await Promise.all([
      ...rows.slice(0, 30).map((row, i) => send(`one-${i}`, [row])),
      ...rows.slice(30, 40).map((row) => send(undefined, [row])),
      ...[0, 1, 2, 3, 4].map((i) => send(`four-${i}`, rows.slice(40 + i * 4, 44 + i * 4))),
    ]);
    // Neither a refused request nor another version's row is a prediction on this topic.
    expect((await infer({ id: 'bad', inputs: [] })).status).toBe(400);
    const shadow = await infer(
      {
        id: 'to-shadow',
        inputs: [
          {
            name: input.tensor,
            shape: [1, input.shape[1]],
            datatype: 'FP32',
            data: tensorOf(input, [rows[0] as Row]),
          },
        ],
      },
      `/v2/models/${MODEL}/versions/2/infer`,
    );
    expect(shadow.status).toBe(200);

    const published = await decode(await read(catalogue.name('predictions'), expected.size));
    expect(published).toHaveLength(60);
    expect(new Set(published.map((p) => p.prediction.eventId))).toEqual(new Set(expected.keys()));
    for (const { prediction, key, origin } of published) {
      const want = expected.get(prediction.eventId);
      if (!want) throw new Error(`unexpected prediction ${prediction.eventId}`);
      expect([key, origin, prediction.entityKey]).toEqual([want.requestId, OIP_ORIGIN, want.requestId]);
      expect(prediction).toMatchObject({
        modelName: MODEL,
        modelVersion: '1',
        role: 'ACTIVE',
        score: want.score,
      });
      expect(prediction.features).toEqual(want.row.features);
      // A hashed category (destination) has no inverse: only the one-hot origin comes back.
      expect(prediction.categories).toEqual({ origin: want.row.categories['origin'] });
      expect(prediction.eventTime).toBeGreaterThanOrEqual(want.sentAt[0]);
      expect(prediction.eventTime).toBeLessThanOrEqual(want.sentAt[1]);
    }
    const shadowed = await decode(await read(catalogue.name('predictionsShadow'), 1));
    expect(shadowed.map((p) => [p.prediction.eventId, p.prediction.role, p.origin])).toEqual([
      ['to-shadow', 'SHADOW', OIP_ORIGIN],
    ]);
    const metrics = await waitFor(async () => {
      const text = await scrape(service.url);
      return sumMetric(text, 'inference_oip_predictions_published_total') === 61 && text;
    });
    expect(sumMetric(metrics, 'inference_oip_predictions_dropped_total')).toBe(0);
  }, 120_000);

  it('should send what is queued at SIGTERM before it exits', async () => {
    const before = expected.size;
    const rows = rowsOf(input, 40, 1_000);
    await Promise.all(rows.map((row, i) => send(`last-${i}`, [row])));
    expect(await service.stop('SIGTERM')).toBe(0);
    const published = await decode(await read(catalogue.name('predictions'), before + 40));
    expect(published).toHaveLength(before + 40);
    expect(new Set(published.map((p) => p.prediction.eventId))).toEqual(new Set(expected.keys()));
  }, 120_000);

  it('should refuse a value of STREAMSCORE_OIP_PUBLISH_PREDICTIONS that is not a boolean, naming it', async () => {
    const { code, output } = await runServiceToExit(
      'inference',
      inferenceEnv(prefix, `${prefix}:`, {
        STREAMSCORE_PIPELINE: repository.pipeline,
        STREAMSCORE_OIP_PUBLISH_PREDICTIONS: 'sometimes',
      }),
    );
    expect(code).toBe(1);
    expect(output).toMatch(/STREAMSCORE_OIP_PUBLISH_PREDICTIONS.*must be true or false/);
  });
});
