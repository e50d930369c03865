/**
 * SubTab's two networks on the flat fast path (src/training/tf/dense.ts):
 * - the reconstruction network: a shared subset encoder (s -> hidden -> embedding) and a decoder (embedding -> full
 *   row, linear). One training step stacks the K noisy subsets of a batch into K*m rows (the encoder is shared, so
 *   this is exactly the mean of the K subset losses) and regresses each onto the full clean row (MSE);
 * - the evaluation head: an MLP (embedding -> hidden -> classes) trained with weighted softmax cross-entropy on the
 *   mean of the K clean subset embeddings.
 */
import type * as TfCore from '@tensorflow/tfjs-core';
import type { Rng } from '../../core/rng.js';
import { ParamLayout, stackBackwardInto, stackForward, type Activation } from '../../training/tf/dense.js';
import type { StepInput, StepOutput, TrainableModel } from '../../training/tf/trainer.js';
import type { Tf } from '../../training/tf/runtime.js';

/**
 * K contiguous column blocks of equal width s covering every column: with b = ceil(d / K), s = min(d, b + round(overlap
 * * b)); block k starts at round(k (d - s) / (K - 1)). Returns the start column of each block and s.
 */
export function subsetLayout(d: number, k: number, overlap: number): { starts: number[]; width: number } {
  const kk = Math.max(1, Math.min(k, d));
  const block = Math.ceil(d / kk);
  const width = Math.max(1, Math.min(d, block + Math.round(overlap * block)));
  const starts = Array.from({ length: kk }, (_, i) => (kk === 1 ? 0 : Math.round((i * (d - width)) / (kk - 1))));
  return { starts, width };
}

export interface ReconNet {
  layout: ParamLayout;
  encoder: number[];
  all: number[];
}

export function buildReconNet(width: number, d: number, encoderHidden: readonly number[], embeddingDim: number, decoderHidden: readonly number[], act: Activation): ReconNet {
  const layout = new ParamLayout();
  const enc = [width, ...encoderHidden, embeddingDim];
  const encoder: number[] = [];
  for (let i = 1; i < enc.length; i++) encoder.push(layout.add(`encoder${i}`, enc[i - 1], enc[i], act));
  const dec = [embeddingDim, ...decoderHidden, d];
  const all = [...encoder];
  for (let i = 1; i < dec.length; i++) all.push(layout.add(`decoder${i}`, dec[i - 1], dec[i], i === dec.length - 1 ? 'linear' : act));
  return { layout, encoder, all };
}

export function reconNetFromLayout(layout: ParamLayout, encoderLayers: number): ReconNet {
  const all = layout.layers.map((_, i) => i);
  return { layout, encoder: all.slice(0, encoderLayers), all };
}

export function buildHead(inputs: number, hidden: readonly number[], classes: number, act: Activation): ParamLayout {
  const layout = new ParamLayout();
  const w = [inputs, ...hidden, classes];
  for (let i = 1; i < w.length; i++) layout.add(i === w.length - 1 ? 'logits' : `head${i}`, w[i - 1], w[i], i === w.length - 1 ? 'linear' : act);
  return layout;
}

/** Rows m x d -> K*m x s: subset k of row i at row k*m + i, each cell swapped with probability p (rng = null: clean). */
export function subsetRows(x: Float32Array, m: number, d: number, starts: readonly number[], width: number, p: number, rng: Rng | null): Float32Array {
  const out = new Float32Array(starts.length * m * width);
  starts.forEach((s0, k) => {
    for (let i = 0; i < m; i++) {
      const o = (k * m + i) * width;
      const src = i * d + s0;
      for (let j = 0; j < width; j++) {
        out[o + j] = rng && p > 0 && rng.next() < p ? x[rng.int(m) * d + s0 + j] : x[src + j];
      }
    }
  });
  return out;
}

/** Self-supervised step: reconstruct the full clean row from each noisy subset (swap noise only while training). */
export class ReconTrainable implements TrainableModel {
  constructor(
    private readonly net: ReconNet,
    readonly params: Float32Array,
    private readonly starts: readonly number[],
    private readonly width: number,
    private readonly maskRatio: number,
  ) {}

