import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { ModelMetadataResponse, ModelSignature } from '@streamscore/inference';
import { scrape, startServiceProcess, sumMetric, waitFor } from '@streamscore/testing';
import type { LoadTarget } from './load-generator';

/** A server process the bench loads: where to send infer requests, and how to stop it. */
export interface RunningServer extends LoadTarget {
  readonly inferUrl: string;
  stop(): Promise<void>;
}

/**
 * The inference service as the benches and int specs start it (its built main.js, its own
 * process), once it serves `model` with the signature the bench's payload was built from. Its
 * count is the Open Inference Protocol batch histogram: requests (sum) and model runs (count).
 */
export async function startService(
  label: string,
  env: Record<string, string>,
  model: string,
  signature: ModelSignature,
): Promise<RunningServer> {
  const service = await startServiceProcess('inference', env, { timeoutMs: 60_000 });
  const pid = service.child.pid;
  if (pid === undefined) throw new Error('the inference process has no pid');
  try {
    await waitFor(async () => (await fetch(`${service.url}/v2/models/${model}/ready`)).ok, {
      timeoutMs: 60_000,
      intervalMs: 250,
      description: `${model} ready on ${label}`,
    });
    const metadata = (await (
      await fetch(`${service.url}/v2/models/${model}`)
    ).json()) as ModelMetadataResponse;
    if (JSON.stringify(metadata.inputs) !== JSON.stringify([signature.input]))
      throw new Error(
        `${label} serves ${JSON.stringify(metadata.inputs)}, the payload is for ${JSON.stringify(signature.input)}`,
      );
  } catch (error) {
    await service.stop('SIGKILL');
    throw error;
  }
  return {
    label,
    pid,
    inferUrl: `${service.url}/v2/models/${model}/infer`,
    counted: async () => {
      const metrics = await scrape(service.url);
      return {
        requests: sumMetric(metrics, 'inference_oip_batch_requests_sum'),
        runs: sumMetric(metrics, 'inference_oip_batch_requests_count'),
      };
    },
    stop: async () => {
      await service.stop('SIGTERM');
    },
  };
}

/** The bare node:http server (bare-server.ts) on the model directory, in its own process. */
export async function startBareServer(
  label: string,
  modelDir: string,
  model: string,
): Promise<RunningServer> {
  // The service's processes get the same young generation (startServiceProcess, the images).
  const child = spawn(
    process.execPath,
    ['--max-semi-space-size=64', '--require', 'tsx/cjs', join(__dirname, 'bare-server.ts'), modelDir],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const pid = child.pid;
  if (pid === undefined) throw new Error('the bare server did not start');
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      resolve();
    });
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const first = await Promise.race([lines.next(), exited.then(() => undefined)]);
  if (!first || first.done) throw new Error('the bare server exited before it listened');
  const { port } = JSON.parse(first.value) as { port: number };
  const url = `http://127.0.0.1:${port}`;
  return {
    label,
    pid,
    inferUrl: `${url}/v2/models/${model}/infer`,
    counted: async () => {
      const { answered } = (await (await fetch(`${url}/requests`)).json()) as { answered: number };
      // One run per request.
      return { requests: answered, runs: answered };
    },
    stop: async () => {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
