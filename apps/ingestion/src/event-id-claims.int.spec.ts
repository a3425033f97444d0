import type { IHeaders, KafkaMessage } from 'kafkajs';
import {
  ContentTypes,
  createDecoder,
  encodeSingleObject,
  headerText,
  Headers,
  loadSchemaHistory,
  RetriableError,
} from '@streamscore/contracts';
import type { OutputMessage, PartitionBatch } from '@streamscore/kafka';
import type { Redis } from 'ioredis';
import { createRedis } from '@streamscore/platform';
import { randomName, READING_SCHEMA_DIR } from '@streamscore/testing';
import { EventIdClaims } from './event-id-claims';
import { ValidationGate } from './validation-gate';

/**
 * Issue #18 item 6 at the gate, on the real Redis: the same event id yields one validated record,
 * whichever partition or micro-batch the copy comes in; a replay of a micro-batch whose transaction
 * did not commit (kill -9 between the claim and the commit) is never its own duplicate.
 */
const history = loadSchemaHistory(READING_SCHEMA_DIR);
const EVENTS = 'claims.events';
const HORIZON_MS = 60_000;

function reading(id: string, device = 'd-1'): Buffer {
  return encodeSingleObject(history.latest.type, {
    id,
    at: 1_700_000_000_000,
    device,
    value: 1,
    tags: [],
    attrs: {},
    unit: '',
  });
}

function batchOf(
  partition: number,
  firstOffset: number,
  values: Buffer[],
  headers: IHeaders = {},
): PartitionBatch {
  const messages: KafkaMessage[] = values.map((value, i) => ({
    key: null,
    value,
    timestamp: '1700000000000',
    attributes: 0,
    offset: String(firstOffset + i),
    headers: { [Headers.contentType]: Buffer.from(ContentTypes.avro), ...headers },
  }));
  return {
    topic: EVENTS,
    partition,
    messages,
    highWatermark: String(firstOffset + values.length),
    heartbeat: () => Promise.resolve(),
  };
}

const codeOf = (o: OutputMessage): string | undefined => headerText(o.headers, Headers.dlqCode);
const reasonOf = (o: OutputMessage): string | undefined => headerText(o.headers, Headers.dlqReason);

