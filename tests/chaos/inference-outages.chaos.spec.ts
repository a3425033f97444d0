import { endOffsetSum, waitFor } from '@streamscore/testing';
import { expectedScores } from '@streamscore/demo-flights/testing';
import { chaosSize } from './support/chaos-size';
import { BROKER_DOWN_MS, restartBroker, startChaosStack, type ChaosStack } from './support/chaos-stack';
import { PROBE_TIMEOUT_MS, probeHealth, sampleHealth } from './support/health-probe';
import {
  materializeInto,
  prepareInference,
  printInferenceAccounting,
  readInferenceOutcome,
} from './support/inference-run';

const SIZE = chaosSize();
/** The outage: Redis gone for 10 seconds mid-run. */
const REDIS_DOWN_MS = 10_000;
/** The inference int test's bound on |score − offline forward pass|. */
const SCORE_TOLERANCE = 1e-5;

/** A probe every 500 ms over the outage: fewer than this means the probes themselves stalled. */
const MIN_SAMPLES = 8;

/**
 * Scenarios 2 and 3 (issue 9) under inference: the broker restarted and Redis stopped mid-run, the
 * service never restarted. Each must reconnect by itself with the exactly-once accounting intact.
 */
describe('chaos: broker restart and Redis outage under inference', () => {
  let chaos: ChaosStack;

  beforeAll(async () => {
    chaos = await startChaosStack();
  }, 30 * 60_000);

  afterAll(async () => {
    await chaos.teardown();
  }, 120_000);

  it('broker restart: inference reconnects by itself, one prediction or dead letter per event', async () => {
    const started = Date.now();
    const run = await prepareInference(chaos, SIZE.inferenceEvents);
    const service = await chaos.start('inference', run.env);
    await waitFor(
      async () => (await endOffsetSum(chaos.admin, run.catalogue.name('predictions'))) > run.events * 0.2,
      { timeoutMs: 180_000, intervalMs: 20 },
    );
    const { downSeconds, during: notReady } = await restartBroker(chaos, BROKER_DOWN_MS, () =>
      fetch(`${service.url}/health/ready`, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) }),
    );

    const outcome = await readInferenceOutcome(chaos.kafka, run, 300_000);
    const readyAgain = await waitFor(async () => (await probeHealth(service.url)).ready === 200, {
      timeoutMs: 60_000,
      intervalMs: 500,
    });
    printInferenceAccounting('broker-restart/inference', run, outcome, started, {
      brokerDownSeconds: downSeconds.toFixed(1),
      size: SIZE.label,
    });
    expect(service.child.exitCode).toBeNull();
    expect(notReady?.status).toBe(503);
    expect(readyAgain).toBe(true);
    expect(outcome).toMatchObject({
      predicted: run.events,
      deadLettered: run.bad,
      duplicates: 0,
      missing: 0,
    });
  }, 600_000);

  it('Redis outage: inference pauses (never scores with missing features), reports it, resumes, loses nothing', async () => {
    const started = Date.now();
    // A long watermark wait: after the restart the store is refilled, and a read that comes first
    // must wait for it rather than score flagged as stale (docs/inference.md, the read step).
    const run = await prepareInference(chaos, SIZE.inferenceEvents, {
      STREAMSCORE_FEATURE_MAX_WAIT_MS: '30000',
    });
    const predictionsTopic = run.catalogue.name('predictions');
    const service = await chaos.start('inference', run.env);
    const probe = () => probeHealth(service.url);
    await waitFor(async () => (await endOffsetSum(chaos.admin, predictionsTopic)) > run.events * 0.2, {
      timeoutMs: 180_000,
      intervalMs: 20,
    });

    await chaos.stack.stopRedis();
    const stoppedAt = Date.now();
    let settledOutputs: number | undefined;
    const during = await sampleHealth(
      service.url,
      { durationMs: REDIS_DOWN_MS, intervalMs: 500, minSamples: MIN_SAMPLES },
      async () => {
        // Batches that read their features before the stop may still commit in the first seconds.
        if (settledOutputs === undefined && Date.now() - stoppedAt > 3_000)
          settledOutputs = await endOffsetSum(chaos.admin, predictionsTopic);
      },
    );
    const outputsAtEnd = await endOffsetSum(chaos.admin, predictionsTopic);
    await chaos.stack.startRedis();
    const restartedAt = Date.now();
    // The private redis-server keeps nothing: refill the store under the same prefix.
    await materializeInto(chaos, run.stream, run.keyPrefix);
    const back = await waitFor(
      async () => {
        const s = await probe();
        return s.ready === 200 && s;
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );

    const outcome = await readInferenceOutcome(chaos.kafka, run, 300_000);
    const expected = await expectedScores(run.stream);
    const wrongScore = outcome.predictions.filter(
      (p) => !(Math.abs(p.score - (expected.get(p.eventId) ?? Number.NaN)) < SCORE_TOLERANCE),
    ).length;
    const flagged = outcome.predictions.filter(
      (p) => p.flags.includes('staleFeatures') || p.flags.includes('defaultedFeatures'),
    ).length;
    const notReady = during.filter((s) => s.ready === 503).length;
    const firstDown = during.find((s) => s.ready === 503);
    printInferenceAccounting('redis-outage/inference', run, outcome, started, {
      outageSeconds: REDIS_DOWN_MS / 1000,
      outputsWrittenInOutageAfter3s: outputsAtEnd - (settledOutputs ?? outputsAtEnd),
      notReadySamples: `${notReady}/${during.length}`,
      detectedAfterMs: firstDown ? firstDown.at - stoppedAt : -1,
      readyAgainAfterMs: back.at - restartedAt,
      wrongScore,
      flagged,
      size: SIZE.label,
    });
    // Paused: nothing scored while Redis was away (after the batches already past their read).
    expect(settledOutputs).toBeDefined();
    expect(outputsAtEnd).toBe(settledOutputs);
    expect(outputsAtEnd).toBeLessThan(run.events);
    // Readiness reports the outage (the first probes may race the stop), liveness stays green.
    expect(during.slice(2).length).toBeGreaterThanOrEqual(MIN_SAMPLES - 2);
    expect(during.slice(2).every((s) => s.ready === 503 && s.redis === 'down')).toBe(true);
    expect(during.every((s) => s.live === 200)).toBe(true);
    expect(back.redis).toBe('up');
    // Never scored with missing features: every score is the offline forward pass, none flagged.
    expect({ wrongScore, flagged }).toEqual({ wrongScore: 0, flagged: 0 });
    expect(outcome).toMatchObject({
      predicted: run.events,
      deadLettered: run.bad,
      duplicates: 0,
      missing: 0,
    });
    expect(service.child.exitCode).toBeNull();
  }, 600_000);
});
