/** Small numeric helpers shared by features, thresholds and evaluation. */

/** Quantile with linear interpolation (numpy's default, method "linear"). Ignores NaN. */
export function quantile(values: ArrayLike<number>, q: number): number {
  const sorted = sortedFinite(values);
  return quantileSorted(sorted, q);
}

export function quantileSorted(sorted: Float64Array, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const pos = Math.min(Math.max(q, 0), 1) * (n - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, n - 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export function sortedFinite(values: ArrayLike<number>): Float64Array {
  let n = 0;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) n++;
  const out = new Float64Array(n);
  let k = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isFinite(v)) out[k++] = v;
  }
  return out.sort();
}

export function meanStd(values: ArrayLike<number>): { mean: number; std: number; n: number } {
  let n = 0;
  let mean = 0;
  let m2 = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    n++;
    const d = v - mean;
    mean += d / n;
    m2 += d * (v - mean);
  }
  return { mean: n ? mean : NaN, std: n ? Math.sqrt(m2 / n) : NaN, n };
}
