import * as avro from 'avsc';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  checkCompatibility,
  COMPATIBILITY_MODES,
  compatibilityProblems,
  describeCompatibilityProblem,
  isCompatibilityMode,
  requiredReads,
  type CompatibilityMode,
} from './schema-compatibility';

type Field = { name: string; type: avro.Schema; default?: unknown };

function record(...fields: Field[]): avro.Type {
  return avro.Type.forSchema({ type: 'record', name: 'Thing', namespace: 'test', fields });
}

const a: Field = { name: 'a', type: 'string' };
const b: Field = { name: 'b', type: 'int' };
const bWithDefault: Field = { ...b, default: 0 };

/** Versions oldest first, each a named evolution used below. */
const EVOLUTIONS = {
  /** A new field with a default: every mode allows it. */
  addWithDefault: [record(a), record(a, bWithDefault)],
  /** A new field without default: v2 cannot read v1 (no value for b); v1 reads v2, ignoring b. */
  addWithoutDefault: [record(a), record(a, b)],
  /** A removed field that had no default: v2 reads v1 (skips b); v1 cannot read v2 (needs b). */
  removeWithoutDefault: [record(a, b), record(a)],
  /** v3 reads v2 and v2 reads v1, but v3 cannot read v1: only the transitive check sees it. */
  addThenDropDefault: [record(a), record(a, bWithDefault), record(a, b)],
  /** v1 reads v2 and v2 reads v3, but v1 cannot read v3: only the transitive check sees it. */
  giveDefaultThenRemove: [record(a, b), record(a, bWithDefault), record(a)],
  /** A field whose type changes from string to int: no version reads the other. */
  changeType: [record(a), record({ name: 'a', type: 'int' })],
} as const;

type Evolution = keyof typeof EVOLUTIONS;

describe('compatibilityProblems', () => {
  // [mode, evolution, the (reader, writer) pairs it breaks: [] when the mode allows it]
  const cases: [CompatibilityMode, Evolution, [number, number][]][] = [
    ['BACKWARD', 'addWithDefault', []],
    ['BACKWARD', 'addWithoutDefault', [[2, 1]]],
    ['BACKWARD', 'removeWithoutDefault', []],
    ['BACKWARD', 'addThenDropDefault', []],
    ['BACKWARD_TRANSITIVE', 'addWithDefault', []],
    ['BACKWARD_TRANSITIVE', 'addThenDropDefault', [[3, 1]]],
    ['FORWARD', 'addWithDefault', []],
    ['FORWARD', 'addWithoutDefault', []],
    ['FORWARD', 'removeWithoutDefault', [[1, 2]]],
    ['FORWARD', 'giveDefaultThenRemove', []],
    ['FORWARD_TRANSITIVE', 'addWithDefault', []],
    ['FORWARD_TRANSITIVE', 'giveDefaultThenRemove', [[1, 3]]],
    ['FULL', 'addWithDefault', []],
    ['FULL', 'addWithoutDefault', [[2, 1]]],
    ['FULL', 'removeWithoutDefault', [[1, 2]]],
    ['FULL', 'addThenDropDefault', []],
    ['FULL_TRANSITIVE', 'addWithDefault', []],
    ['FULL_TRANSITIVE', 'addThenDropDefault', [[3, 1]]],
    ['FULL_TRANSITIVE', 'giveDefaultThenRemove', [[1, 3]]],
    [
      'FULL_TRANSITIVE',
      'changeType',
      [
        [2, 1],
        [1, 2],
      ],
    ],
    ['NONE', 'changeType', []],
    ['NONE', 'addWithoutDefault', []],
  ];

  it.each(cases)('%s on %s breaks %j', (mode, evolution, broken) => {
    const problems = compatibilityProblems(EVOLUTIONS[evolution], mode);
    expect(problems.map((p) => [p.reader, p.writer])).toEqual(broken);
    for (const problem of problems) {
      expect(problem.mode).toBe(mode);
      expect(problem.message).not.toBe('');
    }
  });

  it("carries avsc's reason", () => {
    const [problem] = compatibilityProblems(EVOLUTIONS.addWithoutDefault, 'BACKWARD');
    expect(problem?.message).toMatch(/default-less test\.Thing\.b/);
  });

  it('covers every mode with an allowed and a forbidden evolution (NONE forbids none)', () => {
    for (const mode of COMPATIBILITY_MODES) {
      const mine = cases.filter(([m]) => m === mode);
      expect(mine.some(([, , broken]) => broken.length === 0)).toBe(true);
      if (mode !== 'NONE') expect(mine.some(([, , broken]) => broken.length > 0)).toBe(true);
    }
  });
});

describe('requiredReads', () => {
  it.each([
    [
      'BACKWARD',
      [
        [2, 1],
        [3, 2],
      ],
    ],
    [
      'BACKWARD_TRANSITIVE',
      [
        [2, 1],
        [3, 1],
        [3, 2],
      ],
    ],
    [
      'FORWARD',
      [
        [1, 2],
        [2, 3],
      ],
    ],
    [
      'FORWARD_TRANSITIVE',
      [
        [1, 2],
        [1, 3],
        [2, 3],
      ],
    ],
    [
      'FULL',
      [
        [2, 1],
        [1, 2],
        [3, 2],
        [2, 3],
      ],
    ],
    ['NONE', []],
  ] as [CompatibilityMode, [number, number][]][])('%s over three versions: %j', (mode, pairs) => {
    expect(requiredReads(3, mode).map((p) => [p.reader, p.writer])).toEqual(pairs);
  });

  it('needs nothing of a single version', () => {
    expect(requiredReads(1, 'FULL_TRANSITIVE')).toEqual([]);
  });
});

describe('isCompatibilityMode', () => {
  it('accepts the modes as spelled and nothing else', () => {
    expect(COMPATIBILITY_MODES.every(isCompatibilityMode)).toBe(true);
    for (const bad of ['backward', 'FULL_TRANSITIVE ', 'TRANSITIVE', '', 1, null, undefined]) {
      expect(isCompatibilityMode(bad)).toBe(false);
    }
  });
});

describe('checkCompatibility', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'schema-compat-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  function write(version: number, type: avro.Type): void {
    writeFileSync(join(dir, `v${version}.avsc`), JSON.stringify(type.schema()));
  }

  it('checks the files of a history and names the folder, versions, mode and reason', () => {
    EVOLUTIONS.removeWithoutDefault.forEach((type, index) => {
      write(index + 1, type);
    });
    expect(checkCompatibility(dir, 'BACKWARD')).toEqual([]);
    const problems = checkCompatibility(dir, 'FULL');
    expect(problems).toEqual([expect.objectContaining({ dir, mode: 'FULL', reader: 1, writer: 2 })]);
    expect(describeCompatibilityProblem(problems[0]!)).toBe(
      `${dir}: FULL needs v1 to read data written with v2, and it cannot: ${problems[0]!.message}`,
    );
  });

  it('reports a history it cannot read as one problem instead of throwing', () => {
    writeFileSync(join(dir, 'v1.avsc'), '{ not json');
    const problems = checkCompatibility(dir, 'NONE');
    expect(problems).toEqual([expect.objectContaining({ dir, reader: 0, writer: 0 })]);
    expect(describeCompatibilityProblem(problems[0]!)).toMatch(/: cannot check NONE: .*v1\.avsc/);
  });
});
