/**
 * HBOS (Goldstein & Dengel 2012), as PyOD implements it: one equal-width histogram per feature over the training
 * range, densities normalised per feature (numpy density=True), score = -sum_j log2(density_j(x_j) + alpha).
 * Features are treated as independent, which makes it very fast and blind to interactions. A value just outside the
 * training range (within tol bin widths) falls into the edge bin; further out it gets the feature's lowest density.
 */
import type { Matrix } from '../../core/matrix.js';
import { quantileSorted } from '../../core/stats.js';

export interface HbosModel {
  /** Left edge and bin width per feature. */
  lo: Float64Array;
  width: Float64Array;
  /** log2(density + alpha) of every bin, concatenated; feature j at [offsets[j], offsets[j+1]). */
  logDensity: Float64Array;
  offsets: Int32Array;
  /** Lowest log density per feature (the out-of-range value). */
  floor: Float64Array;
  tol: number;
}

/**
 * numpy's 'auto' bin count: the narrower of Sturges' and Freedman-Diaconis' widths (Sturges when the IQR is 0),
 * capped at sqrt(n): heavy-tailed flow features have a tiny IQR, and FD would ask for tens of thousands of bins.
 */
export function autoBins(sorted: Float64Array): number {
  const n = sorted.length;
  const range = n ? sorted[n - 1] - sorted[0] : 0;
  if (n < 2 || range <= 0) return 1;
  const sturges = range / (Math.log2(n) + 1);
  const fd = (2 * (quantileSorted(sorted, 0.75) - quantileSorted(sorted, 0.25))) / Math.cbrt(n);
  const w = fd > 0 ? Math.min(fd, sturges) : sturges;
  return Math.max(1, Math.min(Math.ceil(Math.sqrt(n)), Math.ceil(range / w)));
}

/**
 * Equal-width histogram of `vals` with numpy's rules: the range is [min, max], a degenerate range widens to
 * [v - 0.5, v + 0.5], the last bin is closed. Sorts `vals` in place when nBins is 'auto'. Shared with LODA.
 */
export function equalWidthHistogram(vals: Float64Array, nBins: number | 'auto'): { min: number; width: number; counts: Float64Array } {
  let min = Infinity;
  let max = -Infinity;
  for (const v of vals) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (vals.length === 0) min = max = 0;
  if (max <= min) {
    min -= 0.5;
    max += 0.5;
  }
  const nb = nBins === 'auto' ? autoBins(vals.sort()) : nBins;
  const width = (max - min) / nb;
  const counts = new Float64Array(nb);
  for (const v of vals) counts[Math.min(nb - 1, Math.floor((v - min) / width))]++;
  return { min, width, counts };
}

export function fitHbos(x: Matrix, nBins: number | 'auto', alpha: number, tol: number): HbosModel {
  const { rows, cols: d, data } = x;
  const lo = new Float64Array(d);
  const width = new Float64Array(d);
  const floor = new Float64Array(d);
  const offsets = new Int32Array(d + 1);
  const perFeature: Float64Array[] = [];
  const col = new Float64Array(rows);
  for (let j = 0; j < d; j++) {
    let m = 0;
    for (let i = 0; i < rows; i++) {
      const v = data[i * d + j];
      if (v === v) col[m++] = v;
    }
    const vals = col.subarray(0, m);
    const { min, width: w, counts } = equalWidthHistogram(vals, nBins);
    const nb = counts.length;
    const dens = new Float64Array(nb);
    let f = Infinity;
    for (let k = 0; k < nb; k++) {
      dens[k] = Math.log2((m ? counts[k] / (m * w) : 0) + alpha);
      if (dens[k] < f) f = dens[k];
    }
    lo[j] = min;
    width[j] = w;
    floor[j] = f;
    perFeature.push(dens);
    offsets[j + 1] = offsets[j] + nb;
  }
  const logDensity = new Float64Array(offsets[d]);
  perFeature.forEach((dens, j) => logDensity.set(dens, offsets[j]));
  return { lo, width, logDensity, offsets, floor, tol };
}

export function scoreHbos(m: HbosModel, x: Matrix, out: Float64Array): Float64Array {
  const { rows, cols: d, data } = x;
  const { lo, width, logDensity, offsets, floor, tol } = m;
  for (let i = 0; i < rows; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) {
      const v = data[i * d + j];
      if (v !== v) continue; // a missing value carries no evidence
      const nb = offsets[j + 1] - offsets[j];
      const pos = (v - lo[j]) / width[j];
      let k = Math.floor(pos);
      if (k < 0) k = -pos <= tol ? 0 : -1;
      else if (k >= nb) k = pos - nb <= tol ? nb - 1 : -1;
      s += k < 0 ? floor[j] : logDensity[offsets[j] + k];
    }
    out[i] = -s;
  }
  return out;
}
