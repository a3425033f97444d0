import type { Admin, IHeaders, Kafka } from 'kafkajs';
import type { Redis } from 'ioredis';
import { ContentTypes, Headers, TopicCatalogue, type DeadLetterCode } from '@streamscore/contracts';
import {
  buildOfflineIndex,
  entityOf,
  FeatureReader,
  isCompleteAsOf,
  valuesAt,
  type FeatureQuery,
  type FeatureValues,
} from '@streamscore/features';
import {
  awaitGroupCommitted,
  createTestTopics,
  deleteTestTopics,
  groupBacklog,
  randomName,
  readTopicToEnd,
  startServiceProcess,
  testKafka,
  testRedis,
  topicEnds,
  waitFor,
  type ServiceProcess,
} from '@streamscore/testing';
import { flightsFixture, TEST_LATENESS_MS } from '@streamscore/demo-flights/testing';

const FLIGHTS = Number(process.env['STREAMSCORE_TEST_FEATURES_FLIGHTS'] ?? 4_000);
const SAMPLE = 300;
const API_KEY = 'features-test-key';

function expectSameValues(actual: FeatureValues, expected: FeatureValues, context: string): void {
  expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
  for (const [name, value] of Object.entries(expected)) {
    const got = actual[name];
    if (value === null || got === null || got === undefined) {
      expect({ context, name, value: got }).toEqual({ context, name, value });
    } else if (name.endsWith('.count')) {
      expect({ context, name, value: got }).toEqual({ context, name, value });
    } else if (Math.abs(got - value) > 1e-9) {
      throw new Error(`${context} ${name}: online ${got} offline ${value}`);
    }
  }
}

async function metricSum(
  service: ServiceProcess,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const text = await (await fetch(`${service.url}/metrics`)).text();
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .filter((line) => wanted.every((w) => line.includes(w)))
    .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
}

async function deleteKeys(redis: Redis, prefix: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1_000);
    cursor = next;
    if (keys.length > 0) deleted += await redis.del(...keys);
  } while (cursor !== '0');
  return deleted;
}

