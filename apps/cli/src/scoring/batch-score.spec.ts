import type { LoadedModel } from '@streamscore/models';
import type { StreamConfig } from '@streamscore/platform';
import { scoreRecords, type BatchScoreInput } from './batch-score';

const stream: StreamConfig = {
  schemaDir: 'unused',
  keyFields: ['origin'],
  idField: 'eventId',
  timeField: 'scheduledAt',
};

function input(events: Record<string, unknown>[]): BatchScoreInput {
  return {
    // Never reached: the event times are checked before the model is used.
    model: {} as LoadedModel,
    views: [],
    stream,
    events,
    sources: {},
    batchSize: 10,
    onBatch: () => undefined,
  };
}

describe('scoreRecords', () => {
  it.each<[string, unknown]>([
    ['a missing time', undefined],
    ['a NaN time', Number.NaN],
    ['a time without an offset', '2001-01-05T10:00:00'],
  ])('should stop before scoring on an event with %s, naming it and the field', async (_, time) => {
    const events = [
      { eventId: 'a', origin: 'JFK', scheduledAt: 978688800000 },
      { eventId: 'b', origin: 'JFK', scheduledAt: time },
    ];
    await expect(scoreRecords(input(events))).rejects.toThrow('event 2: no usable event time in scheduledAt');
  });
});
