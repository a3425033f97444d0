import * as avro from 'avsc';
import { resolve } from 'node:path';
import type { IHeaders, KafkaMessage } from 'kafkajs';
import {
  ContentTypes,
  createDecoder,
  encodeSingleObject,
  Headers,
  loadSchemaHistory,
  parsingCanonicalForm,
  RetriableError,
  schemaFingerprint,
  type DeadLetterCode,
  type Prediction,
  type SchemaHistory,
  type SchemaVersion,
} from '@streamscore/contracts';
import { routeByShare } from '@streamscore/deployments';
import {
  parseFeatureViews,
  type FeatureQuery,
  type FeatureReading,
  type FeatureView,
  type ReadOptions,
} from '@streamscore/features';
import type { OutputMessage, PartitionBatch } from '@streamscore/kafka';
import { FeatureVectorBuilder, type ModelInput, type OnlineValues } from '@streamscore/models';
import { fixtureManifest } from '@streamscore/models/testing';
import { expectedDeadLetter } from '@streamscore/testing';
import { BatchScorer, type BatchScorerOptions, type BatchStats } from './batch-scorer';
import type { FeatureSource } from './features/feature-fetch';
import type { Scorer } from './score-group';
import { ModelRunError, type ScoreResult } from './scoring/scoring-pool';
import type { ServedVersion, Serving } from './serving/serving';

const repo = resolve(__dirname, '../../..');

/** A departure as the in-memory schema below holds it: every field may be null. */
interface Departure {
  eventId: string | null;
  scheduledAt: number | null;
  origin: string | null;
  destination: string | null;
  distance: number | null;
}

const DEPARTURE_SCHEMA = {
  type: 'record',
  name: 'Departure',
  namespace: 'test.scorer',
  fields: [
    { name: 'eventId', type: ['null', 'string'], default: null },
    { name: 'scheduledAt', type: ['null', 'long'], default: null },
    { name: 'origin', type: ['null', 'string'], default: null },
    { name: 'destination', type: ['null', 'string'], default: null },
    { name: 'distance', type: ['null', 'double'], default: null },
  ],
} as const;

/** A one-version schema history held in memory (no schema directory). */
function historyOf(schema: avro.Schema): SchemaHistory {
  const type = avro.Type.forSchema(schema);
  const version: SchemaVersion = {
    version: 1,
    file: '<memory>/v1.avsc',
    schema,
    type,
    canonicalForm: parsingCanonicalForm(type),
    fingerprint: schemaFingerprint(type),
  };
  return {
    dir: '<memory>',
    name: type.name ?? '',
    versions: [version],
    latest: version,
    resolverFor: () => undefined,
  };
}

const departures = historyOf(DEPARTURE_SCHEMA as unknown as avro.Schema);
const departureType = departures.latest.type;
const predictionHistory = loadSchemaHistory(resolve(repo, 'schemas/prediction'));
const predictionDecoder = createDecoder<Prediction>(predictionHistory);

const NOW = Date.UTC(2024, 0, 2, 0, 0, 0);
const T0 = Date.UTC(2024, 0, 1, 12, 0, 0);
const TOPIC = 'test.events.validated';
const PARTITION = 3;
const TOPICS = {
  predictions: 'test.predictions',
  shadow: 'test.predictions.shadow',
  deadLetter: 'test.inference.dead-letter',
} as const;

const manifest = fixtureManifest();
const input = manifest.inputs[0] as ModelInput;

const [originView] = parseFeatureViews({
  views: [
    {
      name: 'origin',
      source: 'outcomes',
      entityKey: ['origin'],
      timeField: 'scheduledAt',
      idField: 'eventId',
      bucketMs: 60_000,
      windowMs: 600_000,
      allowedLatenessMs: 0,
      aggregations: [{ kind: 'mean', field: 'delay', name: 'mean_delay' }],
    },
  ],
}) as [FeatureView];

function servedVersion(version: string, decisionThreshold: number): ServedVersion {
  return {
    key: `fixture@${version}`,
    name: 'fixture',
    version,
    manifest,
    builder: new FeatureVectorBuilder(input),
    views: [originView],
    decisionThreshold,
    sha256: '0'.repeat(64),
    provider: 'cpu',
  };
}

const ACTIVE = servedVersion('1', 0.25);
const CANARY = servedVersion('2', 0.6);
const SHADOW = servedVersion('3', 0.5);

function serving(extra: Partial<Serving> = {}): Serving {
  return { active: ACTIVE, canary: null, shadow: null, views: [originView], ...extra };
}

/** Per version: its scores are base + (row in the group) / 1024 (exact in float32), and its timings. */
const RUNS: Record<string, { base: number; runMs: number; runWaitMs: number; totalMs: number }> = {
  'fixture@1': { base: 0.25, runMs: 3, runWaitMs: 1, totalMs: 5 },
  'fixture@2': { base: 0.5, runMs: 4, runWaitMs: 2, totalMs: 7 },
  'fixture@3': { base: 0.75, runMs: 6, runWaitMs: 0, totalMs: 9 },
};

interface ScoreCall {
  readonly key: string;
  readonly tensor: number[];
  readonly rows: number;
}

/** A scorer that records its calls; `failWith` / `override` change one version's answer. */
class FakeScorer implements Scorer {
  readonly calls: ScoreCall[] = [];
  readonly failWith = new Map<string, Error>();
  readonly override = new Map<string, (rows: number) => Float32Array>();

  score(key: string, tensor: Float32Array, rows: number): Promise<ScoreResult> {
    this.calls.push({ key, tensor: Array.from(tensor), rows });
    const failure = this.failWith.get(key);
    if (failure) return Promise.reject(failure);
    const run = RUNS[key];
    if (!run) return Promise.reject(new Error(`no version ${key}`));
    const scores =
      this.override.get(key)?.(rows) ?? Float32Array.from({ length: rows }, (_, i) => run.base + i / 1024);
    return Promise.resolve({ scores, runMs: run.runMs, runWaitMs: run.runWaitMs, totalMs: run.totalMs });
  }
}

