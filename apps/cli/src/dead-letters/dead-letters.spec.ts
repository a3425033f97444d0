import { Headers } from '@streamscore/contracts';
import type { TopicRecord } from '@streamscore/kafka';
import { countByCode, deadLetterRow, originalHeaders, parseOffsets } from './dead-letter-row';
import { parseRepairs } from './repair-file';

const message: TopicRecord = {
  topic: 't.events.dead-letter',
  partition: 0,
  offset: '7',
  timestamp: '0',
  key: Buffer.from('JFK'),
  value: Buffer.from('{"eventId":1}'),
  headers: {
    [Headers.contentType]: Buffer.from('application/json'),
    traceparent: Buffer.from('00-abc'),
    [Headers.dlqCode]: Buffer.from('INVALID_FIELD'),
    [Headers.dlqReason]: Buffer.from('eventId must be a string'),
    [Headers.dlqFields]: Buffer.from('["eventId"]'),
    [Headers.sourceTopic]: Buffer.from('t.events'),
    [Headers.sourcePartition]: Buffer.from('3'),
    [Headers.sourceOffset]: Buffer.from('41'),
  },
};

describe('deadLetterRow', () => {
  it('should show key, reason, fields, source and the payload in base64', () => {
    expect(deadLetterRow(message)).toEqual({
      partition: 0,
      offset: '7',
      key: 'JFK',
      code: 'INVALID_FIELD',
      reason: 'eventId must be a string',
      fields: ['eventId'],
      source: { topic: 't.events', partition: 3, offset: '41' },
      contentType: 'application/json',
      payload: Buffer.from('{"eventId":1}').toString('base64'),
    });
  });
});

describe('originalHeaders', () => {
  it('should drop exactly the dead-letter headers', () => {
    expect(Object.keys(originalHeaders(message.headers)).sort()).toEqual([
      Headers.contentType,
      'traceparent',
    ]);
  });
});

describe('countByCode', () => {
  it('should count by code, most frequent first', () => {
    const row = deadLetterRow(message);
    expect(countByCode([row, { ...row, code: 'TRUNCATED' }, row])).toEqual([
      ['INVALID_FIELD', 2],
      ['TRUNCATED', 1],
    ]);
  });
});

describe('parseOffsets', () => {
  it('should read partition:offset lists and refuse anything else', () => {
    expect([...parseOffsets('0:7, 2:010')]).toEqual(['0:7', '2:10']);
    expect(() => parseOffsets('0-7')).toThrow(/not partition:offset/);
  });
});

describe('parseRepairs', () => {
  it('should key repaired records by partition:offset', () => {
    const repairs = parseRepairs('{"partition":0,"offset":"7","code":"X","record":{"eventId":"e1"}}\n\n');
    expect([...repairs]).toEqual([['0:7', { eventId: 'e1' }]]);
  });

  it('should refuse lines without a record, a position, or repairing twice', () => {
    expect(() => parseRepairs('{"partition":0,"offset":"7"}')).toThrow(
      'repair line 1: record must be a JSON object',
    );
    expect(() => parseRepairs('{"offset":"7","record":{}}')).toThrow(/partition/);
    const twice = '{"partition":0,"offset":7,"record":{}}\n{"partition":0,"offset":"7","record":{}}';
    expect(() => parseRepairs(twice)).toThrow('repair line 2: 0:7 is repaired twice');
  });
});
