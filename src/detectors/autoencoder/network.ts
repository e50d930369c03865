/**
 * The dense autoencoder network shared by the autoencoder detector and the feature-reduction transformer
 * (src/features/reduce): encoder d -> h1 -> ... -> bottleneck, mirrored decoder -> d with a linear output, MSE loss.
 * With hidden [64, 32, 10] and relu after every layer but the output it is exactly ../shared/peers/torch_peer.py's
 * model, so the benchmark compares like with like.
 */
import type * as TfCore from '@tensorflow/tfjs-core';
import type { Matrix } from '../../core/matrix.js';
import { ParamLayout, stackBackwardInto, stackForward, transposed, type Activation, type LayerParams } from '../../training/tf/dense.js';
import type { StepInput, StepOutput, TrainableModel } from '../../training/tf/trainer.js';
import type { Tf } from '../../training/tf/runtime.js';

export interface AeNetConfig {
  inputDim: number;
  /** Encoder widths; the last one is the bottleneck. The decoder mirrors them. */
  hidden: readonly number[];
  activation: Activation;
  bottleneckActivation: Activation;
}

export interface AeNet {
  layout: ParamLayout;
  encoder: number[];
  decoder: number[];
  all: number[];
}

export function buildAeNet(cfg: AeNetConfig): AeNet {
  const layout = new ParamLayout();
  const widths = [cfg.inputDim, ...cfg.hidden];
  const encoder: number[] = [];
  for (let i = 1; i < widths.length; i++) {
    const last = i === widths.length - 1;
    encoder.push(layout.add(`encoder${i}`, widths[i - 1], widths[i], last ? cfg.bottleneckActivation : cfg.activation));
  }
  const decoder: number[] = [];
  for (let i = widths.length - 1; i >= 1; i--) {
    decoder.push(layout.add(`decoder${widths.length - i}`, widths[i], widths[i - 1], i === 1 ? 'linear' : cfg.activation));
  }
  return { layout, encoder, decoder, all: [...encoder, ...decoder] };
}

/** Rebuilds the network from a persisted layout whose first `encoderLayers` layers are the encoder. */
export function aeNetFromLayout(layout: ParamLayout, encoderLayers: number): AeNet {
  const all = layout.layers.map((_, i) => i);
  return { layout, encoder: all.slice(0, encoderLayers), decoder: all.slice(encoderLayers), all };
}

/** Training step: MSE over all cells, hand-written backward pass, one flat gradient. */
export class AeTrainable implements TrainableModel {
  constructor(
    private readonly net: AeNet,
    readonly params: Float32Array,
  ) {}

  step(tf: Tf, input: StepInput): StepOutput {
    const { layout, all } = this.net;
    const x = input.x;
    const params = layout.upload(tf, this.params);
    const trace = stackForward(tf, layout, params, all, x);
    const diff = tf.sub(trace.acts[trace.acts.length - 1], x) as TfCore.Tensor2D;
    const rowLoss = tf.mean(tf.square(diff), 1) as TfCore.Tensor1D;
    const loss = tf.mean(rowLoss) as TfCore.Scalar;
    if (!input.training) return { loss, rowLoss };
    const flatGrad = new Float32Array(layout.size);
    const xT = tf.tensor2d(transposed(input.xData, x.shape[0], x.shape[1]), [x.shape[1], x.shape[0]]);
    stackBackwardInto(tf, layout, params, all, trace, tf.mul(diff, 2 / diff.size) as TfCore.Tensor2D, flatGrad, false, xT, this.params);
    return { loss, rowLoss, flatGrad };
  }
}

/** Rows per inference chunk: bounds memory for large inputs; results do not depend on it. */
export const INFER_CHUNK = 16384;

/**
 * Runs the given layers over x in chunks and returns their output (rows x last layer's units), row-major.
 * `weights` is uploaded once per call; every chunk runs in tf.tidy.
 */
export function runLayers(tf: Tf, layout: ParamLayout, weights: Float32Array, layers: readonly number[], x: Matrix): Float32Array {
  const outDim = layout.layers[layers[layers.length - 1]].units;
  const out = new Float32Array(x.rows * outDim);
  {
    const params: LayerParams[] = layout.upload(tf, weights);
    try {
      for (let from = 0; from < x.rows; from += INFER_CHUNK) {
        const to = Math.min(x.rows, from + INFER_CHUNK);
        const y = tf.tidy(() => {
          const xb = tf.tensor2d(x.data.subarray(from * x.cols, to * x.cols), [to - from, x.cols]);
          const trace = stackForward(tf, layout, params, layers, xb);
          return trace.acts[trace.acts.length - 1];
        });
        out.set(y.dataSync(), from * outDim);
        y.dispose();
      }
    } finally {
      for (const l of params) {
        l.w.dispose();
        l.b.dispose();
      }
    }
  }
  return out;
}

/** Per-row mean squared error between x and its reconstruction (Float64 accumulation). */
export function rowMse(x: Matrix, recon: Float32Array, out = new Float64Array(x.rows)): Float64Array {
  const { rows, cols, data } = x;
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    let s = 0;
    for (let j = 0; j < cols; j++) {
      const e = data[o + j] - recon[o + j];
      s += e * e;
    }
    out[i] = s / cols;
  }
  return out;
}

/** Per-row, per-feature share of the squared reconstruction error (rows sum to 1; an exact reconstruction gives 0s). */
export function errorShares(x: Matrix, recon: Float32Array): Float32Array {
  const { rows, cols, data } = x;
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    let s = 0;
    for (let j = 0; j < cols; j++) {
      const e = data[o + j] - recon[o + j];
      s += e * e;
    }
    if (s > 0) for (let j = 0; j < cols; j++) out[o + j] = (data[o + j] - recon[o + j]) ** 2 / s;
  }
  return out;
}
