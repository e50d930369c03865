/**
 * A chain of dense layers run and trained on Peregrine's WebAssembly SIMD kernel (src/kernels/simd), with no TF.js
 * tensor in the loop: the fast path of the dense autoencoder (detector and feature reducer) on the WASM backend.
 *
 * Layout trick: every layer input is stored with a trailing column of ones, and a layer's slice of the flat
 * parameter vector is W (inputs x units, row-major) followed by b (units), i.e. one (inputs + 1) x units matrix
 * [W; b]. Then, with X1 = [X, 1]:
 *   forward          Y = act(X1 [W; b])        (the bias rides in the product)
 *   parameter grad   [dW; db] = X1^T dZ        (the ones column sums dZ over the batch; the result IS the flat slice)
 *   input grad       dX = dZ W^T
 * Same maths as src/training/tf/dense.ts (tests compare both against finite differences and each other).
 */
import { SimdArena } from '../../kernels/simd/index.js';
import type { Activation, ParamLayout } from './dense.js';

export class SimdDenseChain {
  private readonly arena: SimdArena;
  private readonly f: Float32Array;
  /** Offsets (floats) of the parameters and the gradient, both layout.size long, in layout order. */
  private readonly P: number;
  private readonly G: number;
  /** acts[k]: input of chain layer k (rows x (in_k + 1), ones last); acts[L]: the output (rows x out). */
  private readonly acts: number[];
  private readonly ins: number[];
  private readonly outs: number[];
  private readonly fns: Activation[];
  private readonly offs: number[];
  /** Two scratch buffers for dZ / dX (maxRows x widest layer) and one for W^T. */
  private readonly d0: number;
  private readonly d1: number;
  private readonly wT: number;
  private last = 0;

  constructor(
    private readonly layout: ParamLayout,
    layerIdx: readonly number[],
    readonly maxRows: number,
  ) {
    this.ins = layerIdx.map((i) => layout.layers[i].inputs);
    this.outs = layerIdx.map((i) => layout.layers[i].units);
    this.fns = layerIdx.map((i) => layout.layers[i].activation);
    this.offs = layerIdx.map((i) => layout.offsets[i]);
    for (let k = 1; k < layerIdx.length; k++) {
      if (this.ins[k] !== this.outs[k - 1]) throw new Error(`dense chain: layer ${layerIdx[k]} takes ${this.ins[k]} inputs, the previous gives ${this.outs[k - 1]}`);
    }
    const L = layerIdx.length;
    const widest = Math.max(...this.ins, ...this.outs);
    const lengths = [layout.size, layout.size, ...this.ins.map((w) => maxRows * (w + 1)), maxRows * this.outs[L - 1], maxRows * widest, maxRows * widest, widest * widest];
    const { offsets, total } = SimdArena.layout(lengths);
    this.arena = new SimdArena(total);
    this.f = this.arena.f32;
    this.P = offsets[0];
    this.G = offsets[1];
    this.acts = offsets.slice(2, 2 + L + 1);
    [this.d0, this.d1, this.wT] = offsets.slice(2 + L + 1);
  }

  /** Copies the flat parameter vector (layout order) into the kernel's memory. */
  setParams(params: Float32Array): void {
    this.f.set(params, this.P);
  }

  /** The gradient of the last `backward` (layout order; layers outside the chain stay 0). A view: copy to keep. */
  get grad(): Float32Array {
    return this.f.subarray(this.G, this.G + this.layout.size);
  }

  /** Runs the chain on `rows` rows of x (row-major, rows x in_0); returns a view of the output (rows x out). */
  forward(x: Float32Array, rows: number): Float32Array {
    if (rows > this.maxRows) throw new Error(`dense chain: ${rows} rows exceed the ${this.maxRows} it was sized for`);
    const f = this.f;
    const d = this.ins[0];
    const a0 = this.acts[0];
    for (let i = 0, src = 0; i < rows; i++) {
      const dst = a0 + i * (d + 1);
      for (let j = 0; j < d; j++) f[dst + j] = x[src++];
      f[dst + d] = 1;
    }
    const L = this.ins.length;
    for (let k = 0; k < L; k++) {
      const n = this.outs[k];
      const lastLayer = k === L - 1;
      const ldc = lastLayer ? n : n + 1;
      const c = this.acts[k + 1];
      this.arena.gemm(this.acts[k], this.ins[k] + 1, 1, this.P + this.offs[k], n, c, ldc, rows, this.ins[k] + 1, n);
      if (this.fns[k] === 'relu') this.arena.relu(c, rows, n, ldc);
      else activate(f, c, rows, n, ldc, this.fns[k]);
      if (!lastLayer) for (let i = 0; i < rows; i++) f[c + i * ldc + n] = 1;
    }
    this.last = rows;
    const out = this.acts[L];
    return f.subarray(out, out + rows * this.outs[L - 1]);
  }

