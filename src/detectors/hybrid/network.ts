/**
 * The hybrid network as a pure function of a weight list (no tf.layers objects): FOMAML has to run the same forward
 * pass on meta-weights and on adapted copies of them, which a functional forward gives for free, while tf.layers
 * would need setWeights() round trips per task. The maths follows Keras' layers one to one (LSTM gate order i, f, c,
 * o with unit forget bias; LayerNormalization epsilon 1e-3; MultiHeadAttention's per-head scaled dot product), so
 * the weights map onto a Keras model of the same figure.
 *
 * input (B, T, d) -> LSTM(64, return sequences) -> attention (score tanh(h.w + b_t), softmax over time, context =
 * weighted sum) -> expand to (B, 1, 64) -> multi-head self-attention (4 heads x 16) + residual + layer norm ->
 * dense 128 relu -> dense 64 + residual + layer norm -> flatten -> dense 1 (sigmoid) or C (softmax) logits.
 */
import type * as TfCore from '@tensorflow/tfjs-core';
import { Rng } from '../../core/rng.js';
import type { Tf } from '../../training/tf/runtime.js';

export const LSTM_UNITS = 64;
export const MODEL_DIM = 64;
export const HEADS = 4;
export const FF_UNITS = 128;
const LN_EPS = 1e-3;

export interface NetConfig {
  /** Features per time step. */
  inputDim: number;
  timeSteps: number;
  /** 1 for binary (sigmoid), the number of classes otherwise (softmax). */
  outputs: number;
}

type Init = 'glorot' | 'orthogonal' | 'zeros' | 'ones' | 'lstmBias';
export interface WeightSpec {
  name: string;
  shape: number[];
  init: Init;
}

export function weightSpecs(c: NetConfig): WeightSpec[] {
  const u = LSTM_UNITS;
  const m = MODEL_DIM;
  const specs: WeightSpec[] = [
    { name: 'lstm/kernel', shape: [c.inputDim, 4 * u], init: 'glorot' },
    { name: 'lstm/recurrent', shape: [u, 4 * u], init: 'orthogonal' },
    { name: 'lstm/bias', shape: [4 * u], init: 'lstmBias' },
    { name: 'attention/w', shape: [u, 1], init: 'glorot' },
    { name: 'attention/b', shape: [c.timeSteps], init: 'zeros' },
  ];
  for (const p of ['query', 'key', 'value', 'output']) {
    specs.push({ name: `mha/${p}/kernel`, shape: [m, m], init: 'glorot' }, { name: `mha/${p}/bias`, shape: [m], init: 'zeros' });
  }
  specs.push(
    { name: 'ln1/gamma', shape: [m], init: 'ones' },
    { name: 'ln1/beta', shape: [m], init: 'zeros' },
    { name: 'ff1/kernel', shape: [m, FF_UNITS], init: 'glorot' },
    { name: 'ff1/bias', shape: [FF_UNITS], init: 'zeros' },
    { name: 'ff2/kernel', shape: [FF_UNITS, m], init: 'glorot' },
    { name: 'ff2/bias', shape: [m], init: 'zeros' },
    { name: 'ln2/gamma', shape: [m], init: 'ones' },
    { name: 'ln2/beta', shape: [m], init: 'zeros' },
    { name: 'out/kernel', shape: [m, c.outputs], init: 'glorot' },
    { name: 'out/bias', shape: [c.outputs], init: 'zeros' },
  );
  return specs;
}

const sizeOf = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);

export function weightCount(c: NetConfig): number {
  return weightSpecs(c).reduce((s, w) => s + sizeOf(w.shape), 0);
}

/** Seeded initial weights, one flat Float32Array in weightSpecs order (Keras' default initialisers). */
export function initWeights(c: NetConfig, seed: number): Float32Array {
  const rng = new Rng(seed);
  const out = new Float32Array(weightCount(c));
  let o = 0;
  for (const s of weightSpecs(c)) {
    const n = sizeOf(s.shape);
    const v = out.subarray(o, o + n);
    if (s.init === 'glorot') {
      const limit = Math.sqrt(6 / (s.shape[0] + (s.shape[1] ?? 1)));
      for (let i = 0; i < n; i++) v[i] = rng.uniform(-limit, limit);
    } else if (s.init === 'orthogonal') {
      orthogonalRows(v, s.shape[0], s.shape[1], rng);
    } else if (s.init === 'ones') {
      v.fill(1);
    } else if (s.init === 'lstmBias') {
      v.subarray(LSTM_UNITS, 2 * LSTM_UNITS).fill(1); // unit forget bias
    }
    o += n;
  }
  return out;
}

