import fc from 'fast-check';
import golden from '../golden/ks-2samp.json';
import { sampleFromSpec, type SampleSpec } from '../golden/golden-inputs';
import { ks2Samp, type KsAlternative, type KsMethod } from './ks-2samp';
import { countPathsOutside, outerProbInside } from './ks-exact';

/** numpy.linspace(start, stop, num): i·step + start, with the last point set to stop. */
function linspace(start: number, stop: number, num: number): Float64Array {
  const step = (stop - start) / (num - 1);
  const out = Float64Array.from({ length: num }, (_, i) => i * step + start);
  out[num - 1] = stop;
  return out;
}
const plus = (xs: ArrayLike<number>, c: number) => Float64Array.from(xs, (x) => x + c);
const repeat = (pairs: [number, number][]) => pairs.flatMap(([v, k]) => Array<number>(k).fill(v));

/**
 * p-values to within 1e-6: absolute where p ≥ 1e-4, relative where p < 1e-4. An absolute 1e-6
 * would accept any value for p < 1e-6 (every case of a strong shift), so it would prove nothing.
 */
function expectPValue(actual: number, expected: number): void {
  const tolerance = expected < 1e-4 ? 1e-6 * expected : 1e-6;
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tolerance);
}

// Published values from scipy's own suite, scipy/stats/tests/test_stats.py class TestKSTwoSamples
// (scipy 1.10.1); scipy checks them to 6 decimals, we check as expectPValue says.
type Case = [string, ArrayLike<number>, ArrayLike<number>, KsAlternative, number, number, KsMethod?];
const x100 = linspace(1, 100, 100);
const x110 = linspace(1, 100, 110);
const x2233 = repeat([
  [2, 3],
  [3, 4],
  [5, 5],
  [6, 4],
]);
const x3344 = x2233.map((v) => v + 1);
const x2356 = repeat([
  [2, 3],
  [3, 4],
  [5, 10],
  [6, 4],
]);
const x3467 = repeat([
  [3, 10],
  [4, 2],
  [6, 10],
  [7, 4],
]);
const d123 = [1, 2, 3];
function both(n1: number, n2: number, start: number, stop2: number): [Float64Array, Float64Array] {
  const delta = 1 / n1 / n2 / 2 / 2;
  return [plus(linspace(1, 200, n1), -delta), linspace(start, stop2, n2)];
}
const [mx, my] = both(500, 600, 2, 200);
const [dx, dy] = both(1000, 1100, 2, 200);
const [lx, ly] = both(10000, 110, 2, 100);
const [bx, by] = both(10000, 11000, 2, 200);
const published: Case[] = [
  ['testSmall', [0], [1], 'two-sided', 1, 1],
  ['testSmall', [0], [1], 'greater', 1, 0.5],
  ['testSmall', [0], [1], 'less', 0, 1],
  ['testSmall', [1], [0], 'two-sided', 1, 1],
  ['testSmall', [1], [0], 'greater', 0, 1],
  ['testSmall', [1], [0], 'less', 1, 0.5],
  ['testTwoVsThree', [1.01, 2.01], d123, 'two-sided', 1 / 3, 1],
  ['testTwoVsThree', [1.01, 2.01], d123, 'greater', 1 / 3, 0.7],
  ['testTwoVsThree', [1.01, 2.01], d123, 'less', 1 / 3, 0.7],
  ['testTwoVsThree', [0.99, 1.99], d123, 'two-sided', 2 / 3, 0.6],
  ['testTwoVsThree', [0.99, 1.99], d123, 'greater', 2 / 3, 0.3],
  ['testTwoVsThree', [0.99, 1.99], d123, 'less', 0, 1],
  ['testTwoVsFour', [1.01, 2.01], [1, 2, 3, 4], 'two-sided', 2 / 4, 14 / 15],
  ['testTwoVsFour', [1.01, 2.01], [1, 2, 3, 4], 'greater', 2 / 4, 8 / 15],
  ['testTwoVsFour', [1.01, 2.01], [1, 2, 3, 4], 'less', 1 / 4, 12 / 15],
  ['testTwoVsFour', [0.99, 1.99], [1, 2, 3, 4], 'two-sided', 3 / 4, 6 / 15],
  ['testTwoVsFour', [0.99, 1.99], [1, 2, 3, 4], 'greater', 3 / 4, 3 / 15],
  ['testTwoVsFour', [0.99, 1.99], [1, 2, 3, 4], 'less', 0, 1],
  ['test100_100', x100, plus(x100, 2 + 0.1), 'two-sided', 3 / 100, 0.9999999999962055],
  ['test100_100', x100, plus(x100, 2 + 0.1), 'greater', 3 / 100, 0.9143290114276248],
  ['test100_100', x100, plus(x100, 2 + 0.1), 'less', 0, 1],
  ['test100_100', x100, plus(x100, 2 - 0.1), 'two-sided', 2 / 100, 1],
  ['test100_100', x100, plus(x100, 2 - 0.1), 'greater', 2 / 100, 0.960978450786184],
  ['test100_100', x100, plus(x100, 2 - 0.1), 'less', 0, 1],
  ['test100_110', x100, plus(x110, 20 + 0.1), 'two-sided', 232 / 1100, 0.015739183865607353],
  ['test100_110', x100, plus(x110, 20 + 0.1), 'greater', 232 / 1100, 0.007869594319053203],
  ['test100_110', x100, plus(x110, 20 + 0.1), 'less', 0, 1],
  ['test100_110', x100, plus(x110, 20 - 0.1), 'two-sided', 229 / 1100, 0.017803803861026313],
  ['test100_110', x100, plus(x110, 20 - 0.1), 'greater', 229 / 1100, 0.008901905958245056],
  ['test100_110', x100, plus(x110, 20 - 0.1), 'less', 0, 1],
  ['testRepeatedValues', x2233, x3344, 'two-sided', 5 / 16, 0.4262934613454952],
  ['testRepeatedValues', x2233, x3344, 'greater', 5 / 16, 0.21465428276573786],
  ['testRepeatedValues', x2233, x3344, 'less', 0, 1],
  ['testRepeatedValues', x2356, x3467, 'two-sided', 190 / 21 / 26, 0.0919245790168125],
  ['testRepeatedValues', x2356, x3467, 'greater', 190 / 21 / 26, 0.0459633806858544],
  ['testRepeatedValues', x2356, x3467, 'less', 70 / 21 / 26, 0.6121593130022775],
  ['testEqualSizes', d123, plus(d123, 1), 'two-sided', 1 / 3, 1],
  ['testEqualSizes', d123, plus(d123, 1), 'greater', 1 / 3, 0.75],
  ['testEqualSizes', d123, plus(d123, 1), 'less', 0, 1],
  ['testEqualSizes', d123, plus(d123, 0.5), 'two-sided', 1 / 3, 1],
  ['testEqualSizes', d123, plus(d123, 0.5), 'greater', 1 / 3, 0.75],
  ['testEqualSizes', d123, plus(d123, 0.5), 'less', 0, 1],
  ['testEqualSizes', d123, plus(d123, -0.5), 'two-sided', 1 / 3, 1],
  ['testEqualSizes', d123, plus(d123, -0.5), 'greater', 0, 1],
  ['testEqualSizes', d123, plus(d123, -0.5), 'less', 1 / 3, 0.75],
  ['testMiddlingBoth', mx, my, 'two-sided', 2000 / 500 / 600, 1, 'auto'],
  ['testMiddlingBoth', mx, my, 'two-sided', 2000 / 500 / 600, 1, 'asymp'],
  ['testMiddlingBoth', mx, my, 'greater', 2000 / 500 / 600, 0.9697596024683929, 'asymp'],
  ['testMiddlingBoth', mx, my, 'less', 500 / 500 / 600, 0.9968735843165021, 'asymp'],
  ['testMiddlingBoth', mx, my, 'greater', 2000 / 500 / 600, 0.9697596024683929, 'exact'],
  ['testMiddlingBoth', mx, my, 'less', 500 / 500 / 600, 0.9968735843165021, 'exact'],
  ['testMediumBoth', dx, dy, 'two-sided', 6600 / 1000 / 1100, 1, 'asymp'],
  ['testMediumBoth', dx, dy, 'two-sided', 6600 / 1000 / 1100, 1, 'auto'],
  ['testMediumBoth', dx, dy, 'greater', 6600 / 1000 / 1100, 0.9573185808092622, 'asymp'],
  ['testMediumBoth', dx, dy, 'less', 1000 / 1000 / 1100, 0.9982410869433984, 'asymp'],
  ['testMediumBoth', dx, dy, 'greater', 6600 / 1000 / 1100, 0.9573185808092622, 'exact'],
  ['testMediumBoth', dx, dy, 'less', 1000 / 1000 / 1100, 0.9982410869433984, 'exact'],
  // scipy's published 4.2188474935755949e-15 is 1 − P(inside) at double precision's floor, from
  // before its outer-probability method; scipy's own 6-decimal check cannot tell it from 0. Under
  // H0, D+ and D− have one distribution, so P(D ≥ d) = 2·P(D− ≥ d) less a ~1e-52 overlap: twice
  // the published 'less' value below (the golden 1.10.1 cases check this method at small p).
  ['testLarge', lx, ly, 'two-sided', 55275 / 110000, 2 * 3.1317328311518713e-26],
  ['testLarge', lx, ly, 'greater', 561 / 110000, 0.99115454582047591],
  ['testLarge', lx, ly, 'less', 55275 / 110000, 3.1317328311518713e-26],
  ['testLargeBoth', bx, by, 'two-sided', 563 / 110000, 0.9990660108966576, 'asymp'],
  ['testLargeBoth', bx, by, 'two-sided', 563 / 110000, 0.9990456491488628, 'exact'],
  ['testLargeBoth', bx, by, 'two-sided', 563 / 110000, 0.9990660108966576, 'auto'],
  ['testLargeBoth', bx, by, 'greater', 563 / 110000, 0.7561851877420673],
  ['testLargeBoth', bx, by, 'less', 10 / 110000, 0.9998239693191724],
  ['testLargeBoth', bx, by, 'greater', 563 / 110000, 0.7561851877420673, 'exact'],
  ['testLargeBoth', bx, by, 'less', 10 / 110000, 0.9998239693191724, 'exact'],
];

