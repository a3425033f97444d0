import { Headers } from '@streamscore/contracts';
import { buildCorpus, readTopicToEnd } from '@streamscore/testing';
import { printAccounting } from './support/accounting';
import { startChaosStack, type ChaosStack } from './support/chaos-stack';
import { prepareIngestion, produceCorpus } from './support/ingestion-run';

const API_KEY = 'chaos-Api-Key-5e2b8d';
const BODY_LIMIT_BYTES = 64 * 1024;
const FUZZ = 2_000;

/** One valid event of the ingestion fixture's Reading schema, as JSON. */
function reading(i: number): Record<string, unknown> {
  return { id: `http-${i}`, at: 1_700_000_000_000 + i, device: 'd-1', value: 1.5, tags: [], attrs: {} };
}

/**
 * Scenario 4 (issue 9), ingestion's part: the fuzz corpus on Kafka (every hostile kind
 * dead-lettered with its code, nothing crashes), and hostile HTTP: oversized bodies → 413,
 * wrong or missing API key → 401, malformed JSON → 400; never a 5xx, and the key never logged.
 */
describe('chaos: hostile and malformed input', () => {
  let chaos: ChaosStack;
  let ingestionUrl = '';

  beforeAll(async () => {
    chaos = await startChaosStack();
  }, 30 * 60_000);

  afterAll(async () => {
    await chaos.teardown();
  }, 120_000);

  it('dead-letters every input of the fuzz corpus with its code and keeps HTTP answers 4xx', async () => {
    const started = Date.now();
    const run = await prepareIngestion(chaos, 10, {
      API_KEY,
      STREAMSCORE_HTTP_BODY_LIMIT: `${BODY_LIMIT_BYTES / 1024}kb`,
      STREAMSCORE_HTTP_MAX_EVENTS: '100',
      LOG_LEVEL: 'info',
    });
    const service = await chaos.start('ingestion', run.env);

    // Kafka: only hostile inputs, of the corpus' ten kinds.
    const corpus = buildCorpus(0, FUZZ, 23);
    await produceCorpus(chaos.kafka, run.catalogue.name('events'), corpus);
    const expectedCodes = new Map<string, number>();
    for (const m of corpus) {
      if (!m.expect.valid) expectedCodes.set(m.expect.code, (expectedCodes.get(m.expect.code) ?? 0) + 1);
    }
    const dead = await readTopicToEnd(chaos.kafka, run.catalogue.name('eventsDeadLetter'), {
      isolation: 'read_committed',
      expected: run.invalid + FUZZ,
      timeoutMs: 120_000,
    });
    const codes = new Map<string, number>();
    for (const m of dead) {
      const code = String(m.headers[Headers.dlqCode]);
      codes.set(code, (codes.get(code) ?? 0) + 1);
    }
    const fromPrepare = buildCorpus(run.valid, run.invalid, 11).filter((m) => !m.expect.valid);
    for (const m of fromPrepare) {
      if (!m.expect.valid) expectedCodes.set(m.expect.code, (expectedCodes.get(m.expect.code) ?? 0) + 1);
    }

    // HTTP.
    const post = (body: string, key?: string) =>
      fetch(`${service.url}/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(key === undefined ? {} : { 'x-api-key': key }) },
        body,
      });
    const valid = JSON.stringify([reading(1), reading(2)]);
    const oversized = JSON.stringify(
      Array.from({ length: 50 }, (_, i) => ({ ...reading(i), device: 'x'.repeat(2_000) })),
    );
    const statuses = {
      rightKey: (await post(valid, API_KEY)).status,
      oversized: (await post(oversized, API_KEY)).status,
      oversizedNoKey: (await post(oversized)).status,
      malformedJson: (await post('[{"id": ', API_KEY)).status,
      notAnArray: (await post('{"id": "x"}', API_KEY)).status,
      tooManyEvents: (await post(JSON.stringify(Array.from({ length: 101 }, (_, i) => reading(i))), API_KEY))
        .status,
      invalidEvent: (await post(JSON.stringify([{ ...reading(3), value: 'hot' }]), API_KEY)).status,
      unknownStream: (
        await fetch(`${service.url}/v1/nope`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': API_KEY },
          body: valid,
        })
      ).status,
      healthLive: (await fetch(`${service.url}/health/live`)).status,
      metrics: (await fetch(`${service.url}/metrics`)).status,
    };
    process.stdout.write(`hostile/http statuses: ${JSON.stringify(statuses)}\n`);
    printAccounting({
      scenario: 'hostile/ingestion-fuzz',
      sent: run.valid + run.invalid + FUZZ,
      validated: run.valid,
      deadLettered: dead.length,
      duplicates: Math.max(0, dead.length - (run.invalid + FUZZ)),
      missing: Math.max(0, run.invalid + FUZZ - dead.length),
      seconds: (Date.now() - started) / 1000,
      extra: { codes: JSON.stringify(Object.fromEntries([...codes].sort())) },
    });

    expect(Object.fromEntries([...codes].sort())).toEqual(Object.fromEntries([...expectedCodes].sort()));
    expect(statuses).toEqual({
      rightKey: 202,
      oversized: 413,
      oversizedNoKey: 413,
      malformedJson: 400,
      notAnArray: 400,
      tooManyEvents: 400,
      invalidEvent: 400,
      unknownStream: 400,
      healthLive: 200,
      metrics: 200,
    });
    expect(service.child.exitCode).toBeNull();
    expect(service.output()).not.toContain(API_KEY);
    ingestionUrl = service.url;
  }, 300_000);

  it('answers 401 to a missing, empty or wrong API key on the data endpoint', async () => {
    const post = (key?: string) =>
      fetch(`${ingestionUrl}/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(key === undefined ? {} : { 'x-api-key': key }) },
        body: JSON.stringify([reading(10)]),
      });
    const statuses = {
      missingKey: (await post()).status,
      emptyKey: (await post('')).status,
      wrongKey: (await post('not-the-key')).status,
      wrongKeySameLength: (await post(API_KEY.replace(/.$/, '0'))).status,
    };
    process.stdout.write(`hostile/api-key statuses: ${JSON.stringify(statuses)}\n`);
    expect(statuses).toEqual({ missingKey: 401, emptyKey: 401, wrongKey: 401, wrongKeySameLength: 401 });
  }, 60_000);
});
