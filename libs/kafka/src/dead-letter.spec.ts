import type { KafkaMessage } from 'kafkajs';
import { Headers } from '@streamscore/contracts';
import { DEAD_LETTER_COPY_BYTES, deadLetter } from './dead-letter';

function input(
  value: Buffer,
  headers: KafkaMessage['headers'] = { 'x-producer': Buffer.from('gw') },
): KafkaMessage {
  return { key: Buffer.from('k1'), value, headers, timestamp: '0', attributes: 0, offset: '42' };
}

const SOURCE = { topic: 'events', partition: 3 };

describe('deadLetter', () => {
  it('should copy the original key, value and headers and add the reason and source headers', () => {
    const message = input(Buffer.from('payload'));
    const dead = deadLetter(message, SOURCE, 'dlq', 'MALFORMED', 'bad', ['a']);
    expect(dead).toEqual({
      topic: 'dlq',
      key: message.key,
      value: message.value,
      headers: {
        'x-producer': Buffer.from('gw'),
        [Headers.dlqCode]: 'MALFORMED',
        [Headers.dlqReason]: 'bad',
        [Headers.dlqFields]: '["a"]',
        [Headers.sourceTopic]: 'events',
        [Headers.sourcePartition]: '3',
        [Headers.sourceOffset]: '42',
      },
    });
  });

  it('should copy a record at the budget whole', () => {
    const headerBytes = 'x-producer'.length + 2;
    const value = Buffer.alloc(DEAD_LETTER_COPY_BYTES - 2 - headerBytes);
    const dead = deadLetter(input(value), SOURCE, 'dlq', 'TOO_LARGE', 'big', []);
    expect(dead.value).toBe(value);
    expect(dead.headers?.[Headers.dlqDropped]).toBeUndefined();
  });

  it('should leave out the key, value and headers of a record over the budget, saying how large they were', () => {
    const value = Buffer.alloc(DEAD_LETTER_COPY_BYTES);
    const dead = deadLetter(input(value), SOURCE, 'dlq', 'TOO_LARGE', 'big', ['origin']);
    expect(dead.key).toBeNull();
    expect(dead.value).toBeNull();
    expect(dead.headers).toEqual({
      [Headers.dlqDropped]: JSON.stringify({ key: 2, value: DEAD_LETTER_COPY_BYTES, headers: 12 }),
      [Headers.dlqCode]: 'TOO_LARGE',
      [Headers.dlqReason]: 'big',
      [Headers.dlqFields]: '["origin"]',
      [Headers.sourceTopic]: 'events',
      [Headers.sourcePartition]: '3',
      [Headers.sourceOffset]: '42',
    });
  });

  it('should count headers towards the budget (a small value with huge headers is not copied)', () => {
    const huge = { 'x-blob': Buffer.alloc(DEAD_LETTER_COPY_BYTES) };
    const dead = deadLetter(input(Buffer.from('v'), huge), SOURCE, 'dlq', 'MALFORMED', 'bad', []);
    expect(dead.value).toBeNull();
    expect(dead.headers?.['x-blob']).toBeUndefined();
    expect(dead.headers?.[Headers.dlqDropped]).toBe(
      JSON.stringify({ key: 2, value: 1, headers: 'x-blob'.length + DEAD_LETTER_COPY_BYTES }),
    );
  });
});
