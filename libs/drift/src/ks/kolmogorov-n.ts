/**
 * The exact distribution of the one-sample two-sided Kolmogorov statistic D_n, as scipy 1.10's
 * `kolmogn` (scipy/stats/_ksstats.py) computes it, choosing among exact and approximate methods by
 * Simard & L'Ecuyer (J. Stat. Software 39(11), 2011). ks_2samp's asymptotic two-sided p-value is
 * `kstwo.sf(d, round(n1·n2/(n1+n2)))`, i.e. `kolmogorovSf` below.
 */
/* eslint-disable no-loss-of-precision -- constants are quoted digit for digit from scipy/Cephes; they round to
   the same doubles the C compiler produces */
import { kolmogorovCdfDurbin } from './durbin-matrix';
import { clip } from './float-utils';
import { kolmogorovCdfPomeranz } from './pomeranz';
import { smirnovSf } from './smirnov';

const SQRT2PI = Math.sqrt(2 * Math.PI);
const LOG_2PI = Math.log(2 * Math.PI);
const MIN_LOG = -708;
const SQRT3 = Math.sqrt(3);
const PI_SQUARED = Math.PI ** 2;
const PI_FOUR = Math.PI ** 4;
const PI_SIX = Math.PI ** 6;
// B_{2j}/(2j)/(2j−1) for j = 8..1 (Stirling series), highest power first.
const STIRLING_COEFFS = [
  -2.955065359477124183e-2, 6.4102564102564102564e-3, -1.9175269175269175269e-3, 8.4175084175084175084e-4,
  -5.952380952380952381e-4, 7.9365079365079365079e-4, -2.7777777777777777778e-3, 8.3333333333333333333e-2,
];

/** log(n!/n^n) by Stirling, with n·log(n) removed up front to avoid cancellation. */
function logNFactorialDivNPowN(n: number): number {
  const rn = 1 / n;
  let poly = 0;
  for (const c of STIRLING_COEFFS) poly = poly * (rn / n) + c;
  return Math.log(n) / 2 - n + LOG_2PI / 2 + rn * poly;
}

/** Pelz–Good (1976) approximation to Pr(D_n <= x), for small x·sqrt(n). */
export function kolmogorovCdfPelzGood(n: number, x: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const z = Math.sqrt(n) * x;
  const z2 = z ** 2;
  const z3 = z ** 3;
  const z4 = z ** 4;
  const z6 = z ** 6;
  const qlog = -PI_SQUARED / 8 / z2;
  if (qlog < MIN_LOG) return 0;
  let q = Math.exp(qlog);

  const k1a = -z2;
  const k1b = PI_SQUARED / 4;
  const k2a = 6 * z6 + 2 * z4;
  const k2b = ((2 * z4 - 5 * z2) * PI_SQUARED) / 4;
  const k2c = (PI_FOUR * (1 - 2 * z2)) / 16;
  const k3d = (PI_SIX * (5 - 30 * z2)) / 64;
  const k3c = (PI_FOUR * (-60 * z2 + 212 * z4)) / 16;
  const k3b = (PI_SQUARED * (135 * z4 - 96 * z6)) / 4;
  const k3a = -30 * z6 - 90 * z ** 8;

  const kk = [0, 0, 0, 0];
  const maxk = Math.ceil((16 * z) / Math.PI);
  for (let k = maxk; k > 0; k--) {
    const m = 2 * k - 1;
    const m2 = m ** 2;
    const m4 = m ** 4;
    const m6 = m ** 6;
    const qpower = Math.pow(q, 8 * k);
    const coeffs = [1, k1a + k1b * m2, k2a + k2b * m2 + k2c * m4, k3a + k3b * m2 + k3c * m4 + k3d * m6];
    for (let i = 0; i < 4; i++) kk[i] = (kk[i] ?? 0) * qpower + (coeffs[i] ?? 0);
  }
  const divisors = [z, 6 * z4, 72 * z ** 7, 6480 * z ** 10];
  for (let i = 0; i < 4; i++) kk[i] = ((kk[i] ?? 0) * q * SQRT2PI) / (divisors[i] ?? 1);

  q = Math.exp(-PI_SQUARED / 2 / z2);
  const sqrt3z = SQRT3 * z;
  let k2extra = 0;
  let k3extra = 0;
  for (let k = maxk; k > 0; k--) {
    const k2 = k * k;
    const qp = q ** k2;
    k2extra += k2 * qp;
    const kpi = Math.PI * k;
    k3extra += (sqrt3z + kpi) * (sqrt3z - kpi) * k2 * qp;
  }
  kk[2] = (kk[2] ?? 0) + (k2extra * PI_SQUARED * SQRT2PI) / (-36 * z3);
  kk[3] = (kk[3] ?? 0) + (k3extra * PI_SQUARED * SQRT2PI) / (216 * z6);
  let sum = 0;
  for (let i = 0; i < 4; i++) sum += (kk[i] ?? 0) / Math.pow(n, i / 2);
  return sum;
}

/** Pr(D_n >= x) = kstwo.sf(x, n) for integer n >= 1 (NaN otherwise, as scipy's argcheck). */
export function kolmogorovSf(n: number, x: number): number {
  if (!(n >= 1 && Number.isInteger(n))) return Number.NaN;
  // kstwo's support is [0.5/n, 1]; rv_continuous.sf is 1 below it and 0 above it.
  if (x <= 0.5 / n) return 1;
  if (x >= 1) return 0;
  const t = n * x;
  if (t <= 1) {
    // Ruben–Gambino: Pr(D_n <= x) = n!/n^n (2t−1)^n for 1/(2n) <= x <= 1/n.
    let prob: number;
    if (n <= 140) {
      prob = 1;
      for (let i = 1; i <= n; i++) prob *= i * (1 / n) * (2 * t - 1);
    } else {
      prob = Math.exp(logNFactorialDivNPowN(n) + n * Math.log(2 * t - 1));
    }
    return clip(1 - prob, 0, 1);
  }
  if (t >= n - 1) return clip(2 * (1 - x) ** n, 0, 1);
  if (x >= 0.5) return clip(2 * smirnovSf(n, x), 0, 1);

  const nxSquared = t * x;
  if (n <= 140) {
    if (nxSquared <= 0.754693) return clip(1 - kolmogorovCdfDurbin(n, x), 0, 1);
    if (nxSquared <= 4) return clip(1 - kolmogorovCdfPomeranz(n, x), 0, 1);
    return clip(2 * smirnovSf(n, x), 0, 1);
  }
  if (nxSquared >= 370) return 0;
  if (nxSquared >= 2.2) return clip(2 * smirnovSf(n, x), 0, 1);
  const cdf = n <= 100000 && n * x ** 1.5 <= 1.4 ? kolmogorovCdfDurbin(n, x) : kolmogorovCdfPelzGood(n, x);
  return clip(1 - cdf, 0, 1);
}