describe('event-id claims at the gate on the real Redis', () => {
  let redis: Redis;
  let keyPrefix: string;

  function gateWith(horizonMs = HORIZON_MS, client: Redis = redis): ValidationGate {
    const route = {
      decoder: createDecoder(history),
      validTopic: `${EVENTS}.validated`,
      deadLetterTopic: `${EVENTS}.dead-letter`,
      keyFields: ['device'],
      schemaName: history.name,
      timeField: 'at',
      deduplication: { idField: 'id', claims: new EventIdClaims(client, keyPrefix, horizonMs) },
    };
    return new ValidationGate(new Map([[EVENTS, route]]));
  }

  beforeAll(() => {
    redis = createRedis({ url: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379' });
  });

  beforeEach(() => {
    keyPrefix = `${randomName('claims')}:`;
  });

  afterEach(async () => {
    const keys = await redis.keys(`${keyPrefix}*`);
    if (keys.length > 0) await redis.del(...keys);
  });

  afterAll(() => {
    redis.disconnect();
  });

  it('should give a replayed micro-batch the same outputs: a record is never its own duplicate', async () => {
    const gate = gateWith();
    const batch = batchOf(0, 10, [reading('a'), reading('b'), reading('c')]);
    const first = await gate.handle(batch);
    // The transaction of `first` aborted (kill -9, fencing): the same records come back.
    const replay = await gate.handle(batch);
    expect(first.counts).toEqual({ valid: 3, replayedClaims: 0, deadLettered: new Map() });
    expect(replay.counts).toEqual({ valid: 3, replayedClaims: 3, deadLettered: new Map() });
    expect(replay.outputs).toEqual(first.outputs);
    expect(first.outputs.map((o) => headerText(o.headers, Headers.eventClaim))).toEqual([
      '0:10',
      '0:11',
      '0:12',
    ]);
  });

  it('should dead-letter the same id on another partition DUPLICATE, naming where it was accepted', async () => {
    const gate = gateWith();
    await gate.handle(batchOf(0, 5, [reading('x', 'd-1')]));
    const other = await gate.handle(batchOf(1, 7, [reading('x', 'd-2'), reading('y', 'd-2')]));
    expect(other.counts).toEqual({ valid: 1, replayedClaims: 0, deadLettered: new Map([['DUPLICATE', 1]]) });
    const dead = other.outputs[0] as OutputMessage;
    expect(dead.topic).toBe(`${EVENTS}.dead-letter`);
    expect(codeOf(dead)).toBe('DUPLICATE');
    expect(reasonOf(dead)).toBe('id "x" was already accepted from this topic at partition 0 offset 5');
    expect(headerText(dead.headers, Headers.dlqFields)).toBe('["id"]');
    expect(other.outputs[1]?.topic).toBe(`${EVENTS}.validated`);
  });

  it('should take the first of two copies in one micro-batch, and keep to it on a replay', async () => {
    const gate = gateWith();
    const batch = batchOf(2, 0, [reading('z'), reading('z'), reading('w')]);
    for (const { outputs } of [await gate.handle(batch), await gate.handle(batch)]) {
      expect(outputs.map((o) => o.topic)).toEqual([
        `${EVENTS}.validated`,
        `${EVENTS}.dead-letter`,
        `${EVENTS}.validated`,
      ]);
      expect(reasonOf(outputs[1] as OutputMessage)).toBe(
        'id "z" was already accepted from this topic at offset 0',
      );
    }
  });

  it('should let a re-sent dead letter take its claim over once: resent twice, one accepted', async () => {
    const gate = gateWith();
    const [accepted] = (await gate.handle(batchOf(0, 3, [reading('r')]))).outputs;
    const claim = headerText(accepted?.headers, Headers.eventClaim) as string;
    // Inference dead-lettered it; `dlq resend` sends it back twice with its claim header.
    const resend = { [Headers.eventClaim]: Buffer.from(claim) };
    const first = await gate.handle(batchOf(1, 40, [reading('r')], resend));
    const second = await gate.handle(batchOf(1, 41, [reading('r')], resend));
    expect(first.outputs[0]?.topic).toBe(`${EVENTS}.validated`);
    expect(headerText(first.outputs[0]?.headers, Headers.eventClaim)).toBe('1:40');
    expect(codeOf(second.outputs[0] as OutputMessage)).toBe('DUPLICATE');
    expect(reasonOf(second.outputs[0] as OutputMessage)).toContain('at offset 40');
  });

  it('should not let a forged claim header through, and replace it on what it accepts', async () => {
    const gate = gateWith();
    await gate.handle(batchOf(0, 0, [reading('f')]));
    const forged = { [Headers.eventClaim]: Buffer.from('0:999') };
    const repeat = await gate.handle(batchOf(0, 1, [reading('f'), reading('g')], forged));
    expect(codeOf(repeat.outputs[0] as OutputMessage)).toBe('DUPLICATE');
    expect(headerText(repeat.outputs[1]?.headers, Headers.eventClaim)).toBe('0:2');
  });

  it('should accept an id again once its claim is older than the horizon', async () => {
    const gate = gateWith(1_000);
    await gate.handle(batchOf(0, 0, [reading('h')]));
    expect(codeOf((await gate.handle(batchOf(0, 1, [reading('h')]))).outputs[0] as OutputMessage)).toBe(
      'DUPLICATE',
    );
    const ttl = await redis.pttl(`${keyPrefix}id:${EVENTS}:h`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(1_000);
    await new Promise((r) => setTimeout(r, ttl + 100));
    expect((await gate.handle(batchOf(0, 2, [reading('h')]))).outputs[0]?.topic).toBe(`${EVENTS}.validated`);
  });

  it('should still claim after the script cache is flushed', async () => {
    const gate = gateWith();
    await gate.handle(batchOf(0, 0, [reading('s')]));
    await redis.script('FLUSH');
    const after = await gate.handle(batchOf(1, 0, [reading('s'), reading('t')]));
    expect(after.outputs.map(codeOf)).toEqual(['DUPLICATE', undefined]);
  });

  it('should throw a RetriableError while Redis is unreachable, writing nothing', async () => {
    const down = createRedis({ url: 'redis://127.0.0.1:1', connectTimeoutMs: 200, maxRetriesPerRequest: 0 });
    try {
      await expect(gateWith(HORIZON_MS, down).handle(batchOf(0, 0, [reading('u')]))).rejects.toBeInstanceOf(
        RetriableError,
      );
    } finally {
      down.disconnect();
    }
    expect(await redis.exists(`${keyPrefix}id:${EVENTS}:u`)).toBe(0);
  });
});
