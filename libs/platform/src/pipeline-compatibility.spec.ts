import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DEFAULT_COMPATIBILITY, findSchemaDirectories } from '@streamscore/contracts';
import { loadPipelineConfig, parsePipelineConfig, PipelineConfigError } from './pipeline-config';

function record(...fields: object[]): string {
  return JSON.stringify({ type: 'record', name: 'Thing', namespace: 'test', fields });
}

describe('pipeline compatibility', () => {
  let base: string;
  let schemaDir: string;
  beforeEach(() => {
    base = mkdtempSync(join(tmpdir(), 'pipeline-compat-'));
    schemaDir = join(base, 'schemas', 'thing');
    mkdirSync(schemaDir, { recursive: true });
    writeFileSync(
      join(schemaDir, 'v1.avsc'),
      record({ name: 'id', type: 'string' }, { name: 'b', type: 'int' }),
    );
  });
  afterEach(() => {
    rmSync(base, { recursive: true, force: true });
  });

  const stream = { schemaDir: 'schemas/thing', keyFields: ['id'], idField: 'id', timeField: 'b' };
  function pipeline(events: Record<string, unknown> = {}): unknown {
    return {
      streams: { events: { ...stream, ...events }, outcomes: stream },
      featureViews: 'views.json',
      modelRepository: 'models',
      model: 'm',
    };
  }
  const parse = (events?: Record<string, unknown>) =>
    parsePipelineConfig(pipeline(events), join(base, 'pipeline.json'));

  /** v2 drops `b`, which had no default: BACKWARD holds, FORWARD does not. */
  function dropB(): void {
    writeFileSync(join(schemaDir, 'v2.avsc'), record({ name: 'id', type: 'string' }));
  }

  it('takes the default when the stream states none, and the stated mode otherwise', () => {
    dropB();
    expect(parse().streams.events.compatibility).toBe(DEFAULT_COMPATIBILITY);
    expect(parse({ compatibility: 'NONE' }).streams.events.compatibility).toBe('NONE');
    expect(parse().streams.outcomes.compatibility).toBe(DEFAULT_COMPATIBILITY);
  });

  it.each([['backward'], ['SIDEWAYS'], [1], [null]])(
    'refuses %j, naming the stream and the field',
    (compatibility) => {
      expect(() => parse({ compatibility })).toThrow(PipelineConfigError);
      expect(() => parse({ compatibility })).toThrow(
        `pipeline.json: streams.events.compatibility must be one of BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE, NONE, got ${JSON.stringify(compatibility)}`,
      );
    },
  );

  it("refuses a history the mode forbids, naming the folder, versions, mode and avsc's reason", () => {
    dropB();
    expect(() => parse({ compatibility: 'BACKWARD' })).not.toThrow();
    let error: unknown;
    try {
      parse({ compatibility: 'FORWARD' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(PipelineConfigError);
    const message = (error as Error).message;
    expect(message).toContain('streams.events.compatibility FORWARD does not hold');
    expect(message).toContain(`${schemaDir}: FORWARD needs v1 to read data written with v2`);
    expect(message).toMatch(/default-less test\.Thing\.b/);
  });

  it('says when the broken mode is the default', () => {
    writeFileSync(
      join(schemaDir, 'v2.avsc'),
      record({ name: 'id', type: 'string' }, { name: 'b', type: 'int' }, { name: 'c', type: 'long' }),
    );
    expect(() => parse()).toThrow(
      `streams.events.compatibility ${DEFAULT_COMPATIBILITY} (the default) does not hold`,
    );
  });

  it('reports an unreadable history as a compatibility error', () => {
    writeFileSync(join(schemaDir, 'v3.avsc'), record({ name: 'id', type: 'string' }));
    expect(() => parse()).toThrow(/streams\.events\.compatibility .*: cannot check .*without gaps, found v3/);
  });

  it('leaves a schemaDir that does not exist to the services that read the stream', () => {
    expect(parse({ schemaDir: 'schemas/none' }).streams.events.compatibility).toBe(DEFAULT_COMPATIBILITY);
  });
});

// The CI gate of the demos' schemas: each demo's pipeline checks its streams' histories under their
// modes when loaded, and every schema folder of a demo is one of its pipeline's streams.
describe("the demos' pipelines", () => {
  const demoRoot = resolve(__dirname, '../../../demo');
  const demos = readdirSync(demoRoot, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(demoRoot, entry.name, 'schemas')))
    .map((entry) => join(demoRoot, entry.name));

  it('finds the flights demo', () => {
    expect(demos).toContain(join(demoRoot, 'flights'));
  });

  it.each(demos)('%s: every schema folder evolves as its stream mode allows', (demo) => {
    const config = loadPipelineConfig(join(demo, 'pipeline.json'));
    const streams = Object.values(config.streams);
    expect(findSchemaDirectories([join(demo, 'schemas')]).sort()).toEqual(
      streams.map((s) => s.schemaDir).sort(),
    );
    for (const s of streams) expect(s.compatibility).toBeDefined();
  });
});