  /** Where the caller writes dL/d(output) (rows x out, row-major) before `backward`. */
  outputGrad(rows: number): Float32Array {
    return this.f.subarray(this.d0, this.d0 + rows * this.outs[this.outs.length - 1]);
  }

  /**
   * Backward through the chain for the rows of the last `forward`, from the output gradient written into
   * `outputGrad`: fills `grad` and, when `needInput`, returns a view of dL/d(input) (rows x in_0).
   */
  backward(needInput: boolean): Float32Array | null {
    const f = this.f;
    const m = this.last;
    const L = this.ins.length;
    let dz = this.d0;
    let other = this.d1;
    for (let k = L - 1; k >= 0; k--) {
      const n = this.outs[k];
      const kin = this.ins[k];
      const yStride = k === L - 1 ? n : n + 1;
      if (this.fns[k] === 'relu') this.arena.reluGrad(dz, n, this.acts[k + 1], yStride, m, n);
      else activationGradInPlace(f, dz, this.acts[k + 1], m, n, yStride, this.fns[k]);
      // [dW; db] = [X, 1]^T dZ: A = acts[k] read transposed (row stride 1, column stride in + 1).
      this.arena.gemm(this.acts[k], 1, kin + 1, dz, n, this.G + this.offs[k], n, kin + 1, m, n);
      if (k > 0 || needInput) {
        const w = this.P + this.offs[k];
        const t = this.wT;
        for (let i = 0; i < kin; i++) for (let j = 0; j < n; j++) f[t + j * kin + i] = f[w + i * n + j];
        this.arena.gemm(dz, n, 1, t, kin, other, kin, m, n, kin);
        [dz, other] = [other, dz];
      }
    }
    return needInput ? f.subarray(dz, dz + m * this.ins[0]) : null;
  }
}

function activate(f: Float32Array, c: number, rows: number, n: number, ld: number, fn: Activation): void {
  // One loop per activation (no branch per value): these passes are a large share of a small layer's step.
  const end = c + rows * ld;
  switch (fn) {
    case 'linear':
      return;
    case 'relu':
      for (let o = c; o < end; o += ld) for (let j = o; j < o + n; j++) if (f[j] < 0) f[j] = 0;
      return;
    case 'sigmoid':
      for (let o = c; o < end; o += ld) for (let j = o; j < o + n; j++) f[j] = 1 / (1 + Math.exp(-f[j]));
      return;
    case 'tanh':
      for (let o = c; o < end; o += ld) for (let j = o; j < o + n; j++) f[j] = Math.tanh(f[j]);
      return;
  }
}

/** dz (rows x n, packed) *= act'(y), with y the activation's output (rows x n, row stride ld). */
function activationGradInPlace(f: Float32Array, dz: number, y: number, rows: number, n: number, ld: number, fn: Activation): void {
  switch (fn) {
    case 'linear':
      return;
    case 'relu':
      for (let i = 0; i < rows; i++) {
        const g = dz + i * n;
        const o = y + i * ld;
        for (let j = 0; j < n; j++) if (!(f[o + j] > 0)) f[g + j] = 0;
      }
      return;
    case 'sigmoid':
      for (let i = 0; i < rows; i++) {
        const g = dz + i * n;
        const o = y + i * ld;
        for (let j = 0; j < n; j++) f[g + j] *= f[o + j] * (1 - f[o + j]);
      }
      return;
    case 'tanh':
      for (let i = 0; i < rows; i++) {
        const g = dz + i * n;
        const o = y + i * ld;
        for (let j = 0; j < n; j++) f[g + j] *= 1 - f[o + j] * f[o + j];
      }
      return;
  }
}
