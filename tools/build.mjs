// Compiles apps and libs to dist/ (tsc keeps decorator metadata for Nest) and rewrites the
// @streamscore/* path aliases to relative requires (tsc-alias), so `node dist/apps/<app>/src/main.js` runs.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const bin = (name) => join('node_modules', '.bin', name);
const started = Date.now();
process.stderr.write('build: compiling TypeScript…\n');
execFileSync(bin('tsc'), ['-p', 'tsconfig.build.json'], { stdio: 'inherit' });
execFileSync(bin('tsc-alias'), ['-p', 'tsconfig.build.json'], { stdio: 'inherit' });
// JSON assets that code loads at run time (e.g. JSON Schemas) travel with the compiled files.
for (const lib of readdirSync('libs')) {
  const src = join('libs', lib, 'src');
  if (!existsSync(src)) continue;
  for (const file of readdirSync(src)) {
    if (file.endsWith('.json')) {
      mkdirSync(join('dist', src), { recursive: true });
      cpSync(join(src, file), join('dist', src, file));
    }
  }
}
process.stderr.write(`build: done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
