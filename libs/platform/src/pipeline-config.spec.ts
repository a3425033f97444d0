import { parsePipelineConfig, PipelineConfigError } from './pipeline-config';

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
});