  step(tf: Tf, input: StepInput): StepOutput {
    const { layout, all } = this.net;
    const [m, d] = input.x.shape;
    const k = this.starts.length;
    const xs = subsetRows(input.xData, m, d, this.starts, this.width, this.maskRatio, input.training ? input.rng : null);
    const target = new Float32Array(k * m * d);
    for (let i = 0; i < k; i++) target.set(input.xData, i * m * d);
    const params = layout.upload(tf, this.params);
    const xsT = tf.tensor2d(xs, [k * m, this.width]);
    const trace = stackForward(tf, layout, params, all, xsT);
    const diff = tf.sub(trace.acts[trace.acts.length - 1], tf.tensor2d(target, [k * m, d])) as TfCore.Tensor2D;
    const loss = tf.mean(tf.square(diff)) as TfCore.Scalar;
    if (!input.training) return { loss };
    const flatGrad = new Float32Array(layout.size);
    stackBackwardInto(tf, layout, params, all, trace, tf.mul(diff, 2 / diff.size) as TfCore.Tensor2D, flatGrad, false, xs, this.params);
    return { loss, flatGrad };
  }
}

/** Evaluation-head step: weighted softmax cross-entropy (softmax and its gradient in JS, Float64). */
export class HeadTrainable implements TrainableModel {
  constructor(
    private readonly layout: ParamLayout,
    readonly params: Float32Array,
    private readonly labels: Int32Array,
  ) {}

  step(tf: Tf, input: StepInput): StepOutput {
    const layout = this.layout;
    const idx = layout.layers.map((_, i) => i);
    const [m] = input.x.shape;
    const c = layout.layers[layout.layers.length - 1].units;
    const params = layout.upload(tf, this.params);
    const trace = stackForward(tf, layout, params, idx, input.x);
    const logits = trace.acts[trace.acts.length - 1].dataSync() as Float32Array;
    const w = input.sampleWeights ? (input.sampleWeights.dataSync() as Float32Array) : null;
    let wSum = 0;
    for (let i = 0; i < m; i++) wSum += w ? w[i] : 1;
    if (wSum <= 0) wSum = 1;
    const dLogits = new Float32Array(m * c);
    const rowLoss = new Float32Array(m);
    let loss = 0;
    let correct = 0;
    const p = new Float64Array(c);
    for (let i = 0; i < m; i++) {
      const y = this.labels[input.indices[i]];
      softmaxInto(logits, i * c, c, p);
      let best = 0;
      for (let j = 1; j < c; j++) if (p[j] > p[best]) best = j;
      if (best === y) correct++;
      const li = -Math.log(Math.max(p[y], 1e-12));
      rowLoss[i] = li;
      const wi = w ? w[i] : 1;
      loss += wi * li;
      for (let j = 0; j < c; j++) dLogits[i * c + j] = (wi * (p[j] - (j === y ? 1 : 0))) / wSum;
    }
    const out: StepOutput = { loss: tf.scalar(loss / wSum), rowLoss: tf.tensor1d(rowLoss), correct: tf.scalar(correct) };
    if (!input.training) return out;
    const flatGrad = new Float32Array(layout.size);
    stackBackwardInto(tf, layout, params, idx, trace, tf.tensor2d(dLogits, [m, c]), flatGrad, false, input.xData, this.params);
    return { ...out, flatGrad };
  }
}

/** Softmax of logits[o, o + c) into p (Float64, max-shifted). */
export function softmaxInto(logits: ArrayLike<number>, o: number, c: number, p: Float64Array): void {
  let mx = -Infinity;
  for (let j = 0; j < c; j++) mx = Math.max(mx, logits[o + j]);
  let s = 0;
  for (let j = 0; j < c; j++) {
    p[j] = Math.exp(logits[o + j] - mx);
    s += p[j];
  }
  for (let j = 0; j < c; j++) p[j] /= s;
}
