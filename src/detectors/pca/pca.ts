/**
 * PCA fitted through the d x d covariance (Float64) and a symmetric eigen-decomposition (ml-matrix): for the
 * tall, narrow matrices of flow features this is one pass over the rows plus an O(d^3) solve, cheaper than an SVD
 * of the data. Scoring keeps only the basis vectors it needs:
 *  - reconstruction error ||x - mu||^2 - sum_major (v.(x - mu))^2, or the same error as sum_minor (v.(x - mu))^2
 *    when the minor set is the smaller one (no cancellation, fewer dot products);
 *  - weighted (Shyu et al. 2003): sum_minor (v.(x - mu))^2 / lambda; with `major` also sum_major y^2 / lambda,
 *    i.e. the Mahalanobis distance over every component.
 * When the variance target keeps every component there is no residual (the error would be 0 for every row), so all
 * modes fall back to the Mahalanobis distance rather than silently scoring nothing.
 */
import type { Matrix } from '../../core/matrix.js';
import { symmetricEigen } from '../linalg.js';

export interface PcaModel {
  mean: Float64Array;
  /** Used basis vectors, row-major (count x d). */
  basis: Float64Array;
  /** Per basis vector weight. */
  weights: Float64Array;
  /** 'residual': score = ||x - mu||^2 - sum w y^2; 'sum': score = sum w y^2. */
  mode: 'residual' | 'sum';
  /** What the score measures (for reports). */
  kind: 'reconstruction' | 'minor' | 'mahalanobis';
  /** Kept (major) components and the variance they explain. */
  nComponents: number;
  explained: number;
  /** All eigenvalues, descending (for reports and tests). */
  eigenvalues: Float64Array;
}

/** Mean and covariance (divisor n) in Float64, accumulated in row blocks so the inner loop is a contiguous dot. */
export function covariance(x: Matrix): { mean: Float64Array; cov: Float64Array } {
  const { rows: n, cols: d, data } = x;
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += data[i * d + j];
  for (let j = 0; j < d; j++) mean[j] /= Math.max(n, 1);
  const cov = new Float64Array(d * d);
  const B = 64;
  const buf = new Float64Array(d * B); // column-major block: feature j at [j*B, j*B + B)
  for (let b0 = 0; b0 < n; b0 += B) {
    const nb = Math.min(B, n - b0);
    if (nb < B) buf.fill(0);
    for (let r = 0; r < nb; r++) {
      const o = (b0 + r) * d;
      for (let j = 0; j < d; j++) buf[j * B + r] = data[o + j] - mean[j];
    }
    for (let i = 0; i < d; i++) {
      const oi = i * B;
      let j = i;
      // Four columns per pass over column i: each load of buf[oi + r] feeds four products.
      for (; j + 4 <= d; j += 4) {
        const o0 = j * B;
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        let s3 = 0;
        for (let r = 0; r < B; r++) {
          const v = buf[oi + r];
          s0 += v * buf[o0 + r];
          s1 += v * buf[o0 + B + r];
          s2 += v * buf[o0 + 2 * B + r];
          s3 += v * buf[o0 + 3 * B + r];
        }
        const c = i * d + j;
        cov[c] += s0;
        cov[c + 1] += s1;
        cov[c + 2] += s2;
        cov[c + 3] += s3;
      }
      for (; j < d; j++) {
        const oj = j * B;
        let s = 0;
        for (let r = 0; r < B; r++) s += buf[oi + r] * buf[oj + r];
        cov[i * d + j] += s;
      }
    }
  }
  for (let i = 0; i < d; i++) {
    for (let j = i; j < d; j++) {
      const v = cov[i * d + j] / Math.max(n, 1);
      cov[i * d + j] = v;
      cov[j * d + i] = v;
    }
  }
  return { mean, cov };
}

/** scikit-learn's rule: the fewest components whose cumulative explained ratio exceeds the target. */
export function componentsFor(values: Float64Array, target: number): number {
  let total = 0;
  for (const v of values) total += v;
  if (total <= 0) return 0;
  let cum = 0;
  for (let k = 0; k < values.length; k++) {
    cum += values[k] / total;
    if (cum > target) return k + 1;
  }
  return values.length;
}

export function fitPca(
  x: Matrix, opts: { varianceTarget: number; nComponents?: number; weighted: boolean; major: boolean; eigenFloor: number },
): PcaModel {
  const d = x.cols;
  const { mean, cov } = covariance(x);
  const { values, vectors } = symmetricEigen(cov, d);
  const k = Math.min(d, opts.nComponents ?? componentsFor(values, opts.varianceTarget));
  let total = 0;
  let kept = 0;
  values.forEach((v, i) => {
    total += v;
    if (i < k) kept += v;
  });
  const explained = total > 0 ? kept / total : 1;
  const kind = k >= d || (opts.weighted && opts.major) ? 'mahalanobis' : opts.weighted ? 'minor' : 'reconstruction';
  // Reconstruction error: sum over minor components when that set is the smaller one (no cancellation).
  const useMinor = kind !== 'reconstruction' || d - k <= k;
  const from = kind === 'mahalanobis' ? 0 : useMinor ? k : 0;
  const to = useMinor ? d : k;
  // Floor relative to the mean eigenvalue; an all-constant training set (total 0) falls back to unit weights.
  const floor = total > 0 ? (Math.max(opts.eigenFloor, 1e-12) * total) / d : 1;
  const weights = new Float64Array(to - from);
  for (let i = from; i < to; i++) weights[i - from] = kind === 'reconstruction' ? 1 : 1 / Math.max(values[i], floor);
  return {
    mean,
    basis: vectors.slice(from * d, to * d),
    weights,
    mode: useMinor ? 'sum' : 'residual',
    kind,
    nComponents: k,
    explained,
    eigenvalues: values,
  };
}

export function scorePca(m: PcaModel, x: Matrix, out: Float64Array): Float64Array {
  const { rows, cols: d, data } = x;
  const nb = m.weights.length;
  const c = new Float64Array(d);
  for (let i = 0; i < rows; i++) {
    const o = i * d;
    let norm = 0;
    for (let j = 0; j < d; j++) {
      const v = data[o + j] - m.mean[j];
      c[j] = v;
      norm += v * v;
    }
    let s = 0;
    for (let k = 0; k < nb; k++) {
      const ob = k * d;
      let y = 0;
      for (let j = 0; j < d; j++) y += m.basis[ob + j] * c[j];
      s += m.weights[k] * y * y;
    }
    out[i] = m.mode === 'sum' ? s : Math.max(norm - s, 0);
  }
  return out;
}
