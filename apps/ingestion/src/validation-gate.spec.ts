import type { IHeaders, KafkaMessage } from 'kafkajs';
import {
  ContentTypes,
  createDecoder,
  encodeConfluent,
  encodeSingleObject,
  Headers,
  loadSchemaHistory,
  RetriableError,
  type DeadLetterCode,
  type Decoder,
  type SchemaSource,
} from '@streamscore/contracts';
import type { OutputMessage, PartitionBatch } from '@streamscore/kafka';
import { fieldSizeLimits, loadPipelineConfig, parsePipelineConfig } from '@streamscore/platform';
import {
  buildCorpus,
  expectedDeadLetter,
  FIXTURE_PIPELINE,
  MAX_ARRAY_ITEMS,
  MAX_MESSAGE_BYTES,
  READING_SCHEMA_DIR,
} from '@streamscore/testing';
import { ValidationGate, type GateRoute } from './validation-gate';

const history = loadSchemaHistory(READING_SCHEMA_DIR);
const v1 = history.versions[0]!.type;
const v2 = history.latest.type;
const limits = { maxMessageBytes: MAX_MESSAGE_BYTES, maxArrayItems: MAX_ARRAY_ITEMS };

const EVENTS = 'gate.events';
const OUTCOMES = 'gate.outcomes';
const EVENTS_VALID = 'gate.events.validated';
const OUTCOMES_VALID = 'gate.outcomes.validated';
const DEAD_LETTERS = 'gate.events.dead-letter';
const PARTITION = 4;

interface Reading {
  id: string;
  at: number;
  device: string;
  value: number;
  tags: string[];
  attrs: Record<string, string>;
  unit?: string;
}

function reading(i: number, extra: Partial<Reading> = {}): Reading {
  return {
    id: `r-${i}`,
    at: 1_700_000_000_000 + i,
    device: `d-${i % 3}`,
    value: 20 + i / 4,
    tags: ['a'],
    attrs: { site: `s${i}` },
    ...extra,
  };
}

function route(decoder: Decoder<Record<string, unknown>>, extra: Partial<GateRoute> = {}): GateRoute {
  return {
    decoder,
    validTopic: EVENTS_VALID,
    deadLetterTopic: DEAD_LETTERS,
    keyFields: ['device'],
    schemaName: history.name,
    timeField: 'at',
    ...extra,
  };
}

function gateOf(events: Partial<GateRoute> = {}, decoder = createDecoder(history, limits)): ValidationGate {
  return new ValidationGate(
    new Map([
      [EVENTS, route(decoder, events)],
      [OUTCOMES, route(decoder, { validTopic: OUTCOMES_VALID, keyFields: ['id'] })],
    ]),
  );
}

/** kafkajs hands a record without headers over with `headers: {}`. */
function message(offset: number, value: Buffer | null, headers: IHeaders = {}): KafkaMessage {
  return {
    key: Buffer.from(`producer-key-${offset}`),
    value,
    timestamp: '1700000000000',
    attributes: 0,
    offset: String(offset),
    headers,
  };
}

function batchOf(messages: KafkaMessage[], topic = EVENTS): PartitionBatch {
  const highWatermark = String(Number(messages[messages.length - 1]?.offset ?? -1) + 1);
  return { topic, partition: PARTITION, messages, highWatermark, heartbeat: () => Promise.resolve() };
}

const AVRO_HEADERS: IHeaders = {
  [Headers.contentType]: Buffer.from(ContentTypes.avro),
  [Headers.traceparent]: Buffer.from('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'),
  'x-producer': Buffer.from('sensor-gw'),
};
const JSON_HEADERS: IHeaders = {
  [Headers.contentType]: Buffer.from(ContentTypes.json),
  [Headers.traceparent]: Buffer.from('00-0af7651916cd43dd8448eb211c80319c-00f067aa0ba902b7-01'),
};

function validated(topic: string, key: string, value: Buffer, original: IHeaders | undefined): OutputMessage {
  return {
    topic,
    key,
    value,
    headers: {
      ...original,
      [Headers.contentType]: ContentTypes.avro,
      [Headers.schemaName]: 'streamscore.test.Reading',
    },
  };
}

