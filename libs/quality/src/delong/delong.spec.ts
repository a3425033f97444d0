import reference from '../fixtures/delong.json';
import { expectRelative } from '../fixtures/expect-relative';
import { delongAucInterval, delongPairedDifference, delongUnpairedDifference } from './delong';

const cases = new Map(reference.cases.map((c) => [c.name, c]));
const named = (name: string): (typeof reference.cases)[number] => {
  const c = cases.get(name);
  if (!c) throw new Error(`no data set ${name} in the fixture`);
  return c;
};

describe(`DeLong against pROC ${reference.versions.pROC} (${reference.regenerate})`, () => {
  describe('delongAucInterval (ci.auc, method = "delong")', () => {
    it.each(reference.single.map((r) => [r.case, r] as const))('should match %s', (name, r) => {
      const c = named(name);
      const result = delongAucInterval(c.scores, c.labels);
      if (!result.defined) throw new Error(result.reason);
      expectRelative(result.auc, r.auc);
      // pROC's variance of a perfect separation is exactly 0: no relative tolerance to speak of.
      if (r.variance === 0) expect(result.variance).toBe(0);
      else expectRelative(result.variance, r.variance);
      expectRelative(result.lower, r.lower);
      expectRelative(result.upper, r.upper);
    });

    it('should need two events of each class', () => {
      expect(delongAucInterval([0.2, 0.9, 0.4], [0, 1, 0])).toEqual({
        defined: false,
        reason: 'DeLong needs at least two events of each class',
      });
      expect(delongAucInterval([0.2, 0.4], [0, 0])).toEqual({ defined: false, reason: 'no positive labels' });
    });
  });

  describe('delongPairedDifference (roc.test, paired = TRUE)', () => {
    it.each(reference.paired.map((r) => [r.case, r] as const))('should match %s', (name, r) => {
      const c = named(name);
      const result = delongPairedDifference(c.scores, c.secondScores, c.labels);
      if (!result.defined) throw new Error(result.reason);
      expectRelative(result.firstAuc, r.firstAuc);
      expectRelative(result.secondAuc, r.secondAuc);
      expectRelative(result.statistic, r.statistic);
      expectRelative(result.pValue, r.pValue);
      expectRelative(result.lower, r.lower);
      expectRelative(result.upper, r.upper);
    });

    it('should give z = 0 and p = 1 for identical scores, as pROC does', () => {
      const result = delongPairedDifference([0.1, 0.7, 0.3, 0.9], [0.1, 0.7, 0.3, 0.9], [0, 1, 0, 1]);
      expect(result).toMatchObject({ defined: true, difference: 0, statistic: 0, pValue: 1 });
    });
  });

  describe('delongUnpairedDifference (roc.test, paired = FALSE)', () => {
    it.each(reference.unpaired.map((r) => [`${r.first} vs ${r.second}`, r] as const))(
      'should match %s',
      (_name, r) => {
        const a = named(r.first);
        const b = named(r.second);
        const result = delongUnpairedDifference(a, b);
        if (!result.defined) throw new Error(result.reason);
        expectRelative(result.firstAuc, r.firstAuc);
        expectRelative(result.secondAuc, r.secondAuc);
        expectRelative(result.statistic, r.statistic);
        expectRelative(result.degreesOfFreedom, r.degreesOfFreedom);
        expectRelative(result.pValue, r.pValue);
      },
    );
  });
});
