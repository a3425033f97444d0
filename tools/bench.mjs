// `npm run bench` runs every benchmark; `npm run bench -- --case NAME` one of them.
// Each benchmark measures its own baseline in the same run and prints, last, one JSON line per measure.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const args = process.argv.slice(2);
const at = args.indexOf('--case');
const only = at >= 0 ? args[at + 1] : undefined;
const cases = readdirSync('bench').filter((d) => existsSync(join('bench', d, `${d}.bench.ts`)));
if (only && !cases.includes(only)) {
  process.stderr.write(`bench: unknown case ${only}; cases: ${cases.join(', ')}\n`);
  process.exit(2);
}
const build = spawnSync(process.execPath, ['tools/build.mjs'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
const lines = [];
for (const name of only ? [only] : cases) {
  process.stderr.write(`\nbench: ${name}\n`);
  const run = spawnSync(
    'node_modules/.bin/tsx',
    [join('bench', name, `${name}.bench.ts`), ...args.filter((a, i) => i !== at && i !== at + 1)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
      encoding: 'utf8',
    },
  );
  process.stdout.write(run.stdout);
  if (run.status !== 0) process.exit(run.status ?? 1);
  lines.push(...run.stdout.split('\n').filter((l) => l.startsWith('{"case"')));
}
if (!only && lines.length > 0) process.stdout.write(`\n${lines.join('\n')}\n`);
