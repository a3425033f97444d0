import { TopicCatalogue } from '@streamscore/contracts';
import { createTestTopics, randomName, waitFor } from '@streamscore/testing';
import { startChaosStack, type ChaosStack } from './support/chaos-stack';
import { probeHealth, sampleHealth } from './support/health-probe';

/** The outage: Redis gone for 10 seconds mid-run. */
const OUTAGE_MS = 10_000;

/** A probe every 500 ms over the outage: fewer than this means the probes themselves stalled. */
const MIN_SAMPLES = 8;

/**
 * Scenario 3 (issue 9), the part that holds today: a service that needs Redis reports the outage
 * on /health/ready (503, redis down) while staying live, and recovers by itself when Redis is back.
 * Inference's pause-and-retry during the outage is covered once its service lands (docs/reliability.md).
 */
describe('chaos: Redis outage', () => {
  let chaos: ChaosStack;

  beforeAll(async () => {
    chaos = await startChaosStack();
  }, 30 * 60_000);

  afterAll(async () => {
    await chaos.teardown();
  }, 120_000);

  it('features: readiness reports a 10 s Redis outage and recovers; liveness stays 200', async () => {
    const prefix = randomName('chaosredis');
    await createTestTopics(chaos.admin, new TopicCatalogue({ prefix, partitions: 2 }).all());
    const service = await chaos.start('features', {
      TOPIC_PREFIX: prefix,
      TOPIC_PARTITIONS: '2',
      REDIS_URL: chaos.stack.redisUrl,
    });
    const probe = () => probeHealth(service.url);
    await waitFor(async () => (await probe()).ready === 200, { timeoutMs: 30_000, intervalMs: 250 });

    await chaos.stack.stopRedis();
    const stoppedAt = Date.now();
    const during = await sampleHealth(service.url, {
      durationMs: OUTAGE_MS,
      intervalMs: 500,
      minSamples: MIN_SAMPLES,
    });
    await chaos.stack.startRedis();
    const restartedAt = Date.now();
    const back = await waitFor(
      async () => {
        const s = await probe();
        return s.ready === 200 && s;
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    const firstDown = during.find((s) => s.ready === 503);
    process.stdout.write(
      `accounting[redis-outage/features]: outageSeconds=${(OUTAGE_MS / 1000).toFixed(0)} samples=${during.length} ` +
        `notReadySamples=${during.filter((s) => s.ready === 503).length} ` +
        `detectedAfterMs=${firstDown ? firstDown.at - stoppedAt : -1} ` +
        `readyAgainAfterMs=${back.at - restartedAt}\n`,
    );
    // Allow the first probes to race the stop; every later one (at least MIN_SAMPLES − 2) must see the outage.
    expect(during.slice(2).length).toBeGreaterThanOrEqual(MIN_SAMPLES - 2);
    expect(during.slice(2).every((s) => s.ready === 503 && s.redis === 'down')).toBe(true);
    expect(during.every((s) => s.live === 200)).toBe(true);
    expect(back.redis).toBe('up');
    expect(service.child.exitCode).toBeNull();
  }, 180_000);
});
