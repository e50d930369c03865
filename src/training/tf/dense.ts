/**
 * Dense (fully connected) layers over ONE flat parameter vector, with a hand-written backward pass.
 *
 * Why not tf.layers + autodiff: per training step, TF.js' generic path runs ~200 small kernels (tape bookkeeping,
 * one Adam update of ~13 ops per weight and bias tensor) and the WASM backend's transposed matmuls take a slow
 * non-XNNPACK path (4x slower than a plain one). Here a step is: fused matmul+bias+activation per layer forward,
 * explicit transposes + plain matmuls backward, one concat of the gradients and one Adam update of the flat
 * vector: ~3x the throughput, and the same maths (tests check the gradient against finite differences).
 *
 * Layout of the flat vector, per layer in order: W (in x out, row-major) then b (out). The vector lives in JS
 * (a Float32Array) and the trainer updates it with a JS Adam (src/training/tf/adam.ts): one download of the flat
 * gradient per step instead of ~13 Adam kernels per weight tensor.
 */
import type * as TfCore from '@tensorflow/tfjs-core';
import { Rng } from '../../core/rng.js';
import type { Tf } from './runtime.js';

export type Activation = 'linear' | 'relu' | 'sigmoid' | 'tanh';
export const ACTIVATIONS = ['linear', 'relu', 'sigmoid', 'tanh'] as const;

export interface DenseLayerSpec {
  /** Layer name, for reports and persisted topology. */
  name: string;
  inputs: number;
  units: number;
  activation: Activation;
}

export interface LayerParams {
  w: TfCore.Tensor2D;
  b: TfCore.Tensor1D;
}

/** Offsets of each layer's W and b inside the flat vector. */
export class ParamLayout {
  readonly layers: DenseLayerSpec[] = [];
  readonly offsets: number[] = [];
  size = 0;

  add(name: string, inputs: number, units: number, activation: Activation): number {
    this.layers.push({ name, inputs, units, activation });
    this.offsets.push(this.size);
    this.size += inputs * units + units;
    return this.layers.length - 1;
  }

  /**
   * Uploads the per-layer tensors from the flat vector kept in JS (one copy of each W and b; no kernel runs).
   * Used by training steps and inference: cheaper than slicing a flat tensor, which the WASM backend does by
   * copying the whole input to JS for every slice.
   */
  upload(tf: Tf, params: Float32Array): LayerParams[] {
    return this.layers.map((l, i) => {
      const o = this.offsets[i];
      const nw = l.inputs * l.units;
      return { w: tf.tensor2d(params.subarray(o, o + nw), [l.inputs, l.units]), b: tf.tensor1d(params.subarray(o + nw, o + nw + l.units)) };
    });
  }

  /** Slices a flat parameter tensor into per-layer tensors (differentiable: for autodiff references). */
  unpack(tf: Tf, p: TfCore.Tensor1D): LayerParams[] {
    return this.layers.map((l, i) => {
      const o = this.offsets[i];
      return {
        w: tf.reshape(tf.slice(p, [o], [l.inputs * l.units]), [l.inputs, l.units]) as TfCore.Tensor2D,
        b: tf.slice(p, [o + l.inputs * l.units], [l.units]) as TfCore.Tensor1D,
      };
    });
  }

  /**
   * Seeded initial values: Glorot-uniform weights (Keras' default) and zero biases. Layer i draws from its own stream
   * `Rng(seed + i * 0x9e3779b9)`, so adding a layer never changes the others' initial weights.
   */
  init(seed: number): Float32Array {
    const out = new Float32Array(this.size);
    this.layers.forEach((l, i) => {
      const rng = new Rng((seed + Math.imul(i + 1, 0x9e3779b9)) >>> 0);
      const limit = Math.sqrt(6 / (l.inputs + l.units));
      const o = this.offsets[i];
      for (let k = 0; k < l.inputs * l.units; k++) out[o + k] = rng.uniform(-limit, limit);
    });
    return out;
  }
}

/** y = act(x W + b), fused into one kernel where TF.js can (linear, relu, sigmoid). */
export function dense(tf: Tf, x: TfCore.Tensor2D, p: LayerParams, activation: Activation): TfCore.Tensor2D {
  if (activation === 'tanh') return tf.tanh(tf.fused.matMul({ a: x, b: p.w, bias: p.b })) as TfCore.Tensor2D;
  return tf.fused.matMul({ a: x, b: p.w, bias: p.b, activation }) as TfCore.Tensor2D;
}

