import { TestPathPatterns } from '@jest/pattern';
import { runNeedsStack } from './test-selection';

const rootDir = '/repo';
const specs = [
  '/repo/libs/testing/src/harness/kafka.int.spec.ts',
  '/repo/apps/inference/src/scoring.chaos.spec.ts',
];
const list = () => specs;

describe('runNeedsStack', () => {
  describe('with STREAMSCORE_TEST_KINDS', () => {
    it.each([
      ['unit', false],
      ['unit,int', true],
      ['e2e', true],
      ['unit chaos', true],
      ['UNIT', false],
    ])('should answer %s → %s', (kinds, expected) => {
      expect(runNeedsStack({ rootDir }, { STREAMSCORE_TEST_KINDS: kinds }, list)).toBe(expected);
    });
  });

  describe('without it', () => {
    it('should need the stack when no pattern is given and integration specs exist', () => {
      expect(runNeedsStack({ rootDir, testPathPatterns: new TestPathPatterns([]) }, {}, list)).toBe(true);
    });

    it('should not need the stack when the repo has no integration specs', () => {
      expect(runNeedsStack({ rootDir, testPathPatterns: new TestPathPatterns([]) }, {}, () => [])).toBe(
        false,
      );
    });

    it('should not need the stack when the patterns select only unit specs', () => {
      const patterns = new TestPathPatterns(['libs/drift', 'options.spec.ts']);
      expect(runNeedsStack({ rootDir, testPathPatterns: patterns }, {}, list)).toBe(false);
    });

    it('should need the stack when a pattern selects a folder holding an integration spec', () => {
      const patterns = new TestPathPatterns(['libs/testing']);
      expect(runNeedsStack({ rootDir, testPathPatterns: patterns }, {}, list)).toBe(true);
    });
  });
});
