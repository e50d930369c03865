/**
 * The twin CNN of the few-shot report (Koch et al.'s Siamese network scaled to 32 x 32 flow images), shared weights:
 *
 *   conv 64 5x5 relu -> maxpool 2 -> conv 128 3x3 relu -> maxpool 2 -> conv 128 3x3 relu -> maxpool 2
 *   -> conv 256 3x3 relu -> flatten -> dense 4096 sigmoid          (the embedding, one per image)
 *   |e1 - e2| (L1 distance, per unit) -> dense 1 sigmoid           (P(same class))
 *
 * Convolutions use 'same' padding (with 'valid' a 32 x 32 input shrinks to nothing before the fourth convolution),
 * stride 1; pools are 2 x 2, stride 2. A 32 x 32 image gives a 4 x 4 x 256 = 4,096-value flatten, so the dense
 * layer holds 16.8 M of the network's 17.3 M parameters.
 *
 * Conv filter gradients: TF.js's WASM backend has no Conv2DBackpropFilter kernel, and the cpu backend's is a naive
 * loop (measured: 18 s for 8 images at the 64 -> 128 layer, ~100x the forward cost). With `convGrad: 'correlation'`
 * (default) the filter gradient is computed as what it is, a correlation of the input with the output gradient,
 * i.e. one forward Conv2D on transposed tensors (dW[a,b,i,o] = sum_{n,y,x} Xpad[n,y+a,x+b,i] dY[n,y,x,o]); every
 * other gradient kernel (Conv2DBackpropInput, MaxPoolGrad) exists in WASM, so training runs there. `'native'` uses
 * TF.js's own gradient and therefore the runtime's cpu fallback.
 */
import type * as TfCore from '@tensorflow/tfjs-core';
import type { Matrix } from '../../core/matrix.js';
import { Rng } from '../../core/rng.js';
import { layRow } from '../../features/imaging/layout.js';
import type { Tf } from '../../training/tf/runtime.js';
import type { StepInput, StepOutput, TrainableModel } from '../../training/tf/trainer.js';

export const EMBED_UNITS = 4096;

export interface WeightSpec {
  name: string;
  shape: number[];
  /** Glorot fan-in / fan-out (0 for biases, initialised to zero). */
  fanIn: number;
  fanOut: number;
}

/** Weight tensors in persistence order. */
export function weightSpecs(size: number): WeightSpec[] {
  const convs: [string, number, number, number][] = [
    ['conv1', 5, 1, 64],
    ['conv2', 3, 64, 128],
    ['conv3', 3, 128, 128],
    ['conv4', 3, 128, 256],
  ];
  const specs: WeightSpec[] = [];
  for (const [name, k, ci, co] of convs) {
    specs.push({ name: `${name}/kernel`, shape: [k, k, ci, co], fanIn: k * k * ci, fanOut: k * k * co });
    specs.push({ name: `${name}/bias`, shape: [co], fanIn: 0, fanOut: 0 });
  }
  const flat = flattenSize(size);
  specs.push({ name: 'embed/kernel', shape: [flat, EMBED_UNITS], fanIn: flat, fanOut: EMBED_UNITS });
  specs.push({ name: 'embed/bias', shape: [EMBED_UNITS], fanIn: 0, fanOut: 0 });
  specs.push({ name: 'head/kernel', shape: [EMBED_UNITS, 1], fanIn: EMBED_UNITS, fanOut: 1 });
  specs.push({ name: 'head/bias', shape: [1], fanIn: 0, fanOut: 0 });
  return specs;
}

/** Side after three 2x2 pools (floor each time), times itself, times 256 channels. */
export function flattenSize(size: number): number {
  let s = size;
  for (let i = 0; i < 3; i++) s = Math.floor(s / 2);
  return s * s * 256;
}

export function specLength(s: WeightSpec): number {
  return s.shape.reduce((a, b) => a * b, 1);
}

