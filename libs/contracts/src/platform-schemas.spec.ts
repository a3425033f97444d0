import { basename, resolve } from 'node:path';
import { checkCompatibility, describeCompatibilityProblem } from './avro/schema-compatibility';
import { findSchemaDirectories, loadSchemaHistory } from './avro/schema-history';
import { PLATFORM_SCHEMA_COMPATIBILITY, type PlatformSchema } from './platform-schemas';

// The CI gate of the platform's own schemas: every history in schemas/ evolves as its declared mode
// allows, so an evolution the mode forbids fails the unit tests. (The demos' schemas are checked
// under their pipelines' modes by libs/platform pipeline-compatibility.spec.ts.)
const SCHEMAS = resolve(__dirname, '../../../schemas');
const dirs = findSchemaDirectories([SCHEMAS]);

describe("the platform's own schemas", () => {
  it('declares a mode for every folder of schemas/, and has a folder for every declared mode', () => {
    expect(dirs.map((dir) => basename(dir)).sort()).toEqual(
      Object.keys(PLATFORM_SCHEMA_COMPATIBILITY).sort(),
    );
  });

  it.each(dirs.map((dir) => [basename(dir) as PlatformSchema, dir]))(
    'schemas/%s evolves as its mode allows',
    (name, dir) => {
      const mode = PLATFORM_SCHEMA_COMPATIBILITY[name];
      expect(checkCompatibility(dir, mode).map(describeCompatibilityProblem)).toEqual([]);
      expect(() => loadSchemaHistory(dir)).not.toThrow();
    },
  );
});
