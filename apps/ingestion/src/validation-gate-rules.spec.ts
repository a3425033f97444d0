import type { IHeaders, KafkaMessage } from 'kafkajs';
import {
  ContentTypes,
  createDecoder,
  encodeSingleObject,
  Headers,
  loadSchemaHistory,
} from '@streamscore/contracts';
import type { PartitionBatch } from '@streamscore/kafka';
import { inputChecks, parsePipelineConfig } from '@streamscore/platform';
import { expectedDeadLetter, READING_SCHEMA_DIR } from '@streamscore/testing';
import { ValidationGate } from './validation-gate';

/**
 * The pipeline's field rules at the gate (issue #18 item 7): schema-valid but absurd records are
 * dead-lettered OUT_OF_RANGE with the field paths, from Avro and from JSON alike, as gate-routes.ts
 * builds the decoder (inputChecks), with the clock injected.
 */
const history = loadSchemaHistory(READING_SCHEMA_DIR);
const latest = history.latest.type;
const NOW = Date.UTC(2026, 11, 5, 12);
const DAY = 86_400_000;
const EVENTS = 'rules.events';
const EVENTS_VALID = 'rules.events.validated';
const DEAD_LETTERS = 'rules.events.dead-letter';
const PARTITION = 2;

const pipeline = parsePipelineConfig(
  {
    streams: {
      events: {
        schemaDir: READING_SCHEMA_DIR,
        keyFields: ['device'],
        idField: 'id',
        timeField: 'at',
        rules: { value: { min: -50, max: 150 }, device: { minLength: 3, maxLength: 8 } },
        eventTimeWindow: { pastMs: 7 * DAY, futureMs: DAY },
      },
      outcomes: { schemaDir: READING_SCHEMA_DIR, keyFields: ['id'], idField: 'id', timeField: 'at' },
    },
    featureViews: 'v.json',
    modelRepository: 'm',
    model: 'm',
  },
  '/p/pipeline.json',
);

const gate = new ValidationGate(
  new Map([
    [
      EVENTS,
      {
        decoder: createDecoder(history, { ...inputChecks(pipeline, 'events'), now: () => NOW }),
        validTopic: EVENTS_VALID,
        deadLetterTopic: DEAD_LETTERS,
        keyFields: ['device'],
        schemaName: history.name,
        timeField: 'at',
      },
    ],
  ]),
);

const reading = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  id: 'r-1',
  at: NOW - DAY,
  device: 'd-1',
  value: 21.5,
  tags: [],
  attrs: {},
  unit: 'C',
  ...extra,
});

const AVRO: IHeaders = { [Headers.contentType]: Buffer.from(ContentTypes.avro) };
const JSON_HEADERS: IHeaders = { [Headers.contentType]: Buffer.from(ContentTypes.json) };

function message(offset: number, value: Buffer, headers: IHeaders): KafkaMessage {
  return { key: null, value, timestamp: String(NOW), attributes: 0, offset: String(offset), headers };
}

function batchOf(messages: KafkaMessage[]): PartitionBatch {
  const highWatermark = String(messages.length);
  return { topic: EVENTS, partition: PARTITION, messages, highWatermark, heartbeat: () => Promise.resolve() };
}

const iso = (ms: number): string => `${new Date(ms).toISOString()} (${ms})`;
const WINDOW =
  `the pipeline allows ${iso(NOW - 7 * DAY)} to ${iso(NOW + DAY)} ` +
  '(604800000 ms before to 86400000 ms after ingestion)';

const bothFormats = (record: Record<string, unknown>): KafkaMessage[] => [
  message(0, encodeSingleObject(latest, record), AVRO),
  message(1, Buffer.from(JSON.stringify(record)), JSON_HEADERS),
];

describe('ValidationGate with the pipeline’s field rules', () => {
  it('should validate records within the rules, boundaries included', async () => {
    const inputs = [
      ...bothFormats(reading()),
      message(2, encodeSingleObject(latest, reading({ value: -50, at: NOW - 7 * DAY })), AVRO),
      message(
        3,
        encodeSingleObject(latest, reading({ value: 150, at: NOW + DAY, device: 'd-123456' })),
        AVRO,
      ),
    ];
    const { outputs, counts } = await gate.handle(batchOf(inputs));
    expect(outputs.map((o) => o.topic)).toEqual([EVENTS_VALID, EVENTS_VALID, EVENTS_VALID, EVENTS_VALID]);
    expect(counts.valid).toBe(4);
  });

  it.each<[string, Record<string, unknown>, string[], string]>([
    ['a value below its range', { value: -51 }, ['value'], 'value is -51; the pipeline allows -50 to 150'],
    [
      'an empty id (the default rule)',
      { id: '' },
      ['id'],
      'id is empty; the pipeline allows at least 1 character',
    ],
    [
      'a device code too short',
      { device: 'd1' },
      ['device'],
      'device is 2 characters long; the pipeline allows 3 to 8 characters',
    ],
    ['an event time of 0', { at: 0 }, ['at'], `at is 1970-01-01T00:00:00.000Z (0); ${WINDOW}`],
    [
      'several at once, all named',
      { id: '', value: 1e6, at: NOW + DAY + 1 },
      ['id', 'value', 'at'],
      'id is empty; the pipeline allows at least 1 character; value is 1000000; the pipeline allows -50 to 150; ' +
        `at is ${iso(NOW + DAY + 1)}; ${WINDOW}`,
    ],
  ])(
    'should dead-letter %s OUT_OF_RANGE with the paths, from Avro and from JSON',
    async (_name, extra, fields, reason) => {
      const inputs = bothFormats(reading(extra));
      const { outputs, counts } = await gate.handle(batchOf(inputs));
      expect(outputs).toEqual(
        inputs.map((input) =>
          expectedDeadLetter(input, {
            deadLetterTopic: DEAD_LETTERS,
            sourceTopic: EVENTS,
            partition: PARTITION,
            code: 'OUT_OF_RANGE',
            reason,
            fields,
          }),
        ),
      );
      expect(counts).toEqual({ valid: 0, replayedClaims: 0, deadLettered: new Map([['OUT_OF_RANGE', 2]]) });
    },
  );
});
