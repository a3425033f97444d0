import { groupBacklog, waitFor } from '@streamscore/testing';
import { printAccounting } from './support/accounting';
import { chaosSize } from './support/chaos-size';
import { startChaosStack, type ChaosStack } from './support/chaos-stack';
import { prepareIngestion, readIngestionOutcome } from './support/ingestion-run';
import { peakRssMiB } from './support/process-memory';

const SIZE = chaosSize();
/**
 * The bound a backlog must not push ingestion past. Its memory is the Node runtime plus one batch
 * per partition in flight, whatever the backlog: 10x the CI backlog must not need more.
 */
const MAX_RSS_MIB = Number(process.env['STREAMSCORE_CHAOS_MAX_RSS_MIB'] ?? 400);
const SAMPLE_MS = 250;

/**
 * Scenario 6 (issue 9): a backlog produced before ingestion starts. Memory stays bounded (peak
 * RSS), liveness stays 200 all along (the event loop is never starved), and the lag drains to 0.
 */
describe('chaos: overload (a backlog before start)', () => {
  let chaos: ChaosStack;

  beforeAll(async () => {
    chaos = await startChaosStack();
  }, 30 * 60_000);

  afterAll(async () => {
    await chaos.teardown();
  }, 120_000);

  it(
    'ingestion drains the backlog with bounded memory and liveness green throughout',
    async () => {
      const produceStarted = Date.now();
      const run = await prepareIngestion(chaos, SIZE.backlog);
      const produceSeconds = (Date.now() - produceStarted) / 1000;
      const inputTopic = run.catalogue.name('events');

      const started = Date.now();
      const service = await chaos.start('ingestion', run.env);
      const pid = service.child.pid ?? 0;
      let peak = 0;
      let liveChecks = 0;
      const liveFailures: string[] = [];
      let slowestLiveMs = 0;
      const sampling = { on: true };
      const sampler = (async () => {
        while (sampling.on) {
          peak = Math.max(peak, peakRssMiB(pid) ?? 0);
          const t = Date.now();
          try {
            const res = await fetch(`${service.url}/health/live`, { signal: AbortSignal.timeout(2_000) });
            if (res.status !== 200) liveFailures.push(`status ${res.status}`);
          } catch (error) {
            liveFailures.push(error instanceof Error ? error.message : String(error));
          }
          slowestLiveMs = Math.max(slowestLiveMs, Date.now() - t);
          liveChecks++;
          await new Promise((r) => setTimeout(r, SAMPLE_MS));
        }
      })();
      try {
        await waitFor(async () => (await groupBacklog(chaos.admin, run.groupId, inputTopic)) === 0, {
          timeoutMs: 20 * 60_000,
          intervalMs: 500,
          description: 'ingestion lag to drain to 0',
        });
      } finally {
        sampling.on = false;
        await sampler;
      }
      const drainSeconds = (Date.now() - started) / 1000;
      const outcome = await readIngestionOutcome(chaos.kafka, run, 300_000);
      printAccounting({
        scenario: 'overload/ingestion',
        sent: run.valid + run.invalid,
        ...outcome,
        seconds: drainSeconds,
        extra: {
          produceSeconds: produceSeconds.toFixed(1),
          eventsPerSecond: Math.round(SIZE.backlog / drainSeconds),
          peakRssMiB: peak.toFixed(0),
          liveChecks,
          liveFailures: liveFailures.length,
          slowestLiveMs,
          size: SIZE.label,
        },
      });
      expect(liveFailures).toEqual([]);
      expect(liveChecks).toBeGreaterThan(0);
      expect(peak).toBeGreaterThan(0);
      expect(peak).toBeLessThan(MAX_RSS_MIB);
      expect(outcome).toEqual({ validated: run.valid, deadLettered: run.invalid, duplicates: 0, missing: 0 });
    },
    30 * 60_000,
  );
});
