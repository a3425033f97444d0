import { RetriableError } from '@streamscore/contracts';
import { FeatureVectorBuilder, type ModelManifest } from '@streamscore/models';
import { fixtureManifest } from '@streamscore/models/testing';
import type { ScoreResult } from '../scoring/scoring-pool';
import { ModelRunError } from '../scoring/scoring-pool';
import type { Serving, ServedVersion } from '../serving/serving';
import { OipError } from './oip-error';
import { OpenInferenceServer, type ServingSource } from './open-inference';

const WIDTH = 9;

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

/** Version 3 reads a wider input, so a path naming it must get its own signature. */
function widerManifest(): ModelManifest {
  const manifest = fixtureManifest();
  const [input] = manifest.inputs;
  if (!input) throw new Error('the fixture manifest has an input');
  return { ...manifest, inputs: [{ ...input, shape: [-1, 12] }] };
}

const SERVING: Serving = {
  active: served('1'),
  canary: { version: served('2'), share: 0.1 },
  shadow: served('3', widerManifest()),
  views: [],
};

/** The serving, counting holds still open, and a scorer that records its calls. */
function setUp(
  options: { serving?: Serving | undefined; score?: (key: string) => Promise<ScoreResult> } = {},
) {
  let held = 0;
  const serving = 'serving' in options ? options.serving : SERVING;
  const source: ServingSource = {
    current: () => serving,
    acquire: () => {
      if (!serving) throw new RetriableError('no model version is serving yet', { code: 'NOT_READY' });
      held += 1;
      return { serving, release: () => (held -= 1) };
    },
  };
  const calls: { key: string; tensor: number[]; rows: number }[] = [];
  const server = new OpenInferenceServer({
    server: { name: 'streamscore-inference', version: '0.1.0' },
    model: 'fixture',
    serving: source,
    scorer: {
      score: (key, tensor, rows) => {
        calls.push({ key, tensor: Array.from(tensor), rows });
        if (options.score) return options.score(key);
        // Each row's score is its first value, so a test sees which row went where.
        const scores = Float32Array.from(
          { length: rows },
          (_, row) => tensor[row * (tensor.length / rows)] ?? 0,
        );
        return Promise.resolve({ scores, runMs: 0.1, totalMs: 0.2 });
      },
    },
    newId: () => 'generated-id',
  });
  return { server, calls, held: () => held };
}

/** `id` null: a request without one. */
function request(rows: number, width = WIDTH, id: string | null = '42'): Record<string, unknown> {
  const data = Array.from({ length: rows }, (_, row) =>
    Array.from({ length: width }, (_, c) => row + c / 100),
  );
  return {
    ...(id === null ? {} : { id }),
    inputs: [{ name: 'features', shape: [rows, width], datatype: 'FP32', data }],
  };
}

async function failure(run: () => unknown): Promise<{ status: number; message: string }> {
  try {
    await run();
  } catch (error) {
    if (error instanceof OipError) return { status: error.status, message: error.message };
    throw error;
  }
  throw new Error('expected an OipError');
}

