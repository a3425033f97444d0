import { mulberry32 } from './mulberry32';

describe('mulberry32', () => {
  it('should match the reference C algorithm (uint32 arithmetic, output / 2^32)', () => {
    // Computed independently with Python integers masked to 32 bits, from Ettinger's C source.
    const one = mulberry32(1);
    expect([one(), one(), one(), one()]).toEqual([
      0.6270739405881613, 0.002735721180215478, 0.5274470399599522, 0.9810509674716741,
    ]);
    const fortyTwo = mulberry32(42);
    expect([fortyTwo(), fortyTwo()]).toEqual([0.6011037519201636, 0.44829055899754167]);
  });

  it('should give the same sequence for the same seed, taken modulo 2^32', () => {
    const a = mulberry32(7);
    const b = mulberry32(7 + 2 ** 32);
    for (let i = 0; i < 100; i++) expect(a()).toBe(b());
  });

  it('should stay in [0, 1)', () => {
    const random = mulberry32(123);
    for (let i = 0; i < 10_000; i++) {
      const u = random();
      expect(u >= 0 && u < 1).toBe(true);
    }
  });
});
