/**
 * The few special functions scipy's ks_2samp leans on, ported from scipy 1.10's Cephes sources
 * (scipy/special/cephes/gamma.c, beta.c) and scipy.special.binom (orthogonal_eval.pxd), so that the
 * exact path counts overflow — and fall back to the asymptotic method — where scipy's do.
 */
/* eslint-disable no-loss-of-precision -- constants are quoted digit for digit from scipy/Cephes; they round to
   the same doubles the C compiler produces */

const MAXGAM = 171.624376956302725;
const MAXLOG = 7.09782712893383996843e2;
const MAXLGM = 2.556348e305;
const MAXSTIR = 143.01608;
const SQTPI = 2.50662827463100050242;
const LS2PI = 0.91893853320467274178;

const GAMMA_P = [
  1.60119522476751861407e-4, 1.19135147006586384913e-3, 1.04213797561761569935e-2, 4.76367800457137231464e-2,
  2.0744822764843597515e-1, 4.94214826801497100753e-1, 9.99999999999999996796e-1,
];
const GAMMA_Q = [
  -2.31581873324120129819e-5, 5.39605580493303397842e-4, -4.45641913851797240494e-3,
  1.18139785222060435552e-2, 3.58236398605498653373e-2, -2.34591795718243348568e-1, 7.14304917030273074085e-2,
  1.0000000000000000032,
];
const STIR = [
  7.87311395793093628397e-4, -2.2954996161337812638e-4, -2.68132617805781232825e-3, 3.4722222160545866731e-3,
  8.33333333333482257126e-2,
];
const LGAM_A = [
  8.116141674705084503e-4, -5.95061904284301438324e-4, 7.93650340457716943945e-4, -2.77777777730099687205e-3,
  8.33333333333331927722e-2,
];

/** Cephes polevl: coefficients highest degree first. */
function polevl(x: number, coefficients: readonly number[]): number {
  let ans = 0;
  for (const c of coefficients) ans = ans * x + c;
  return ans;
}

function stirlingGamma(x: number): number {
  if (x >= MAXGAM) return Infinity;
  let w = 1 / x;
  w = 1 + w * polevl(w, STIR);
  let y = Math.exp(x);
  if (x > MAXSTIR) {
    const v = Math.pow(x, 0.5 * x - 0.25);
    y = v * (v / y);
  } else {
    y = Math.pow(x, x - 0.5) / y;
  }
  return SQTPI * y * w;
}

/** Cephes Gamma for x > 0 (the only domain ks_2samp reaches). */
export function gammaPositive(x: number): number {
  if (x > 33) return stirlingGamma(x);
  let z = 1;
  let u = x;
  while (u >= 3) {
    u -= 1;
    z *= u;
  }
  while (u < 2) {
    if (u < 1e-9) return z / ((1 + 0.5772156649015329 * u) * u);
    z /= u;
    u += 1;
  }
  if (u === 2) return z;
  u -= 2;
  return (z * polevl(u, GAMMA_P)) / polevl(u, GAMMA_Q);
}

/** Cephes lgam for x >= 13 (binom only calls it with arguments >= 21). */
export function logGammaLarge(x: number): number {
  if (x > MAXLGM) return Infinity;
  const q = (x - 0.5) * Math.log(x) - x + LS2PI;
  if (x > 1e8) return q;
  const p = 1 / (x * x);
  if (x >= 1000) {
    return (
      q + ((7.9365079365079365079365e-4 * p - 2.7777777777777777777778e-3) * p + 0.0833333333333333333333) / x
    );
  }
  return q + polevl(p, LGAM_A) / x;
}

/** Cephes beta for a, b >= 13 and a/b < 1e6 (the regime binom(n, k >= 20) produces). */
function betaLarge(a0: number, b0: number): number {
  const a = Math.max(a0, b0);
  const b = Math.min(a0, b0);
  const sum = a + b;
  if (sum > MAXGAM || a > MAXGAM) {
    const y = logGammaLarge(a) + (logGammaLarge(b) - logGammaLarge(sum));
    return y > MAXLOG ? Infinity : Math.exp(y);
  }
  const gs = gammaPositive(sum);
  const ga = gammaPositive(a);
  const gb = gammaPositive(b);
  if (gs === 0) return Infinity;
  return Math.abs(ga - gs) > Math.abs(gb - gs) ? (gb / gs) * ga : (ga / gs) * gb;
}

/**
 * scipy.special.binom(n, k) for integers 0 <= k <= n: the multiplicative formula when the reduced k
 * is below 20 (exact for results under 2^53), otherwise 1/((n+1)·B(n−k+1, k+1)), which overflows to
 * Infinity when the coefficient exceeds the double range.
 */
export function binom(n: number, k: number): number {
  let kx = k;
  if (kx > n / 2 && n > 0) kx = n - kx;
  if (kx >= 0 && kx < 20) {
    let num = 1;
    let den = 1;
    for (let i = 1; i <= kx; i++) {
      num *= i + n - kx;
      den *= i;
      if (Math.abs(num) > 1e50) {
        num /= den;
        den = 1;
      }
    }
    return num / den;
  }
  return 1 / (n + 1) / betaLarge(1 + n - k, 1 + k);
}