describe('ks2Samp', () => {
  describe("scipy's published TestKSTwoSamples cases", () => {
    it.each(published.map((c, i) => [`${i}: ${c[0]} ${c[3]} ${c[6] ?? 'auto'}`, c] as const))(
      'should match %s',
      (_label, [, a, b, alternative, statistic, pvalue, method]) => {
        const r = ks2Samp(Array.from(a), Array.from(b), { alternative, method: method ?? 'auto' });
        expect(Math.abs(r.statistic - statistic)).toBeLessThanOrEqual(1e-12);
        expectPValue(r.pvalue, pvalue);
      },
    );

    it('should fall back to asymp when the exact one-sided path count overflows (testMiddlingBoth)', () => {
      expect(ks2Samp(mx, my, { alternative: 'less', method: 'exact' }).method).toBe('asymp');
    });

    it('should flag the overflowing path counts of test_some_code_paths', () => {
      expect(Number.isFinite(countPathsOutside(1000, 1, 1, 1001))).toBe(true);
      expect(Number.isFinite(countPathsOutside(1100, 1099, 1, 1))).toBe(false);
      expect(Number.isFinite(countPathsOutside(2000, 1000, 1, 1))).toBe(false);
      expect(outerProbInside(1, 1, 1, 1)).toBeGreaterThanOrEqual(0);
    });

    it('should reject empty samples (test_argument_checking)', () => {
      expect(() => ks2Samp([], [1])).toThrow(RangeError);
      expect(() => ks2Samp([1], [])).toThrow(RangeError);
      expect(() => ks2Samp([], [])).toThrow(RangeError);
    });
  });

  describe(`golden values from scipy ${golden.versions.scipy}`, () => {
    interface GoldenCase {
      name: string;
      a: SampleSpec;
      b: SampleSpec;
      alternative: KsAlternative;
      method: KsMethod;
      statistic: number;
      pvalue: number;
      fellBackToAsymp: boolean;
    }
    const cases = golden.cases as GoldenCase[];
    it.each(cases.map((c) => [c.name, c] as const))(
      'should match %s (p to 1e-6, relative below 1e-4)',
      (_name, c) => {
        const r = ks2Samp(sampleFromSpec(c.a), sampleFromSpec(c.b), {
          alternative: c.alternative,
          method: c.method,
        });
        expect(Math.abs(r.statistic - c.statistic)).toBeLessThanOrEqual(1e-12);
        expectPValue(r.pvalue, c.pvalue);
        if (c.fellBackToAsymp) expect(r.method).toBe('asymp');
      },
    );
  });

  describe('properties', () => {
    const sample = fc.array(fc.integer({ min: -20, max: 20 }), { minLength: 1, maxLength: 40 });
    const alternative = fc.constantFrom<KsAlternative>('two-sided', 'less', 'greater');
    const method = fc.constantFrom<KsMethod>('auto', 'exact', 'asymp');

    it('should give a statistic and a p-value in [0, 1]', () => {
      fc.assert(
        fc.property(sample, sample, alternative, method, (a, b, alt, m) => {
          const r = ks2Samp(a, b, { alternative: alt, method: m });
          expect(r.statistic).toBeGreaterThanOrEqual(0);
          expect(r.statistic).toBeLessThanOrEqual(1);
          if (m === 'asymp' && alt === 'two-sided' && a.length === 1 && b.length === 1) return; // n rounds to 0: NaN, as scipy
          expect(r.pvalue).toBeGreaterThanOrEqual(0);
          expect(r.pvalue).toBeLessThanOrEqual(1);
        }),
      );
    });

    it('should be symmetric when two-sided, and swap less/greater when the samples swap', () => {
      fc.assert(
        fc.property(sample, sample, (a, b) => {
          const ab = ks2Samp(a, b);
          const ba = ks2Samp(b, a);
          expect(ba.statistic).toBe(ab.statistic);
          expect(Math.abs(ba.pvalue - ab.pvalue)).toBeLessThanOrEqual(1e-12);
          expect(ks2Samp(b, a, { alternative: 'less' }).statistic).toBe(
            ks2Samp(a, b, { alternative: 'greater' }).statistic,
          );
        }),
      );
    });

    it('should give statistic 0 and p-value 1 for identical samples', () => {
      fc.assert(
        fc.property(sample, (a) => {
          const r = ks2Samp(a, [...a].reverse());
          expect(r.statistic).toBe(0);
          expect(r.pvalue).toBe(1);
        }),
      );
    });

    it('should not depend on the input type or order', () => {
      fc.assert(
        fc.property(sample, sample, (a, b) => {
          expect(ks2Samp(Float64Array.from(a), b)).toEqual(ks2Samp([...a].reverse(), b));
        }),
      );
    });
  });

  describe('asympBelow (not in scipy)', () => {
    // 3,000 and 2,000 evenly spread values, the second shifted: exact is 'auto''s choice here.
    const reference = linspace(0, 1, 3_000);
    const near = plus(linspace(0, 1, 2_000), 0.01);
    const far = plus(linspace(0, 1, 2_000), 0.3);

    it('keeps a tiny asymptotic p-value instead of computing the exact one', () => {
      const skipped = ks2Samp(far, reference, { asympBelow: 1e-12 });
      const asymp = ks2Samp(far, reference, { method: 'asymp' });
      const exact = ks2Samp(far, reference);
      expect(exact.method).toBe('exact');
      expect(skipped).toEqual({ statistic: asymp.statistic, pvalue: asymp.pvalue, method: 'asymp' });
      expect(skipped.pvalue).toBeLessThan(1e-12);
      expect(exact.pvalue).toBeLessThan(1e-12);
    });

    it('computes the exact p-value as scipy does when the asymptotic one is not that small', () => {
      const r = ks2Samp(near, reference, { asympBelow: 1e-12 });
      expect(r.method).toBe('exact');
      expect(r).toEqual(ks2Samp(near, reference));
    });

    it('is ignored unless the method is auto', () => {
      expect(ks2Samp(far, reference, { method: 'exact', asympBelow: 1e-12 })).toEqual(
        ks2Samp(far, reference, { method: 'exact' }),
      );
    });
  });

  it('should reject NaN rather than sort it somewhere', () => {
    expect(() => ks2Samp([1, Number.NaN], [2])).toThrow(RangeError);
  });
});
