/**
 * The dense autoencoder network shared by the autoencoder detector and the feature-reduction transformer
 * (src/features/reduce): encoder d -> h1 -> ... -> bottleneck, mirrored decoder -> d with a linear output, MSE loss.
 * With hidden [64, 32, 10] and relu after every layer but the output it is exactly ../shared/peers/torch_peer.py's
 * model, so the benchmark compares like with like.
 */
import type * as TfCore from '@tensorflow/tfjs-core';
import type { Matrix } from '../../core/matrix.js';
import { ParamLayout, stackBackwardInto, stackForward, type Activation, type LayerParams } from '../../training/tf/dense.js';
import type { HostStepInput, HostStepOutput, StepInput, StepOutput, TrainableModel } from '../../training/tf/trainer.js';
import { resolveBackend, withBackend, type BackendChoice, type ResolvedBackend, type Tf } from '../../training/tf/runtime.js';
import { SimdDenseChain } from '../../training/tf/dense-simd.js';
import { simdKernelsEnabled } from '../../kernels/simd/index.js';

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
    stackBackwardInto(tf, layout, params, all, trace, tf.mul(diff, 2 / diff.size) as TfCore.Tensor2D, flatGrad, false, input.xData, this.params);
    return { loss, rowLoss, flatGrad };
  }
}

/** The same training step on the SIMD kernel (src/training/tf/dense-simd.ts), no TF.js tensor involved. */
export class AeSimdTrainable implements TrainableModel {
  readonly kernels = SIMD_KERNELS;
  private chain: SimdDenseChain | null = null;

  constructor(
    private readonly net: AeNet,
    readonly params: Float32Array,
  ) {}

  stepHost(input: HostStepInput): HostStepOutput {
    const { rows: m, cols: d, xData: x } = input;
    if (!this.chain || this.chain.maxRows < m) this.chain = new SimdDenseChain(this.net.layout, this.net.all, m);
    const chain = this.chain;
    chain.setParams(this.params);
    const y = chain.forward(x, m);
    const rowLoss = new Float64Array(m);
    let total = 0;
    for (let i = 0; i < m; i++) {
      let s = 0;
      for (let j = i * d; j < (i + 1) * d; j++) s += (y[j] - x[j]) ** 2;
      rowLoss[i] = s / d;
      total += s;
    }
    const loss = total / (m * d);
    if (!input.training) return { loss, rowLoss };
    const g = chain.outputGrad(m);
    const scale = 2 / (m * d);
    for (let j = 0; j < m * d; j++) g[j] = (y[j] - x[j]) * scale;
    chain.backward(false);
    return { loss, rowLoss, flatGrad: chain.grad };
  }
}

/** How fit reports name the SIMD path. */
export const SIMD_KERNELS = 'Peregrine WASM SIMD gemm';

/** true when dense models on this backend run on the SIMD kernels (WASM backend, SIMD present, not turned off). */
export function useSimdKernels(backend: ResolvedBackend): boolean {
  return backend.backend === 'wasm' && simdKernelsEnabled();
}

/** The dense autoencoder's training step for this backend: SIMD kernels on WASM where they run, else TF.js. */
export function aeTrainable(net: AeNet, params: Float32Array, backend: ResolvedBackend): TrainableModel {
  return useSimdKernels(backend) ? new AeSimdTrainable(net, params) : new AeTrainable(net, params);
}

/**
 * Runs a chain of dense layers over x on the chosen backend (rows x last layer's units, row-major): on the SIMD
 * kernels when they run there (chunks of SIMD_INFER_CHUNK rows through one arena), else on TF.js (runLayers).
 */
export function denseRun(choice: BackendChoice, layout: ParamLayout, weights: Float32Array, layers: readonly number[], x: Matrix): Float32Array {
  const backend = resolveBackend(choice);
  if (!useSimdKernels(backend)) return withBackend(backend.backend, (tf) => runLayers(tf, layout, weights, layers, x));
  const outDim = layout.layers[layers[layers.length - 1]].units;
  const out = new Float32Array(x.rows * outDim);
  if (x.rows === 0) return out;
  const chain = new SimdDenseChain(layout, layers, Math.min(x.rows, SIMD_INFER_CHUNK));
  chain.setParams(weights);
  for (let from = 0; from < x.rows; from += SIMD_INFER_CHUNK) {
    const to = Math.min(x.rows, from + SIMD_INFER_CHUNK);
    out.set(chain.forward(x.data.subarray(from * x.cols, to * x.cols), to - from), from * outDim);
  }
  return out;
}

/** Rows per SIMD inference chunk: small enough that a chunk's activations stay in the CPU cache. */
const SIMD_INFER_CHUNK = 512;

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
