import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/**
 * Guards for the house rules that no compiler checks (issue #17): no import circles inside apps/
 * and libs/ (type-only imports included: they couple files as much), and exactly one non-test
 * definition of each rule that must agree everywhere.
 */
const ROOT = resolve(__dirname, '..', '..');
const SOURCE_ROOTS = ['apps', 'libs'];

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist' || entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

const isTest = (path: string): boolean => /\.spec\.ts$/.test(path) || /[/\\]test[/\\]/.test(path);
const FILES = SOURCE_ROOTS.flatMap((root) => sourceFiles(join(ROOT, root)));
const PRODUCTION = FILES.filter((path) => !isTest(path));

/** Relative imports of a file, resolved to files of the set (`./x` → `./x.ts` or `./x/index.ts`). */
function relativeImports(path: string, known: ReadonlySet<string>): string[] {
  const text = readFileSync(path, 'utf8');
  const targets: string[] = [];
  for (const match of text.matchAll(/(?:import|export)\s[^'"]*?from\s+'(\.{1,2}\/[^']+)'/g)) {
    const base = resolve(dirname(path), match[1] ?? '');
    const target = [`${base}.ts`, join(base, 'index.ts')].find((candidate) => known.has(candidate));
    if (target) targets.push(target);
  }
  return targets;
}

/** Every circle of a directed graph, each as the nodes along it (first node repeated last). */
function circlesOf(edges: ReadonlyMap<string, readonly string[]>): string[][] {
  const circles: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (file: string): void => {
    state.set(file, 'open');
    path.push(file);
    for (const next of edges.get(file) ?? []) {
      if (state.get(next) === 'open') circles.push([...path.slice(path.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    path.pop();
    state.set(file, 'done');
  };
  for (const file of edges.keys()) if (!state.has(file)) visit(file);
  return circles;
}

function importCircles(files: readonly string[]): string[][] {
  const known = new Set(files);
  return circlesOf(new Map(files.map((file) => [file, relativeImports(file, known)])));
}

/**
 * Each rule that must agree everywhere, as the text that defines or performs it, and the one
 * production file allowed to hold it. libs/testing is left out of the Redis rule: its probes need
 * a client with no retries and no offline queue, which no service wants.
 */
const ONE_HOME: readonly { rule: string; pattern: RegExp; home: string; outside?: string }[] = [
  { rule: 'entity key', pattern: /function entityKey\w*\(/, home: 'libs/contracts/src/stream-accessors.ts' },
  {
    rule: 'event-time parsing',
    pattern: /function (eventTime\w*|epochMs\w*|timeOf)\(/,
    home: 'libs/contracts/src/stream-accessors.ts',
  },
  {
    rule: 'drift bin edges',
    pattern: /function quantileBinEdges\(/,
    home: 'libs/drift/src/psi/quantile-bin-edges.ts',
  },
  { rule: 'the PRNG', pattern: /function mulberry32\(/, home: 'libs/drift/src/mulberry32.ts' },
  { rule: 'the routing hash', pattern: /function fnv1a32\(/, home: 'libs/models/src/feature-columns.ts' },
  {
    rule: 'canary routing',
    pattern: /function (routeByShare|routeRole|routingBucket)\(/,
    home: 'libs/deployments/src/routing.ts',
  },
  {
    rule: 'the Redis client factory',
    pattern: /new Redis\(/,
    home: 'libs/platform/src/redis-client.ts',
    outside: 'libs/testing/',
  },
  { rule: 'the ORT session.run call', pattern: /session\.run\(/, home: 'libs/models/src/scoring.ts' },
  {
    rule: 'reading a topic to its end',
    pattern: /function read\w*ToEnd\(|class \w*TopicReader\b/,
    home: 'libs/kafka/src/topic-reader.ts',
  },
  { rule: 'reading the retriable flag', pattern: /\.retriable\b/, home: 'libs/contracts/src/errors.ts' },
  {
    rule: 'the transport failure decision',
    pattern: /function failureAction\(/,
    home: 'libs/kafka/src/transport/failure-action.ts',
  },
  {
    rule: 'offsets committed in a transaction (every service on the one transport)',
    pattern: /\.sendOffsets\(/,
    home: 'libs/kafka/src/transport/delivery.ts',
  },
];

/** The project a file belongs to: `apps/<name>`, `libs/<name>`, or a top-level folder. */
function projectOf(path: string): string {
  const [top, name] = relative(ROOT, path).split(/[/\\]/);
  return top === 'apps' || top === 'libs' ? `${top}/${name}` : (top ?? '');
}

/**
 * Relative imports that leave their project: another project's code is reached through its
 * `@streamscore/*` alias (shared test fixtures: `@streamscore/testing`,
 * `@streamscore/models/testing`, `@streamscore/demo-flights/testing`, `@streamscore/cli/testing`), never `../../..`.
 */

function reachesAcross(files: readonly string[]): string[] {
  const known = new Set(files);
  return files.flatMap((file) =>
    relativeImports(file, known)
      .filter((target) => projectOf(target) !== projectOf(file))
      .map((target) => `${relative(ROOT, file)} → ${relative(ROOT, target)}`),
  );
}

describe('architecture', () => {
  it('should read the source tree', () => {
    expect(PRODUCTION.length).toBeGreaterThan(100);
  });

  it('should have no import circle in apps/ or libs/', () => {
    const circles = importCircles(PRODUCTION).map((circle) =>
      circle.map((file) => relative(ROOT, file)).join(' → '),
    );
    expect(circles).toEqual([]);
  });

  it('should find a circle when there is one (the check itself can fail)', () => {
    const graph = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a', 'd']],
      ['d', []],
    ]);
    expect(circlesOf(graph)).toEqual([['a', 'b', 'c', 'a']]);
    expect(
      circlesOf(
        new Map([
          ['a', ['b']],
          ['b', []],
        ]),
      ),
    ).toEqual([]);
  });

  it('should read relative imports, type-only ones included', () => {
    const runner = join(ROOT, 'libs', 'kafka', 'src', 'transport', 'fetch-loop.ts');
    const types = join(ROOT, 'libs', 'kafka', 'src', 'transport', 'batch-types.ts');
    const records = join(ROOT, 'libs', 'kafka', 'src', 'transport', 'output-records.ts');
    expect(relativeImports(runner, new Set(PRODUCTION))).toEqual(expect.arrayContaining([types, records]));
  });

  it('should reach other projects only through their aliases (tests, benches and chaos included)', () => {
    const everything = ['apps', 'libs', 'demo', 'tests', 'bench', 'tools'].flatMap((root) =>
      sourceFiles(join(ROOT, root)),
    );
    expect(everything.length).toBeGreaterThan(FILES.length);
    expect(reachesAcross(everything)).toEqual([]);
    // The check itself can fail: a spec in one app importing another app's file is found.
    const ingestion = join(ROOT, 'apps', 'ingestion', 'src', 'main.ts');
    expect(projectOf(ingestion)).toBe('apps/ingestion');
    expect(projectOf(join(ROOT, 'bench', 'e2e', 'e2e.bench.ts'))).toBe('bench');
  });

  it.each(ONE_HOME.map((entry) => [entry.rule, entry] as const))(
    'should hold %s in exactly one production file',
    (_rule, { pattern, home, outside }) => {
      const holders = PRODUCTION.map((file) => relative(ROOT, file))
        .filter((file) => outside === undefined || !file.startsWith(outside))
        .filter((file) => pattern.test(readFileSync(join(ROOT, file), 'utf8')));
      expect(holders).toEqual([home]);
    },
  );
});