/** rows x cols (rows <= cols) with orthonormal rows: Gram-Schmidt on seeded normals (Keras' Orthogonal, gain 1). */
function orthogonalRows(v: Float32Array, rows: number, cols: number, rng: Rng): void {
  const a = new Float64Array(rows * cols);
  for (let i = 0; i < a.length; i++) a[i] = rng.normal();
  for (let i = 0; i < rows; i++) {
    const ri = a.subarray(i * cols, (i + 1) * cols);
    for (let j = 0; j < i; j++) {
      const rj = a.subarray(j * cols, (j + 1) * cols);
      let dot = 0;
      for (let k = 0; k < cols; k++) dot += ri[k] * rj[k];
      for (let k = 0; k < cols; k++) ri[k] -= dot * rj[k];
    }
    let norm = 0;
    for (let k = 0; k < cols; k++) norm += ri[k] * ri[k];
    norm = Math.sqrt(norm) || 1;
    for (let k = 0; k < cols; k++) ri[k] /= norm;
  }
  for (let i = 0; i < a.length; i++) v[i] = a[i];
}

/** Tensors (one per spec, in order) from the flat weights. Caller disposes (or runs inside tf.tidy). */
export function unpackWeights(tf: Tf, c: NetConfig, flat: Float32Array): TfCore.Tensor[] {
  let o = 0;
  return weightSpecs(c).map((s) => {
    const n = sizeOf(s.shape);
    const t = tf.tensor(flat.subarray(o, o + n), s.shape);
    o += n;
    return t;
  });
}

/** Flat Float32 weights from tensors in spec order. */
export function packWeights(c: NetConfig, ws: readonly TfCore.Tensor[]): Float32Array {
  const out = new Float32Array(weightCount(c));
  let o = 0;
  for (const w of ws) {
    const d = w.dataSync() as Float32Array;
    out.set(d, o);
    o += d.length;
  }
  return out;
}

function layerNorm(tf: Tf, x: TfCore.Tensor2D, gamma: TfCore.Tensor, beta: TfCore.Tensor): TfCore.Tensor2D {
  const mean = tf.mean(x, -1, true);
  const centred = tf.sub(x, mean);
  const variance = tf.mean(tf.square(centred), -1, true);
  return tf.add(tf.mul(tf.mul(centred, tf.rsqrt(tf.add(variance, LN_EPS))), gamma), beta) as TfCore.Tensor2D;
}

const dense = (tf: Tf, x: TfCore.Tensor2D, k: TfCore.Tensor, b: TfCore.Tensor): TfCore.Tensor2D => tf.add(tf.matMul(x, k as TfCore.Tensor2D), b) as TfCore.Tensor2D;