/** A feature source answering from a table by entity; `incomplete` entities read as not final. */
class FakeFeatures implements FeatureSource {
  readonly calls: { queries: FeatureQuery[]; options: ReadOptions }[] = [];
  failWith: Error | undefined;

  constructor(
    readonly delays: Readonly<Record<string, number>> = {},
    readonly incomplete: ReadonlySet<string> = new Set(),
  ) {}

  readBatch(queries: readonly FeatureQuery[], options: ReadOptions): Promise<FeatureReading[]> {
    this.calls.push({ queries: [...queries], options });
    if (this.failWith) return Promise.reject(this.failWith);
    return Promise.resolve(
      queries.map((q) => ({
        values: { 'origin.mean_delay': this.delays[q.entity] ?? null },
        complete: !this.incomplete.has(q.entity),
        watermarkMs: q.atMs,
      })),
    );
  }
}

function departure(i: number, extra: Partial<Departure> = {}): Departure {
  return {
    eventId: `e-${i}`,
    scheduledAt: T0 + i * 60_000,
    origin: ['ATL', 'ORD', 'DFW'][i % 3] ?? null,
    destination: 'LAX',
    distance: 100 + i,
    ...extra,
  };
}

function avroMessage(offset: number, value: Buffer | null, headers: IHeaders = {}): KafkaMessage {
  return {
    key: Buffer.from(`key-${offset}`),
    value,
    timestamp: String(NOW - 100 * (offset + 1)),
    attributes: 0,
    offset: String(offset),
    headers: {
      [Headers.contentType]: ContentTypes.avro,
      [Headers.traceparent]: `trace-${offset}`,
      ...headers,
    },
  };
}

function message(offset: number, record: Departure = departure(offset)): KafkaMessage {
  return avroMessage(offset, encodeSingleObject(departureType, record));
}

function batchOf(messages: KafkaMessage[]): PartitionBatch & { heartbeats: number } {
  const batch = {
    topic: TOPIC,
    partition: PARTITION,
    messages,
    highWatermark: String(Number(messages[messages.length - 1]?.offset ?? -1) + 1),
    heartbeats: 0,
    heartbeat: () => {
      batch.heartbeats += 1;
      return Promise.resolve();
    },
  };
  return batch;
}

function scorerFor(
  scorer: Scorer,
  features: FeatureSource,
  extra: Partial<BatchScorerOptions> = {},
): BatchScorer {
  return new BatchScorer({
    decoder: createDecoder(departures),
    features,
    scorer,
    idField: 'eventId',
    timeField: 'scheduledAt',
    routingField: 'eventId',
    topics: TOPICS,
    prediction: { type: predictionHistory.latest.type, name: predictionHistory.name },
    featureMaxWaitMs: 0,
    featureReadDeadlineMs: 250,
    ...extra,
  });
}

async function predictionOf(output: OutputMessage | undefined): Promise<Prediction> {
  if (!output) throw new Error('no output');
  const decoded = await predictionDecoder.decode(output.value, output.headers);
  if (!decoded.ok) throw new Error(`not a Prediction: ${decoded.reason}`);
  return decoded.record;
}

function predictionHeaders(version: ServedVersion, offset: number): IHeaders {
  return {
    [Headers.contentType]: ContentTypes.avro,
    [Headers.schemaName]: 'streamscore.Prediction',
    [Headers.modelName]: 'fixture',
    [Headers.modelVersion]: version.version,
    [Headers.traceparent]: `trace-${offset}`,
  };
}

function deadLetterOf(
  input: KafkaMessage,
  code: DeadLetterCode,
  reason: string,
  fields: readonly string[],
): OutputMessage {
  return expectedDeadLetter(input, {
    deadLetterTopic: TOPICS.deadLetter,
    sourceTopic: TOPIC,
    partition: PARTITION,
    code,
    reason,
    fields,
  });
}

interface Expected {
  readonly offset: number;
  readonly record: Departure;
  readonly version: ServedVersion;
  readonly role: 'ACTIVE' | 'CANARY' | 'SHADOW';
  /** The row's place in its version's group (its score is base + rowInGroup / 1024). */
  readonly rowInGroup: number;
  readonly online?: OnlineValues;
  readonly flags: string[];
}

/** The Prediction the batch scorer must write for a row. */
function expectedPrediction(e: Expected, stats: BatchStats): Prediction {
  const run = RUNS[e.version.key]!;
  const score = Math.fround(run.base + e.rowInGroup / 1024);
  const delay = e.online?.['origin.mean_delay'];
  return {
    eventId: e.record.eventId ?? '',
    entityKey: `key-${e.offset}`,
    eventTime: e.record.scheduledAt!,
    modelName: 'fixture',
    modelVersion: e.version.version,
    role: e.role,
    score,
    label: score >= e.version.decisionThreshold,
    features: { distance: e.record.distance!, 'origin.mean_delay': delay ?? 0 },
    categories: { origin: e.record.origin!, destination: e.record.destination ?? 'UNKNOWN' },
    flags: e.flags,
    timings: {
      queueMs: 100 * (e.offset + 1),
      featuresMs: stats.featuresMs,
      featureWaitMs: stats.featureWaitMs,
      inferenceMs: run.runMs,
    },
    scoredAt: NOW,
  };
}

