/**
 * Sampling helpers on the seeded Rng. Traffic quantities are heavy-tailed (sizes, think times, idle gaps), so
 * most profiles draw from log-normals parameterised by their median, which is what one reads off a capture.
 */
import type { Rng } from '../../core/rng.js';

/** Exponential with the given mean. */
export function exponential(rng: Rng, mean: number): number {
  return -Math.log(1 - rng.next()) * mean;
}

/** Log-normal with the given median and log-space sigma, optionally clamped. */
export function lognormal(rng: Rng, median: number, sigma: number, lo = 0, hi = Infinity): number {
  const v = median * Math.exp(sigma * rng.normal());
  return v < lo ? lo : v > hi ? hi : v;
}

/** Integer in [lo, hi] inclusive. */
export function intBetween(rng: Rng, lo: number, hi: number): number {
  return lo + rng.int(hi - lo + 1);
}

/** Geometric count >= 1 with the given mean. */
export function geometric(rng: Rng, mean: number): number {
  if (mean <= 1) return 1;
  const p = 1 / mean;
  return 1 + Math.floor(Math.log(1 - rng.next()) / Math.log(1 - p));
}

export function chance(rng: Rng, p: number): boolean {
  return rng.next() < p;
}

export function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[rng.int(items.length)];
}

/** Index drawn with probability proportional to `weights`. */
export function weightedIndex(rng: Rng, weights: readonly number[]): number {
  let total = 0;
  for (const w of weights) total += w;
  let u = rng.next() * total;
  for (let i = 0; i < weights.length; i++) {
    u -= weights[i];
    if (u < 0) return i;
  }
  return weights.length - 1;
}

/** One of `options` (value, weight) pairs. */
export function weighted<T>(rng: Rng, options: readonly (readonly [T, number])[]): T {
  return options[weightedIndex(rng, options.map((o) => o[1]))][0];
}

/** Linux ephemeral port range (net.ipv4.ip_local_port_range = 32768 60999), as in the captures. */
export function ephemeralPort(rng: Rng): number {
  return 32768 + rng.int(60999 - 32768 + 1);
}
