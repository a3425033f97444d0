import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import {
  checkBackwardCompatible,
  findSchemaDirectories,
  loadSchemaHistory,
  SchemaHistoryError,
} from './schema-history';

const repo = resolve(__dirname, '../../../..');

function record(fields: object[]): object {
  return { type: 'record', name: 'Thing', namespace: 'test', fields };
}

describe('loadSchemaHistory', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'schema-history-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  function write(version: number, schema: object): void {
    writeFileSync(join(dir, `v${version}.avsc`), JSON.stringify(schema));
  }

  it('takes the latest version as reader and resolves every older version', () => {
    const history = loadSchemaHistory(resolve(repo, 'demo/flights/schemas/flight-departure'));
    expect(history.name).toBe('streamscore.demo.flights.FlightDeparture');
    expect(history.versions.map((v) => v.version)).toEqual([1, 2]);
    expect(history.latest.version).toBe(2);
    expect(history.resolverFor(1)).toBeDefined();
    expect(history.resolverFor(2)).toBeUndefined();
  });

  it('reads v1 data as v2 through the resolver, filling the default', () => {
    const history = loadSchemaHistory(resolve(repo, 'demo/flights/schemas/flight-departure'));
    const v1 = history.versions[0]!.type;
    const flight = { eventId: 'e', scheduledAt: 1, origin: 'A', destination: 'B', distance: 2 };
    const read: unknown = history.latest.type.fromBuffer(v1.toBuffer(flight), history.resolverFor(1));
    expect(read).toEqual(expect.objectContaining({ ...flight, carrier: null }));
  });

  it('rejects a history whose latest version cannot read an older one', () => {
    write(1, record([{ name: 'a', type: 'string' }]));
    write(
      2,
      record([
        { name: 'a', type: 'string' },
        { name: 'b', type: 'int' },
      ]),
    );
    expect(() => loadSchemaHistory(dir)).toThrow(/v2 cannot read data written with v1/);
  });

  it('rejects gaps in the version numbers', () => {
    write(1, record([{ name: 'a', type: 'string' }]));
    write(3, record([{ name: 'a', type: 'string' }]));
    expect(() => loadSchemaHistory(dir)).toThrow(SchemaHistoryError);
  });

  it('rejects a directory without versions and a non-record schema', () => {
    expect(() => loadSchemaHistory(dir)).toThrow(/no v<N>.avsc/);
    write(1, { type: 'array', items: 'int' });
    expect(() => loadSchemaHistory(dir)).toThrow(/must be a record/);
  });
});

describe('checkBackwardCompatible', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'schema-compat-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports a new required field without default, naming both versions', () => {
    writeFileSync(join(dir, 'v1.avsc'), JSON.stringify(record([{ name: 'a', type: 'string' }])));
    writeFileSync(
      join(dir, 'v2.avsc'),
      JSON.stringify(
        record([
          { name: 'a', type: 'string' },
          { name: 'b', type: 'int' },
        ]),
      ),
    );
    const problems = checkBackwardCompatible(dir);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ reader: 2, writer: 1 });
  });

  it('accepts a new field with a default and a widened type (int → long)', () => {
    writeFileSync(join(dir, 'v1.avsc'), JSON.stringify(record([{ name: 'a', type: 'int' }])));
    writeFileSync(
      join(dir, 'v2.avsc'),
      JSON.stringify(
        record([
          { name: 'a', type: 'long' },
          { name: 'b', type: 'int', default: 0 },
        ]),
      ),
    );
    expect(checkBackwardCompatible(dir)).toEqual([]);
  });

  it('reports an unparsable file as a problem instead of throwing', () => {
    writeFileSync(join(dir, 'v1.avsc'), '{ not json');
    expect(checkBackwardCompatible(dir)).toEqual([expect.objectContaining({ dir })]);
  });
});

// The CI gate: every schema history in the repository (schemas/ and demo/*/schemas/) stays
// backward compatible, so an incompatible change fails the unit tests.
describe('schemas in this repository', () => {
  const demoRoot = resolve(repo, 'demo');
  const demoSchemaRoots = readdirSync(demoRoot, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => join(demoRoot, entry.name, 'schemas'))
    .filter((path) => existsSync(path));
  const dirs = findSchemaDirectories([resolve(repo, 'schemas'), ...demoSchemaRoots]);

  it('finds the platform and demo schema directories', () => {
    expect(dirs.map((dir) => relative(repo, dir))).toEqual(
      expect.arrayContaining([
        'schemas/model-deployment',
        'schemas/model-deployment-audit',
        'demo/flights/schemas/flight-departure',
        'demo/flights/schemas/flight-outcome',
      ]),
    );
  });

  it.each(dirs.map((dir) => [relative(repo, dir), dir]))('%s is backward compatible', (_name, dir) => {
    expect(checkBackwardCompatible(dir)).toEqual([]);
    expect(() => loadSchemaHistory(dir)).not.toThrow();
  });
});
