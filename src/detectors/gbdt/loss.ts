/**
 * Losses for boosting on raw scores (scikit-learn's HalfBinomialLoss and HalfMultinomialLoss):
 * binary log-loss on one raw score per row (the log-odds of class 1), multi-class softmax on K raw scores per row.
 */

/** float64 machine epsilon: class priors are clipped to [EPS, 1 - EPS] before taking logs. */
const EPS = 2.220446049250313e-16;

export function sigmoid(r: number): number {
  if (r >= 0) return 1 / (1 + Math.exp(-r));
  const e = Math.exp(r);
  return e / (1 + e);
}

/** log(1 + exp(r)) without overflow. */
function log1pExp(r: number): number {
  return r > 0 ? r + Math.log1p(Math.exp(-r)) : Math.log1p(Math.exp(r));
}

/** Raw scores of the best constant model: log-odds of the (weighted) class-1 rate, or centred log class priors. */
export function baselineRaw(labels: Int32Array, rows: Int32Array, weights: Float64Array | null, nClasses: number): Float64Array {
  const mass = new Float64Array(nClasses);
  let total = 0;
  for (let k = 0; k < rows.length; k++) {
    const i = rows[k];
    const w = weights ? weights[i] : 1;
    mass[labels[i]] += w;
    total += w;
  }
  const prior = (c: number) => Math.min(Math.max(mass[c] / total, EPS), 1 - EPS);
  if (nClasses === 2) {
    const p = prior(1);
    return Float64Array.of(Math.log(p / (1 - p)));
  }
  const out = new Float64Array(nClasses);
  let mean = 0;
  for (let c = 0; c < nClasses; c++) {
    out[c] = Math.log(prior(c));
    mean += out[c] / nClasses;
  }
  for (let c = 0; c < nClasses; c++) out[c] -= mean;
  return out;
}

/**
 * Gradients and hessians of the loss at the raw scores of the training rows (rows[k] is the label/weight index of
 * training row k; raw is k-indexed with `stride` scores per row). grad[c][k], hess[c][k].
 */
export function gradients(
  raw: Float64Array,
  stride: number,
  labels: Int32Array,
  rows: Int32Array,
  weights: Float64Array | null,
  grad: Float64Array[],
  hess: Float64Array[],
  prob: Float64Array,
): void {
  const n = rows.length;
  if (stride === 1) {
    const g = grad[0];
    const h = hess[0];
    for (let k = 0; k < n; k++) {
      const i = rows[k];
      const p = sigmoid(raw[k]);
      const w = weights ? weights[i] : 1;
      g[k] = w * (p - (labels[i] === 1 ? 1 : 0));
      h[k] = w * p * (1 - p);
    }
    return;
  }
  for (let k = 0; k < n; k++) {
    const i = rows[k];
    softmaxInto(raw, k * stride, stride, prob);
    const w = weights ? weights[i] : 1;
    const y = labels[i];
    for (let c = 0; c < stride; c++) {
      const p = prob[c];
      grad[c][k] = w * (p - (c === y ? 1 : 0));
      hess[c][k] = w * p * (1 - p);
    }
  }
}

/** Weighted mean loss of the raw scores (k-indexed, `stride` per row) of the given rows. */
export function meanLoss(raw: Float64Array, stride: number, labels: Int32Array, rows: Int32Array, weights: Float64Array | null): number {
  let sum = 0;
  let wsum = 0;
  for (let k = 0; k < rows.length; k++) {
    const i = rows[k];
    const w = weights ? weights[i] : 1;
    let l: number;
    if (stride === 1) {
      const r = raw[k];
      l = log1pExp(r) - (labels[i] === 1 ? r : 0);
    } else {
      const o = k * stride;
      let m = -Infinity;
      for (let c = 0; c < stride; c++) m = Math.max(m, raw[o + c]);
      let s = 0;
      for (let c = 0; c < stride; c++) s += Math.exp(raw[o + c] - m);
      l = m + Math.log(s) - raw[o + labels[i]];
    }
    sum += w * l;
    wsum += w;
  }
  return wsum > 0 ? sum / wsum : 0;
}

/** Softmax of raw[o .. o + K) into out[0 .. K). */
export function softmaxInto(raw: Float64Array, o: number, K: number, out: Float64Array): void {
  let m = -Infinity;
  for (let c = 0; c < K; c++) m = Math.max(m, raw[o + c]);
  let s = 0;
  for (let c = 0; c < K; c++) {
    const e = Math.exp(raw[o + c] - m);
    out[c] = e;
    s += e;
  }
  for (let c = 0; c < K; c++) out[c] /= s;
}