describe('OpenInferenceServer', () => {
  it('should describe the server with no extension', () => {
    expect(setUp().server.serverMetadata()).toEqual({
      name: 'streamscore-inference',
      version: '0.1.0',
      extensions: [],
    });
  });

  describe('modelMetadata', () => {
    it('should list every loaded version and show the active version tensors when no version is named', () => {
      expect(setUp().server.modelMetadata('fixture')).toEqual({
        name: 'fixture',
        versions: ['1', '2', '3'],
        platform: 'onnx_onnxv1',
        inputs: [{ name: 'features', datatype: 'FP32', shape: [-1, WIDTH] }],
        outputs: [{ name: 'probability', datatype: 'FP32', shape: [-1, 1] }],
      });
    });

    it('should show the tensors of the version the path names', () => {
      expect(setUp().server.modelMetadata('fixture', '3').inputs).toEqual([
        { name: 'features', datatype: 'FP32', shape: [-1, 12] },
      ]);
    });

    it('should answer 404 for another model or a version not loaded, 503 before any version serves', async () => {
      const { server } = setUp();
      expect(await failure(() => server.modelMetadata('mymodel'))).toEqual({
        status: 404,
        message: 'unknown model mymodel: this server serves fixture',
      });
      expect(await failure(() => server.modelMetadata('fixture', '4'))).toEqual({
        status: 404,
        message: 'version 4 of fixture is not loaded (loaded: 1, 2, 3)',
      });
      expect(
        (await failure(() => setUp({ serving: undefined }).server.modelMetadata('fixture'))).status,
      ).toBe(503);
    });
  });

  describe('modelReady', () => {
    it('should be ready for a loaded version and 404 for another', async () => {
      const { server } = setUp();
      expect(server.modelReady('fixture')).toEqual({ name: 'fixture', ready: true });
      expect(server.modelReady('fixture', '2')).toEqual({ name: 'fixture', ready: true });
      expect((await failure(() => server.modelReady('fixture', '9'))).status).toBe(404);
      expect((await failure(() => server.modelReady('other'))).status).toBe(404);
    });
  });

  describe('infer', () => {
    it('should run the request tensor once on the active version and answer with its scores', async () => {
      const { server, calls, held } = setUp();
      const response = await server.infer('fixture', undefined, request(2));
      expect(calls).toHaveLength(1);
      expect(calls[0]?.key).toBe('fixture@1');
      expect(calls[0]?.rows).toBe(2);
      expect(calls[0]?.tensor.slice(WIDTH, WIDTH + 2)).toEqual([1, Math.fround(1.01)]);
      expect(response).toEqual({
        model_name: 'fixture',
        model_version: '1',
        id: '42',
        outputs: [{ name: 'probability', shape: [2, 1], datatype: 'FP32', data: [0, 1] }],
      });
      expect(held()).toBe(0);
    });

    it('should score on the loaded version the path names, with that version signature', async () => {
      const { server, calls } = setUp();
      expect((await server.infer('fixture', '2', request(1))).model_version).toBe('2');
      expect((await server.infer('fixture', '3', request(1, 12))).model_version).toBe('3');
      expect(calls.map((c) => c.key)).toEqual(['fixture@2', 'fixture@3']);
      expect((await failure(() => server.infer('fixture', '3', request(1)))).message).toBe(
        "input features: shape [1, 9] does not fit the model's [-1, 12]",
      );
    });

    it('should generate an id when the request gives none', async () => {
      expect((await setUp().server.infer('fixture', undefined, request(1, WIDTH, null))).id).toBe(
        'generated-id',
      );
    });

    it('should answer 404 for an unknown model or version without running anything, and release its hold', async () => {
      const { server, calls, held } = setUp();
      expect((await failure(() => server.infer('mymodel', undefined, request(1)))).status).toBe(404);
      expect((await failure(() => server.infer('fixture', '7', request(1)))).status).toBe(404);
      expect((await failure(() => server.infer('fixture', undefined, { inputs: [] }))).status).toBe(400);
      expect(calls).toHaveLength(0);
      expect(held()).toBe(0);
    });

    it('should answer 400 when the runtime refuses the tensor and 503 when the pool cannot run it', async () => {
      const refused = setUp({ score: () => Promise.reject(new ModelRunError('fixture@1: bad input')) });
      expect(await failure(() => refused.server.infer('fixture', undefined, request(1)))).toEqual({
        status: 400,
        message: 'fixture@1: bad input',
      });
      expect(refused.held()).toBe(0);
      const dead = setUp({ score: () => Promise.reject(new RetriableError('scoring worker 0 stopped')) });
      expect((await failure(() => dead.server.infer('fixture', undefined, request(1)))).status).toBe(503);
      expect(
        (await failure(() => setUp({ serving: undefined }).server.infer('fixture', undefined, request(1))))
          .status,
      ).toBe(503);
    });

    it('should let concurrent requests for a version share one run while no worker is idle, each answered with its own rows', async () => {
      const calls: { key: string; rows: number }[] = [];
      const server = new OpenInferenceServer({
        server: { name: 'streamscore-inference', version: '0.1.0' },
        model: 'fixture',
        serving: { current: () => SERVING, acquire: () => ({ serving: SERVING, release: () => undefined }) },
        scorer: {
          size: 1,
          idleWorkers: () => 0,
          score: (key, tensor, rows) => {
            calls.push({ key, rows });
            const scores = Float32Array.from({ length: rows }, (_, row) => tensor[row * WIDTH] ?? 0);
            return Promise.resolve({ scores, runMs: 0.1, totalMs: 0.2 });
          },
        },
        batching: { maxBatchRows: 100, maxQueueDelayMs: 5 },
      });
      const shifted = (rows: number, by: number): Record<string, unknown> => ({
        inputs: [
          {
            name: 'features',
            shape: [rows, WIDTH],
            datatype: 'FP32',
            data: Array.from({ length: rows * WIDTH }, (_, i) => by + Math.floor(i / WIDTH)),
          },
        ],
      });
      const responses = await Promise.all([
        server.infer('fixture', undefined, shifted(1, 100)),
        server.infer('fixture', '2', shifted(1, 500)),
        server.infer('fixture', undefined, shifted(3, 200)),
        server.infer('fixture', undefined, shifted(2, 300)),
      ]);
      expect(calls).toEqual([
        { key: 'fixture@1', rows: 6 },
        { key: 'fixture@2', rows: 1 },
      ]);
      expect(responses.map((r) => [r.model_version, r.outputs[0]?.data])).toEqual([
        ['1', [100]],
        ['2', [500]],
        ['1', [200, 201, 202]],
        ['1', [300, 301]],
      ]);
      expect(server.batchStats).toEqual({ runs: 2, requests: 4, rows: 7 });
    });

    it('should let any other scoring failure through as a bug', async () => {
      const broken = setUp({ score: () => Promise.reject(new TypeError('boom')) });
      await expect(broken.server.infer('fixture', undefined, request(1))).rejects.toThrow(TypeError);
      expect(broken.held()).toBe(0);
    });
  });
});
