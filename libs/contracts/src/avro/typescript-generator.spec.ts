import { readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { findSchemaDirectories, readSchemaVersions } from './schema-history';
import { GenerationError, generateTypeScript } from './typescript-generator';

const repo = resolve(__dirname, '../../../..');

describe('generateTypeScript', () => {
  it('maps Avro types to the shapes avsc decodes to', () => {
    const files = generateTypeScript([
      {
        record: 'thing',
        source: 'schemas/thing/v1.avsc',
        schema: {
          type: 'record',
          name: 'Thing',
          namespace: 'x',
          doc: 'A thing.',
          fields: [
            { name: 'id', type: 'string' },
            { name: 'at', type: { type: 'long', logicalType: 'timestamp-millis' } },
            { name: 'tags', type: { type: 'array', items: ['null', 'string'] } },
            { name: 'counts', type: { type: 'map', values: 'int' } },
            { name: 'color', type: { type: 'enum', name: 'Color', symbols: ['RED', 'BLUE'] } },
            { name: 'hash', type: { type: 'fixed', name: 'Hash', size: 4 } },
            { name: 'note', type: ['null', 'string'], default: null },
          ],
        },
      },
    ]);
    const text = files.get('thing.ts') ?? '';
    expect(text).toContain('export interface Thing {');
    expect(text).toContain('  id: string;');
    expect(text).toContain('  at: number;');
    expect(text).toContain('  tags: (null | string)[];');
    expect(text).toContain('  counts: Record<string, number>;');
    expect(text).toContain("export type Color = 'RED' | 'BLUE';");
    expect(text).toContain('export type Hash = Buffer;');
    expect(text).toContain('  note: null | string;');
    expect(files.get('index.ts')).toContain("export * from './thing';");
  });

  it('imports a named type another file defines, and refuses a differing copy', () => {
    const shared = { type: 'record', name: 'Ref', fields: [{ name: 'v', type: 'string' }] };
    const a = {
      record: 'a',
      source: 'a',
      schema: { type: 'record', name: 'A', fields: [{ name: 'r', type: shared }] },
    };
    const b = {
      record: 'b',
      source: 'b',
      schema: { type: 'record', name: 'B', fields: [{ name: 'r', type: shared }] },
    };
    expect(generateTypeScript([b, a]).get('b.ts')).toContain("import type { Ref } from './a';");
    const changed = { ...shared, fields: [{ name: 'v', type: 'int' }] };
    const c = {
      record: 'c',
      source: 'c',
      schema: { type: 'record', name: 'C', fields: [{ name: 'r', type: changed }] },
    };
    expect(() => generateTypeScript([a, c])).toThrow(GenerationError);
  });

  it('refuses unions avsc would wrap', () => {
    const schema = { type: 'record', name: 'U', fields: [{ name: 'n', type: ['int', 'long'] }] };
    expect(() => generateTypeScript([{ record: 'u', source: 'u', schema }])).toThrow(/two number branches/);
  });

  // Same check as `generate-types.ts --check`, so a stale generated file also fails the unit tests.
  it('matches the generated files committed in libs/contracts/src/generated', () => {
    const schemaRoot = join(repo, 'schemas');
    const inputs = findSchemaDirectories([schemaRoot]).map((dir) => {
      const latest = readSchemaVersions(dir).at(-1)!;
      return {
        record: relative(schemaRoot, dir),
        source: relative(repo, latest.file),
        schema: latest.schema,
      };
    });
    for (const [file, text] of generateTypeScript(inputs)) {
      expect(readFileSync(join(__dirname, '../generated', file), 'utf8')).toBe(text);
    }
  });
});
