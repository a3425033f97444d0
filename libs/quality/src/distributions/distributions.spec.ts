import reference from '../fixtures/distributions.json';
import { expectRelative } from '../fixtures/expect-relative';
import { normalCdf, normalQuantile, normalSf } from './normal';
import { studentTCdf } from './student-t';

describe(`distributions against R ${reference.versions.R} (${reference.regenerate})`, () => {
  describe('normalCdf, normalSf, normalQuantile', () => {
    it.each(reference.normal.map((r) => [r.x, r.p, r] as const))(
      'should match pnorm(%p) and qnorm(%p)',
      (x, p, r) => {
        expectRelative(normalCdf(x), r.pnorm);
        expectRelative(normalSf(x), r.pnormUpper);
        expectRelative(normalQuantile(p), r.qnorm);
      },
    );

    it('should reject probabilities outside [0, 1]', () => {
      expect(() => normalQuantile(1.5)).toThrow(RangeError);
      expect(normalQuantile(0)).toBe(-Infinity);
    });
  });

  describe('studentTCdf', () => {
    it.each(reference.t.map((r) => [r.t, r.degreesOfFreedom, r.pt] as const))(
      'should match pt(%p, df = %p)',
      (t, df, pt) => {
        expectRelative(studentTCdf(t, df), pt, 1e-12);
      },
    );

    it('should be symmetric about 0', () => {
      expect(studentTCdf(1.3, 7) + studentTCdf(-1.3, 7)).toBeCloseTo(1, 15);
      expect(studentTCdf(0, 7)).toBeCloseTo(0.5, 15);
    });
  });
});
