import { EigenvalueDecomposition, Matrix as MlMatrix } from 'ml-matrix';
import { f64ToBase64, base64ToF64 } from '../../core/encode.js';

/**
 * PCA as a feature transformer: keeps the leading principal components that explain `varianceTarget` of the
 * training variance (default 95 %), or a fixed number. Covariance in Float64, symmetric eigen-decomposition.
 */

export interface PcaOptions {
  varianceTarget?: number;
  nComponents?: number;
}

export interface PcaState {
  mean: string; // base64 Float64 (d)
  components: string; // base64 Float64 (k x d), row-major
  explainedVariance: number[];
  explainedVarianceRatio: number[];
  inputDim: number;
  k: number;
}

/** Fits on a row-major Float64 buffer of `rows` x `d`. */
export function fitPca(data: Float64Array, rows: number, d: number, opts: PcaOptions): PcaState {
  const mean = new Float64Array(d);
  for (let r = 0; r < rows; r++) for (let j = 0; j < d; j++) mean[j] += data[r * d + j];
  for (let j = 0; j < d; j++) mean[j] /= rows || 1;
  const cov = new Float64Array(d * d);
  const centred = new Float64Array(d);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < d; j++) centred[j] = data[r * d + j] - mean[j];
    for (let a = 0; a < d; a++) {
      const ca = centred[a];
      if (ca === 0) continue;
      const rowOff = a * d;
      for (let b = a; b < d; b++) cov[rowOff + b] += ca * centred[b];
    }
  }
  const denom = Math.max(rows - 1, 1);
  const m = new MlMatrix(d, d);
  for (let a = 0; a < d; a++) {
    for (let b = a; b < d; b++) {
      const v = cov[a * d + b] / denom;
      m.set(a, b, v);
      m.set(b, a, v);
    }
  }
  const evd = new EigenvalueDecomposition(m, { assumeSymmetric: true });
  const values = evd.realEigenvalues.map((v) => Math.max(v, 0));
  const vectors = evd.eigenvectorMatrix;
  const order = values.map((_, i) => i).sort((i, j) => values[j] - values[i]);
  const total = values.reduce((s, v) => s + v, 0) || 1;
  let k: number;
  if (opts.nComponents !== undefined) {
    k = Math.min(Math.max(1, Math.floor(opts.nComponents)), d);
  } else {
    const target = opts.varianceTarget ?? 0.95;
    let acc = 0;
    k = 0;
    while (k < d && acc / total < target - 1e-12) acc += values[order[k++]];
    k = Math.max(k, 1);
  }
  const comps = new Float64Array(k * d);
  for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) comps[c * d + j] = vectors.get(j, order[c]);
  const ev = order.slice(0, k).map((i) => values[i]);
  return {
    mean: f64ToBase64(mean),
    components: f64ToBase64(comps),
    explainedVariance: ev,
    explainedVarianceRatio: ev.map((v) => v / total),
    inputDim: d,
    k,
  };
}

/** Loaded PCA ready to project batches. */
export class PcaProjector {
  private readonly mean: Float64Array;
  private readonly comps: Float64Array;
  readonly k: number;
  readonly d: number;

  constructor(readonly state: PcaState) {
    this.mean = base64ToF64(state.mean);
    this.comps = base64ToF64(state.components);
    this.k = state.k;
    this.d = state.inputDim;
  }

  /** Projects rows x d (Float64, row-major) into rows x k. */
  project(data: Float64Array, rows: number): Float64Array {
    const { d, k } = this;
    const out = new Float64Array(rows * k);
    const centred = new Float64Array(d);
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < d; j++) centred[j] = data[r * d + j] - this.mean[j];
      for (let c = 0; c < k; c++) {
        let s = 0;
        const off = c * d;
        for (let j = 0; j < d; j++) s += centred[j] * this.comps[off + j];
        out[r * k + c] = s;
      }
    }
    return out;
  }
}
