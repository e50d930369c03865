/**
 * The VAE network (SRI paper): encoder d -> 16 -> 16 -> 16 -> (mu, log sigma^2) of a 10-d latent; decoder
 * 10 -> 16 -> 16 -> 16 -> d (linear output). Reparameterisation z = mu + exp(logvar / 2) * eps, eps ~ N(0, I) from
 * the seeded batch stream. Loss per row = sum_j (x_j - x^_j)^2 + klWeight * KL(q(z|x) || N(0, I)), averaged over the
 * batch. The backward pass is written out (the trainer's fast path; a test checks it against TF.js autodiff).
 */
import type * as TfCore from '@tensorflow/tfjs-core';
import type { Matrix } from '../../core/matrix.js';
import { ParamLayout, stackBackwardInto, stackForward, type Activation, type LayerParams } from '../../training/tf/dense.js';
import type { StepInput, StepOutput, TrainableModel } from '../../training/tf/trainer.js';
import { tidyRead, type Tf } from '../../training/tf/runtime.js';
import type { Rng } from '../../core/rng.js';

export interface VaeNet {
  layout: ParamLayout;
  encoder: number[];
  /** One layer: last hidden -> [mu | logvar] (2 * latent, linear). */
  head: number;
  decoder: number[];
  latent: number;
}

export function buildVaeNet(inputDim: number, hidden: readonly number[], latent: number, activation: Activation): VaeNet {
  const layout = new ParamLayout();
  const enc = [inputDim, ...hidden];
  const encoder: number[] = [];
  for (let i = 1; i < enc.length; i++) encoder.push(layout.add(`encoder${i}`, enc[i - 1], enc[i], activation));
  const head = layout.add('latent', enc[enc.length - 1], 2 * latent, 'linear');
  const dec = [latent, ...[...hidden].reverse(), inputDim];
  const decoder: number[] = [];
  for (let i = 1; i < dec.length; i++) decoder.push(layout.add(`decoder${i}`, dec[i - 1], dec[i], i === dec.length - 1 ? 'linear' : activation));
  return { layout, encoder, head, decoder, latent };
}

/** Rebuilds the index sets from a persisted layout (encoder layers, then the head, then the decoder). */
export function vaeNetFromLayout(layout: ParamLayout, encoderLayers: number, latent: number): VaeNet {
  const n = layout.layers.length;
  const idx = Array.from({ length: n }, (_, i) => i);
  return { layout, encoder: idx.slice(0, encoderLayers), head: encoderLayers, decoder: idx.slice(encoderLayers + 1), latent };
}

/** Standard normal draws, rows x cols, from a seeded stream. */
export function normals(rng: Rng, n: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.normal();
  return out;
}

interface Encoded {
  mu: TfCore.Tensor2D;
  logvar: TfCore.Tensor2D;
}

function encodeOps(tf: Tf, net: VaeNet, params: LayerParams[], x: TfCore.Tensor2D): Encoded & { h: TfCore.Tensor2D; trace: ReturnType<typeof stackForward> } {
  const trace = stackForward(tf, net.layout, params, net.encoder, x);
  const h = trace.acts[trace.acts.length - 1];
  const stats = tf.fused.matMul({ a: h, b: params[net.head].w, bias: params[net.head].b }) as TfCore.Tensor2D;
  const m = x.shape[0];
  return {
    mu: tf.slice(stats, [0, 0], [m, net.latent]),
    logvar: tf.slice(stats, [0, net.latent], [m, net.latent]),
    h,
    trace,
  };
}

export class VaeTrainable implements TrainableModel {
  constructor(
    private readonly net: VaeNet,
    readonly params: Float32Array,
    private readonly klWeight: number,
  ) {}

