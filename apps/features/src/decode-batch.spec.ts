import type { KafkaMessage } from 'kafkajs';
import {
  ContentTypes,
  createDecoder,
  Headers,
  loadSchemaHistory,
  type DeadLetterCode,
} from '@streamscore/contracts';
import type { FeatureRecord } from '@streamscore/features';
import { loadPipelineConfig } from '@streamscore/platform';
import { decodeBatch } from './decode-batch';
import { DEMO_PIPELINE, flightsFixture } from '@streamscore/demo-flights/testing';

const TOPIC = 'fsvc.events.validated';
const DEAD_LETTERS = 'fsvc.features.dead-letter';
const fixture = flightsFixture(4);
const decoder = createDecoder<FeatureRecord>(
  loadSchemaHistory(loadPipelineConfig(DEMO_PIPELINE).streams.events.schemaDir),
);

function message(
  offset: number,
  value: Buffer | null,
  contentType: string = ContentTypes.avro,
): KafkaMessage {
  return {
    key: Buffer.from(`key-${offset}`),
    value,
    timestamp: '1700000000000',
    attributes: 0,
    offset: String(offset),
    headers: { [Headers.contentType]: contentType, traceparent: `trace-${offset}` },
  };
}

function departure(index: number): Buffer {
  const encoded = fixture.encodedDepartures[index];
  if (encoded === undefined) throw new Error(`no departure ${index}`);
  return encoded.value;
}

function scheduledAt(index: number): number {
  const d = fixture.departures[index];
  if (d === undefined) throw new Error(`no departure ${index}`);
  return d.scheduledAt;
}

const CUT_SHORT = departure(0).subarray(0, departure(0).length - 3);
const UNKNOWN_FINGERPRINT = Buffer.concat([
  departure(0).subarray(0, 2),
  Buffer.alloc(8, 0xab),
  departure(0).subarray(10),
]);

/** Bad payloads a validated topic can still hold (written around ingestion, or by a bug in it). */
const BAD: [name: string, code: DeadLetterCode, value: Buffer | null, contentType: string][] = [
  ['a datum cut short', 'TRUNCATED', CUT_SHORT, ContentTypes.avro],
  ['an unknown fingerprint', 'UNKNOWN_SCHEMA', UNKNOWN_FINGERPRINT, ContentTypes.avro],
  [
    'bytes after the datum',
    'TRAILING_BYTES',
    Buffer.concat([departure(0), Buffer.from([0])]),
    ContentTypes.avro,
  ],
  ['a tombstone', 'MALFORMED', null, ContentTypes.avro],
  ['a foreign content type', 'UNSUPPORTED_FORMAT', departure(0), 'text/plain'],
];

describe('decodeBatch', () => {
  const options = { timeField: 'scheduledAt', deadLetterTopic: DEAD_LETTERS };

  it.each(BAD)('should dead-letter %s with %s', async (_name, code, value, contentType) => {
    const bad = message(7, value, contentType);
    const decoded = await decodeBatch(decoder, { topic: TOPIC, partition: 2, messages: [bad] }, options);
    expect(decoded.records).toEqual([]);
    expect(decoded.deadLetters).toHaveLength(1);
    expect(decoded.deadLetters[0]).toMatchObject({
      topic: DEAD_LETTERS,
      key: bad.key,
      value: bad.value,
      headers: {
        [Headers.contentType]: contentType,
        traceparent: 'trace-7',
        [Headers.dlqCode]: code,
        [Headers.sourceTopic]: TOPIC,
        [Headers.sourcePartition]: '2',
        [Headers.sourceOffset]: '7',
      },
    });
    expect(decoded.deadLetters[0]?.headers?.[Headers.dlqReason]).toEqual(expect.any(String));
    expect(decoded.deadLettered).toEqual(new Map([[code, 1]]));
    expect(decoded.firstFailure).toMatchObject({ offset: '7', code });
  });

  it('should keep the records that decode, in order, and dead-letter each of the others once', async () => {
    const messages = [
      message(10, departure(0)),
      message(11, CUT_SHORT),
      message(12, departure(1)),
      message(13, UNKNOWN_FINGERPRINT),
      message(14, CUT_SHORT),
      message(15, departure(2)),
    ];
    const decoded = await decodeBatch(decoder, { topic: TOPIC, partition: 0, messages }, options);
    expect(decoded.records.map((r) => (r as { eventId: string }).eventId)).toEqual(
      [0, 1, 2].map((i) => fixture.departures[i]?.eventId),
    );
    expect(decoded.deadLetters.map((d) => d.headers?.[Headers.sourceOffset])).toEqual(['11', '13', '14']);
    expect(decoded.deadLettered).toEqual(
      new Map<DeadLetterCode, number>([
        ['TRUNCATED', 2],
        ['UNKNOWN_SCHEMA', 1],
      ]),
    );
    expect(decoded.firstFailure).toMatchObject({ offset: '11', code: 'TRUNCATED' });
  });

  it('should take the greatest event time from the decoded records only', async () => {
    const decoded = await decodeBatch(
      decoder,
      {
        topic: TOPIC,
        partition: 0,
        messages: [message(0, departure(0)), message(1, departure(1)), message(2, null)],
      },
      options,
    );
    expect(decoded.maxTimeMs).toBe(Math.max(scheduledAt(0), scheduledAt(1)));
  });

  it('should report no event time and no failure when the batch has none', async () => {
    const allBad = await decodeBatch(
      decoder,
      { topic: TOPIC, partition: 0, messages: [message(0, null), message(1, CUT_SHORT)] },
      options,
    );
    expect(allBad.records).toEqual([]);
    expect(allBad.maxTimeMs).toBeUndefined();
    expect(allBad.deadLetters).toHaveLength(2);

    const allGood = await decodeBatch(
      decoder,
      { topic: TOPIC, partition: 0, messages: [message(0, departure(3))] },
      options,
    );
    expect(allGood.deadLetters).toEqual([]);
    expect(allGood.deadLettered.size).toBe(0);
    expect(allGood.firstFailure).toBeUndefined();
    expect(allGood.maxTimeMs).toBe(scheduledAt(3));
  });
});
