/** Deterministic random numbers for synthetic series (mulberry32), so every run sees the same data. */
export type SeededRandom = {
  next(): number;
  poisson(mean: number): number;
  gamma(shape: number): number;
  negativeBinomial(mean: number, dispersion: number): number;
};

export function seededRandom(seed: number): SeededRandom {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = () => {
    const u = Math.max(next(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * next());
  };
  const poisson = (mean: number) => {
    if (mean <= 0) return 0;
    // Knuth for small means, normal approximation only for large ones (not used by the tests' sizes).
    if (mean > 60) return Math.max(0, Math.round(mean + Math.sqrt(mean) * normal()));
    const limit = Math.exp(-mean);
    let k = 0;
    let p = 1;
    do {
      k += 1;
      p *= next();
    } while (p > limit);
    return k - 1;
  };
  // Marsaglia–Tsang.
  const gamma = (shape: number): number => {
    if (shape < 1) return gamma(shape + 1) * Math.pow(Math.max(next(), 1e-12), 1 / shape);
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      const x = normal();
      const v = Math.pow(1 + c * x, 3);
      if (v <= 0) continue;
      if (Math.log(Math.max(next(), 1e-12)) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
    }
  };
  // Gamma–Poisson mixture: mean `mean`, variance mean + mean²/dispersion.
  const negativeBinomial = (mean: number, dispersion: number) => poisson((gamma(dispersion) / dispersion) * mean);
  return { next, poisson, gamma, negativeBinomial };
}