/** Seeded kernels (He-uniform for the relu convolutions, Glorot-uniform for the dense layers), zero biases, flat. */
export function initWeights(specs: readonly WeightSpec[], seed: number): Float32Array {
  const total = specs.reduce((a, s) => a + specLength(s), 0);
  const out = new Float32Array(total);
  const rng = new Rng(seed);
  let off = 0;
  for (const s of specs) {
    const n = specLength(s);
    if (s.fanIn > 0) {
      // Conv kernels feed relus: He-uniform (sqrt(6 / fan_in)) keeps the activation scale through the four layers.
      // With Glorot it shrank ~2.7x from conv1 to conv4 on z-scored k8s flows, the 4,096 sigmoid units all sat near
      // 0.5 and |e1 - e2| carried almost no signal: pair accuracy stayed at chance for 128 Adam steps.
      const conv = s.name.startsWith('conv');
      const limit = conv ? Math.sqrt(6 / s.fanIn) : Math.sqrt(6 / (s.fanIn + s.fanOut));
      // The head starts as a (random) weighted L1 distance: negative weights, so a larger distance reads as less
      // similar before any training; a symmetric init makes the untrained similarity unrelated to distance.
      const head = s.name === 'head/kernel';
      for (let i = 0; i < n; i++) out[off + i] = head ? -rng.next() * limit : (2 * rng.next() - 1) * limit;
    }
    off += n;
  }
  return out;
}

/** Splits the flat vector into per-spec views (no copy). */
export function splitWeights(specs: readonly WeightSpec[], flat: Float32Array): Float32Array[] {
  const out: Float32Array[] = [];
  let off = 0;
  for (const s of specs) {
    const n = specLength(s);
    out.push(flat.subarray(off, off + n));
    off += n;
  }
  return out;
}

export type ConvGrad = 'correlation' | 'native';

/** Kernels a backend needs to train with this conv-gradient mode (for resolveBackend). */
export function trainingKernels(mode: ConvGrad): string[] {
  const base = ['Conv2D', 'MaxPool', 'Conv2DBackpropInput', 'MaxPoolGrad', 'Transpose', 'PadV2'];
  return mode === 'native' ? [...base, 'Conv2DBackpropFilter'] : base;
}
export const INFERENCE_KERNELS = ['Conv2D', 'MaxPool', 'BatchMatMul', 'Sigmoid', 'Relu'];

/** Stride-1 'same' conv whose filter gradient is a forward Conv2D (see the header comment). */
function conv2dCorrelationGrad(tf: Tf, x: TfCore.Tensor4D, w: TfCore.Tensor4D): TfCore.Tensor4D {
  const f = tf.customGrad((...args: unknown[]) => {
    const x4 = args[0] as TfCore.Tensor4D;
    const w4 = args[1] as TfCore.Tensor4D;
    const save = args[2] as (t: TfCore.Tensor[]) => void;
    save([x4, w4]);
    return {
      value: tf.conv2d(x4, w4, 1, 'same'),
      gradFunc: (dy: TfCore.Tensor4D, saved: TfCore.Tensor[]) => {
        const [sx, sw] = saved as [TfCore.Tensor4D, TfCore.Tensor4D];
        const g = dy as TfCore.Tensor4D;
        const k = sw.shape[0];
        const p = (k - 1) / 2;
        // dX of a stride-1 'same' conv = 'same' conv of dY with the kernel flipped in space and its channels swapped:
        // exact, and a forward Conv2D on WASM runs ~5-9x faster than its Conv2DBackpropInput (measured, 64 images).
        const dx = tf.conv2d(g, tf.transpose(tf.reverse(sw, [0, 1]), [0, 1, 3, 2]) as TfCore.Tensor4D, 1, 'same');
        const xt = tf.transpose(tf.pad(sx, [[0, 0], [p, p], [p, p], [0, 0]]), [3, 1, 2, 0]) as TfCore.Tensor4D; // [ci, H+2p, W+2p, n]
        const gt = tf.transpose(g, [1, 2, 0, 3]) as TfCore.Tensor4D; // [H, W, n, co]
        const dw = tf.transpose(tf.conv2d(xt, gt, 1, 'valid'), [1, 2, 0, 3]); // [ci, k, k, co] -> [k, k, ci, co]
        return [dx, dw];
      },
    };
  });
  return f(x, w) as TfCore.Tensor4D;
}

