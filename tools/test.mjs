// `npm test`: builds the services (the end-to-end tests run them as processes), then runs Jest.
//   npm test            unit + integration + end-to-end (the stack comes up by itself)
//   npm test -- --unit  unit tests only (need nothing)
//   npm test -- --chaos the chaos scenarios (npm run test:chaos)
// Extra arguments go to Jest (e.g. a path filter). The last line is a plain "N passed, N failed,
// N skipped": a suite that fails to load counts as a failure, and a run that selects no test fails.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { missingMessage, missingTools } from './system-tools.mjs';

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
// Unit specs are the *.spec.ts that are none of the other kinds.
if (!kinds.includes('unit')) ignore.push('^(?!.*\\.(int|e2e|chaos)\\.spec\\.ts$).*\\.spec\\.ts$');

/** Whether something answers on 127.0.0.1:port within a second. */
function answers(port) {
  return new Promise((resolveAnswer) => {
    const socket = connect({ host: '127.0.0.1', port, timeout: 1_000 });
    const done = (ok) => {
      socket.destroy();
      resolveAnswer(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}

// What the selected tests need from the system, named in one line before anything starts.
if (kinds.some((k) => k !== 'unit')) {
  const use = kinds.includes('chaos') ? 'chaos' : 'tests';
  // A Redis already running (or given) serves the shared stack; private chaos stacks start their own.
  const redisGiven = use === 'tests' && (Boolean(process.env.REDIS_URL) || (await answers(6379)));
  const missing = missingTools(use, redisGiven ? ['redis-server'] : []);
  if (missing.length > 0) {
    process.stderr.write(
      `\n${missingMessage(`npm ${use === 'chaos' ? 'run test:chaos' : 'test'}`, missing)}\n`,
    );
    process.stdout.write('tests: 0 passed, 1 failed\n');
    process.exit(1);
  }
}

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
    '--json',
    `--outputFile=${out}`,
    ...passthrough,
    // Last: jest reads every later word as one more ignore pattern, path filters included.
    `--testPathIgnorePatterns=${ignore.join('|')}`,
  ],
  {
    stdio: 'inherit',
    env: { ...process.env, STREAMSCORE_TEST_KINDS: kinds.join(',') },
  },
);

let results;
try {
  results = existsSync(out) ? JSON.parse(readFileSync(out, 'utf8')) : undefined;
} catch {
  results = undefined;
}
if (results === undefined) {
  process.stdout.write('tests: 0 passed, 1 failed\n');
  process.exit(jest.status || 1);
}
let integration = 0;
for (const file of results.testResults) {
  if (/\.(int|e2e|chaos)\.spec\.ts$/.test(file.name)) {
    integration += file.assertionResults.filter((t) => t.status === 'passed').length;
  }
}
// A suite that throws while loading has no test results of its own: count it as one failure.
const unloaded = results.numRuntimeErrorTestSuites ?? 0;
const failed = results.numFailedTests + unloaded;
const skipped = results.numPendingTests + (results.numTodoTests ?? 0);
process.stdout.write(
  `\nIntegration, end-to-end and chaos tests passed against the real Kafka and Redis: ${integration}\n`,
);
if (unloaded > 0) process.stdout.write(`Suites that failed to load: ${unloaded}\n`);
if (results.numTotalTests === 0) {
  process.stdout.write('No test was selected: an empty run proves nothing and fails.\n');
  process.stdout.write('tests: 0 passed, 1 failed\n');
  process.exit(1);
}
process.stdout.write(`tests: ${results.numPassedTests} passed, ${failed} failed, ${skipped} skipped\n`);
process.exit(failed > 0 ? 1 : (jest.status ?? 1));
