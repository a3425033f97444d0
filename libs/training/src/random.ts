/**
 * Samplers driven by a seeded uniform generator (training passes libs/drift's mulberry32), so one
 * seed reproduces the initialisation, the shuffles and the KS sample.
 */

/** Standard normal by Box–Muller. */
export function gaussian(random: () => number): number {
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Fisher–Yates shuffle in place. */
export function shuffleInPlace(indices: Uint32Array, random: () => number): void {
  for (let i = indices.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const tmp = indices[i] ?? 0;
    indices[i] = indices[j] ?? 0;
    indices[j] = tmp;
  }
}

/** `size` distinct indices of [0, n) in ascending order (all of them when n <= size). */
export function sampleIndices(n: number, size: number, random: () => number): Uint32Array {
  const all = Uint32Array.from({ length: n }, (_, i) => i);
  if (n <= size) return all;
  // Partial Fisher–Yates: the first `size` slots end up a uniform sample without replacement.
  for (let i = 0; i < size; i++) {
    const j = i + Math.floor(random() * (n - i));
    const tmp = all[i] ?? 0;
    all[i] = all[j] ?? 0;
    all[j] = tmp;
  }
  return all.subarray(0, size).sort();
}