/**
 * x @ w with hand-placed transposes in the gradient: TF.js's WASM BatchMatMul with transposeA / transposeB flags
 * (what the automatic gradient of matMul uses) took 1-2 s for the 4096 x 4096 embedding layer at 64 rows, ~10-25x
 * its forward cost; transposing the small operand explicitly and multiplying untransposed takes a fraction of that.
 */
function matMulFastGrad(tf: Tf, x: TfCore.Tensor2D, w: TfCore.Tensor2D): TfCore.Tensor2D {
  const f = tf.customGrad((...args: unknown[]) => {
    const a = args[0] as TfCore.Tensor2D;
    const b = args[1] as TfCore.Tensor2D;
    const save = args[2] as (t: TfCore.Tensor[]) => void;
    save([a, b]);
    return {
      value: tf.matMul(a, b) as TfCore.Tensor2D,
      gradFunc: (dy: TfCore.Tensor2D, saved: TfCore.Tensor[]) => {
        const [sa, sb] = saved as [TfCore.Tensor2D, TfCore.Tensor2D];
        const dyT = tf.transpose(dy) as TfCore.Tensor2D;
        const da = tf.transpose(tf.matMul(sb, dyT)); // (B dY^T)^T = dY B^T
        const db = tf.matMul(tf.transpose(sa) as TfCore.Tensor2D, dy); // A^T dY
        return [da, db];
      },
    };
  });
  return f(x, w) as TfCore.Tensor2D;
}

/** Embeddings (n x 4096) of images (n x size x size x 1). `ws` in weightSpecs order. */
export function embed(tf: Tf, ws: readonly TfCore.Tensor[], images: TfCore.Tensor4D, convGrad: ConvGrad = 'native'): TfCore.Tensor2D {
  let h = images;
  for (let l = 0; l < 4; l++) {
    const w = ws[2 * l] as TfCore.Tensor4D;
    const conv = convGrad === 'correlation' ? conv2dCorrelationGrad(tf, h, w) : tf.conv2d(h, w, 1, 'same');
    h = tf.relu(tf.add(conv, ws[2 * l + 1])) as TfCore.Tensor4D;
    if (l < 3) h = tf.maxPool(h, 2, 2, 'valid');
  }
  const flat = tf.reshape(h, [h.shape[0], h.shape[1] * h.shape[2] * h.shape[3]]) as TfCore.Tensor2D;
  const dense = convGrad === 'correlation' ? matMulFastGrad(tf, flat, ws[8] as TfCore.Tensor2D) : tf.matMul(flat, ws[8] as TfCore.Tensor2D);
  return tf.sigmoid(tf.add(dense, ws[9])) as TfCore.Tensor2D;
}

/** Head logit of pairs: w . |a - b| + b (rows of a and b paired). */
export function pairLogits(tf: Tf, ws: readonly TfCore.Tensor[], a: TfCore.Tensor2D, b: TfCore.Tensor2D): TfCore.Tensor1D {
  const d = tf.abs(tf.sub(a, b)) as TfCore.Tensor2D;
  return tf.reshape(tf.add(tf.matMul(d, ws[10] as TfCore.Tensor2D), ws[11]), [a.shape[0]]) as TfCore.Tensor1D;
}

/**
 * The images of n pairs (row indices at pairs[2k], pairs[2k + 1]): all first members, then all second members, so
 * one batch embeds both and a split halves it (2n x size x size, row-major).
 */