/** Gradient w.r.t. the pre-activation, given the activation's output y and the gradient w.r.t. y. */
export function activationGrad(tf: Tf, dy: TfCore.Tensor2D, y: TfCore.Tensor2D, activation: Activation): TfCore.Tensor2D {
  switch (activation) {
    case 'linear':
      return dy;
    case 'relu':
      return tf.mul(dy, tf.step(y)) as TfCore.Tensor2D;
    case 'sigmoid':
      return tf.mul(dy, tf.mul(y, tf.sub(1, y))) as TfCore.Tensor2D;
    case 'tanh':
      return tf.mul(dy, tf.sub(1, tf.square(y))) as TfCore.Tensor2D;
  }
}

/** A chain of dense layers (indices into a layout). Forward keeps each layer's input for the backward pass. */
export interface StackTrace {
  /** acts[0] = input, acts[i + 1] = output of layer i. */
  acts: TfCore.Tensor2D[];
}

export function stackForward(tf: Tf, layout: ParamLayout, params: LayerParams[], layerIdx: readonly number[], x: TfCore.Tensor2D): StackTrace {
  const acts = [x];
  let h = x;
  for (const li of layerIdx) {
    h = dense(tf, h, params[li], layout.layers[li].activation);
    acts.push(h);
  }
  return { acts };
}

/**
 * Backward through a stack, writing the gradients straight into the flat gradient vector (JS): given dL/d(output),
 * returns dL/d(input) (skipped when `needInput` is false: the first layer of a network). Per layer, ONE matmul gives
 * W's and b's gradients together: [A^T; 1] dZ, where the appended row of ones sums dZ over the batch, and its rows
 * land exactly on the layer's slice of the flat vector (W row-major, then b), so one download fills both.
 */
export function stackBackwardInto(
  tf: Tf,
  layout: ParamLayout,
  params: LayerParams[],
  layerIdx: readonly number[],
  trace: StackTrace,
  dOut: TfCore.Tensor2D,
  flatGrad: Float32Array,
  needInput: boolean,
  /** The stack's input rows in JS (row-major), when the caller has them: saves downloading acts[0]. */
  inputData?: Float32Array,
  /** The flat parameters in JS: W^T is then uploaded transposed instead of running a Transpose kernel. */
  flatParams?: Float32Array,
): TfCore.Tensor2D | null {
  let dh = dOut;
  for (let k = layerIdx.length - 1; k >= 0; k--) {
    const li = layerIdx[k];
    const { inputs, units } = layout.layers[li];
    const o = layout.offsets[li];
    const dz = activationGrad(tf, dh, trace.acts[k + 1], layout.layers[li].activation);
    // Explicit transposes: the WASM backend runs transposeA/transposeB matmuls on a slow generic path.
    const a = trace.acts[k];
    const [m] = a.shape;
    const aData = k === 0 && inputData ? inputData : (a.dataSync() as Float32Array);
    const aT1 = tf.tensor2d(transposedWithOnes(aData, m, inputs), [inputs + 1, m]);
    flatGrad.set(tf.matMul(aT1, dz).dataSync() as Float32Array, o);
    if (k > 0 || needInput) {
      const wT = flatParams ? tf.tensor2d(transposed(flatParams.subarray(o, o + inputs * units), inputs, units), [units, inputs]) : tf.transpose(params[li].w);
      dh = tf.matMul(dz, wT);
    }
  }
  return needInput ? dh : null;
}

/** [data^T; 1]: the transpose of a row-major rows x cols buffer with a row of ones appended ((cols + 1) x rows). */
export function transposedWithOnes(data: Float32Array, rows: number, cols: number): Float32Array {
  return transposed(data, rows, cols, 1).fill(1, cols * rows);
}

/**
 * The transpose of a row-major rows x cols buffer, in JS (cheaper than a Transpose kernel for a fresh batch), with
 * `extraRows` zero rows after it.
 */
export function transposed(data: Float32Array, rows: number, cols: number, extraRows = 0): Float32Array {
  const out = new Float32Array((cols + extraRows) * rows);
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    for (let j = 0; j < cols; j++) out[j * rows + i] = data[o + j];
  }
  return out;
}

/** Topology as persisted in model files (checked on load against the parameter count). */
export interface Topology {
  layers: DenseLayerSpec[];
  size: number;
}

export function topologyOf(layout: ParamLayout): Topology {
  return { layers: layout.layers.map((l) => ({ ...l })), size: layout.size };
}

export function layoutFrom(t: Topology): ParamLayout {
  const layout = new ParamLayout();
  for (const l of t.layers) layout.add(l.name, l.inputs, l.units, l.activation);
  return layout;
}
