/**
 * Writes libs/contracts/src/generated/<record>.ts from the latest version of every platform schema
 * in schemas/<record>/v<N>.avsc. `--check` writes nothing and exits 1 when a generated file is
 * missing, stale or left over, so CI fails when someone changes a schema and forgets to regenerate.
 *   npx tsx libs/contracts/tools/generate-types.ts [--check]
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { findSchemaDirectories, readSchemaVersions } from '../src/avro/schema-history';
import { generateTypeScript, type GenerationInput } from '../src/avro/typescript-generator';

const repoRoot = resolve(__dirname, '../../..');
const schemaRoot = join(repoRoot, 'schemas');
const outDir = join(repoRoot, 'libs/contracts/src/generated');

function inputs(): GenerationInput[] {
  return findSchemaDirectories([schemaRoot]).map((dir) => {
    const latest = readSchemaVersions(dir).at(-1);
    if (!latest) throw new Error(`${dir}: no versions`);
    return {
      record: relative(schemaRoot, dir),
      source: relative(repoRoot, latest.file),
      schema: latest.schema,
    };
  });
}

function main(check: boolean): number {
  const files = generateTypeScript(inputs());
  const existing = existsSync(outDir) ? readdirSync(outDir).filter((file) => file.endsWith('.ts')) : [];
  const leftovers = existing.filter((file) => !files.has(file));
  const stale = [...files].filter(([file, text]) => {
    const path = join(outDir, file);
    return !existsSync(path) || readFileSync(path, 'utf8') !== text;
  });
  if (check) {
    const problems = [
      ...stale.map(([file]) => `stale or missing: ${file}`),
      ...leftovers.map((f) => `not generated: ${f}`),
    ];
    for (const problem of problems) console.error(`generate-types --check: ${problem}`);
    if (problems.length > 0) {
      console.error('Run: npx tsx libs/contracts/tools/generate-types.ts');
      return 1;
    }
    console.log(`generate-types --check: ${files.size} files up to date`);
    return 0;
  }
  mkdirSync(outDir, { recursive: true });
  for (const [file, text] of stale) writeFileSync(join(outDir, file), text);
  for (const file of leftovers) rmSync(join(outDir, file));
  console.log(`generate-types: ${stale.length} written, ${leftovers.length} removed, ${files.size} files`);
  return 0;
}

process.exitCode = main(process.argv.includes('--check'));