  step(tf: Tf, input: StepInput): StepOutput {
    const { net } = this;
    const { layout } = net;
    const x = input.x;
    const m = x.shape[0];
    const d = x.shape[1];
    const params = layout.upload(tf, this.params);
    const enc = encodeOps(tf, net, params, x);
    const eps = tf.tensor2d(normals(input.rng, m * net.latent), [m, net.latent]);
    const std = tf.exp(tf.mul(enc.logvar, 0.5)) as TfCore.Tensor2D;
    const z = tf.add(enc.mu, tf.mul(std, eps)) as TfCore.Tensor2D;
    const dec = stackForward(tf, layout, params, net.decoder, z);
    const diff = tf.sub(dec.acts[dec.acts.length - 1], x) as TfCore.Tensor2D;
    const rowSq = tf.sum(tf.square(diff), 1) as TfCore.Tensor1D;
    const varz = tf.square(std) as TfCore.Tensor2D;
    const kl = tf.mul(tf.sum(tf.sub(tf.add(tf.square(enc.mu), varz), tf.add(enc.logvar, 1)), 1), 0.5) as TfCore.Tensor1D;
    const loss = tf.mean(tf.add(rowSq, tf.mul(kl, this.klWeight))) as TfCore.Scalar;
    // The threshold statistics are per-row reconstruction MSE (the unit of score 'mse').
    const rowLoss = tf.div(rowSq, d) as TfCore.Tensor1D;
    if (!input.training) return { loss, rowLoss };
    const flatGrad = new Float32Array(layout.size);
    const dz = stackBackwardInto(tf, layout, params, net.decoder, dec, tf.mul(diff, 2 / m) as TfCore.Tensor2D, flatGrad, true, undefined, this.params) as TfCore.Tensor2D;
    const bw = this.klWeight / m;
    const dmu = tf.add(dz, tf.mul(enc.mu, bw));
    // d/dlogvar: reparameterisation (dz * eps * std / 2) + KL ((exp(logvar) - 1) / 2).
    const dlogvar = tf.add(tf.mul(tf.mul(dz, eps), tf.mul(std, 0.5)), tf.mul(tf.sub(varz, 1), 0.5 * bw));
    const dStats = tf.concat([dmu, dlogvar], 1) as TfCore.Tensor2D;
    const headTrace = { acts: [enc.h, dStats] };
    const dh = stackBackwardInto(tf, layout, params, [net.head], headTrace, dStats, flatGrad, true, undefined, this.params) as TfCore.Tensor2D;
    stackBackwardInto(tf, layout, params, net.encoder, enc.trace, dh, flatGrad, false, input.xData, this.params);
    return { loss, rowLoss, flatGrad };
  }
}

/** Inference passes over x in chunks, weights uploaded once. Each callback runs in tf.tidy per chunk. */
export function withVaeParams<T>(tf: Tf, net: VaeNet, weights: Float32Array, fn: (params: LayerParams[]) => T): T {
  const params = net.layout.upload(tf, weights);
  try {
    return fn(params);
  } finally {
    for (const l of params) {
      l.w.dispose();
      l.b.dispose();
    }
  }
}

/** Latent mean and log-variance of each row of x (already scaled): two rows x latent buffers. */
export function encodeRows(tf: Tf, net: VaeNet, params: LayerParams[], x: Matrix, from: number, to: number): { mu: Float32Array; logvar: Float32Array } {
  return tidyRead(tf, () => {
    const xb = tf.tensor2d(x.data.subarray(from * x.cols, to * x.cols), [to - from, x.cols]);
    const e = encodeOps(tf, net, params, xb);
    return { mu: e.mu, logvar: e.logvar };
  });
}

/** Decodes latent rows (n x latent) into reconstructions (n x d). */
export function decodeRows(tf: Tf, net: VaeNet, params: LayerParams[], z: Float32Array, n: number): Float32Array {
  return tidyRead(tf, () => {
    const zt = tf.tensor2d(z, [n, net.latent]);
    const dec = stackForward(tf, net.layout, params, net.decoder, zt);
    return { y: dec.acts[dec.acts.length - 1] };
  }).y;
}
