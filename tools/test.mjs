// `npm test`: builds the services (the end-to-end tests run them as processes), then runs Jest.
//   npm test            unit + integration + end-to-end (the stack comes up by itself)
//   npm test -- --unit  unit tests only (need nothing)
//   npm test -- --chaos the chaos scenarios (npm run test:chaos)
// Extra arguments go to Jest (e.g. a path filter). The last line is a plain "N passed, N failed".
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const args = process.argv.slice(2);
const kinds = args.includes('--unit')
  ? ['unit']
  : args.includes('--chaos')
    ? ['chaos']
    : ['unit', 'int', 'e2e'];
const passthrough = args.filter((a) => a !== '--unit' && a !== '--chaos');

const ignore = ['/node_modules/', '/dist/'];
if (!kinds.includes('int')) ignore.push('\\.int\\.spec\\.ts$');
if (!kinds.includes('e2e')) ignore.push('\\.e2e\\.spec\\.ts$');
if (!kinds.includes('chaos')) ignore.push('\\.chaos\\.spec\\.ts$');
const only = kinds.length === 1 && kinds[0] !== 'unit' ? [`\\.${kinds[0]}\\.spec\\.ts$`] : [];

if (kinds.some((k) => k !== 'unit')) {
  const build = spawnSync(process.execPath, ['tools/build.mjs'], { stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

const out = join(mkdtempSync(join(tmpdir(), 'streamscore-test-')), 'results.json');
const jest = spawnSync(
  process.execPath,
  [
    'node_modules/jest/bin/jest.js',
    '--maxWorkers=2',
    '--passWithNoTests',
    '--json',
    `--outputFile=${out}`,
    '--testPathIgnorePatterns',
    ...ignore,
    ...(only.length > 0 ? ['--testPathPatterns', ...only] : []),
    ...passthrough,
  ],
  {
    stdio: 'inherit',
    env: { ...process.env, STREAMSCORE_TEST_KINDS: kinds.join(',') },
  },
);

try {
  const results = JSON.parse(readFileSync(out, 'utf8'));
  let integration = 0;
  for (const file of results.testResults) {
    if (/\.(int|e2e|chaos)\.spec\.ts$/.test(file.name)) {
      integration += file.assertionResults.filter((t) => t.status === 'passed').length;
    }
  }
  process.stdout.write(
    `\nIntegration, end-to-end and chaos tests passed against the real Kafka and Redis: ${integration}\n`,
  );
  process.stdout.write(`tests: ${results.numPassedTests} passed, ${results.numFailedTests} failed\n`);
} catch {
  process.stdout.write('tests: 0 passed, 1 failed\n');
  process.exit(jest.status || 1);
}
process.exit(jest.status ?? 1);
