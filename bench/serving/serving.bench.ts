import { TopicCatalogue } from '@streamscore/contracts';
import { parseInferenceRequest, signatureOf } from '@streamscore/inference';
import { readManifest } from '@streamscore/models';
import { createTestTopics, randomName } from '@streamscore/testing';
import { inferenceEnv, MODEL_DIR } from '@streamscore/demo-flights/testing';
import { benchStack, printMeasures, progress, round, serviceSettingsFromEnv } from '../common/bench-kit';
import { inferRequest, typicalRow } from './infer-payload';
import { idleCores, measureLoad, type LoadMeasure } from './load-generator';
import type { LoadPlan } from './load-protocol';
import { startBareServer, startService, type RunningServer } from './servers';

/**
 * Request/response serving: the inference service's Open Inference Protocol v2 infer endpoint
 * under closed-loop load from autocannon in a process of its own, one typical one-row request
 * (built from the model's manifest) over and over.
 * - dynamic_batching_gain: requests/s at BENCH_SERVING_CONNECTIONS (64) with the service's
 *   batcher (its settings, STREAMSCORE_OIP_* from the environment) against the same service with
 *   STREAMSCORE_OIP_MAX_BATCH_ROWS=1 — same workers, routing and JSON, one run per request;
 * - infer_p99_64_clients, with the batcher (baseline: maximum batch 1);
 * - infer_p50_1_client: one connection, against a bare node:http server running the same model
 *   file on one ONNX Runtime session once per request (bare-server.ts), and the difference;
 * - the server process' CPU per request (all threads, /proc/<pid>/stat) beside each.
 * Each run: BENCH_WARMUP_SECONDS (5) of warm-up, then about BENCH_SERVING_SECONDS (30) measured.
 * The service consumes fresh, empty topics meanwhile (its Kafka loop idles).
 */
const CONNECTIONS = Number(process.env['BENCH_SERVING_CONNECTIONS'] ?? 64);
const WARMUP_SECONDS = Number(process.env['BENCH_WARMUP_SECONDS'] ?? 5);
const MEASURE_SECONDS = Number(process.env['BENCH_SERVING_SECONDS'] ?? 30);

async function main(): Promise<void> {
  const { admin } = await benchStack();
  const manifest = await readManifest(MODEL_DIR);
  const signature = signatureOf(manifest);
  const request = inferRequest(signature, typicalRow(manifest), 'bench-serving');
  // The service's own parser accepts it (it throws a 400 OipError otherwise).
  parseInferenceRequest(request, signature);
  const body = JSON.stringify(request);
  progress(
    `payload: ${manifest.name} v${manifest.version}, one row of ${signature.input.shape[1]}, ${body.length} bytes`,
  );

  const prefix = randomName('bench-serving');
  const topics = new TopicCatalogue({ prefix, partitions: 1 });
  await createTestTopics(admin, topics.all());
  const servers: RunningServer[] = [];
  const start = async (server: Promise<RunningServer>): Promise<RunningServer> => {
    servers.push(await server);
    return servers[servers.length - 1]!;
  };
  const stop = async (server: RunningServer): Promise<void> => {
    servers.splice(servers.indexOf(server), 1);
    await server.stop();
  };
  const serviceEnv = (extra: Record<string, string>): Record<string, string> =>
    inferenceEnv(prefix, randomName('bench-serving-features'), {
      TOPIC_PARTITIONS: '1',
      LOG_LEVEL: 'warn',
      // Any STREAMSCORE_* setting in the bench's environment reaches the service (both runs).
      ...serviceSettingsFromEnv(),
      ...extra,
    });
  const load = (server: RunningServer, connections: number, idle: number): Promise<LoadMeasure> => {
    const plan: LoadPlan = {
      url: server.inferUrl,
      body,
      connections,
      warmupSeconds: WARMUP_SECONDS,
      measureSeconds: MEASURE_SECONDS,
    };
    return measureLoad(server, plan, idle);
  };

  try {
    const batching = await start(startService('service (batcher)', serviceEnv({}), manifest.name, signature));
    const batchingIdle = await idleCores(batching);
    const batched = await load(batching, CONNECTIONS, batchingIdle);
    const serviceOne = await load(batching, 1, batchingIdle);
    await stop(batching);

    const single = await start(
      startService(
        'service (maximum batch 1)',
        serviceEnv({ STREAMSCORE_OIP_MAX_BATCH_ROWS: '1' }),
        manifest.name,
        signature,
      ),
    );
    const unbatched = await load(single, CONNECTIONS, await idleCores(single));
    await stop(single);

    const bare = await start(startBareServer('bare node:http + ORT', MODEL_DIR, manifest.name));
    const bareIdle = await idleCores(bare);
    const bareOne = await load(bare, 1, bareIdle);
    // Not a measure: the floor of one request's HTTP, JSON and run in one process, for the notes.
    await load(bare, CONNECTIONS, bareIdle);
    await stop(bare);

    const p50Added = serviceOne.measured.p50Ms - bareOne.measured.p50Ms;
    progress(
      `one client p50: service ${serviceOne.measured.p50Ms.toFixed(3)} ms, bare ${bareOne.measured.p50Ms.toFixed(3)} ms, ` +
        `+${p50Added.toFixed(3)} ms`,
    );
    printMeasures([
      {
        case: 'serving',
        measure: 'dynamic_batching_gain',
        value: round(batched.measured.rate, 0),
        unit: 'requests/s',
        baseline: round(unbatched.measured.rate, 0),
        ratio: round(batched.measured.rate / unbatched.measured.rate),
      },
      {
        case: 'serving',
        measure: 'cpu_per_request_64_clients',
        value: round(batched.serverCpuUsPerRequest, 1),
        unit: 'µs/request',
        baseline: round(unbatched.serverCpuUsPerRequest, 1),
        ratio: round(batched.serverCpuUsPerRequest / unbatched.serverCpuUsPerRequest),
      },
      {
        case: 'serving',
        measure: 'infer_p99_64_clients',
        value: round(batched.measured.p99Ms),
        unit: 'ms',
        baseline: round(unbatched.measured.p99Ms),
        ratio: round(batched.measured.p99Ms / unbatched.measured.p99Ms),
      },
      {
        case: 'serving',
        measure: 'infer_p50_1_client',
        value: round(serviceOne.measured.p50Ms),
        unit: 'ms',
        baseline: round(bareOne.measured.p50Ms),
        ratio: round(serviceOne.measured.p50Ms / bareOne.measured.p50Ms),
      },
      {
        // The service's p50 minus the bare server's, against the 1 ms it may add.
        case: 'serving',
        measure: 'infer_p50_1_client_added',
        value: round(p50Added),
        unit: 'ms',
        baseline: 1,
        ratio: round(p50Added),
      },
      {
        case: 'serving',
        measure: 'cpu_per_request_1_client',
        value: round(serviceOne.serverCpuUsPerRequest, 1),
        unit: 'µs/request',
        baseline: round(bareOne.serverCpuUsPerRequest, 1),
        ratio: round(serviceOne.serverCpuUsPerRequest / bareOne.serverCpuUsPerRequest),
      },
    ]);
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    await admin.deleteTopics({ topics: topics.all().map((t) => t.name) }).catch(() => undefined);
    await admin.disconnect();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench serving: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
