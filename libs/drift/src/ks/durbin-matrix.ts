/**
 * Pr(D_n <= d) for the one-sample two-sided Kolmogorov statistic by Durbin's matrix algorithm in
 * Marsaglia, Tsang & Wang's form (J. Stat. Software 8(18), 2003), ported from scipy 1.10
 * `_kolmogn_DMTW` (scipy/stats/_ksstats.py). Memory O(m²), time O(m³ log n) with m = 2⌈nd⌉ − 1.
 */

import { ldexp } from './float-utils';

const E128 = 128;
const EP128 = 2 ** 128;
const EM128 = 2 ** -128;

function matmul(a: Float64Array, b: Float64Array, m: number): Float64Array {
  const out = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let k = 0; k < m; k++) {
      const aik = a[i * m + k] ?? 0;
      if (aik === 0) continue;
      for (let j = 0; j < m; j++) out[i * m + j] = (out[i * m + j] ?? 0) + aik * (b[k * m + j] ?? 0);
    }
  }
  return out;
}

/** CDF Pr(D_n <= d). */
export function kolmogorovCdfDurbin(n: number, d: number): number {
  if (d >= 1) return 1;
  const nd = n * d;
  if (nd <= 0.5) return 0;
  const k = Math.ceil(nd);
  const h = k - nd;
  const m = 2 * k - 1;

  // v[j] = (1 − h^(j+1))/(j+1)!, w[j] = 1/j!; H is lower Hessenberg with v down its first column
  // and reversed v along its last row.
  const v = new Float64Array(m);
  const w = new Float64Array(m);
  let fac = 1;
  for (let j = 1; j <= m; j++) {
    w[j - 1] = fac;
    fac /= j;
    v[j - 1] = (1 - h ** j) * fac;
  }
  const tt = Math.max(2 * h - 1, 0) ** m - 2 * h ** m;
  v[m - 1] = (1 + tt) * fac;

  let hm: Float64Array = new Float64Array(m * m);
  for (let i = 1; i < m; i++) {
    for (let r = i - 1; r < m; r++) hm[r * m + i] = w[r - (i - 1)] ?? 0;
  }
  for (let r = 0; r < m; r++) hm[r * m] = v[r] ?? 0;
  for (let c = 0; c < m; c++) hm[(m - 1) * m + c] = v[m - 1 - c] ?? 0;

  let power: Float64Array = new Float64Array(m * m);
  for (let i = 0; i < m; i++) power[i * m + i] = 1;
  let nn = n;
  let expnt = 0;
  let hExpnt = 0;
  const diag = (k - 1) * m + (k - 1);
  while (nn > 0) {
    if (nn % 2) {
      power = matmul(power, hm, m);
      expnt += hExpnt;
    }
    hm = matmul(hm, hm, m);
    hExpnt *= 2;
    if (Math.abs(hm[diag] ?? 0) > EP128) {
      for (let i = 0; i < hm.length; i++) hm[i] = (hm[i] ?? 0) / EP128;
      hExpnt += E128;
    }
    nn = Math.floor(nn / 2);
  }

  // Multiply by n!/n^n, rescaling to stay clear of underflow.
  let p = power[diag] ?? 0;
  for (let i = 1; i <= n; i++) {
    p = (i * p) / n;
    if (Math.abs(p) < EM128) {
      p *= EP128;
      expnt -= E128;
    }
  }
  if (expnt !== 0) p = ldexp(p, expnt);
  return Math.min(Math.max(p, 0), 1);
}