async function expectPrediction(output: OutputMessage | undefined, e: Expected, stats: BatchStats) {
  expect(output).toBeDefined();
  expect(output?.topic).toBe(e.role === 'SHADOW' ? TOPICS.shadow : TOPICS.predictions);
  expect(output?.key).toEqual(Buffer.from(`key-${e.offset}`));
  expect(output?.headers).toEqual(predictionHeaders(e.version, e.offset));
  expect(await predictionOf(output)).toEqual(expectedPrediction(e, stats));
}

/** The tensor the real builder makes for these records and online values. */
function tensorOf(records: readonly Departure[], online: readonly OnlineValues[]): number[] {
  return Array.from(new FeatureVectorBuilder(input).build(records, online).tensor);
}

const DELAYS = { ATL: 12, ORD: 40, DFW: -3 };
const onlineOf = (record: Departure): OnlineValues => ({
  'origin.mean_delay': record.origin === null ? undefined : (DELAYS as Record<string, number>)[record.origin],
});

describe('BatchScorer.handle', () => {
  beforeEach(() => {
    jest.spyOn(Date, 'now').mockReturnValue(NOW);
  });
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('should write one prediction per input, in input order, from one feature read and one run', async () => {
    const scorer = new FakeScorer();
    const features = new FakeFeatures(DELAYS);
    const records = [0, 1, 2, 3].map((i) => departure(i));
    const batch = batchOf(records.map((r, i) => message(i, r)));

    const { outputs, stats } = await scorerFor(scorer, features).handle(batch, serving());

    expect(features.calls).toEqual([
      {
        queries: records.map((r) => ({ view: 'origin', entity: r.origin, atMs: r.scheduledAt })),
        options: { deadlineMs: 250 },
      },
    ]);
    expect(scorer.calls).toEqual([
      { key: 'fixture@1', rows: 4, tensor: tensorOf(records, records.map(onlineOf)) },
    ]);
    expect(outputs).toHaveLength(4);
    for (const [i, record] of records.entries()) {
      await expectPrediction(
        outputs[i],
        {
          offset: i,
          record,
          version: ACTIVE,
          role: 'ACTIVE',
          rowInGroup: i,
          online: onlineOf(record),
          flags: [],
        },
        stats,
      );
    }
    expect(stats).toEqual({
      rows: 4,
      runs: [{ version: ACTIVE, role: 'ACTIVE', rows: 4, runMs: 3, runWaitMs: 1, roundTripMs: 5 }],
      deadLettered: new Map(),
      stale: 0,
      queueMs: 400,
      featuresMs: stats.featuresMs,
      featureWaitMs: 0,
      featureRereads: 0,
    });
    expect(stats.featuresMs).toBeGreaterThanOrEqual(0);
  });

  it('should take the label at the threshold (score >= decisionThreshold) and key predictions like the input', async () => {
    const scorer = new FakeScorer();
    // Row 0 scores 0.25, row 1 0.25 + 1/1024: each equal to one threshold, so labelled true there.
    const high = { ...ACTIVE, decisionThreshold: 0.25 + 1 / 1024 };
    const records = [departure(0), departure(1)];
    const low = await scorerFor(scorer, new FakeFeatures(DELAYS)).handle(
      batchOf(records.map((r, i) => message(i, r))),
      serving(),
    );
    const above = await scorerFor(scorer, new FakeFeatures(DELAYS)).handle(
      batchOf(records.map((r, i) => message(i, r))),
      serving({ active: high }),
    );
    expect(low.outputs).toHaveLength(2);
    expect(above.outputs).toHaveLength(2);
    const lowLabels = await Promise.all(low.outputs.map(async (o) => (await predictionOf(o)).label));
    const aboveLabels = await Promise.all(above.outputs.map(async (o) => (await predictionOf(o)).label));
    expect(lowLabels).toEqual([true, true]);
    expect(aboveLabels).toEqual([false, true]);
  });

  describe('undecodable records', () => {
    const decoder = createDecoder(departures);
    const good = encodeSingleObject(departureType, departure(0));
    const cases: [name: string, code: DeadLetterCode, message: KafkaMessage][] = [
      ['an empty payload', 'MALFORMED', avroMessage(1, Buffer.alloc(0))],
      ['a tombstone', 'MALFORMED', avroMessage(1, null)],
      ['a datum cut short', 'TRUNCATED', avroMessage(1, good.subarray(0, good.length - 2))],
      [
        'an unknown fingerprint',
        'UNKNOWN_SCHEMA',
        avroMessage(1, Buffer.concat([good.subarray(0, 2), Buffer.alloc(8, 0xab), good.subarray(10)])),
      ],
      ['bytes after the datum', 'TRAILING_BYTES', avroMessage(1, Buffer.concat([good, Buffer.from([0])]))],
      [
        'a foreign content type',
        'UNSUPPORTED_FORMAT',
        avroMessage(1, good, { [Headers.contentType]: 'text/csv' }),
      ],
      [
        'JSON that is not JSON',
        'MALFORMED',
        avroMessage(1, Buffer.from('{"eventId":'), { [Headers.contentType]: ContentTypes.json }),
      ],
      [
        'JSON with a field of the wrong type',
        'INVALID_FIELD',
        avroMessage(1, Buffer.from(JSON.stringify({ ...departure(1), distance: 'far' })), {
          [Headers.contentType]: ContentTypes.json,
        }),
      ],
    ];

    it.each(cases)(
      'should dead-letter %s with the decoder code %s, between predictions in order',
      async (_name, code, bad) => {
        const decoded = await decoder.decode(bad.value, bad.headers);
        if (decoded.ok) throw new Error('the case must not decode');
        expect(decoded.code).toBe(code);
        const scorer = new FakeScorer();
        const batch = batchOf([message(0), bad, message(2)]);

        const { outputs, stats } = await scorerFor(scorer, new FakeFeatures(DELAYS)).handle(batch, serving());

        expect(outputs).toHaveLength(3);
        expect(outputs[1]).toEqual(deadLetterOf(bad, code, decoded.reason, decoded.fields));
        await expectPrediction(
          outputs[0],
          {
            offset: 0,
            record: departure(0),
            version: ACTIVE,
            role: 'ACTIVE',
            rowInGroup: 0,
            online: onlineOf(departure(0)),
            flags: [],
          },
          stats,
        );
        await expectPrediction(
          outputs[2],
          {
            offset: 2,
            record: departure(2),
            version: ACTIVE,
            role: 'ACTIVE',
            rowInGroup: 1,
            online: onlineOf(departure(2)),
            flags: [],
          },
          stats,
        );
        expect(scorer.calls.map((c) => c.rows)).toEqual([2]);
        expect(stats.deadLettered).toEqual(new Map([[code, 1]]));
        expect(stats.rows).toBe(3);
        expect(stats.runs.map((r) => r.rows)).toEqual([2]);
      },
    );

    it('should carry the decoder fields of a non-finite value', async () => {
      const bad = avroMessage(0, encodeSingleObject(departureType, departure(0, { distance: Number.NaN })));
      const { outputs, stats } = await scorerFor(new FakeScorer(), new FakeFeatures()).handle(
        batchOf([bad]),
        serving(),
      );
      expect(outputs).toEqual([deadLetterOf(bad, 'NOT_FINITE', 'NaN or Infinity at distance', ['distance'])]);
      expect(stats.deadLettered).toEqual(new Map([['NOT_FINITE', 1]]));
    });

    it('should read JSON records like Avro ones', async () => {
      const record = departure(0);
      const json = avroMessage(0, Buffer.from(JSON.stringify(record)), {
        [Headers.contentType]: ContentTypes.json,
      });
      const { outputs, stats } = await scorerFor(new FakeScorer(), new FakeFeatures(DELAYS)).handle(
        batchOf([json]),
        serving(),
      );
      expect(outputs).toHaveLength(1);
      expect(outputs[0]?.headers?.[Headers.contentType]).toBe(ContentTypes.avro);
      await expectPrediction(
        outputs[0],
        {
          offset: 0,
          record,
          version: ACTIVE,
          role: 'ACTIVE',
          rowInGroup: 0,
          online: onlineOf(record),
          flags: [],
        },
        stats,
      );
    });
  });

  it('should dead-letter a record without an event time as INVALID_FIELD naming the time field, and read no features for it', async () => {
    const scorer = new FakeScorer();
    const features = new FakeFeatures(DELAYS);
    const untimed = message(1, departure(1, { scheduledAt: null }));
    const batch = batchOf([message(0), untimed, message(2)]);

    const { outputs, stats } = await scorerFor(scorer, features).handle(batch, serving());

    expect(outputs).toHaveLength(3);
    expect(outputs[1]).toEqual(
      deadLetterOf(untimed, 'INVALID_FIELD', 'no usable event time in scheduledAt', ['scheduledAt']),
    );
    expect(outputs.map((o) => o.topic)).toEqual([TOPICS.predictions, TOPICS.deadLetter, TOPICS.predictions]);
    expect(features.calls).toHaveLength(1);
    expect(features.calls[0]?.queries).toEqual([
      { view: 'origin', entity: 'ATL', atMs: T0 },
      { view: 'origin', entity: 'DFW', atMs: T0 + 2 * 60_000 },
    ]);
    expect(scorer.calls.map((c) => c.rows)).toEqual([2]);
    expect(stats.deadLettered).toEqual(new Map([['INVALID_FIELD', 1]]));
  });

  it('should dead-letter a row whose features cannot be built as MISSING_FEATURES with the feature names, and still score the batch', async () => {
    const scorer = new FakeScorer();
    const noDistance = departure(1, { distance: null });
    const nothing = departure(2, { distance: null, origin: null });
    const records = [departure(0), noDistance, nothing, departure(3)];
    const messages = records.map((r, i) => message(i, r));

    const { outputs, stats } = await scorerFor(scorer, new FakeFeatures(DELAYS)).handle(
      batchOf(messages),
      serving(),
    );

    expect(outputs).toHaveLength(4);
    expect(outputs[1]).toEqual(
      deadLetterOf(messages[1]!, 'MISSING_FEATURES', 'no value for distance', ['distance']),
    );
    expect(outputs[2]).toEqual(
      deadLetterOf(messages[2]!, 'MISSING_FEATURES', 'no value for distance; no value for origin', [
        'distance',
        'origin',
      ]),
    );
    // The run covers the whole group (the rows with issues are zeros in the tensor); their scores are dropped.
    const online = records.map(onlineOf);
    expect(scorer.calls).toEqual([{ key: 'fixture@1', rows: 4, tensor: tensorOf(records, online) }]);
    await expectPrediction(
      outputs[0],
      {
        offset: 0,
        record: records[0]!,
        version: ACTIVE,
        role: 'ACTIVE',
        rowInGroup: 0,
        online: online[0],
        flags: [],
      },
      stats,
    );
    await expectPrediction(
      outputs[3],
      {
        offset: 3,
        record: records[3]!,
        version: ACTIVE,
        role: 'ACTIVE',
        rowInGroup: 3,
        online: online[3],
        flags: [],
      },
      stats,
    );
    expect(stats.deadLettered).toEqual(new Map([['MISSING_FEATURES', 2]]));
    expect(stats.runs).toEqual([
      { version: ACTIVE, role: 'ACTIVE', rows: 2, runMs: 3, runWaitMs: 1, roundTripMs: 5 },
    ]);
  });

  it('should not run a version whose every row lacks features', async () => {
    const scorer = new FakeScorer();
    const messages = [0, 1].map((i) => message(i, departure(i, { distance: null })));
    const { outputs, stats } = await scorerFor(scorer, new FakeFeatures(DELAYS)).handle(
      batchOf(messages),
      serving(),
    );
    expect(scorer.calls).toEqual([]);
    expect(outputs).toEqual(
      messages.map((m) => deadLetterOf(m, 'MISSING_FEATURES', 'no value for distance', ['distance'])),
    );
    expect(stats.runs).toEqual([
      { version: ACTIVE, role: 'ACTIVE', rows: 0, runMs: 0, runWaitMs: undefined, roundTripMs: 0 },
    ]);
    expect(stats.deadLettered).toEqual(new Map([['MISSING_FEATURES', 2]]));
  });

  it('should use the manifest defaults (flagged defaultedFeatures) when online values and optional fields are missing', async () => {
    const record = departure(0, { destination: null });
    const features = new FakeFeatures({});
    const { outputs, stats } = await scorerFor(new FakeScorer(), features).handle(
      batchOf([message(0, record)]),
      serving(),
    );
    expect(outputs).toHaveLength(1);
    await expectPrediction(
      outputs[0],
      {
        offset: 0,
        record,
        version: ACTIVE,
        role: 'ACTIVE',
        rowInGroup: 0,
        online: {},
        flags: ['defaultedFeatures'],
      },
      stats,
    );
  });

  describe('a scorer that throws', () => {
    it('should dead-letter the group as MODEL_ERROR with the ModelRunError message (the partition goes on)', async () => {
      const scorer = new FakeScorer();
      scorer.failWith.set('fixture@1', new ModelRunError('fixture@1: input rank mismatch'));
      const messages = [message(0), message(1, departure(1, { distance: null })), message(2)];

      const { outputs, stats } = await scorerFor(scorer, new FakeFeatures(DELAYS)).handle(
        batchOf(messages),
        serving(),
      );

      expect(outputs).toEqual([
        deadLetterOf(messages[0]!, 'MODEL_ERROR', 'fixture@1: input rank mismatch', []),
        // A row with its own issue keeps that issue.
        deadLetterOf(messages[1]!, 'MISSING_FEATURES', 'no value for distance', ['distance']),
        deadLetterOf(messages[2]!, 'MODEL_ERROR', 'fixture@1: input rank mismatch', []),
      ]);
      expect(stats.deadLettered).toEqual(
        new Map<DeadLetterCode, number>([
          ['MISSING_FEATURES', 1],
          ['MODEL_ERROR', 2],
        ]),
      );
      expect(stats.runs).toEqual([
        { version: ACTIVE, role: 'ACTIVE', rows: 0, runMs: 0, runWaitMs: undefined, roundTripMs: 0 },
      ]);
    });

    it.each([
      ['a RetriableError', new RetriableError('scoring worker 0 stopped: exit 1')],
      ['a plain Error', new Error('bug in the worker protocol')],
      ['a TypeError', new TypeError('cannot read properties of undefined')],
    ])('should reject with %s and produce nothing', async (_name, error) => {
      const scorer = new FakeScorer();
      scorer.failWith.set('fixture@1', error);
      const handled = scorerFor(scorer, new FakeFeatures(DELAYS)).handle(
        batchOf([message(0), message(1)]),
        serving(),
      );
      await expect(handled).rejects.toBe(error);
      expect(scorer.calls).toHaveLength(1);
    });

    it('should reject when the canary fails with a retriable error even though the active run succeeded', async () => {
      const scorer = new FakeScorer();
      const error = new RetriableError('scoring pool is closed');
      scorer.failWith.set('fixture@2', error);
      await expect(
        scorerFor(scorer, new FakeFeatures(DELAYS)).handle(
          batchOf([0, 1, 2, 3, 4, 5].map((i) => message(i))),
          serving({ canary: { version: CANARY, share: 0.5 } }),
        ),
      ).rejects.toBe(error);
      expect(scorer.calls.map((c) => c.key)).toEqual(['fixture@1', 'fixture@2']);
    });

    it('should reject with the feature source error and run nothing', async () => {
      const scorer = new FakeScorer();
      const features = new FakeFeatures(DELAYS);
      features.failWith = new RetriableError('redis read took over 250 ms');
      await expect(scorerFor(scorer, features).handle(batchOf([message(0)]), serving())).rejects.toBe(
        features.failWith,
      );
      expect(scorer.calls).toEqual([]);
    });
  });

  it.each([
    ['NaN', Number.NaN],
    ['+Infinity', Number.POSITIVE_INFINITY],
    ['-Infinity', Number.NEGATIVE_INFINITY],
  ])('should dead-letter a row scored %s as MODEL_ERROR naming the version', async (_name, bad) => {
    const scorer = new FakeScorer();
    scorer.override.set('fixture@1', () => Float32Array.of(0.25, bad, 0.5));
    const messages = [0, 1, 2].map((i) => message(i));

    const { outputs, stats } = await scorerFor(scorer, new FakeFeatures(DELAYS)).handle(
      batchOf(messages),
      serving(),
    );

    expect(outputs).toHaveLength(3);
    expect(outputs[1]).toEqual(
      deadLetterOf(messages[1]!, 'MODEL_ERROR', 'fixture@1 returned a non-finite score', []),
    );
    expect((await predictionOf(outputs[0])).score).toBe(0.25);
    expect((await predictionOf(outputs[2])).score).toBe(0.5);
    expect(stats.deadLettered).toEqual(new Map([['MODEL_ERROR', 1]]));
    expect(stats.runs.map((r) => r.rows)).toEqual([2]);
  });

  it('should dead-letter rows the scorer returned no score for as MODEL_ERROR, saying how many came back', async () => {
    const scorer = new FakeScorer();
    scorer.override.set('fixture@1', () => Float32Array.of(0.25));
    const messages = [0, 1].map((i) => message(i));
    const { outputs } = await scorerFor(scorer, new FakeFeatures(DELAYS)).handle(
      batchOf(messages),
      serving(),
    );
    expect(outputs).toHaveLength(2);
    expect(outputs[0]?.topic).toBe(TOPICS.predictions);
    expect(outputs[1]).toEqual(
      deadLetterOf(messages[1]!, 'MODEL_ERROR', 'fixture@1 returned 1 scores for 2 rows', []),
    );
  });

  describe('canary routing', () => {
    const records = Array.from({ length: 24 }, (_, i) => departure(i));
    // One record without the routing field: it routes as ''.
    records.push(departure(24, { eventId: null }));

    it.each([0.3, 0.5, 0.8])(
      'should send each row to the role routeByShare(%s, routing text) gives, in input order',
      async (share) => {
        const roles = records.map((r) => routeByShare(share, r.eventId ?? ''));
        expect(roles.filter((r) => r === 'CANARY').length).toBeGreaterThan(0);
        expect(roles.filter((r) => r === 'ACTIVE').length).toBeGreaterThan(0);
        const scorer = new FakeScorer();

        const { outputs, stats } = await scorerFor(scorer, new FakeFeatures(DELAYS)).handle(
          batchOf(records.map((r, i) => message(i, r))),
          serving({ canary: { version: CANARY, share } }),
        );

        const activeRows = roles.flatMap((role, i) => (role === 'ACTIVE' ? [i] : []));
        const canaryRows = roles.flatMap((role, i) => (role === 'CANARY' ? [i] : []));
        const pick = (rows: number[]) => rows.map((i) => records[i]!);
        expect(scorer.calls).toEqual([
          {
            key: 'fixture@1',
            rows: activeRows.length,
            tensor: tensorOf(pick(activeRows), pick(activeRows).map(onlineOf)),
          },
          {
            key: 'fixture@2',
            rows: canaryRows.length,
            tensor: tensorOf(pick(canaryRows), pick(canaryRows).map(onlineOf)),
          },
        ]);
        expect(outputs).toHaveLength(records.length);
        for (const [i, record] of records.entries()) {
          const role = roles[i]!;
          const group = role === 'ACTIVE' ? activeRows : canaryRows;
          await expectPrediction(
            outputs[i],
            {
              offset: i,
              record,
              version: role === 'ACTIVE' ? ACTIVE : CANARY,
              role,
              rowInGroup: group.indexOf(i),
              online: onlineOf(record),
              flags: [],
            },
            stats,
          );
        }
        expect(stats.runs).toEqual([
          {
            version: ACTIVE,
            role: 'ACTIVE',
            rows: activeRows.length,
            runMs: 3,
            runWaitMs: 1,
            roundTripMs: 5,
          },
          {
            version: CANARY,
            role: 'CANARY',
            rows: canaryRows.length,
            runMs: 4,
            runWaitMs: 2,
            roundTripMs: 7,
          },
        ]);
      },
    );

    it('should route by the configured routing field', async () => {
      const share = 0.3;
      const roles = records.map((r) => routeByShare(share, r.origin ?? ''));
      expect(new Set(roles)).toEqual(new Set(['ACTIVE', 'CANARY']));
      const { outputs } = await scorerFor(new FakeScorer(), new FakeFeatures(DELAYS), {
        routingField: 'origin',
      }).handle(
        batchOf(records.map((r, i) => message(i, r))),
        serving({ canary: { version: CANARY, share } }),
      );
      expect(outputs).toHaveLength(records.length);
      expect(outputs.map((o) => o.headers?.[Headers.modelVersion])).toEqual(
        roles.map((role) => (role === 'ACTIVE' ? '1' : '2')),
      );
    });

    it('should run only the active version at share 0 and only the canary at share 1', async () => {
      const batch = () => batchOf(records.map((r, i) => message(i, r)));
      const none = new FakeScorer();
      const all = new FakeScorer();
      const atZero = await scorerFor(none, new FakeFeatures(DELAYS)).handle(
        batch(),
        serving({ canary: { version: CANARY, share: 0 } }),
      );
      const atOne = await scorerFor(all, new FakeFeatures(DELAYS)).handle(
        batch(),
        serving({ canary: { version: CANARY, share: 1 } }),
      );
      expect(none.calls.map((c) => [c.key, c.rows])).toEqual([['fixture@1', records.length]]);
      expect(all.calls.map((c) => [c.key, c.rows])).toEqual([['fixture@2', records.length]]);
      expect(atZero.outputs).toHaveLength(records.length);
      expect(atOne.outputs).toHaveLength(records.length);
      expect(new Set(atZero.outputs.map((o) => o.headers?.[Headers.modelVersion]))).toEqual(new Set(['1']));
      expect(new Set(atOne.outputs.map((o) => o.headers?.[Headers.modelVersion]))).toEqual(new Set(['2']));
      expect(atZero.stats.runs.map((r) => [r.role, r.rows])).toEqual([['ACTIVE', records.length]]);
      expect(atOne.stats.runs.map((r) => [r.role, r.rows])).toEqual([['CANARY', records.length]]);
    });
  });

  describe('shadow', () => {
    it('should score every timed row again, append its predictions to the shadow topic after the per-input outputs, and count them apart', async () => {
      const scorer = new FakeScorer();
      const records = [departure(0), departure(1, { distance: null }), departure(2), departure(3)];
      const untimed = message(4, departure(4, { scheduledAt: null }));
      const messages = [...records.map((r, i) => message(i, r)), untimed];

      const { outputs, stats } = await scorerFor(scorer, new FakeFeatures(DELAYS)).handle(
        batchOf(messages),
        serving({ shadow: SHADOW }),
      );

      // 5 per-input outputs, then shadow predictions for rows 0, 2, 3 (row 1 lacks a feature, row 4 a time).
      expect(outputs).toHaveLength(8);
      expect(outputs.slice(0, 5).map((o) => o.topic)).toEqual([
        TOPICS.predictions,
        TOPICS.deadLetter,
        TOPICS.predictions,
        TOPICS.predictions,
        TOPICS.deadLetter,
      ]);
      const online = records.map(onlineOf);
      for (const [k, i] of [0, 2, 3].entries()) {
        await expectPrediction(
          outputs[5 + k],
          {
            offset: i,
            record: records[i]!,
            version: SHADOW,
            role: 'SHADOW',
            rowInGroup: i,
            online: online[i],
            flags: [],
          },
          stats,
        );
      }
      expect(scorer.calls).toEqual([
        { key: 'fixture@1', rows: 4, tensor: tensorOf(records, online) },
        { key: 'fixture@3', rows: 4, tensor: tensorOf(records, online) },
      ]);
      expect(stats.rows).toBe(5);
      expect(stats.deadLettered).toEqual(
        new Map<DeadLetterCode, number>([
          ['MISSING_FEATURES', 1],
          ['INVALID_FIELD', 1],
        ]),
      );
      expect(stats.runs).toEqual([
        { version: ACTIVE, role: 'ACTIVE', rows: 3, runMs: 3, runWaitMs: 1, roundTripMs: 5 },
        { version: SHADOW, role: 'SHADOW', rows: 3, runMs: 6, runWaitMs: 0, roundTripMs: 9 },
      ]);
    });

    it('should score canary-routed rows in the shadow too', async () => {
      const records = Array.from({ length: 12 }, (_, i) => departure(i));
      const roles = records.map((r) => routeByShare(0.5, r.eventId ?? ''));
      expect(new Set(roles)).toEqual(new Set(['ACTIVE', 'CANARY']));
      const scorer = new FakeScorer();
      const { outputs } = await scorerFor(scorer, new FakeFeatures(DELAYS)).handle(
        batchOf(records.map((r, i) => message(i, r))),
        serving({ canary: { version: CANARY, share: 0.5 }, shadow: SHADOW }),
      );
      expect(scorer.calls.map((c) => c.key)).toEqual(['fixture@1', 'fixture@2', 'fixture@3']);
      expect(outputs).toHaveLength(24);
      expect(outputs.slice(12).map((o) => [o.topic, o.headers?.[Headers.modelVersion]])).toEqual(
        records.map(() => [TOPICS.shadow, '3']),
      );
      const shadowIds = await Promise.all(
        outputs.slice(12).map(async (o) => (await predictionOf(o)).eventId),
      );
      expect(shadowIds).toEqual(records.map((r) => r.eventId));
    });

    it('should drop shadow rows silently on a ModelRunError or a non-finite score, without dead letters', async () => {
      const messages = [0, 1, 2].map((i) => message(i));
      const refused = new FakeScorer();
      refused.failWith.set('fixture@3', new ModelRunError('fixture@3: bad input'));
      const nan = new FakeScorer();
      nan.override.set('fixture@3', () => Float32Array.of(0.75, Number.NaN, 0.8));

      const a = await scorerFor(refused, new FakeFeatures(DELAYS)).handle(
        batchOf(messages),
        serving({ shadow: SHADOW }),
      );
      const b = await scorerFor(nan, new FakeFeatures(DELAYS)).handle(
        batchOf(messages),
        serving({ shadow: SHADOW }),
      );

      expect(a.outputs.map((o) => o.topic)).toEqual([
        TOPICS.predictions,
        TOPICS.predictions,
        TOPICS.predictions,
      ]);
      expect(a.stats.deadLettered).toEqual(new Map());
      expect(a.stats.runs.map((r) => [r.role, r.rows])).toEqual([
        ['ACTIVE', 3],
        ['SHADOW', 0],
      ]);
      expect(b.outputs.map((o) => o.topic)).toEqual([
        TOPICS.predictions,
        TOPICS.predictions,
        TOPICS.predictions,
        TOPICS.shadow,
        TOPICS.shadow,
      ]);
      const shadowIds = await Promise.all(
        b.outputs.slice(3).map(async (o) => (await predictionOf(o)).eventId),
      );
      expect(shadowIds).toEqual(['e-0', 'e-2']);
      expect(b.stats.deadLettered).toEqual(new Map());
      expect(b.stats.runs.map((r) => [r.role, r.rows])).toEqual([
        ['ACTIVE', 3],
        ['SHADOW', 2],
      ]);
    });

    it('should not run the shadow when no row has an event time', async () => {
      const scorer = new FakeScorer();
      const { outputs, stats } = await scorerFor(scorer, new FakeFeatures(DELAYS)).handle(
        batchOf([message(0, departure(0, { scheduledAt: null }))]),
        serving({ shadow: SHADOW }),
      );
      expect(scorer.calls).toEqual([]);
      expect(outputs.map((o) => o.topic)).toEqual([TOPICS.deadLetter]);
      expect(stats.runs).toEqual([]);
    });

    it('should reject when the shadow run fails with a non-ModelRunError', async () => {
      const scorer = new FakeScorer();
      const error = new RetriableError('scoring worker 1 stopped: exit 134');
      scorer.failWith.set('fixture@3', error);
      await expect(
        scorerFor(scorer, new FakeFeatures(DELAYS)).handle(
          batchOf([message(0)]),
          serving({ shadow: SHADOW }),
        ),
      ).rejects.toBe(error);
    });
  });

  describe('stale features', () => {
    it('should flag rows whose reading is not final after the wait, and count them', async () => {
      const features = new FakeFeatures(DELAYS, new Set(['ORD']));
      const records = [0, 1, 2, 3, 4].map((i) => departure(i)); // ATL, ORD, DFW, ATL, ORD
      const { outputs, stats } = await scorerFor(new FakeScorer(), features).handle(
        batchOf(records.map((r, i) => message(i, r))),
        serving({ shadow: SHADOW }),
      );
      expect(outputs).toHaveLength(10);
      for (const [i, record] of records.entries()) {
        const flags = record.origin === 'ORD' ? ['staleFeatures'] : [];
        const online = onlineOf(record);
        await expectPrediction(
          outputs[i],
          { offset: i, record, version: ACTIVE, role: 'ACTIVE', rowInGroup: i, online, flags },
          stats,
        );
        await expectPrediction(
          outputs[5 + i],
          { offset: i, record, version: SHADOW, role: 'SHADOW', rowInGroup: i, online, flags },
          stats,
        );
      }
      expect(stats.stale).toBe(2);
      expect(stats.featureRereads).toBe(0);
      // No wait allowed (featureMaxWaitMs 0): the readiness wait is nil, apart from the read.
      expect(stats.featureWaitMs).toBe(0);
      expect(features.calls).toHaveLength(1);
    });

    it('should read again only the incomplete readings while the wait lasts, and not flag what became final', async () => {
      const records = [0, 1, 2].map((i) => departure(i)); // ATL, ORD, DFW
      let reads = 0;
      const calls: FeatureQuery[][] = [];
      const features: FeatureSource = {
        readBatch: (queries) => {
          reads += 1;
          calls.push([...queries]);
          return Promise.resolve(
            queries.map((q) => ({
              values: { 'origin.mean_delay': (DELAYS as Record<string, number>)[q.entity] ?? null },
              complete: reads > 1 || q.entity !== 'ORD',
              watermarkMs: q.atMs,
            })),
          );
        },
      };
      const batch = batchOf(records.map((r, i) => message(i, r)));
      const { outputs, stats } = await scorerFor(new FakeScorer(), features, {
        featureMaxWaitMs: 5_000,
      }).handle(batch, serving());
      expect(calls).toEqual([
        records.map((r) => ({ view: 'origin', entity: r.origin, atMs: r.scheduledAt })),
        [{ view: 'origin', entity: 'ORD', atMs: T0 + 60_000 }],
      ]);
      expect(batch.heartbeats).toBe(1);
      expect(stats.featureRereads).toBe(1);
      expect(stats.stale).toBe(0);
      // The pause and the re-read are the readiness wait, reported apart from the first read.
      expect(stats.featureWaitMs).toBeGreaterThan(0);
      expect(outputs).toHaveLength(3);
      const predictions = await Promise.all(outputs.map((o) => predictionOf(o)));
      expect(predictions.map((p) => p.flags)).toEqual([[], [], []]);
      expect(predictions.map((p) => p.timings.featureWaitMs)).toEqual(
        [1, 2, 3].map(() => stats.featureWaitMs),
      );
      expect(predictions.map((p) => p.timings.featuresMs)).toEqual([1, 2, 3].map(() => stats.featuresMs));
    });

    it('should count only predictions as stale, not rows that end up dead-lettered', async () => {
      const features = new FakeFeatures(DELAYS, new Set(['ORD']));
      const messages = [message(0), message(1, departure(1, { distance: null }))];
      const { outputs, stats } = await scorerFor(new FakeScorer(), features).handle(
        batchOf(messages),
        serving(),
      );
      expect(outputs.map((o) => o.topic)).toEqual([TOPICS.predictions, TOPICS.deadLetter]);
      // The ORD row's features are stale, but it has no distance: a dead letter, not a stale prediction.
      expect(stats.stale).toBe(0);
    });
  });

  it('should read no features when no served version reads a view, and default the online feature', async () => {
    const features = new FakeFeatures(DELAYS);
    const record = departure(1);
    const { outputs, stats } = await scorerFor(new FakeScorer(), features).handle(
      batchOf([message(0, record)]),
      serving({ views: [] }),
    );
    expect(features.calls).toEqual([{ queries: [], options: { deadlineMs: 250 } }]);
    expect(outputs).toHaveLength(1);
    await expectPrediction(
      outputs[0],
      {
        offset: 0,
        record,
        version: ACTIVE,
        role: 'ACTIVE',
        rowInGroup: 0,
        online: {},
        flags: ['defaultedFeatures'],
      },
      stats,
    );
  });

  it('should score an event without an id under the empty id, and add no traceparent when the input has none', async () => {
    const record = departure(0, { eventId: null });
    const bare: KafkaMessage = {
      key: Buffer.from('key-0'),
      value: encodeSingleObject(departureType, record),
      timestamp: String(NOW - 100),
      attributes: 0,
      offset: '0',
      headers: {},
    };
    const { outputs, stats } = await scorerFor(new FakeScorer(), new FakeFeatures(DELAYS)).handle(
      batchOf([bare]),
      serving(),
    );
    expect(outputs).toHaveLength(1);
    expect(outputs[0]?.headers).toEqual({
      [Headers.contentType]: ContentTypes.avro,
      [Headers.schemaName]: 'streamscore.Prediction',
      [Headers.modelName]: 'fixture',
      [Headers.modelVersion]: '1',
    });
    const prediction = await predictionOf(outputs[0]);
    expect(prediction.eventId).toBe('');
    expect(stats.rows).toBe(1);
  });

  it('should return nothing for an empty batch', async () => {
    const scorer = new FakeScorer();
    const { outputs, stats } = await scorerFor(scorer, new FakeFeatures()).handle(
      batchOf([]),
      serving({ shadow: SHADOW }),
    );
    expect(outputs).toEqual([]);
    expect(scorer.calls).toEqual([]);
    expect(stats).toEqual({
      rows: 0,
      runs: [],
      deadLettered: new Map(),
      stale: 0,
      queueMs: 0,
      featuresMs: stats.featuresMs,
      featureWaitMs: 0,
      featureRereads: 0,
    });
  });
});
