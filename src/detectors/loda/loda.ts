/**
 * LODA (Pevný 2016): k sparse random projections w_i (about sqrt(d) non-zero N(0, 1) weights each), a 1-D
 * equal-width histogram of the training projections per w_i, score = -(1/k) sum_i log p_i(w_i . x). An ensemble of
 * weak 1-D density estimators: linear time, and unlike HBOS it sees feature interactions through the projections.
 *
 * Departures from PyOD, on purpose: bins are Laplace-smoothed (alpha pseudo-counts) instead of +1e-12, so one empty
 * bin does not dominate the score; and a value far outside a histogram's range gets the empty-bin probability
 * instead of being clamped into the edge bin (which would hide the most extreme values).
 */
import type { Matrix } from '../../core/matrix.js';
import { Rng } from '../../core/rng.js';
import { equalWidthHistogram } from '../hbos/hbos.js';

export interface LodaModel {
  /** Sparse projections: projection i uses columns index[i*nnz .. i*nnz + nnz) with weights weight[...]. */
  index: Int32Array;
  weight: Float32Array;
  nnz: number;
  lo: Float64Array;
  width: Float64Array;
  /** -log p per bin, concatenated; projection i at [offsets[i], offsets[i+1]). */
  negLogP: Float64Array;
  offsets: Int32Array;
  /** -log p of an out-of-range value per projection. */
  outside: Float64Array;
  tol: number;
}

export function fitLoda(x: Matrix, k: number, nBins: number | 'auto', alpha: number, tol: number, seed: number): LodaModel {
  const { rows: n, cols: d } = x;
  const rng = new Rng(seed);
  const nnz = Math.max(1, Math.min(d, Math.round(Math.sqrt(d))));
  const index = new Int32Array(k * nnz);
  const weight = new Float32Array(k * nnz);
  for (let i = 0; i < k; i++) {
    const cols = rng.sampleIndices(d, nnz).sort();
    for (let t = 0; t < nnz; t++) {
      index[i * nnz + t] = cols[t];
      weight[i * nnz + t] = rng.normal();
    }
  }
  const proj = new Float64Array(n * k);
  project(index, weight, nnz, x.data, 0, n, d, proj);
  const lo = new Float64Array(k);
  const width = new Float64Array(k);
  const outside = new Float64Array(k);
  const offsets = new Int32Array(k + 1);
  const parts: Float64Array[] = [];
  const col = new Float64Array(n);
  for (let i = 0; i < k; i++) {
    let m = 0;
    for (let r = 0; r < n; r++) {
      const v = proj[r * k + i];
      if (Number.isFinite(v)) col[m++] = v;
    }
    const vals = col.subarray(0, m);
    const { min, width: w, counts } = equalWidthHistogram(vals, nBins);
    const nb = counts.length;
    const denom = m + alpha * nb;
    parts.push(counts.map((c) => -Math.log((c + alpha) / denom)));
    outside[i] = -Math.log(alpha / denom);
    lo[i] = min;
    width[i] = w;
    offsets[i + 1] = offsets[i] + nb;
  }
  const negLogP = new Float64Array(offsets[k]);
  parts.forEach((p, i) => negLogP.set(p, offsets[i]));
  return { index, weight, nnz, lo, width, negLogP, offsets, outside, tol };
}

/** out[r * k + i] = w_i . x_{r0 + r} for nRows rows (sparse dot products: sqrt(d) terms each). */
function project(index: Int32Array, weight: Float32Array, nnz: number, data: Float32Array, r0: number, nRows: number, d: number, out: Float64Array): void {
  const k = index.length / nnz;
  for (let r = 0; r < nRows; r++) {
    const o = (r0 + r) * d;
    for (let i = 0; i < k; i++) {
      let s = 0;
      for (let t = i * nnz, e = t + nnz; t < e; t++) s += weight[t] * data[o + index[t]];
      out[r * k + i] = s;
    }
  }
}

export function scoreLoda(m: LodaModel, x: Matrix, out: Float64Array): Float64Array {
  const k = m.lo.length;
  const { lo, width, negLogP, offsets, outside, tol } = m;
  const B = 1024;
  const proj = new Float64Array(Math.min(B, x.rows) * k);
  for (let r0 = 0; r0 < x.rows; r0 += B) {
    const nb = Math.min(B, x.rows - r0);
    project(m.index, m.weight, m.nnz, x.data, r0, nb, x.cols, proj);
    for (let r = 0; r < nb; r++) {
      let s = 0;
      for (let i = 0; i < k; i++) {
        const bins = offsets[i + 1] - offsets[i];
        const pos = (proj[r * k + i] - lo[i]) / width[i];
        let b = Math.floor(pos);
        if (b < 0) b = -pos <= tol ? 0 : -1;
        else if (b >= bins) b = pos - bins <= tol ? bins - 1 : -1;
        s += b < 0 ? outside[i] : negLogP[offsets[i] + b];
      }
      out[r0 + r] = s / k;
    }
  }
  return out;
}
