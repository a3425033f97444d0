import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { findSchemaDirectories, loadSchemaHistory, SchemaHistoryError } from './schema-history';

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

// The compatibility modes and the CI gate over the repository's schemas: schema-compatibility.spec.ts,
// platform-schemas.spec.ts (schemas/) and libs/platform pipeline-compatibility.spec.ts (demo/*/schemas/).
describe('findSchemaDirectories', () => {
  it('finds the platform and demo schema directories', () => {
    const dirs = findSchemaDirectories([resolve(repo, 'schemas'), resolve(repo, 'demo/flights/schemas')]);
    expect(dirs.map((dir) => relative(repo, dir))).toEqual(
      expect.arrayContaining([
        'schemas/model-deployment',
        'schemas/model-deployment-audit',
        'demo/flights/schemas/flight-departure',
        'demo/flights/schemas/flight-outcome',
      ]),
    );
  });
});
