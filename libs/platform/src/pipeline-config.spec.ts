import {
  DEFAULT_FIELD_LIMITS,
  fieldSizeLimits,
  parsePipelineConfig,
  PipelineConfigError,
} from './pipeline-config';

const good = {
  streams: {
    events: { schemaDir: 'schemas/a', keyFields: ['origin'], idField: 'id', timeField: 't' },
    outcomes: { schemaDir: '/abs/b', keyFields: ['origin'], idField: 'id', timeField: 'knownAt' },
  },
  featureViews: 'views.json',
  modelRepository: '../../models',
  model: 'm',
};

describe('parsePipelineConfig', () => {
  it('should resolve paths relative to the pipeline file', () => {
    const config = parsePipelineConfig(good, '/repo/demo/x/pipeline.json');
    expect(config.streams.events.schemaDir).toBe('/repo/demo/x/schemas/a');
    expect(config.streams.outcomes.schemaDir).toBe('/abs/b');
    expect(config.modelRepository).toBe('/repo/models');
  });

  it('should name the path of a bad or unknown field', () => {
    const bad = { ...good, streams: { ...good.streams, events: { ...good.streams.events, keyFields: [] } } };
    expect(() => parsePipelineConfig(bad, 'p.json')).toThrow(
      'p.json: streams.events.keyFields must be a non-empty array',
    );
    expect(() => parsePipelineConfig({ ...good, modle: 'x' }, 'p.json')).toThrow(PipelineConfigError);
    expect(() => parsePipelineConfig({ ...good, modle: 'x' }, 'p.json')).toThrow(
      'modle is not a known setting',
    );
  });

  describe('deduplicateWithinMs', () => {
    const withEvents = (extra: Record<string, unknown>): unknown => ({
      ...good,
      streams: { ...good.streams, events: { ...good.streams.events, ...extra } },
    });

    it('should be off unless stated, and kept per stream when stated', () => {
      expect(parsePipelineConfig(good, 'p.json').streams.events.deduplicateWithinMs).toBeUndefined();
      const config = parsePipelineConfig(withEvents({ deduplicateWithinMs: 3_600_000 }), 'p.json');
      expect(config.streams.events.deduplicateWithinMs).toBe(3_600_000);
      expect(config.streams.outcomes.deduplicateWithinMs).toBeUndefined();
    });

    it.each([0, 999, 1.5, '1h', 31 * 86_400_000])(
      'should refuse %p, naming the setting and its range',
      (v) => {
        expect(() => parsePipelineConfig(withEvents({ deduplicateWithinMs: v }), 'p.json')).toThrow(
          `p.json: streams.events.deduplicateWithinMs must be an integer from 1000 to 2592000000 (milliseconds), got ${JSON.stringify(v)}`,
        );
      },
    );
  });

  describe('limits', () => {
    it('should default to strings 64 KiB and key fields 1 KiB, each one left out', () => {
      expect(parsePipelineConfig(good, 'p.json').limits).toEqual({
        maxStringBytes: 65_536,
        maxKeyFieldBytes: 1_024,
      });
      expect(DEFAULT_FIELD_LIMITS).toEqual({ maxStringBytes: 65_536, maxKeyFieldBytes: 1_024 });
      expect(parsePipelineConfig({ ...good, limits: {} }, 'p.json').limits).toEqual(DEFAULT_FIELD_LIMITS);
      expect(parsePipelineConfig({ ...good, limits: { maxKeyFieldBytes: 64 } }, 'p.json').limits).toEqual({
        maxStringBytes: 65_536,
        maxKeyFieldBytes: 64,
      });
      expect(
        parsePipelineConfig({ ...good, limits: { maxStringBytes: 1_000_000, $comment: 'x' } }, 'p.json')
          .limits,
      ).toEqual({ maxStringBytes: 1_000_000, maxKeyFieldBytes: 1_024 });
    });

    it('should give each stream its own key fields with the limits', () => {
      const config = parsePipelineConfig(
        {
          ...good,
          streams: { ...good.streams, outcomes: { ...good.streams.outcomes, keyFields: ['origin', 'dest'] } },
          limits: { maxStringBytes: 100, maxKeyFieldBytes: 10 },
        },
        'p.json',
      );
      expect(fieldSizeLimits(config, 'events')).toEqual({
        maxStringBytes: 100,
        maxKeyFieldBytes: 10,
        keyFields: ['origin'],
      });
      expect(fieldSizeLimits(config, 'outcomes').keyFields).toEqual(['origin', 'dest']);
    });

    it.each([
      [{ maxStringBytes: 0 }, 'limits.maxStringBytes must be an integer from 1 to 67108864 (bytes), got 0'],
      [
        { maxStringBytes: 1.5 },
        'limits.maxStringBytes must be an integer from 1 to 67108864 (bytes), got 1.5',
      ],
      [
        { maxStringBytes: '64KiB' },
        'limits.maxStringBytes must be an integer from 1 to 67108864 (bytes), got "64KiB"',
      ],
      [
        { maxStringBytes: 2 ** 26 + 1 },
        'limits.maxStringBytes must be an integer from 1 to 67108864 (bytes), got 67108865',
      ],
      [
        { maxKeyFieldBytes: -1 },
        'limits.maxKeyFieldBytes must be an integer from 1 to 1048576 (bytes), got -1',
      ],
      [
        { maxKeyFieldBytes: 2_000_000 },
        'limits.maxKeyFieldBytes must be an integer from 1 to 1048576 (bytes), got 2000000',
      ],
      [
        { maxKeyFieldBytes: null },
        'limits.maxKeyFieldBytes must be an integer from 1 to 1048576 (bytes), got null',
      ],
      [{ maxStringLength: 10 }, 'limits.maxStringLength is not a known setting'],
      [[1, 2], 'limits must be an object'],
      ['64KiB', 'limits must be an object'],
    ])('should refuse limits %j, naming the field', (limits, message) => {
      expect(() => parsePipelineConfig({ ...good, limits }, 'p.json')).toThrow(PipelineConfigError);
      expect(() => parsePipelineConfig({ ...good, limits }, 'p.json')).toThrow(`p.json: ${message}`);
    });
  });
});