function deadLettered(
  input: KafkaMessage,
  code: DeadLetterCode,
  reason: string,
  fields: readonly string[],
  topic = EVENTS,
): OutputMessage {
  return expectedDeadLetter(input, {
    deadLetterTopic: DEAD_LETTERS,
    sourceTopic: topic,
    partition: PARTITION,
    code,
    reason,
    fields,
  });
}

describe('ValidationGate.handle', () => {
  describe('valid records', () => {
    it('should pass a latest-version record through as it is, keyed by its entity key, with the original headers plus content type and schema', async () => {
      const bytes = encodeSingleObject(v2, { ...reading(4), unit: 'C' });
      const input = message(0, bytes, AVRO_HEADERS);
      const { outputs, counts } = await gateOf().handle(batchOf([input]));
      expect(outputs).toEqual([validated(EVENTS_VALID, 'd-1', bytes, AVRO_HEADERS)]);
      // The bytes themselves, not a copy.
      expect(outputs[0]?.value).toBe(bytes);
      expect(counts).toEqual({ valid: 1, replayedClaims: 0, deadLettered: new Map() });
    });

    it('should re-encode an older writer canonically with the latest schema (defaults filled)', async () => {
      const input = message(0, encodeSingleObject(v1, reading(5)), AVRO_HEADERS);
      const { outputs } = await gateOf().handle(batchOf([input]));
      expect(outputs).toEqual([
        validated(EVENTS_VALID, 'd-2', encodeSingleObject(v2, { ...reading(5), unit: '' }), AVRO_HEADERS),
      ]);
    });

    it('should turn JSON into canonical Avro and replace the JSON content type', async () => {
      const input = message(0, Buffer.from(JSON.stringify(reading(6, { unit: 'K' }))), JSON_HEADERS);
      const { outputs, counts } = await gateOf().handle(batchOf([input]));
      expect(outputs).toEqual([
        validated(EVENTS_VALID, 'd-0', encodeSingleObject(v2, { ...reading(6), unit: 'K' }), JSON_HEADERS),
      ]);
      expect(outputs[0]?.headers?.[Headers.contentType]).toBe(ContentTypes.avro);
      expect(counts.valid).toBe(1);
    });

    it('should read a payload without headers as binary Avro and add only content type and schema', async () => {
      const bytes = encodeSingleObject(v2, { ...reading(1), unit: '' });
      const { outputs } = await gateOf().handle(batchOf([message(0, bytes)]));
      expect(outputs).toEqual([
        {
          topic: EVENTS_VALID,
          key: 'd-1',
          value: bytes,
          headers: {
            [Headers.contentType]: ContentTypes.avro,
            [Headers.schemaName]: 'streamscore.test.Reading',
          },
        },
      ]);
    });

    it.each([
      [['device'], 'd-2'],
      [['device', 'id'], 'd-2|r-2'],
      [['id', 'device'], 'r-2|d-2'],
      [['value'], '20.5'],
      [['at'], '1700000000002'],
      // A key field the record does not have counts as ''.
      [['device', 'site'], 'd-2|'],
      [['nothing'], ''],
    ])('should key by the key fields %j as %j, not by the producer key', async (keyFields, key) => {
      const input = message(0, encodeSingleObject(v2, { ...reading(2), unit: '' }), AVRO_HEADERS);
      const { outputs } = await gateOf({ keyFields }).handle(batchOf([input]));
      expect(outputs).toHaveLength(1);
      expect(outputs[0]?.topic).toBe(EVENTS_VALID);
      expect(outputs[0]?.key).toBe(key);
    });

    it('should pick the route by the batch topic: its valid topic, key fields and schema name', async () => {
      const bytes = encodeSingleObject(v2, { ...reading(7), unit: '' });
      const gate = new ValidationGate(
        new Map([
          [EVENTS, route(createDecoder(history, limits))],
          [
            OUTCOMES,
            route(createDecoder(history, limits), {
              validTopic: OUTCOMES_VALID,
              keyFields: ['id'],
              schemaName: 'outcome.Name',
            }),
          ],
        ]),
      );
      const events = await gate.handle(batchOf([message(0, bytes, AVRO_HEADERS)], EVENTS));
      const outcomes = await gate.handle(batchOf([message(0, bytes, AVRO_HEADERS)], OUTCOMES));
      expect(events.outputs).toEqual([validated(EVENTS_VALID, 'd-1', bytes, AVRO_HEADERS)]);
      expect(outcomes.outputs).toEqual([
        {
          topic: OUTCOMES_VALID,
          key: 'r-7',
          value: bytes,
          headers: {
            ...AVRO_HEADERS,
            [Headers.contentType]: ContentTypes.avro,
            [Headers.schemaName]: 'outcome.Name',
          },
        },
      ]);
    });
  });

  describe('dead letters', () => {
    const valid = encodeSingleObject(v2, { ...reading(1), unit: 'C' });
    const json = (value: unknown) => Buffer.from(JSON.stringify(value));
    const withoutDevice = { ...reading(3) } as Partial<Reading>;
    delete withoutDevice.device;
    const nan = Buffer.from(
      encodeSingleObject(v2, { ...reading(7), value: 1.5, tags: [], attrs: {}, unit: '' }),
    );
    nan.writeDoubleLE(Number.NaN, nan.length - 3 - 8);
    const unknownFingerprint = Buffer.from(valid);
    unknownFingerprint.writeUInt32LE(0xdeadbeef, 2);
    const hugeArray = (() => {
      const prefix = encodeSingleObject(v2, { ...reading(6), tags: [], attrs: {}, unit: '' });
      return Buffer.concat([prefix.subarray(0, prefix.length - 3), Buffer.from([0x80, 0x84, 0xaf, 0x5f])]);
    })();

    const cases: [
      name: string,
      code: DeadLetterCode,
      value: Buffer | null,
      headers: IHeaders | undefined,
      reason: string | RegExp,
      fields: string[],
    ][] = [
      ['a tombstone', 'MALFORMED', null, AVRO_HEADERS, 'empty payload', []],
      ['an empty value', 'MALFORMED', Buffer.alloc(0), AVRO_HEADERS, 'empty payload', []],
      [
        'text that is not JSON',
        'MALFORMED',
        Buffer.from('{"id": "r-1", '),
        JSON_HEADERS,
        // The rest is Node's JSON.parse message, which differs between Node versions.
        /^invalid JSON: \S/,
        [],
      ],
      [
        'a payload over the size limit',
        'TOO_LARGE',
        Buffer.alloc(MAX_MESSAGE_BYTES + 1, 0xc3),
        AVRO_HEADERS,
        `payload of ${MAX_MESSAGE_BYTES + 1} bytes exceeds ${MAX_MESSAGE_BYTES}`,
        [],
      ],
      [
        'a foreign content type',
        'UNSUPPORTED_FORMAT',
        valid,
        { [Headers.contentType]: 'text/csv; charset=utf-8' },
        'content-type text/csv is neither Avro nor JSON',
        [],
      ],
      [
        'unframed bytes',
        'UNSUPPORTED_FORMAT',
        Buffer.from([0x42, 0x01, 0x02]),
        undefined,
        'payload starts with neither C3 01 (single-object) nor 00 (Confluent)',
        [],
      ],
      [
        'the Confluent format without a registry',
        'UNSUPPORTED_FORMAT',
        encodeConfluent(v2, 7, { ...reading(1), unit: '' }),
        AVRO_HEADERS,
        'Confluent wire format needs a schema registry',
        [],
      ],
      [
        'a datum cut short',
        'TRUNCATED',
        valid.subarray(0, valid.length - 5),
        AVRO_HEADERS,
        'payload ends inside the streamscore.test.Reading datum',
        [],
      ],
      [
        'an unknown fingerprint',
        'UNKNOWN_SCHEMA',
        unknownFingerprint,
        AVRO_HEADERS,
        `fingerprint ${unknownFingerprint.readBigUInt64LE(2).toString(16).padStart(16, '0')} is not a known version of streamscore.test.Reading`,
        [],
      ],
      [
        'bytes after the datum',
        'TRAILING_BYTES',
        Buffer.concat([valid, Buffer.from([1, 2, 3])]),
        AVRO_HEADERS,
        '3 bytes after the streamscore.test.Reading datum',
        [],
      ],
      ['a NaN double', 'NOT_FINITE', nan, AVRO_HEADERS, 'NaN or Infinity at value', ['value']],
      [
        'an array over the item limit',
        'LIMIT_EXCEEDED',
        hugeArray,
        AVRO_HEADERS,
        'array block claims 100000000 items; at most 1000 allowed per message',
        [],
      ],
      [
        'a JSON field of the wrong type',
        'INVALID_FIELD',
        json({ ...reading(3), value: 'hot' }),
        JSON_HEADERS,
        'invalid value(s) at value',
        ['value'],
      ],
      [
        'a JSON record without a key field',
        'MISSING_FIELD',
        json(withoutDevice),
        JSON_HEADERS,
        'missing required field(s) device',
        ['device'],
      ],
    ];

    it.each(cases)(
      'should dead-letter %s as %s with the original key, bytes and headers plus the reason',
      async (_name, code, value, headers, reason, fields) => {
        const input = message(9, value, headers);
        const { outputs, counts } = await gateOf().handle(batchOf([input]));
        expect(outputs).toHaveLength(1);
        const reasonHeader = outputs[0]?.headers?.[Headers.dlqReason];
        expect(typeof reasonHeader).toBe('string');
        if (typeof reason === 'string') expect(reasonHeader).toBe(reason);
        else expect(reasonHeader).toMatch(reason);
        expect(outputs[0]).toEqual(deadLettered(input, code, String(reasonHeader), fields));
        expect(outputs[0]?.key).toBe(input.key);
        expect(outputs[0]?.value).toBe(input.value);
        expect(counts).toEqual({ valid: 0, replayedClaims: 0, deadLettered: new Map([[code, 1]]) });
      },
    );

    it('should name the source topic of the batch in a dead letter', async () => {
      const input = message(3, Buffer.from([0x42]), AVRO_HEADERS);
      const { outputs } = await gateOf().handle(batchOf([input], OUTCOMES));
      expect(outputs).toEqual([
        deadLettered(
          input,
          'UNSUPPORTED_FORMAT',
          'payload starts with neither C3 01 (single-object) nor 00 (Confluent)',
          [],
          OUTCOMES,
        ),
      ]);
    });

    it('should cut a reason to 1000 characters', async () => {
      const long = 'x'.repeat(1_500);
      const decoder: Decoder<Record<string, unknown>> = {
        history,
        fromJson: () => ({ ok: false, code: 'INVALID_FIELD', reason: long, fields: ['a', 'b.c'] }),
        decode: () =>
          Promise.resolve({ ok: false, code: 'INVALID_FIELD', reason: long, fields: ['a', 'b.c'] }),
      };
      const input = message(0, Buffer.from('anything'), AVRO_HEADERS);
      const { outputs } = await gateOf({}, decoder).handle(batchOf([input]));
      expect(outputs).toEqual([deadLettered(input, 'INVALID_FIELD', 'x'.repeat(1_000), ['a', 'b.c'])]);
    });
  });

  describe('field size limits (the pipeline file’s `limits`)', () => {
    // As gate-routes.ts builds the decoder: the service's message cap (default 1 MiB) plus the
    // pipeline's field size limits with the stream's key fields (the fixture pipeline has no
    // `limits`: strings 64 KiB, key fields 1 KiB).
    const pipeline = loadPipelineConfig(FIXTURE_PIPELINE);
    const gateDecoder = createDecoder(history, fieldSizeLimits(pipeline, 'events'));
    const gate = (): ValidationGate => gateOf({ keyFields: pipeline.streams.events.keyFields }, gateDecoder);
    const avro = (extra: Partial<Reading>): Buffer =>
      encodeSingleObject(v2, { ...reading(1), unit: '', ...extra });

    it('should dead-letter a 1 MB key field TOO_LARGE naming it, and validate the record behind it', async () => {
      const hostile = message(0, avro({ device: 'd'.repeat(1_000_000) }), AVRO_HEADERS);
      const ordinary = message(1, avro({ device: 'd-9' }), AVRO_HEADERS);
      const { outputs, counts } = await gate().handle(batchOf([hostile, ordinary]));
      // Over the dead-letter copy budget: the dead letter names the sizes, not a copy of the record.
      const { headers } = deadLettered(
        hostile,
        'TOO_LARGE',
        'device is 1000000 bytes; a key field may have at most 1024',
        ['device'],
      );
      const reasonAndSource = Object.fromEntries(
        Object.entries(headers ?? {}).filter(([name]) => !(name in AVRO_HEADERS)),
      );
      expect(outputs).toEqual([
        {
          topic: DEAD_LETTERS,
          key: null,
          value: null,
          headers: {
            [Headers.dlqDropped]: JSON.stringify({
              key: hostile.key?.length,
              value: hostile.value?.length,
              headers: Object.entries(AVRO_HEADERS).reduce(
                (n, [name, v]) => n + name.length + (v as Buffer).length,
                0,
              ),
            }),
            ...reasonAndSource,
          },
        },
        validated(EVENTS_VALID, 'd-9', ordinary.value!, AVRO_HEADERS),
      ]);
      expect(counts).toEqual({ valid: 1, replayedClaims: 0, deadLettered: new Map([['TOO_LARGE', 1]]) });
    });

    it.each<[string, Partial<Reading>, string[], string]>([
      [
        'a key field of 1 KiB + 1 byte (UTF-8)',
        { device: 'é'.repeat(512) + 'x' },
        ['device'],
        'device is 1025 bytes; a key field may have at most 1024',
      ],
      [
        'a 64 KiB + 1 string',
        { unit: 'u'.repeat(65_537) },
        ['unit'],
        'unit is 65537 bytes; a string may have at most 65536',
      ],
      [
        'an array item and a map value',
        { tags: ['a', 't'.repeat(70_000)], attrs: { site: 's'.repeat(70_000) } },
        ['tags.1', 'attrs.site'],
        'tags.1 is 70000 bytes; a string may have at most 65536; attrs.site is 70000 bytes; a string may have at most 65536',
      ],
    ])(
      'should dead-letter %s TOO_LARGE with its path, from Avro and from JSON',
      async (_name, extra, fields, reason) => {
        const record = { ...reading(1), unit: '', ...extra };
        const inputs = [
          message(0, encodeSingleObject(v2, record), AVRO_HEADERS),
          message(1, Buffer.from(JSON.stringify(record)), JSON_HEADERS),
        ];
        const { outputs, counts } = await gate().handle(batchOf(inputs));
        expect(outputs).toEqual(inputs.map((input) => deadLettered(input, 'TOO_LARGE', reason, fields)));
        expect(counts).toEqual({ valid: 0, replayedClaims: 0, deadLettered: new Map([['TOO_LARGE', 2]]) });
      },
    );

    it('should pass strings and key fields of exactly the limits', async () => {
      const record = { device: 'é'.repeat(512), unit: '€'.repeat(21_845) + 'x' }; // 1,024 and 65,536 bytes
      const { outputs, counts } = await gate().handle(batchOf([message(0, avro(record), AVRO_HEADERS)]));
      expect(outputs[0]?.topic).toBe(EVENTS_VALID);
      expect(outputs[0]?.key).toBe(record.device);
      expect(counts.valid).toBe(1);
    });

    it('should apply the limits a pipeline file sets, to the key fields of each stream', async () => {
      const raw = {
        streams: {
          events: { schemaDir: READING_SCHEMA_DIR, keyFields: ['device'], idField: 'id', timeField: 'at' },
          outcomes: { schemaDir: READING_SCHEMA_DIR, keyFields: ['id'], idField: 'id', timeField: 'at' },
        },
        featureViews: 'v.json',
        modelRepository: 'm',
        model: 'm',
        limits: { maxStringBytes: 32, maxKeyFieldBytes: 4 },
      };
      const strict = parsePipelineConfig(raw, '/p/pipeline.json');
      const gateWith = new ValidationGate(
        new Map([
          [EVENTS, route(createDecoder(history, fieldSizeLimits(strict, 'events')))],
          [
            OUTCOMES,
            route(createDecoder(history, fieldSizeLimits(strict, 'outcomes')), {
              validTopic: OUTCOMES_VALID,
              keyFields: ['id'],
            }),
          ],
        ]),
      );
      // device 'd-1' (3 bytes) is a key of events; id 'r-1234' (6 bytes) is the key of outcomes only.
      const input = message(0, avro({ id: 'r-1234' }), AVRO_HEADERS);
      expect((await gateWith.handle(batchOf([input], EVENTS))).outputs[0]?.topic).toBe(EVENTS_VALID);
      expect((await gateWith.handle(batchOf([input], OUTCOMES))).outputs).toEqual([
        deadLettered(input, 'TOO_LARGE', 'id is 6 bytes; a key field may have at most 4', ['id'], OUTCOMES),
      ]);
      const long = message(1, avro({ unit: 'u'.repeat(33) }), AVRO_HEADERS);
      expect((await gateWith.handle(batchOf([long], EVENTS))).outputs).toEqual([
        deadLettered(long, 'TOO_LARGE', 'unit is 33 bytes; a string may have at most 32', ['unit']),
      ]);
    });
  });

  it('should give exactly one output per input, in input order, and count each outcome', async () => {
    const corpus = buildCorpus(40, 30);
    const messages = corpus.map((m, i) => ({ ...message(i, m.value, m.headers), key: Buffer.from(m.key) }));
    const { outputs, counts } = await gateOf().handle(batchOf(messages));
    expect(outputs).toHaveLength(70);
    const expectedCodes = new Map<DeadLetterCode, number>();
    corpus.forEach((m, i) => {
      const out = outputs[i];
      if (m.expect.valid) {
        expect(out?.topic).toBe(EVENTS_VALID);
        expect(out?.key).toBe(m.key);
      } else {
        expectedCodes.set(m.expect.code, (expectedCodes.get(m.expect.code) ?? 0) + 1);
        expect(out?.topic).toBe(DEAD_LETTERS);
        expect(out?.headers?.[Headers.dlqCode]).toBe(m.expect.code);
        expect(out?.headers?.[Headers.sourceOffset]).toBe(String(i));
        expect(out?.value).toBe(messages[i]?.value);
      }
    });
    expect(expectedCodes.size).toBe(10);
    expect(counts).toEqual({ valid: 40, replayedClaims: 0, deadLettered: expectedCodes });
  });

  it('should give the same outputs for the same batch (a retried batch)', async () => {
    const corpus = buildCorpus(10, 10);
    const messages = corpus.map((m, i) => message(i, m.value, m.headers));
    const gate = gateOf();
    const first = await gate.handle(batchOf(messages));
    const second = await gate.handle(batchOf(messages));
    expect(first.outputs).toHaveLength(20);
    expect(second).toEqual(first);
  });

  it('should reject with a retriable registry failure and return nothing for the batch', async () => {
    const registry: SchemaSource = {
      getSchema: () => Promise.reject(new RetriableError('schema registry unreachable')),
    };
    const decoder = createDecoder(history, { ...limits, registry });
    const messages = [
      message(0, encodeSingleObject(v2, { ...reading(0), unit: '' }), AVRO_HEADERS),
      message(1, encodeConfluent(v2, 12, { ...reading(1), unit: '' }), AVRO_HEADERS),
    ];
    const handled = gateOf({}, decoder).handle(batchOf(messages));
    await expect(handled).rejects.toBeInstanceOf(RetriableError);
    await expect(handled).rejects.toThrow('schema registry unreachable');
  });

  it('should throw for a topic it has no route for', async () => {
    await expect(gateOf().handle(batchOf([message(0, Buffer.from('{}'))], 'gate.other'))).rejects.toThrow(
      'no route for input topic gate.other',
    );
  });

  it('should return nothing for an empty batch', async () => {
    expect(await gateOf().handle(batchOf([]))).toEqual({
      outputs: [],
      counts: { valid: 0, replayedClaims: 0, deadLettered: new Map() },
      eventTimeMs: undefined,
    });
  });

  it('should report the greatest event time among the valid records only', async () => {
    const avro = (r: Reading): Buffer => encodeSingleObject(v2, { ...r, unit: '' });
    const messages = [
      message(0, avro(reading(0, { at: 5_000 })), AVRO_HEADERS),
      message(1, avro(reading(1, { at: 9_000 })), AVRO_HEADERS),
      message(2, avro(reading(2, { at: 7_000 })), AVRO_HEADERS),
      // Dead-lettered (not a reading): its time must not count.
      message(3, Buffer.from('{"at": 99000}'), JSON_HEADERS),
    ];
    const result = await gateOf().handle(batchOf(messages));
    expect(result.counts.valid).toBe(3);
    expect(result.eventTimeMs).toBe(9_000);
    const onlyBad = await gateOf().handle(batchOf([message(0, Buffer.from('{"at": 99000}'), JSON_HEADERS)]));
    expect(onlyBad.counts.valid).toBe(0);
    expect(onlyBad.eventTimeMs).toBeUndefined();
  });
});
