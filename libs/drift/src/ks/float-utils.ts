/** Small floating-point helpers the ports need where C and numpy have them built in. */

/** x · 2^exp without overflowing or underflowing the scale factor itself (C's ldexp). */
export function ldexp(x: number, exp: number): number {
  let result = x;
  let e = exp;
  while (e > 1000) {
    result *= 2 ** 1000;
    e -= 1000;
  }
  while (e < -1000) {
    result *= 2 ** -1000;
    e += 1000;
  }
  return result * 2 ** e;
}

const SPLITTER = 134217729; // 2^27 + 1, Veltkamp splitting for Dekker's exact product

/** a·b as an unevaluated sum hi + lo, exactly (Dekker 1971), since JS has no fused multiply-add. */
export function twoProduct(a: number, b: number): [number, number] {
  const hi = a * b;
  const ca = SPLITTER * a;
  const aHi = ca - (ca - a);
  const aLo = a - aHi;
  const cb = SPLITTER * b;
  const bHi = cb - (cb - b);
  const bLo = b - bHi;
  const lo = aLo * bLo - (hi - aHi * bHi - aLo * bHi - aHi * bLo);
  return [hi, lo];
}

/** Clip to [lo, hi] (np.clip for scalars; NaN passes through). */
export function clip(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}
