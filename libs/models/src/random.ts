/**
 * mulberry32: a small, fast, seeded 32-bit PRNG (Tommy Ettinger, public domain). Good enough for
 * shuffling and initialisation; identical sequences on every platform, which makes training
 * reproducible.
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

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
