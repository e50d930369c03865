/**
 * ECOD (Li, Zhao, Hu, Botta, Ionescu & Chen 2022): per feature, the left and right empirical tail probabilities of
 * a value under the training distribution; the outlier score sums -log of the tail probabilities over features, and
 * the skewness of each feature picks which tail counts in the "auto" sum. Parameter-free and linear in the data.
 *
 * Differences from PyOD, on purpose: PyOD recomputes the ECDF on train+test together (transductive); here the ECDF
 * is the training one only, so one row's score never depends on the rest of the batch. A test value is counted as if
 * added to the reference ((count + 1) / (n + 1)), which keeps tail probabilities > 0 for values outside the
 * training range. The reference is stored per feature as unique sorted values with cumulative counts: one-hot and
 * count features collapse to a few entries, so the model stays small.
 */
import type { Matrix } from '../../core/matrix.js';
import { Rng } from '../../core/rng.js';

export interface EcodModel {
  /** Unique sorted values of every feature, concatenated; feature j at [offsets[j], offsets[j+1]). */
  values: Float32Array;
  /** cumCount[k] = number of reference values <= values[k] (within its feature). */
  cumCount: Int32Array;
  offsets: Int32Array;
  /** Sign of the sample skewness per feature (-1, 0, 1). */
  skewSign: Int32Array;
  aggregation: 'paper' | 'pyod';
}

export function fitEcod(x: Matrix, maxRows: number, aggregation: 'paper' | 'pyod', seed: number): EcodModel {
  const { rows, cols: d, data } = x;
  const pick = rows > maxRows ? new Rng(seed).sampleIndices(rows, maxRows).sort() : null;
  const n = pick ? pick.length : rows;
  const col = new Float64Array(n);
  const values: number[] = [];
  const cum: number[] = [];
  const offsets = new Int32Array(d + 1);
  const skewSign = new Int32Array(d);
  for (let j = 0; j < d; j++) {
    let m = 0;
    for (let i = 0; i < n; i++) {
      const v = data[(pick ? pick[i] : i) * d + j];
      if (v === v) col[m++] = v; // NaN cells are not part of the reference
    }
    const sorted = col.subarray(0, m).sort();
    skewSign[j] = Math.sign(skewness(sorted));
    for (let i = 0; i < m; i++) {
      if (i + 1 < m && sorted[i + 1] === sorted[i]) continue;
      values.push(sorted[i]);
      cum.push(i + 1);
    }
    offsets[j + 1] = values.length;
  }
  return { values: Float32Array.from(values), cumCount: Int32Array.from(cum), offsets, skewSign, aggregation };
}

/** Biased sample skewness m3 / m2^1.5 (scipy.stats.skew); 0 for a constant feature. */
function skewness(v: Float64Array): number {
  const n = v.length;
  if (n < 3) return 0;
  let mean = 0;
  for (const a of v) mean += a;
  mean /= n;
  let m2 = 0;
  let m3 = 0;
  for (const a of v) {
    const c = a - mean;
    m2 += c * c;
    m3 += c * c * c;
  }
  m2 /= n;
  m3 /= n;
  // Relative test: float noise on a constant column must not produce a skew sign.
  return m2 > 1e-12 * (mean * mean + 1e-300) ? m3 / Math.pow(m2, 1.5) : 0;
}

export function scoreEcod(m: EcodModel, x: Matrix, out: Float64Array): Float64Array {
  const { rows, cols: d, data } = x;
  const { values, cumCount, offsets, skewSign } = m;
  const pyod = m.aggregation === 'pyod';
  for (let i = 0; i < rows; i++) {
    let sl = 0;
    let sr = 0;
    let sa = 0;
    let sp = 0;
    for (let j = 0; j < d; j++) {
      const v = data[i * d + j];
      const lo = offsets[j];
      const hi = offsets[j + 1];
      if (v !== v || hi === lo) continue; // NaN or no reference: no evidence either way
      const n = cumCount[hi - 1];
      // le = #ref <= v (first index with value > v); lt = #ref < v (first index with value >= v).
      const a = firstAbove(values, lo, hi, v);
      const le = a > lo ? cumCount[a - 1] : 0;
      const b = a > lo && values[a - 1] === v ? a - 1 : a;
      const lt = b > lo ? cumCount[b - 1] : 0;
      const ul = -Math.log((le + 1) / (n + 1));
      const ur = -Math.log((n - lt + 1) / (n + 1));
      const s = skewSign[j];
      sl += ul;
      sr += ur;
      if (pyod) sp += Math.max(ul, ur, s < 0 ? ul : s > 0 ? ur : ul + ur);
      else sa += s < 0 ? ul : ur;
    }
    out[i] = pyod ? sp : Math.max(sl, sr, sa);
  }
  return out;
}

/** First index in [lo, hi) whose value is > v (hi when none). */
function firstAbove(values: Float32Array, lo: number, hi: number, v: number): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid] <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
