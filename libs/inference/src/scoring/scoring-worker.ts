import { parentPort, workerData } from 'node:worker_threads';
import type { InferenceSession } from 'onnxruntime-node';
import {
  checkSessionAgainstManifest,
  createSession,
  ModelError,
  runScoring,
  scoringTensors,
  type ScoringTensors,
} from '@streamscore/models';
import { threadTimes } from '@streamscore/observability';
import type { WorkerReply, WorkerRequest, WorkerSessionSettings } from './scoring-protocol';

/**
 * One scoring thread: holds an ONNX Runtime session per loaded model version and runs them off the
 * main event loop (onnxruntime-node's run is synchronous underneath and would block kafkajs
 * heartbeats). One request at a time, so a session is never run concurrently.
 */
interface Loaded {
  readonly session: InferenceSession;
  readonly tensors: ScoringTensors;
}

const settings = workerData as WorkerSessionSettings;
const sessions = new Map<string, Loaded>();
const port = parentPort;
if (!port) throw new Error('scoring-worker must run in a worker thread');

async function createWithFallback(
  bytes: Uint8Array,
  label: string,
): Promise<{ session: InferenceSession; provider: string; note?: string }> {
  const providers = [...settings.executionProviders];
  const base = { intraOpNumThreads: settings.intraOpNumThreads, interOpNumThreads: 1 };
  for (let i = 0; i < providers.length; i++) {
    const provider = providers[i] ?? 'cpu';
    try {
      const session = await createSession(bytes, label, { ...base, executionProviders: [provider] });
      return i === 0 ? { session, provider } : { session, provider, note: skippedNote(providers, i) };
    } catch (error) {
      // A model the runtime refuses is refused on every provider; only a provider problem falls through.
      if (i === providers.length - 1 || !(error instanceof ModelError)) throw error;
      if (!/provider|cuda|CUDA|library/.test(error.message)) throw error;
    }
  }
  throw new Error('no execution provider configured');
}

function skippedNote(providers: readonly string[], used: number): string {
  return `execution provider(s) ${providers.slice(0, used).join(', ')} unavailable; using ${providers[used] ?? 'cpu'}`;
}

async function load(request: Extract<WorkerRequest, { kind: 'load' }>): Promise<WorkerReply> {
  const tensors = scoringTensors(request.manifest);
  const { session, provider, note } = await createWithFallback(request.bytes, request.key);
  try {
    checkSessionAgainstManifest(session, request.manifest);
  } catch (error) {
    await session.release();
    throw error;
  }
  await sessions.get(request.key)?.session.release();
  sessions.set(request.key, { session, tensors });
  return note === undefined
    ? { id: request.id, ok: true, provider }
    : { id: request.id, ok: true, provider, note };
}

async function score(request: Extract<WorkerRequest, { kind: 'score' }>): Promise<WorkerReply> {
  const loaded = sessions.get(request.key);
  if (!loaded) throw new Error(`model ${request.key} is not loaded in this worker`);
  const waitBefore = threadTimes()?.waitMs;
  const { scores, runMs } = await runScoring(loaded.session, loaded.tensors, request.tensor, request.rows);
  // A wait is counted when it ends, so every wait inside the run is in this difference (the CPU
  // time in schedstat is only brought up to date at ticks, too coarse for a 30 µs run).
  const waitAfter = threadTimes()?.waitMs;
  const runWaitMs = waitBefore !== undefined && waitAfter !== undefined ? waitAfter - waitBefore : undefined;
  return runWaitMs !== undefined
    ? { id: request.id, ok: true, scores, runMs, runWaitMs }
    : { id: request.id, ok: true, scores, runMs };
}

async function unload(request: Extract<WorkerRequest, { kind: 'unload' }>): Promise<WorkerReply> {
  const loaded = sessions.get(request.key);
  sessions.delete(request.key);
  await loaded?.session.release();
  return { id: request.id, ok: true };
}

async function handle(request: WorkerRequest): Promise<WorkerReply> {
  try {
    switch (request.kind) {
      case 'load':
        return await load(request);
      case 'score':
        return await score(request);
      case 'unload':
        return await unload(request);
    }
  } catch (error) {
    const code = error instanceof ModelError ? error.code : undefined;
    const message = error instanceof Error ? error.message : String(error);
    return code === undefined
      ? { id: request.id, ok: false, error: message }
      : { id: request.id, ok: false, error: message, code };
  }
}

// Requests are handled one after another: the chain keeps the order and one run at a time.
let chain: Promise<void> = Promise.resolve();
port.on('message', (request: WorkerRequest) => {
  chain = chain.then(async () => {
    const reply = await handle(request);
    port.postMessage(reply, reply.ok && reply.scores ? [reply.scores.buffer as ArrayBuffer] : []);
  });
});