describe('features service on the real Kafka and Redis', () => {
  const prefix = randomName('fsvc');
  const keyPrefix = `${prefix}:`;
  const catalogue = new TopicCatalogue({ prefix, partitions: 3 });
  const groupId = `${prefix}-group`;
  const fixture = flightsFixture(FLIGHTS);
  const sourceCount: Record<string, number> = {
    events: fixture.departures.length,
    outcomes: fixture.outcomes.length,
  };
  let kafka: Kafka;
  let admin: Admin;
  let redis: Redis;
  let service: ServiceProcess | undefined;

  const env = (extra: Record<string, string> = {}): Record<string, string> => ({
    KAFKA_BROKERS: process.env['KAFKA_BROKERS'] ?? '',
    REDIS_URL: process.env['REDIS_URL'] ?? '',
    REDIS_KEY_PREFIX: keyPrefix,
    TOPIC_PREFIX: prefix,
    TOPIC_PARTITIONS: '3',
    STREAMSCORE_PIPELINE: fixture.pipelineFile,
    STREAMSCORE_GROUP_ID: groupId,
    STREAMSCORE_MAX_BATCH_ROWS: '500',
    STREAMSCORE_HTTP_MAX_QUERIES: '5000',
    API_KEY,
    ...extra,
  });

  // Sample events: each read as of its own scheduled time, one query per view, entity taken from the event.
  const queries: FeatureQuery[] = [];
  for (let i = 0; i < SAMPLE; i++) {
    const event = fixture.departures[Math.floor((i * fixture.departures.length) / SAMPLE)];
    if (event === undefined) continue;
    for (const view of fixture.views) {
      const entity = entityOf(view, event);
      if (entity !== undefined) queries.push({ view: view.name, entity, atMs: event.scheduledAt });
    }
  }
  const offline = (() => {
    const indexes = new Map(
      fixture.views.map((view) => [
        view.name,
        buildOfflineIndex(view, view.source === 'events' ? fixture.departures : fixture.outcomes),
      ]),
    );
    return queries.map((q) => {
      const index = indexes.get(q.view);
      if (index === undefined) throw new Error(q.view);
      return valuesAt(index, q.entity, q.atMs);
    });
  })();
  let online: FeatureValues[] = [];

  const readOnline = async (): Promise<
    { values: FeatureValues; complete: boolean; watermarkMs: number | null }[]
  > => {
    if (service === undefined) throw new Error('no service');
    const response = await fetch(`${service.url}/v1/features/batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': API_KEY },
      body: JSON.stringify(queries.map((q) => ({ view: q.view, entity: q.entity, at: q.atMs }))),
    });
    if (response.status !== 200) throw new Error(`batch read: ${response.status} ${await response.text()}`);
    const body = (await response.json()) as {
      results: { values: FeatureValues; complete: boolean; watermarkMs: number | null }[];
    };
    return body.results;
  };

  beforeAll(async () => {
    kafka = testKafka();
    admin = kafka.admin();
    await admin.connect();
    redis = testRedis();
    await createTestTopics(admin, catalogue.all());
    const producer = kafka.producer();
    await producer.connect();
    const headers = { [Headers.contentType]: ContentTypes.avro };
    for (const [topic, messages] of [
      [catalogue.name('eventsValidated'), fixture.encodedDepartures],
      [catalogue.name('outcomesValidated'), fixture.encodedOutcomes],
    ] as const) {
      for (let i = 0; i < messages.length; i += 1_000)
        await producer.send({
          topic,
          messages: messages.slice(i, i + 1_000).map((m) => ({ ...m, headers })),
        });
    }
    await producer.disconnect();
  }, 60_000);

  afterAll(async () => {
    await service?.stop('SIGKILL');
    const deleted = await deleteKeys(redis, keyPrefix);
    expect(await deleteKeys(redis, keyPrefix)).toBe(0);
    expect(deleted).toBeGreaterThan(0);
    await redis.quit();
    await deleteTestTopics(admin, catalogue.all());
    await admin.disconnect();
  }, 60_000);

  it(`should materialize ${FLIGHTS} departures and outcomes so that online values equal the offline computation`, async () => {
    service = await startServiceProcess('features', env());
    const running = service;
    await waitFor(
      async () =>
        (await groupBacklog(admin, groupId, catalogue.name('eventsValidated'))) === 0 &&
        (await groupBacklog(admin, groupId, catalogue.name('outcomesValidated'))) === 0,
      { timeoutMs: 120_000, intervalMs: 250, description: 'the group committed every record' },
    );
    // Nothing upstream is left (no ingestion writes here), so once every partition is caught up
    // the watermarks settle at the newest record − lateness; wait for it, so the reads below see one state.
    const settled = new FeatureReader(redis, fixture.views, { keyPrefix });
    const newest = (view: (typeof fixture.views)[number]): number =>
      (view.source === 'events'
        ? fixture.departures.map((d) => d.scheduledAt)
        : fixture.outcomes.map((o) => o.knownAt)
      ).reduce((max, t) => Math.max(max, t), 0);
    await waitFor(
      async () => {
        const watermarks = await settled.readWatermarks({ deadlineMs: 5_000 });
        return fixture.views.every((view) => watermarks[view.name] === newest(view) - TEST_LATENESS_MS);
      },
      {
        timeoutMs: 30_000,
        intervalMs: 250,
        description: 'every view watermark at its newest record − lateness',
      },
    );

    const results = await readOnline();
    results.forEach((r, i) => {
      expectSameValues(r.values, offline[i] ?? {}, `query ${i} ${JSON.stringify(queries[i])}`);
    });
    online = results.map((r) => r.values);
    // The sample is not all empty windows: a wrong store could not pass by returning defaults.
    const nonEmpty = online.filter((values) =>
      Object.entries(values).some(([name, v]) => name.endsWith('.count') && v !== null && v > 0),
    );
    expect(nonEmpty.length).toBeGreaterThan(queries.length / 4);

    // The library's reader sees the same store.
    const reader = new FeatureReader(redis, fixture.views, { keyPrefix });
    const direct = await reader.readBatch(queries, { deadlineMs: 5_000 });
    direct.forEach((r, i) => {
      expect(results[i]).toEqual({
        ...r,
        view: queries[i]?.view,
        entity: queries[i]?.entity,
        atMs: queries[i]?.atMs,
      });
    });

    // Each view's watermark advanced to (its source's last event time − lateness) at most, and a
    // reading is complete exactly when the watermark reached its cut-off (bucketStart(t − lateness)).
    const watermarks = await reader.readWatermarks({ deadlineMs: 5_000 });
    for (const view of fixture.views) {
      const times =
        view.source === 'events'
          ? fixture.departures.map((d) => d.scheduledAt)
          : fixture.outcomes.map((o) => o.knownAt);
      const wm = watermarks[view.name];
      expect(typeof wm).toBe('number');
      expect(wm).toBeLessThanOrEqual(Math.max(...times) - TEST_LATENESS_MS);
      expect(wm).toBeGreaterThan(Math.min(...times) - TEST_LATENESS_MS);
    }
    const viewOf = new Map(fixture.views.map((view) => [view.name, view]));
    results.forEach((r, i) => {
      const query = queries[i]!;
      expect(r.complete).toBe(isCompleteAsOf(query.atMs, viewOf.get(query.view)!, r.watermarkMs));
    });

    // Counters equal the records: every record applied once per view of its source, nothing else.
    expect(await metricSum(running, 'features_dead_lettered_total')).toBe(0);
    for (const view of fixture.views) {
      expect(
        await metricSum(running, 'features_records_total', { view: view.name, outcome: 'applied' }),
      ).toBe(sourceCount[view.source]);
      expect(await metricSum(running, 'features_records_total', { view: view.name })).toBe(
        sourceCount[view.source],
      );
    }
    expect(await metricSum(running, 'features_records_in_total')).toBe(FLIGHTS * 2);
    expect(await metricSum(running, 'features_read_seconds_count', { endpoint: 'batch' })).toBe(1);
    await waitFor(async () => (await metricSum(running, 'features_consumer_lag')) === 0, {
      timeoutMs: 10_000,
      description: 'consumer lag gauge at 0',
    });
  }, 180_000);

  it('should answer single reads, and 400/401/404 on bad requests', async () => {
    if (service === undefined) throw new Error('no service');
    const q = queries[0];
    if (q === undefined) throw new Error('no query');
    const url = `${service.url}/v1/features/${q.view}/${encodeURIComponent(q.entity)}`;
    const auth = { 'x-api-key': API_KEY };
    const iso = new Date(q.atMs).toISOString();
    const single = (await (await fetch(`${url}?at=${iso}`, { headers: auth })).json()) as {
      values: FeatureValues;
    };
    expect(single.values).toEqual(online[0]);
    expect((await fetch(`${url}?at=${q.atMs}`)).status).toBe(401);
    expect((await fetch(`${url}?at=tomorrow`, { headers: auth })).status).toBe(400);
    expect((await fetch(`${service.url}/v1/features/no_such_view/JFK`, { headers: auth })).status).toBe(404);
    const badBatch = await fetch(`${service.url}/v1/features/batch`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify([{ view: q.view, entity: q.entity, at: 'x' }]),
    });
    expect(badBatch.status).toBe(400);
    expect(((await badBatch.json()) as { message: string }).message).toContain('[0].at');
  });

  it('should leave every value unchanged after a SIGKILL and a rebuild that replays all records', async () => {
    if (service === undefined) throw new Error('no service');
    expect(await service.stop('SIGKILL')).toBeNull();
    service = await startServiceProcess('features', env({ STREAMSCORE_REBUILD: 'true' }));
    const running = service;
    await waitFor(async () => (await metricSum(running, 'features_records_in_total')) === FLIGHTS * 2, {
      timeoutMs: 120_000,
      intervalMs: 250,
      description: 'the rebuild consumed the retained history',
    });
    // records_in counts a batch before it is applied, the outcome counters after: wait for those.
    const expectedUpdates = fixture.views.reduce((n, view) => n + (sourceCount[view.source] ?? 0), 0);
    await waitFor(async () => (await metricSum(running, 'features_records_total')) === expectedUpdates, {
      timeoutMs: 30_000,
      intervalMs: 250,
      description: 'every replayed record counted for every view',
    });
    for (const view of fixture.views) {
      expect(
        await metricSum(running, 'features_records_total', { view: view.name, outcome: 'duplicate' }),
      ).toBe(sourceCount[view.source]);
      expect(
        await metricSum(running, 'features_records_total', { view: view.name, outcome: 'applied' }),
      ).toBe(0);
    }
    const results = await readOnline();
    results.forEach((r, i) => {
      expect(r.values).toEqual(online[i]);
    });
    expect(await running.stop('SIGTERM')).toBe(0);
    service = undefined;
  }, 180_000);

  it('should move the watermarks to the newest record once transactional input is drained', async () => {
    // Ingestion writes the validated topics in transactions, so a drained partition ends with a
    // commit marker that no batch delivers. Each partition gets a later departure, an hour apart:
    // a partition taken for unfinished would hold the watermark at its own, earlier hour. A group
    // of its own: the first service's member, killed above, would hold a rebalance of the old one.
    service = await startServiceProcess(
      'features',
      env({ STREAMSCORE_GROUP_ID: randomName('features-txn') }),
    );
    const running = service;
    const topic = catalogue.name('eventsValidated');
    const base = fixture.departures.reduce((max, d) => Math.max(max, d.scheduledAt), 0);
    const later = fixture.departures.slice(0, 3).map((d, p) => ({
      ...d,
      eventId: `${d.eventId}-later-${p}`,
      scheduledAt: base + (p + 1) * 3_600_000,
    }));
    const producer = kafka.producer({
      transactionalId: randomName('features-txn'),
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await producer.connect();
    const transaction = await producer.transaction();
    await transaction.send({
      topic,
      messages: later.map((d, partition) => ({
        key: d.origin,
        value: fixture.encodeDeparture(d),
        partition,
        headers: { [Headers.contentType]: ContentTypes.avro },
      })),
    });
    await transaction.commit();
    await producer.disconnect();

    await waitFor(async () => (await metricSum(running, 'features_consumer_lag')) === 0, {
      timeoutMs: 30_000,
      description: 'consumer lag gauge at 0 with commit markers at the end of the partitions',
    });
    const reader = new FeatureReader(redis, fixture.views, { keyPrefix });
    const expected = base + later.length * 3_600_000 - TEST_LATENESS_MS;
    const departureViews = fixture.views.filter((view) => view.source === 'events');
    expect(departureViews.length).toBeGreaterThan(0);
    await waitFor(
      async () => {
        const watermarks = await reader.readWatermarks({ deadlineMs: 5_000 });
        return departureViews.every((view) => watermarks[view.name] === expected);
      },
      { timeoutMs: 30_000, intervalMs: 250, description: 'departure views at the newest hour − lateness' },
    );
    expect(await running.stop('SIGTERM')).toBe(0);
    service = undefined;
  }, 120_000);
});

describe('features service dead letters on the real Kafka and Redis', () => {
  const prefix = randomName('fsvc-dlq');
  const keyPrefix = `${prefix}:`;
  const partitions = 3;
  const catalogue = new TopicCatalogue({ prefix, partitions });
  const groupId = `${prefix}-group`;
  const fixture = flightsFixture(300);
  let kafka: Kafka;
  let admin: Admin;
  let redis: Redis;
  let service: ServiceProcess | undefined;

  beforeAll(async () => {
    kafka = testKafka();
    admin = kafka.admin();
    await admin.connect();
    redis = testRedis();
    await createTestTopics(admin, catalogue.all());
  }, 60_000);

  afterAll(async () => {
    await service?.stop('SIGKILL');
    await deleteKeys(redis, keyPrefix);
    await redis.quit();
    await deleteTestTopics(admin, catalogue.all());
    await admin.disconnect();
  }, 60_000);

  it('should dead-letter each validated record that does not decode once, with its code and source offset, in the transaction of its offsets', async () => {
    const avro = { [Headers.contentType]: ContentTypes.avro };
    // Bad variants of a good record of the topic's own schema, one per code.
    const badOf = (
      good: Buffer,
    ): { value: Buffer | null; headers: Record<string, string>; code: DeadLetterCode }[] => [
      { value: good.subarray(0, good.length - 3), headers: avro, code: 'TRUNCATED' },
      {
        value: Buffer.concat([good.subarray(0, 2), Buffer.alloc(8, 0xab), good.subarray(10)]),
        headers: avro,
        code: 'UNKNOWN_SCHEMA',
      },
      { value: Buffer.concat([good, Buffer.from([0])]), headers: avro, code: 'TRAILING_BYTES' },
      { value: null, headers: avro, code: 'MALFORMED' },
      { value: good, headers: { [Headers.contentType]: 'text/plain' }, code: 'UNSUPPORTED_FORMAT' },
    ];
    const producer = kafka.producer();
    await producer.connect();
    // Good records by key, then bad ones interleaved per partition and last in every partition: a
    // dead-lettered last record must still move its partition to the end (offsets and watermark).
    const sources = [
      { topic: catalogue.name('eventsValidated'), good: fixture.encodedDepartures },
      { topic: catalogue.name('outcomesValidated'), good: fixture.encodedOutcomes },
    ];
    const expected: {
      topic: string;
      partition: number;
      offset: string;
      code: DeadLetterCode;
      key: string;
      value: string | undefined;
    }[] = [];
    for (const { topic, good } of sources) {
      const sample = good[0]?.value;
      if (sample === undefined) throw new Error(`no good record for ${topic}`);
      const bad = badOf(sample);
      const half = Math.floor(good.length / 2);
      for (const [i, slice] of [good.slice(0, half), good.slice(half)].entries()) {
        await producer.send({ topic, messages: slice.map((m) => ({ ...m, headers: avro })) });
        for (let partition = 0; partition < partitions; partition++) {
          for (const [b, record] of bad.entries()) {
            const key = `bad-${i}-${partition}-${b}`;
            const [sent] = await producer.send({
              topic,
              messages: [{ key, value: record.value, headers: record.headers, partition }],
            });
            if (sent === undefined) throw new Error(`no metadata for ${key}`);
            expected.push({
              topic,
              partition,
              offset: sent.baseOffset ?? '',
              code: record.code,
              key,
              value: record.value?.toString('base64'),
            });
          }
        }
      }
    }
    await producer.disconnect();

    service = await startServiceProcess('features', {
      KAFKA_BROKERS: process.env['KAFKA_BROKERS'] ?? '',
      REDIS_URL: process.env['REDIS_URL'] ?? '',
      REDIS_KEY_PREFIX: keyPrefix,
      TOPIC_PREFIX: prefix,
      TOPIC_PARTITIONS: String(partitions),
      STREAMSCORE_PIPELINE: fixture.pipelineFile,
      STREAMSCORE_GROUP_ID: groupId,
      STREAMSCORE_MAX_BATCH_ROWS: '50',
    });
    const running = service;
    // The group committed every partition to its end offset: nothing was left behind.
    for (const { topic } of sources) await awaitGroupCommitted(admin, groupId, topic, { timeoutMs: 60_000 });
    for (const { topic } of sources) {
      const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
      const at = new Map((committed?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)]));
      for (const [partition, end] of await topicEnds(admin, topic)) expect(at.get(partition)).toBe(end);
    }

    // Read to the end offsets, taken again until every expected dead letter is in (the offsets and
    // the dead letters commit together, but their markers are written to separate partitions).
    const dead = await readTopicToEnd(kafka, catalogue.name('featuresDeadLetter'), {
      expected: expected.length,
      timeoutMs: 30_000,
    });
    const header = (headers: IHeaders, name: string): string | undefined => {
      const value = headers[name];
      return Buffer.isBuffer(value) || typeof value === 'string' ? value.toString() : undefined;
    };
    const got = dead.map((m) => ({
      topic: header(m.headers, Headers.sourceTopic),
      partition: Number(header(m.headers, Headers.sourcePartition)),
      offset: header(m.headers, Headers.sourceOffset),
      code: header(m.headers, Headers.dlqCode),
      key: m.key?.toString(),
      value: m.value?.toString('base64'),
    }));
    const order = (a: { topic?: string; partition: number; offset?: string }, b: typeof a): number =>
      (a.topic ?? '').localeCompare(b.topic ?? '') ||
      a.partition - b.partition ||
      Number(a.offset) - Number(b.offset);
    // Exactly once each (no duplicates, none missing), with its code, key and bytes.
    expect(got.sort(order)).toEqual(expected.sort(order));
    for (const m of dead) expect(header(m.headers, Headers.dlqReason)).toMatch(/\S/);

    // Counted once committed, by code.
    for (const code of new Set(expected.map((e) => e.code))) {
      expect(await metricSum(running, 'features_dead_lettered_total', { code })).toBe(
        expected.filter((e) => e.code === code).length,
      );
    }
    // The good records materialized, every one applied once per view of its source.
    const goodCount: Record<string, number> = {
      events: fixture.encodedDepartures.length,
      outcomes: fixture.encodedOutcomes.length,
    };
    for (const view of fixture.views) {
      await waitFor(
        async () =>
          (await metricSum(running, 'features_records_total', { view: view.name, outcome: 'applied' })) ===
          goodCount[view.source],
        { timeoutMs: 10_000, description: `${view.name}: every good record applied` },
      );
      expect(await metricSum(running, 'features_records_total', { view: view.name })).toBe(
        goodCount[view.source],
      );
    }
    // Dead letters add no event time, and a dead letter last in its partition holds nothing back:
    // every view's watermark reaches the newest good record − lateness.
    const reader = new FeatureReader(redis, fixture.views, { keyPrefix });
    const newest = (source: string): number =>
      (source === 'events'
        ? fixture.departures.map((d) => d.scheduledAt)
        : fixture.outcomes.map((o) => o.knownAt)
      ).reduce((max, t) => Math.max(max, t), 0);
    await waitFor(
      async () => {
        const watermarks = await reader.readWatermarks({ deadlineMs: 5_000 });
        return fixture.views.every(
          (view) => watermarks[view.name] === newest(view.source) - TEST_LATENESS_MS,
        );
      },
      {
        timeoutMs: 30_000,
        intervalMs: 250,
        description: 'every view watermark at its newest good record − lateness',
      },
    );
    expect(await running.stop('SIGTERM')).toBe(0);
    service = undefined;
  }, 180_000);
});