/** Logits (B x outputs) of windows x (B x T*d, each row the T steps of d features, oldest first). */
export function forward(tf: Tf, c: NetConfig, w: readonly TfCore.Tensor[], x: TfCore.Tensor2D): TfCore.Tensor2D {
  const [lk, lr, lb, aw, ab, qk, qb, kk, kb, vk, vb, ok, ob, g1, b1, f1k, f1b, f2k, f2b, g2, b2, outK, outB] = w;
  const B = x.shape[0];
  const T = c.timeSteps;
  const u = LSTM_UNITS;
  // LSTM: the input projection of every step in one matMul; the recurrent part step by step (h0 = c0 = 0). Every
  // weight takes part even when T = 1 (h0.U = 0, softmax over one step = 1: zero gradients, as in Keras), so
  // autodiff sees a gradient for every weight.
  const xz = tf.reshape(dense(tf, tf.reshape(x, [B * T, c.inputDim]) as TfCore.Tensor2D, lk, lb), [B, T, 4 * u]);
  let h = tf.zeros([B, u]) as TfCore.Tensor2D;
  let cell = tf.zeros([B, u]) as TfCore.Tensor2D;
  const hs: TfCore.Tensor2D[] = [];
  for (let t = 0; t < T; t++) {
    const z = tf.add(tf.reshape(tf.slice(xz, [0, t, 0], [B, 1, 4 * u]), [B, 4 * u]), tf.matMul(h, lr as TfCore.Tensor2D)) as TfCore.Tensor2D;
    const [zi, zf, zc, zo] = tf.split(z, 4, 1) as TfCore.Tensor2D[];
    cell = tf.add(tf.mul(tf.sigmoid(zf), cell), tf.mul(tf.sigmoid(zi), tf.tanh(zc))) as TfCore.Tensor2D;
    h = tf.mul(tf.sigmoid(zo), tf.tanh(cell)) as TfCore.Tensor2D;
    hs.push(h);
  }
  // Attention over time steps: e_t = tanh(h_t . w + b_t), a = softmax_t(e), context = sum_t a_t h_t.
  const H = tf.stack(hs, 1) as TfCore.Tensor3D; // B x T x u
  const e = tf.tanh(tf.add(tf.reshape(tf.matMul(tf.reshape(H, [B * T, u]) as TfCore.Tensor2D, aw as TfCore.Tensor2D), [B, T]), ab));
  const a = tf.softmax(e, -1);
  const context = tf.sum(tf.mul(H, tf.expandDims(a, 2)), 1) as TfCore.Tensor2D;
  // Expand to a sequence of length L = 1 and run multi-head self-attention on it (B*L rows).
  const L = 1;
  const dk = MODEL_DIM / HEADS;
  const heads = (t: TfCore.Tensor2D): TfCore.Tensor4D => tf.transpose(tf.reshape(t, [B, L, HEADS, dk]), [0, 2, 1, 3]);
  const q = heads(dense(tf, context, qk, qb));
  const k = heads(dense(tf, context, kk, kb));
  const v = heads(dense(tf, context, vk, vb));
  const att = tf.softmax(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(dk)), -1); // B x heads x L x L
  const mixed = tf.reshape(tf.transpose(tf.matMul(att, v), [0, 2, 1, 3]), [B * L, MODEL_DIM]) as TfCore.Tensor2D;
  const y1 = layerNorm(tf, tf.add(context, dense(tf, mixed, ok, ob)) as TfCore.Tensor2D, g1, b1);
  const ff = dense(tf, tf.relu(dense(tf, y1, f1k, f1b)) as TfCore.Tensor2D, f2k, f2b);
  const y2 = layerNorm(tf, tf.add(y1, ff) as TfCore.Tensor2D, g2, b2);
  return dense(tf, y2, outK, outB); // flatten of (B, 1, 64) is (B, 64)
}

/**
 * Per-row cross-entropy from logits: binary = sigmoid cross-entropy (labels 0/1), else softmax cross-entropy.
 */
export function rowLoss(tf: Tf, c: NetConfig, logits: TfCore.Tensor2D, labels: TfCore.Tensor1D): TfCore.Tensor1D {
  if (c.outputs === 1) {
    const z = tf.reshape(logits, [-1]);
    const y = tf.cast(labels, 'float32');
    // max(z, 0) - z*y + log(1 + exp(-|z|)): stable for any z.
    return tf.add(tf.sub(tf.relu(z), tf.mul(z, y)), tf.log1p(tf.exp(tf.neg(tf.abs(z))))) as TfCore.Tensor1D;
  }
  const logp = tf.logSoftmax(logits, -1);
  return tf.neg(tf.sum(tf.mul(logp, tf.oneHot(labels, c.outputs)), -1)) as TfCore.Tensor1D;
}

/** Weighted mean loss (sum w*l / B, Keras' convention) and the number of correctly classified rows. */
export function batchLoss(
  tf: Tf,
  c: NetConfig,
  logits: TfCore.Tensor2D,
  labels: TfCore.Tensor1D,
  weights: TfCore.Tensor1D | null,
): { loss: TfCore.Scalar; correct: TfCore.Scalar } {
  const l = rowLoss(tf, c, logits, labels);
  const loss = tf.mean(weights ? tf.mul(l, weights) : l) as TfCore.Scalar;
  const predicted = c.outputs === 1 ? tf.cast(tf.greater(tf.reshape(logits, [-1]), 0), 'int32') : tf.argMax(logits, -1);
  const correct = tf.sum(tf.cast(tf.equal(predicted, labels), 'float32')) as TfCore.Scalar;
  return { loss, correct };
}

/**
 * Windows of T consecutive rows: output row i = rows i-T+1 .. i of x (oldest first), zeros before row 0.
 * T = 1 returns the data itself (no copy).
 */
export function windowRows(data: Float32Array, rows: number, cols: number, T: number): Float32Array {
  if (T === 1) return data;
  const out = new Float32Array(rows * T * cols);
  for (let i = 0; i < rows; i++) {
    const base = i * T * cols;
    for (let s = 0; s < T; s++) {
      const src = i - (T - 1) + s;
      if (src >= 0) out.set(data.subarray(src * cols, (src + 1) * cols), base + s * cols);
    }
  }
  return out;
}