function pairImages(x: Matrix, pairs: ArrayLike<number>, n: number, size: number): Float32Array {
  const px = size * size;
  const both = new Float32Array(2 * n * px);
  for (let k = 0; k < n; k++) {
    layRow(x, pairs[2 * k], both, k * px, size);
    layRow(x, pairs[2 * k + 1], both, (n + k) * px, size);
  }
  return both;
}

/**
 * Data-dependent start for the head (the data init of weight normalisation / LSUV): on a sample of training pairs,
 * scale the (negative) head weights so the untrained logits have unit spread and set the bias so they centre on 0.
 * Why: summed over 4,096 distance units, the Glorot-scaled head starts at logits of -2 to -20 on flow images, so
 * every same-class pair costs ~10 nats; the first Adam steps then push the sigmoid embedding into saturation,
 * |e1 - e2| becomes 0 for every pair and the loss sticks at ln 2 (measured on k8s-flows: pair accuracy 0.50 after
 * 15 epochs at lr 1e-3 and 1e-4). Returns the logits' mean and spread before the rescale, for the fit report.
 */
export function calibrateHead(tf: Tf, vars: readonly TfCore.Variable[], x: Matrix, pairs: Float32Array, n: number, size: number): { mean: number; sd: number } {
  const both = pairImages(x, pairs, n, size);
  const z = tf.tidy(() => {
    const e = embed(tf, vars, tf.tensor4d(both, [2 * n, size, size, 1]));
    const [a, b] = tf.split(e, 2, 0) as [TfCore.Tensor2D, TfCore.Tensor2D];
    return tf.add(tf.matMul(tf.abs(tf.sub(a, b)), vars[10] as TfCore.Tensor2D), vars[11]);
  });
  const v = z.dataSync();
  z.dispose();
  let mean = 0;
  for (const t of v) mean += t;
  mean /= v.length;
  let sq = 0;
  for (const t of v) sq += (t - mean) ** 2;
  const sd = Math.sqrt(sq / v.length);
  const scale = sd > 1e-6 ? 1 / sd : 1;
  tf.tidy(() => {
    vars[10].assign(tf.mul(vars[10], scale));
    vars[11].assign(tf.mul(tf.sub(vars[11], mean), scale));
  });
  return { mean, sd };
}

/**
 * Training on pairs: the trainer's "rows" are pairs [i, j] (row indices of `x`, laid into images per batch), its labels 1 = same class,
 * 0 = different. Loss: binary cross-entropy on the head logit (the numerically stable form).
 */
export class SiameseTrainable implements TrainableModel {
  readonly autodiff = true;

  constructor(
    readonly variables: readonly TfCore.Variable[],
    private readonly x: Matrix,
    private readonly size: number,
    private readonly convGrad: ConvGrad,
  ) {}

  step(tf: Tf, input: StepInput): StepOutput {
    const m = input.x.shape[0];
    const both = pairImages(this.x, input.xData, m, this.size);
    const e = embed(tf, this.variables, tf.tensor4d(both, [2 * m, this.size, this.size, 1]), this.convGrad);
    const [a, b] = tf.split(e, 2, 0) as [TfCore.Tensor2D, TfCore.Tensor2D];
    const z = pairLogits(tf, this.variables, a, b);
    const y = tf.cast(input.labels as TfCore.Tensor1D, 'float32');
    // max(z, 0) - z*y + log(1 + exp(-|z|))
    const rowLoss = tf.add(tf.sub(tf.relu(z), tf.mul(z, y)), tf.log1p(tf.exp(tf.neg(tf.abs(z))))) as TfCore.Tensor1D;
    const loss = tf.mean(rowLoss) as TfCore.Scalar;
    const correct = tf.sum(tf.cast(tf.equal(tf.cast(tf.greater(z, 0), 'float32'), y), 'float32')) as TfCore.Scalar;
    return { loss, rowLoss, correct };
  }
}
