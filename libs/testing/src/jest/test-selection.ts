import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Suffixes of the kinds that need a real Kafka and Redis (see jest.config.js). */
export const INTEGRATION_FILE = /\.(int|e2e|chaos)\.spec\.ts$/;
const INTEGRATION_KINDS = ['int', 'e2e', 'chaos'];
const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'coverage', '.git', '.nx', 'tmp']);

/** The part of jest's GlobalConfig we read (structural, so no dependency on @jest/types). */
export interface JestSelection {
  readonly rootDir: string;
  readonly testPathPatterns?: {
    isSet(): boolean;
    toExecutor(options: { rootDir: string }): { isMatch(path: string): boolean };
  };
}

/**
 * Whether this run includes integration tests. tools/test.mjs says so in STREAMSCORE_TEST_KINDS
 * (e.g. "unit" or "unit,int"); without it, look for integration spec files the path patterns
 * select. Unsure (a bad pattern) means yes: a needless start beats failing tests.
 */
export function runNeedsStack(
  config: JestSelection,
  env: NodeJS.ProcessEnv = process.env,
  listIntegrationSpecs: (rootDir: string) => string[] = integrationSpecFiles,
): boolean {
  const kinds = env['STREAMSCORE_TEST_KINDS'];
  if (kinds !== undefined && kinds.trim() !== '') {
    return kinds
      .toLowerCase()
      .split(/[\s,]+/)
      .some((kind) => INTEGRATION_KINDS.includes(kind));
  }
  const files = listIntegrationSpecs(config.rootDir);
  const patterns = config.testPathPatterns;
  if (!patterns?.isSet()) return files.length > 0;
  try {
    const executor = patterns.toExecutor({ rootDir: config.rootDir });
    return files.some((file) => executor.isMatch(file));
  } catch {
    return true;
  }
}

export function integrationSpecFiles(rootDir: string): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name) && !entry.name.startsWith('.')) walk(join(dir, entry.name));
      } else if (INTEGRATION_FILE.test(entry.name)) {
        found.push(join(dir, entry.name));
      }
    }
  };
  for (const top of ['apps', 'libs', 'demo', 'tools']) {
    try {
      walk(join(rootDir, top));
    } catch {
      // a missing top-level folder holds no tests
    }
  }
  return found;
}
