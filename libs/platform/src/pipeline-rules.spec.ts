import { join } from 'node:path';
import { inputChecks, loadPipelineConfig, parsePipelineConfig, PipelineConfigError } from './pipeline-config';

const DEMO = join(__dirname, '../../../demo/flights');

const events = {
  schemaDir: join(DEMO, 'schemas/flight-departure'),
  keyFields: ['origin'],
  idField: 'eventId',
  timeField: 'scheduledAt',
};
const outcomes = { ...events, schemaDir: join(DEMO, 'schemas/flight-outcome'), timeField: 'knownAt' };
const good = {
  streams: { events, outcomes },
  featureViews: 'views.json',
  modelRepository: '../../models',
  model: 'm',
};

function withEvents(extra: Record<string, unknown>): unknown {
  return { ...good, streams: { events: { ...events, ...extra }, outcomes } };
}

describe('pipeline rules', () => {
  it('should give the id field a non-empty rule by default, and no window', () => {
    const config = parsePipelineConfig(good, 'p.json');
    expect(config.streams.events.rules).toEqual({ eventId: { minLength: 1 } });
    expect(config.streams.events.eventTimeWindow).toBeUndefined();
    expect(inputChecks(config, 'outcomes').rules).toEqual({
      fields: { eventId: { minLength: 1 } },
      timeField: 'knownAt',
    });
  });

  it('should read rules, ISO instants as epoch ms, and the window', () => {
    const config = parsePipelineConfig(
      withEvents({
        rules: {
          $comment: 'why',
          distance: { min: 0, max: 20_000 },
          origin: { minLength: 3, maxLength: 3, $comment: 'IATA' },
          eventId: { maxLength: 64 },
          scheduledAt: { min: '1970-01-01T00:00:00Z', max: '2100-01-01T00:00:00+01:00' },
        },
        eventTimeWindow: { pastMs: 86_400_000, futureMs: 0 },
      }),
      'p.json',
    );
    expect(config.streams.events.rules).toEqual({
      distance: { min: 0, max: 20_000 },
      origin: { minLength: 3, maxLength: 3 },
      eventId: { minLength: 1, maxLength: 64 },
      scheduledAt: { min: 0, max: Date.UTC(2099, 11, 31, 23) },
    });
    expect(inputChecks(config, 'events')).toEqual({
      maxStringBytes: 65_536,
      maxKeyFieldBytes: 1_024,
      keyFields: ['origin'],
      rules: {
        fields: config.streams.events.rules,
        timeField: 'scheduledAt',
        eventTimeWindow: { pastMs: 86_400_000, futureMs: 0 },
      },
    });
  });

  it('should let the id rule allow an empty id only when it says so', () => {
    const config = parsePipelineConfig(withEvents({ rules: { eventId: { minLength: 0 } } }), 'p.json');
    expect(config.streams.events.rules).toEqual({ eventId: { minLength: 0 } });
  });

  it.each([
    [{ rules: [] }, 'streams.events.rules must be an object'],
    [{ rules: { distance: 5 } }, 'streams.events.rules.distance must be an object'],
    [{ rules: { distance: {} } }, 'streams.events.rules.distance must set at least one of min, max'],
    [{ rules: { distance: { minimum: 0 } } }, 'streams.events.rules.distance.minimum is not a known setting'],
    [
      { rules: { distance: { min: '0' } } },
      'streams.events.rules.distance.min must be a finite number or an ISO 8601 instant with offset, got "0"',
    ],
    [
      { rules: { scheduledAt: { min: '2001-01-01' } } },
      'streams.events.rules.scheduledAt.min must be a finite number or an ISO 8601 instant',
    ],
    [{ rules: { distance: { min: 5, max: 1 } } }, 'streams.events.rules.distance has min 5 above max 1'],
    [
      { rules: { origin: { minLength: 1.5 } } },
      'streams.events.rules.origin.minLength must be an integer of at least 0 (characters), got 1.5',
    ],
    [
      { rules: { origin: { minLength: 4, maxLength: 3 } } },
      'streams.events.rules.origin has minLength 4 above maxLength 3',
    ],
    [
      { rules: { distnace: { min: 0 } } },
      "streams.events.rules.distnace is not a field of the stream's schema streamscore.demo.flights.FlightDeparture",
    ],
    [
      { rules: { origin: { max: 3 } } },
      'streams.events.rules.origin has min/max but is not a number (string)',
    ],
    [
      { rules: { distance: { minLength: 1 } } },
      'streams.events.rules.distance has minLength/maxLength but is not a string (double)',
    ],
    [
      { rules: { distance: { min: 0 } }, schemaDir: '/nowhere' },
      'streams.events.rules cannot be checked against the schema',
    ],
    [{ eventTimeWindow: {} }, 'streams.events.eventTimeWindow must set pastMs, futureMs or both'],
    [{ eventTimeWindow: { past: 1 } }, 'streams.events.eventTimeWindow.past is not a known setting'],
    [
      { eventTimeWindow: { pastMs: -1 } },
      'streams.events.eventTimeWindow.pastMs must be an integer from 0 to 3162240000000 (ms), got -1',
    ],
    [{ eventTimeWindow: 'P1D' }, 'streams.events.eventTimeWindow must be an object'],
    [{ rule: {} }, 'streams.events.rule is not a known setting'],
  ])('should refuse %j, naming the path', (extra, message) => {
    expect(() => parsePipelineConfig(withEvents(extra), 'p.json')).toThrow(PipelineConfigError);
    expect(() => parsePipelineConfig(withEvents(extra), 'p.json')).toThrow(`p.json: ${message}`);
  });

  it("should load the demo's rules", () => {
    const config = loadPipelineConfig(join(DEMO, 'pipeline.json'));
    expect(config.streams.events.rules?.['distance']).toEqual({ min: 0, max: 12_500 });
    expect(config.streams.events.rules?.['origin']).toEqual({ minLength: 3, maxLength: 3 });
    expect(config.streams.outcomes.rules?.['knownAt']).toEqual({
      min: Date.UTC(1990, 0, 1),
      max: Date.UTC(2100, 0, 1),
    });
  });
});
