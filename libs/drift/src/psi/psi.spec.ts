import fc from 'fast-check';
import golden from '../golden/psi.json';
import { sampleFromSpec, type SampleSpec } from '../golden/golden-inputs';
import { accumulateBinCounts, binCounts, binIndex } from './bin-counts';
import { categoricalPsi } from './categorical-psi';
import { psi, psiFromCounts } from './psi';
import { quantileBinEdges } from './quantile-bin-edges';

interface NumericCase {
  name: string;
  reference: SampleSpec;
  current: SampleSpec;
  bins: number;
  edges: number[];
  referenceCounts: number[];
  currentCounts: number[];
  laplace: { value: number; perBin: number[] };
  evidently: { value: number; perBin: number[] };
}

describe('PSI', () => {
  describe(`golden values from numpy ${golden.versions.numpy}`, () => {
    it.each((golden.numeric as NumericCase[]).map((c) => [c.name, c] as const))(
      'should match %s',
      (_name, c) => {
        const reference = sampleFromSpec(c.reference);
        const current = sampleFromSpec(c.current);
        expect(Array.from(quantileBinEdges(reference, c.bins))).toEqual(c.edges);
        const laplace = psi(reference, current, { bins: c.bins });
        expect(Array.from(laplace.referenceCounts)).toEqual(c.referenceCounts);
        expect(Array.from(laplace.currentCounts)).toEqual(c.currentCounts);
        expect(Math.abs(laplace.value - c.laplace.value)).toBeLessThanOrEqual(1e-12);
        Array.from(laplace.perBin).forEach((v, i) => {
          expect(v).toBeCloseTo(c.laplace.perBin[i] ?? Number.NaN, 12);
        });
        const evidently = psi(reference, current, { bins: c.bins, smoothing: { kind: 'evidently' } });
        expect(Math.abs(evidently.value - c.evidently.value)).toBeLessThanOrEqual(1e-12);
      },
    );

    it('should match the categorical case with an unseen-values bin', () => {
      const c = golden.categorical[0]!;
      const r = categoricalPsi(c.reference, c.current);
      expect(r.categories).toEqual(c.categories);
      expect(Array.from(r.currentCounts)).toEqual(c.currentCounts);
      expect(Math.abs(r.value - c.laplace.value)).toBeLessThanOrEqual(1e-12);
    });
  });

  describe('hand-computed examples', () => {
    it('should give 0.25·ln 3 for 50/50 against 25/75 (no empty bin, both smoothings agree in form)', () => {
      // (0.25 − 0.5)·ln(0.25/0.5) + (0.75 − 0.5)·ln(0.75/0.5) = 0.25·(ln 2 + ln 1.5) = 0.25·ln 3
      expect(psiFromCounts([50, 50], [25, 75], { smoothing: { kind: 'evidently' } }).value).toBeCloseTo(
        0.25 * Math.log(3),
        15,
      );
    });

    it('should fill empty proportions with 0.0001 under the Evidently rule', () => {
      // e = (1, 0) → (1, 0.0001); a = (0.5, 0.5): (0.5−1)·ln 0.5 + (0.5−0.0001)·ln(0.5/0.0001)
      const expected = -0.5 * Math.log(0.5) + (0.5 - 0.0001) * Math.log(0.5 / 0.0001);
      expect(psiFromCounts([10, 0], [5, 5], { smoothing: { kind: 'evidently' } }).value).toBeCloseTo(
        expected,
        12,
      );
    });

    it('should smooth counts additively by default: (c + 0.5)/(n + 0.5·B)', () => {
      // e = (10.5, 0.5)/11, a = (5.5, 5.5)/11
      const e = [10.5 / 11, 0.5 / 11];
      const a = [5.5 / 11, 5.5 / 11];
      const expected = (a[0]! - e[0]!) * Math.log(a[0]! / e[0]!) + (a[1]! - e[1]!) * Math.log(a[1]! / e[1]!);
      expect(psiFromCounts([10, 0], [5, 5]).value).toBeCloseTo(expected, 14);
    });
  });

  describe('binning', () => {
    it('should put x in the bin numbered by the inner edges <= x, outer bins open', () => {
      const edges = Float64Array.from([1, 2, 3]);
      expect([-1e300, 0.5, 1, 1.5, 2, 3, 1e300].map((x) => binIndex(edges, x))).toEqual([
        0, 0, 1, 1, 2, 3, 3,
      ]);
    });

    it('should remove duplicate quantile edges', () => {
      expect(Array.from(quantileBinEdges([1, 1, 1, 1, 1, 1, 1, 2], 4))).toEqual([1]);
    });

    it('should accumulate window counts equal to counting at once', () => {
      const edges = quantileBinEdges([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 5);
      const counts = new Float64Array(edges.length + 1);
      accumulateBinCounts(edges, counts, [0.5, 9.5]);
      accumulateBinCounts(edges, counts, Float64Array.from([3, 3, -4]));
      expect(counts).toEqual(binCounts(edges, [0.5, 9.5, 3, 3, -4]));
    });

    it('should reject NaN and mismatched count lengths', () => {
      expect(() => binCounts(Float64Array.from([1]), [Number.NaN])).toThrow(RangeError);
      expect(() => psiFromCounts([1, 2], [1])).toThrow(RangeError);
    });
  });

  describe('properties', () => {
    const counts = fc.array(fc.nat({ max: 1000 }), { minLength: 1, maxLength: 30 });
    const smoothing = fc.constantFrom(
      { kind: 'laplace' as const, alpha: 0.5 },
      { kind: 'evidently' as const },
    );

    it('should be >= 0 with every per-bin term >= 0', () => {
      fc.assert(
        fc.property(counts, counts, smoothing, (a, b, s) => {
          const n = Math.min(a.length, b.length);
          const ref = a.slice(0, n);
          const cur = b.slice(0, n);
          fc.pre(s.kind === 'laplace' || (ref.some((x) => x > 0) && cur.some((x) => x > 0)));
          const r = psiFromCounts(ref, cur, { smoothing: s });
          expect(r.value).toBeGreaterThanOrEqual(0);
          for (const t of r.perBin) expect(t).toBeGreaterThanOrEqual(0);
        }),
      );
    });

    it('should be 0 for identical counts', () => {
      fc.assert(
        fc.property(counts, (a) => {
          fc.pre(a.some((x) => x > 0));
          expect(psiFromCounts(a, a).value).toBe(0);
          expect(psiFromCounts(a, a, { smoothing: { kind: 'evidently' } }).value).toBe(0);
        }),
      );
    });

    it('should be 0 for a sample against itself', () => {
      fc.assert(
        fc.property(
          fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 200 }),
          (x) => {
            expect(psi(x, x).value).toBe(0);
          },
        ),
      );
    });
  });
});
