/**
 * Regenerates the golden inputs that libs/drift/golden/generate.py describes by spec instead of
 * storing: the Park–Miller "minimal standard" generator (x ← 48271·x mod 2^31−1, u = x/(2^31−1)),
 * exact in doubles because 48271·(2^31−1) < 2^53. Test support only; not exported by the lib.
 */
export interface SampleSpec {
  readonly seed: number;
  readonly n: number;
  readonly scale?: number;
  readonly shift?: number;
  /** Round to this many decimals (numpy's half-to-even on the binary value) to create ties. */
  readonly decimals?: number;
}

const MODULUS = 2147483647;

export function parkMiller(seed: number, n: number): Float64Array {
  const out = new Float64Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (48271 * x) % MODULUS;
    out[i] = x / MODULUS;
  }
  return out;
}

/** np.round(u, decimals): scale, round half to even, unscale (numpy's algorithm). */
function roundDecimals(u: number, decimals: number): number {
  const f = 10 ** decimals;
  const y = u * f;
  const r = Math.round(y);
  const even = Math.abs(y - Math.trunc(y)) === 0.5 ? 2 * Math.round(y / 2) : r;
  return even / f;
}

export function sampleFromSpec(spec: SampleSpec): Float64Array {
  const u = parkMiller(spec.seed, spec.n);
  const scale = spec.scale ?? 1;
  const shift = spec.shift ?? 0;
  for (let i = 0; i < u.length; i++) {
    const v = (u[i] ?? 0) * scale + shift;
    u[i] = spec.decimals === undefined ? v : roundDecimals(v, spec.decimals);
  }
  return u;
}
