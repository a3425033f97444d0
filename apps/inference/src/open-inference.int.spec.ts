import { readFileSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { connect } from 'node:net';
import { join } from 'node:path';
import type { Admin, Kafka } from 'kafkajs';
import type { Redis } from 'ioredis';
import { TopicCatalogue } from '@streamscore/contracts';
import { loadModelDirectory, scoreTensor, type LoadedModel } from '@streamscore/models';
import { createRedis } from '@streamscore/platform';
import {
  createTestTopics,
  deleteTestTopics,
  randomName,
  readTopicToEnd,
  startServiceProcess,
  testKafka,
  type ServiceProcess,
} from '@streamscore/testing';
import {
  decodePredictions,
  deleteKeys,
  flightStream,
  inferenceEnv,
  materializeFlights,
  MODEL_DIR,
  produceValidated,
  ROOT,
} from '@streamscore/demo-flights/testing';
import {
  featureRows,
  graphTensors,
  makeRepository,
  MODEL,
  recordDeployment,
  SPEC,
  specRequest,
  type InferenceBody,
  type Tensor,
  vectorsOf,
} from './test/open-inference-fixtures';

const API_KEY = 'oip-int-key-7c1e';
const AUTH = { 'x-api-key': API_KEY };

describe('the Open Inference Protocol v2 REST API of the inference service', () => {
  let kafka: Kafka;
  let admin: Admin;
  let service: ServiceProcess;
  let catalogue: TopicCatalogue;
  let model: LoadedModel;
  let redis: Redis;
  let keyPrefix = '';
  /** Flights the stream scores, for the comparison with /v2 (their features materialized in Redis). */
  const stream = flightStream(200);
  const repository = makeRepository();

  const url = (path: string): string => `${service.url}${path}`;
  const get = (path: string, headers: Record<string, string> = AUTH): Promise<Response> =>
    fetch(url(path), { headers });
  const post = (path: string, body: unknown, headers: Record<string, string> = AUTH): Promise<Response> =>
    fetch(url(path), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  /** The message of a response whose body is the specification's error object and nothing else. */
  const errorOf = async (response: Response): Promise<string> => {
    const body = (await response.json()) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual(['error']);
    return String(body['error']);
  };
  /** Infer requests written at once on one connection, and their answers in order. */
  const pipelined = async (bodies: readonly unknown[]): Promise<{ status: number; body: unknown }[]> => {
    const { hostname, port } = new URL(service.url);
    const socket = connect({ host: hostname, port: Number(port) });
    await once(socket, 'connect');
    socket.write(
      bodies
        .map((body) => {
          const json = JSON.stringify(body);
          return `POST /v2/models/${MODEL}/infer HTTP/1.1\r\nhost: ${hostname}:${port}\r\ncontent-type: application/json\r\nx-api-key: ${API_KEY}\r\ncontent-length: ${Buffer.byteLength(json)}\r\n\r\n${json}`;
        })
        .join(''),
    );
    const answers: { status: number; body: unknown }[] = [];
    let buffer = Buffer.alloc(0);
    for await (const chunk of socket) {
      buffer = Buffer.concat([buffer, chunk as Buffer]);
      for (let end = buffer.indexOf('\r\n\r\n'); end >= 0; end = buffer.indexOf('\r\n\r\n')) {
        const head = buffer.subarray(0, end).toString();
        const length = Number(/^content-length: *(\d+)$/im.exec(head)?.[1] ?? Number.NaN);
        if (Number.isNaN(length)) throw new Error(`an answer without content-length: ${head}`);
        if (buffer.length < end + 4 + length) break;
        const body = JSON.parse(buffer.subarray(end + 4, end + 4 + length).toString()) as unknown;
        answers.push({ status: Number(head.split(' ')[1]), body });
        buffer = buffer.subarray(end + 4 + length);
      }
      if (answers.length === bodies.length) break;
    }
    socket.destroy();
    return answers;
  };
  /** The ONNX session's own scores for these rows, in this process. */
  const direct = async (rows: number[][]): Promise<number[]> =>
    Array.from(await scoreTensor(model, Float32Array.from(rows.flat()), rows.length));

  beforeAll(async () => {
    kafka = testKafka();
    admin = kafka.admin();
    await admin.connect();
    model = await loadModelDirectory(MODEL_DIR);
    redis = createRedis({ url: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379' });
    keyPrefix = await materializeFlights(redis, stream);
    const prefix = randomName('infoip');
    catalogue = new TopicCatalogue({ prefix, partitions: 3 });
    await createTestTopics(admin, catalogue.all());
    // Active v1 and shadow v2: two loaded versions a path may name.
    await recordDeployment(kafka, catalogue.name('modelDeployments'), {
      active: repository.artifacts.v1,
      shadow: repository.artifacts.v2,
    });
    // Publishing /v2 predictions is off here (open-inference-publish.int.spec.ts has it on): the
    // predictions topic then holds the stream's alone, which one test counts exactly.
    service = await startServiceProcess(
      'inference',
      inferenceEnv(prefix, keyPrefix, {
        STREAMSCORE_PIPELINE: repository.pipeline,
        API_KEY,
        STREAMSCORE_OIP_PUBLISH_PREDICTIONS: 'false',
      }),
      { timeoutMs: 60_000 },
    );
  }, 120_000);

  afterAll(async () => {
    await service.stop('SIGKILL');
    await deleteTestTopics(admin, catalogue.all());
    await admin.disconnect();
    if (keyPrefix) await deleteKeys(redis, keyPrefix);
    await redis.quit();
    await model.session.release();
    rmSync(repository.dir, { recursive: true, force: true });
  });

  it('should answer the health endpoints without a key, like /health/*', async () => {
    const live = await fetch(url('/v2/health/live'));
    expect([live.status, await live.json()]).toEqual([200, { live: true }]);
    const ready = await fetch(url('/v2/health/ready'));
    expect([ready.status, await ready.json()]).toEqual([200, { ready: true }]);
  });

  it('should refuse every other endpoint without the API key, with an error object', async () => {
    for (const path of ['/v2', `/v2/models/${MODEL}`, `/v2/models/${MODEL}/ready`]) {
      const response = await get(path, {});
      expect([path, response.status]).toEqual([path, 401]);
      expect(await response.json()).toEqual({ error: 'missing or wrong x-api-key header' });
    }
    expect((await get('/v2', { 'x-api-key': 'wrong' })).status).toBe(401);
    expect((await post(`/v2/models/${MODEL}/infer`, { inputs: [] }, {})).status).toBe(401);
  });

  it('should describe the server', async () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const response = await get('/v2');
    expect([response.status, await response.json()]).toEqual([
      200,
      { name: 'streamscore-inference', version, extensions: [] },
    ]);
  });

  it("should describe the model with the ONNX graph's own input and output tensors and both loaded versions", async () => {
    const response = await get(`/v2/models/${MODEL}`);
    expect(response.status).toBe(200);
    const metadata = (await response.json()) as { inputs: Tensor[]; outputs: Tensor[] };
    expect(metadata).toMatchObject({ name: MODEL, versions: ['1', '2'], platform: 'onnx_onnxv1' });
    expect(metadata.inputs).toEqual(graphTensors(model.session.inputMetadata as never));
    expect(metadata.outputs).toEqual(graphTensors(model.session.outputMetadata as never));
    expect(metadata.inputs).toEqual([{ name: 'features', datatype: 'FP32', shape: [-1, 85] }]);
    const v2 = await get(`/v2/models/${MODEL}/versions/2`);
    expect([v2.status, await v2.json()]).toEqual([200, metadata]);
  });

  it('should answer 404 with an error object for another model or a version not loaded', async () => {
    for (const path of [
      '/v2/models/mymodel',
      `/v2/models/${MODEL}/versions/3`,
      '/v2/models/mymodel/ready',
      `/v2/models/${MODEL}/versions/3/ready`,
    ]) {
      const response = await get(path);
      expect([path, response.status]).toEqual([path, 404]);
      expect(await errorOf(response)).toMatch(
        /^(unknown model mymodel|version 3 of flight-delay is not loaded)/,
      );
    }
  });

  it('should report each loaded version ready', async () => {
    for (const path of [
      `/v2/models/${MODEL}/ready`,
      `/v2/models/${MODEL}/versions/1/ready`,
      `/v2/models/${MODEL}/versions/2/ready`,
    ]) {
      const response = await get(path);
      expect([path, response.status, await response.json()]).toEqual([
        path,
        200,
        { name: MODEL, ready: true },
      ]);
    }
  });

  it("should answer the specification's inference request with the ONNX session's scores", async () => {
    const metadata = (await (await get(`/v2/models/${MODEL}`)).json()) as {
      inputs: Tensor[];
      outputs: Tensor[];
    };
    const [input] = metadata.inputs;
    const [output] = metadata.outputs;
    if (!input || !output) throw new Error('the model has an input and an output');
    const rows = featureRows(2, 85, 42);
    const response = await post(`/v2/models/${MODEL}/infer`, specRequest(input, output, rows));
    expect(response.status).toBe(200);
    const body = (await response.json()) as InferenceBody;
    // The specification's response, with this model's output: same fields, plus the model's name and version.
    const [specOutput] = SPEC.inferenceResponse.body.outputs;
    expect(Object.keys(body).sort()).toEqual(
      [...Object.keys(SPEC.inferenceResponse.body), 'model_name', 'model_version'].sort(),
    );
    expect(Object.keys(body.outputs[0] ?? {})).toEqual(Object.keys(specOutput ?? {}));
    expect(body).toMatchObject({
      model_name: MODEL,
      model_version: '1',
      id: SPEC.inferenceRequest.body.id,
      outputs: [{ name: 'probability', shape: [2, 1], datatype: 'FP32' }],
    });
    const expected = await direct(rows);
    const scores = body.outputs[0]?.data ?? [];
    expect(scores).toHaveLength(2);
    scores.forEach((score, i) => {
      expect(Math.abs(score - (expected[i] ?? Number.NaN))).toBeLessThan(1e-6);
    });
  });

  it("should give the stream's own score for the feature vector of each prediction it made", async () => {
    await produceValidated(kafka, catalogue.name('eventsValidated'), stream.scored, 0);
    const predictions = await decodePredictions(
      await readTopicToEnd(kafka, catalogue.name('predictions'), {
        isolation: 'read_committed',
        expected: stream.scored.length,
        timeoutMs: 60_000,
      }),
    );
    expect(predictions).toHaveLength(stream.scored.length);
    // A defaulted feature's raw value is not in the Prediction, so its vector cannot be rebuilt.
    const rebuildable = predictions.filter((p) => !p.flags.includes('defaultedFeatures'));
    expect(rebuildable.length).toBeGreaterThan(stream.scored.length / 2);
    const [input] = model.manifest.inputs;
    if (!input) throw new Error('the manifest has an input');
    const rows = vectorsOf(input, rebuildable);
    const response = await post(`/v2/models/${MODEL}/infer`, {
      inputs: [{ name: input.tensor, shape: [rows.length, input.shape[1]], datatype: 'FP32', data: rows }],
    });
    expect(response.status).toBe(200);
    const scores = ((await response.json()) as InferenceBody).outputs[0]?.data ?? [];
    expect(scores).toHaveLength(rebuildable.length);
    const maxDifference = Math.max(...rebuildable.map((p, i) => Math.abs(p.score - (scores[i] ?? 2))));
    process.stdout.write(
      `/v2 on ${rebuildable.length} of ${predictions.length} stream predictions' vectors: max |score − stream score| = ${maxDifference.toExponential(2)}\n`,
    );
    expect(maxDifference).toBeLessThan(1e-6);
  });

  it('should score a larger batch in nested form, on a named version, with a generated id', async () => {
    const rows = featureRows(64, 85, 7);
    const response = await post(`/v2/models/${MODEL}/versions/2/infer`, {
      inputs: [{ name: 'features', shape: [64, 85], datatype: 'FP32', data: rows }],
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as InferenceBody;
    expect(body.model_version).toBe('2');
    expect(body.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(body.outputs.map((o) => [o.name, o.shape, o.datatype])).toEqual([
      ['probability', [64, 1], 'FP32'],
    ]);
    const expected = await direct(rows);
    const maxDifference = Math.max(
      ...(body.outputs[0]?.data ?? []).map((s, i) => Math.abs(s - (expected[i] ?? 1))),
    );
    expect(maxDifference).toBeLessThan(1e-6);
  });

  it('should answer concurrent requests in shared runs, each exactly as it is answered alone', async () => {
    /** Runs and requests the dynamic batcher has sent so far, from /metrics. */
    const batching = async (): Promise<{ runs: number; requests: number }> => {
      const text = await (await fetch(url('/metrics'))).text();
      const total = (series: string): number =>
        text
          .split('\n')
          .filter((line) => line.startsWith(`inference_oip_batch_requests_${series}{`))
          .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
      return { runs: total('count'), requests: total('sum') };
    };
    const bodies = Array.from({ length: 50 }, (_, i) => {
      const rows = featureRows(1 + (i % 3), 85, 1_000 + i);
      return {
        id: `burst-${i}`,
        inputs: [{ name: 'features', shape: [rows.length, 85], datatype: 'FP32', data: rows }],
      };
    });
    const scoresOf = (status: number, body: unknown): number[] => {
      expect([status, (body as { error?: unknown }).error]).toEqual([200, undefined]);
      return (body as InferenceBody).outputs[0]?.data ?? [];
    };
    // Each alone first: one request, one run.
    const alone: number[][] = [];
    for (const body of bodies) {
      const response = await post(`/v2/models/${MODEL}/infer`, body);
      alone.push(scoresOf(response.status, await response.json()));
    }
    const expected = await direct(bodies.flatMap((body) => body.inputs[0]?.data ?? []));
    expect(
      Math.max(...alone.flat().map((score, k) => Math.abs(score - (expected[k] ?? Number.NaN)))),
    ).toBeLessThan(1e-6);

    // Then all 50 at once: written in one go on one connection (HTTP/1.1 pipelining), so they are
    // all in the service before the first run's answer is (separate connections arrive spread out
    // in time, and a request that finds the worker idle rightly runs alone).
    const before = await batching();
    const together = (await pipelined(bodies)).map(({ status, body }) => scoresOf(status, body));
    const after = await batching();
    expect(together.map((scores) => scores.length)).toEqual(bodies.map((body) => body.inputs[0]?.shape[0]));
    const maxDifference = Math.max(
      ...together.flatMap((scores, i) =>
        scores.map((score, j) => Math.abs(score - (alone[i]?.[j] ?? Number.NaN))),
      ),
    );
    expect(maxDifference).toBeLessThan(1e-6);
    const runs = after.runs - before.runs;
    process.stdout.write(`/v2: 50 concurrent requests in ${runs} ONNX Runtime runs\n`);
    expect(after.requests - before.requests).toBe(50);
    expect(runs).toBeGreaterThan(0);
    expect(runs).toBeLessThan(50);
  });

  it("should refuse the specification's request as it stands, and other bad requests, with 400 and an error object", async () => {
    const bad: [string, unknown, string][] = [
      [
        'the verbatim example',
        SPEC.inferenceRequest.body,
        "unknown input input0: the model's only input is features",
      ],
      [
        'its UINT32 datatype',
        {
          inputs: [
            { name: 'features', shape: [1, 85], datatype: 'UINT32', data: featureRows(1, 85, 1).flat() },
          ],
        },
        'input features: datatype is UINT32, the model takes FP32',
      ],
      [
        'a short row',
        {
          inputs: [
            { name: 'features', shape: [1, 84], datatype: 'FP32', data: featureRows(1, 84, 1).flat() },
          ],
        },
        "input features: shape [1, 84] does not fit the model's [-1, 85]",
      ],
      ['no inputs', { id: 'x', inputs: [] }, 'inputs must be a non-empty array of input tensors'],
    ];
    for (const [what, body, error] of bad) {
      const response = await post(`/v2/models/${MODEL}/infer`, body);
      expect([what, response.status, await response.json()]).toEqual([what, 400, { error }]);
    }
    const notJson = await post(`/v2/models/${MODEL}/infer`, '{"inputs": [');
    expect(notJson.status).toBe(400);
    expect(await errorOf(notJson)).toMatch(/JSON/);
    // Over the 1 MiB body limit: the body parser's 413, still as an error object.
    const huge = await post(`/v2/models/${MODEL}/infer`, { id: 'x'.repeat(1_100_000), inputs: [] });
    expect(huge.status).toBe(413);
    expect(await errorOf(huge)).toMatch(/too large/);
    const unknownRoute = await get(`/v2/models/${MODEL}/versions`);
    expect(unknownRoute.status).toBe(404);
    expect(await errorOf(unknownRoute)).toBe(`Cannot GET /v2/models/${MODEL}/versions`);
    // Paths outside /v2 keep Nest's own error body.
    expect(await (await get('/nowhere')).json()).toMatchObject({ statusCode: 404 });
    const unknownVersion = await post(`/v2/models/${MODEL}/versions/3/infer`, { inputs: [] });
    expect([unknownVersion.status, await unknownVersion.json()]).toEqual([
      404,
      { error: 'version 3 of flight-delay is not loaded (loaded: 1, 2)' },
    ]);
  });
});
