/**
 * The training loop shared by every neural model (tfjs-layers' fit loop and PyOD's base_dl, reduced to what the
 * models here need): seeded validation split, seeded shuffling each epoch, mini-batches, Adam, optional class
 * weights, early stopping with best-weights restore, per-epoch progress and a recorded history.
 *
 * The model supplies one function, `step`: the loss of a batch and (when training) the gradients of its variables.
 * Models with a hand-written backward pass return `grads`; others set `autodiff` and the trainer differentiates the
 * loss with tf.variableGrads. Every batch runs inside tf.tidy and the optimizer is disposed at the end: a fit leaves
 * no tensor behind except the model's own variables (flat-parameter models have none).
 */
import type * as TfCore from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { Rng } from '../../core/rng.js';
import { PeregrineError } from '../../core/errors.js';
import { getTfFull, type Tf } from './runtime.js';
import { FlatAdam } from './adam.js';

export interface StepInput {
  /** The batch rows (rows x cols). */
  x: TfCore.Tensor2D;
  /** The same rows in JS (row-major), for models that build more inputs from them (e.g. the transpose). */
  xData: Float32Array;
  /** Class index per row (int32), when the training data has labels. */
  labels: TfCore.Tensor1D | null;
  /** Per-row weight from the class weights (null = all 1); losses should be weighted means with it. */
  sampleWeights: TfCore.Tensor1D | null;
  /** Training-set row indices of the batch rows (for per-row bookkeeping). */
  indices: Uint32Array;
  /** A seeded stream for this batch (noise, dropout masks, sampling): same seed, same stream. */
  rng: Rng;
  /** false for validation batches: no gradients needed, stochastic parts may be turned off. */
  training: boolean;
}

export interface StepOutput {
  /** Mean loss over the batch (a scalar). */
  loss: TfCore.Scalar;
  /** Gradients in the order of `model.variables` (required when training, unless the model sets `autodiff`). */
  grads?: TfCore.Tensor[];
  /** Flat-parameter models: the gradient already in JS (instead of `grads[0]`, saves a download). */
  flatGrad?: Float32Array;
  /** Per-row loss or error, collected over the last epoch when `collectRowLoss` is set. */
  rowLoss?: TfCore.Tensor1D;
  /** Number of correctly classified rows in the batch, for accuracy curves. */
  correct?: TfCore.Scalar;
}

/** A batch for models that run outside TF.js (`stepHost`): plain arrays, no tensors. */
export interface HostStepInput {
  xData: Float32Array;
  rows: number;
  cols: number;
  labels: Int32Array | null;
  sampleWeights: Float32Array | null;
  indices: Uint32Array;
  rng: Rng;
  training: boolean;
}

export interface HostStepOutput {
  loss: number;
  /** The flat gradient (required when training); may be a view the model reuses: the trainer consumes it at once. */
  flatGrad?: Float32Array;
  rowLoss?: ArrayLike<number>;
  correct?: number;
}

/**
 * Two kinds of models:
 * - `params`: one flat Float32 parameter vector kept in JS; `step` uploads what it needs and returns ONE flat
 *   gradient (`grads[0]`); the trainer applies a JS Adam (FlatAdam) in place. The fast path of the dense models.
 * - `variables`: TF.js variables updated by tf.train.adam; `grads` in variable order, or `autodiff: true` and the
 *   trainer differentiates the loss with tf.variableGrads (for models built from arbitrary TF.js ops).
 */
export interface TrainableModel {
  readonly params?: Float32Array;
  readonly variables?: readonly TfCore.Variable[];
  /** true: the trainer computes gradients of `step(...).loss` itself (tf.variableGrads). Variables only. */
  readonly autodiff?: boolean;
  /** One batch on TF.js tensors. */
  step?(tf: Tf, input: StepInput): StepOutput;
  /** One batch on plain arrays, for flat-parameter models with kernels of their own (used instead of `step`). */
  stepHost?(input: HostStepInput): HostStepOutput;
}

export interface TrainData {
  /** Row-major rows x cols. */
  x: Float32Array;
  rows: number;
  cols: number;
  labels?: Int32Array;
  /** Number of classes (for class weights); defaults to max label + 1. */
  classes?: number;
}

/** The trainer's options as a schema fragment detectors spread into their parameter schemas. */
export const trainerParamsShape = {
  epochs: z.number().int().min(1).max(100000),
  batchSize: z.number().int().min(1).default(256),
  learningRate: z.number().positive().default(1e-3),
  beta1: z.number().min(0).lt(1).default(0.9),
  beta2: z.number().min(0).lt(1).default(0.999),
  epsilon: z.number().positive().default(1e-8),
  /** Fraction of the training rows held out (seeded) to monitor the loss; 0 = none. */
  validationSplit: z.number().min(0).lt(1).default(0.1),
  /** Stop after this many epochs without a validation-loss improvement larger than minDelta; 0 = never. */
  patience: z.number().int().min(0).default(5),
  minDelta: z.number().min(0).default(0),
  /** Restore the weights of the best validation epoch when training ends. */
  restoreBestWeights: z.boolean().default(true),
};

/** Supervised models add this: 'balanced' (n / (classes * count)), explicit weights per class, or none. */
export const classWeightsShape = {
  classWeights: z.union([z.literal('balanced'), z.array(z.number().min(0))]).nullable().default(null),
};

export interface TrainerOptions {
  epochs: number;
  batchSize: number;
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  validationSplit: number;
  patience: number;
  minDelta: number;
  restoreBestWeights: boolean;
  classWeights?: 'balanced' | number[] | null;
  seed: number;
  shuffle?: boolean;
  onProgress?: (epoch: number, epochs: number) => void;
  /** Keep the per-row losses of the last epoch run (e.g. the VAE's threshold statistics). */
  collectRowLoss?: boolean;
  /** Rows per validation batch (forward only). */
  evalBatchSize?: number;
}

export interface TrainingHistory {
  loss: number[];
  valLoss: number[];
  accuracy: number[];
  valAccuracy: number[];
}

export interface TrainResult {
  history: TrainingHistory;
  epochsRun: number;
  /** 1-based epoch whose weights the model ends with. */
  bestEpoch: number;
  stoppedEarly: boolean;
  trainRows: number;
  validationRows: number;
  seconds: number;
  /** Training rows x epochs run / seconds (the benchmark's training throughput). */
  rowsPerSecond: number;
  /** Per training row (training-set order) loss in the last epoch run, when asked. */
  lastEpochRowLoss: Float64Array | null;
}

/** Splits rows into (train, validation) index sets with a seeded permutation. */
export function splitRows(rows: number, fraction: number, rng: Rng): { train: Uint32Array; validation: Uint32Array } {
  const perm = new Uint32Array(rows);
  for (let i = 0; i < rows; i++) perm[i] = i;
  let nVal = fraction > 0 ? Math.floor(rows * fraction) : 0;
  if (nVal < 1 || rows - nVal < 1) nVal = 0;
  if (nVal > 0) rng.shuffle(perm);
  const train = perm.slice(0, rows - nVal).sort();
  const validation = perm.slice(rows - nVal).sort();
  return { train, validation };
}

export function classWeightsFor(labels: Int32Array, classes: number, spec: 'balanced' | number[]): Float32Array {
  const w = new Float32Array(classes).fill(1);
  if (spec === 'balanced') {
    const counts = new Float64Array(classes);
    for (const l of labels) counts[l]++;
    const present = counts.filter((c) => c > 0).length || 1;
    for (let c = 0; c < classes; c++) w[c] = counts[c] > 0 ? labels.length / (present * counts[c]) : 0;
  } else {
    if (spec.length < classes) {
      throw new PeregrineError('PGN_ERR_BAD_PARAM', `classWeights has ${spec.length} values for ${classes} classes`, { where: 'classWeights' });
    }
    for (let c = 0; c < classes; c++) w[c] = spec[c];
  }
  return w;
}

/** Copies the rows `idx[from, to)` of `data` into a new row-major buffer. */
function gather(data: TrainData, idx: Uint32Array, from: number, to: number): Float32Array {
  const { cols, x } = data;
  const out = new Float32Array((to - from) * cols);
  for (let k = from, o = 0; k < to; k++) {
    const src = idx[k] * cols;
    for (let j = 0; j < cols; j++, o++) out[o] = x[src + j];
  }
  return out;
}

interface BatchStats {
  loss: number;
  correct: number;
}

export function train(tf: Tf, model: TrainableModel, data: TrainData, opts: TrainerOptions): TrainResult {
  const t0 = performance.now();
  if (model.autodiff) getTfFull(); // registers the gradient functions
  const rng = new Rng(opts.seed);
  const splitRng = rng.fork();
  const shuffleRng = rng.fork();
  const stepRng = rng.fork();
  const { train: trainIdx, validation: valIdx } = splitRows(data.rows, opts.validationSplit, splitRng);
  let classes = data.classes ?? 0;
  if (data.labels && data.classes === undefined) for (const l of data.labels) classes = Math.max(classes, l + 1);
  const cw = data.labels && opts.classWeights ? classWeightsFor(data.labels, classes, opts.classWeights) : null;
  const flat = model.params ?? null;
  const vars = model.variables ?? [];
  if (!flat && vars.length === 0) throw new Error('trainer: the model has neither params nor variables');
  if (!model.step && !model.stepHost) throw new Error('trainer: the model has neither step() nor stepHost()');
  if (flat && model.autodiff) throw new Error('trainer: autodiff needs TF.js variables, not a flat params vector');
  const flatAdam = flat ? new FlatAdam(flat.length, opts.learningRate, opts.beta1, opts.beta2, opts.epsilon) : null;
  const optimizer = flat ? null : tf.train.adam(opts.learningRate, opts.beta1, opts.beta2, opts.epsilon);
  const snapshot = (): Float32Array[] => (flat ? [flat.slice()] : vars.map((v) => v.dataSync().slice() as Float32Array));
  const history: TrainingHistory = { loss: [], valLoss: [], accuracy: [], valAccuracy: [] };
  const hasVal = valIdx.length > 0;
  let best = Infinity;
  let bestEpoch = 0;
  let bestWeights: Float32Array[] | null = null;
  let wait = 0;
  let stoppedEarly = false;
  let epochsRun = 0;
  let rowLoss: Float64Array | null = null;
  const order = trainIdx.slice();
  const bs = Math.max(1, Math.min(opts.batchSize, order.length));

  // Tensors an autodiff step produced besides its loss: kept out of variableGrads' scope, disposed after the batch.
  const extra: TfCore.Tensor[] = [];
  const runBatch = (idx: Uint32Array, from: number, to: number, training: boolean, rows: Float64Array | null, rowBase: number): BatchStats => {
    if (model.stepHost) return runHostBatch(idx, from, to, training, rows, rowBase);
    try {
      return runBatchInner(idx, from, to, training, rows, rowBase);
    } finally {
      for (const t of extra.splice(0)) t.dispose();
    }
  };
  /** The batch's rows, training-set indices, labels and per-row class weights, as plain arrays (both step kinds). */
  const batchOf = (idx: Uint32Array, from: number, to: number) => {
    const batchIdx = idx.slice(from, to);
    let labels: Int32Array | null = null;
    let sampleWeights: Float32Array | null = null;
    if (data.labels) {
      const all = data.labels;
      labels = Int32Array.from(batchIdx, (r) => all[r]);
      if (cw) sampleWeights = Float32Array.from(labels, (c) => cw[c]);
    }
    return { m: to - from, xData: gather(data, idx, from, to), batchIdx, labels, sampleWeights };
  };
  /** One Adam step of the flat parameter vector from its gradient. */
  const applyFlat = (g: ArrayLike<number>): void => {
    if (g.length !== (flat as Float32Array).length) throw new Error(`trainer: flat gradient has ${g.length} values for ${(flat as Float32Array).length} parameters`);
    (flatAdam as FlatAdam).apply(flat as Float32Array, g);
  };
  const runHostBatch = (idx: Uint32Array, from: number, to: number, training: boolean, rows: Float64Array | null, rowBase: number): BatchStats => {
    const { m, xData, batchIdx, labels, sampleWeights } = batchOf(idx, from, to);
    const stepHost = model.stepHost as NonNullable<TrainableModel['stepHost']>;
    const out = stepHost.call(model, { xData, rows: m, cols: data.cols, labels, sampleWeights, indices: batchIdx, rng: stepRng.fork(), training });
    if (training) {
      if (!flat || !out.flatGrad) throw new Error('trainer: stepHost() needs a flat-parameter model and must return flatGrad while training');
      applyFlat(out.flatGrad);
    }
    if (rows && out.rowLoss) for (let k = 0; k < m; k++) rows[rowBase + k] = out.rowLoss[k];
    return { loss: out.loss, correct: out.correct ?? NaN };
  };
  const runBatchInner = (idx: Uint32Array, from: number, to: number, training: boolean, rows: Float64Array | null, rowBase: number): BatchStats =>
    tf.tidy(() => {
      const b = batchOf(idx, from, to);
      const m = b.m;
      const x = tf.tensor2d(b.xData, [m, data.cols]);
      const labels = b.labels ? tf.tensor1d(b.labels, 'int32') : null;
      const sampleWeights = b.sampleWeights ? tf.tensor1d(b.sampleWeights) : null;
      const input: StepInput = { x, xData: b.xData, labels, sampleWeights, indices: b.batchIdx, rng: stepRng.fork(), training };
      let out: StepOutput;
      if (training && model.autodiff) {
        let kept: StepOutput | null = null;
        const step = model.step as NonNullable<TrainableModel['step']>;
        const { value, grads } = tf.variableGrads(() => {
          const o = step.call(model, tf, input);
          for (const t of [o.rowLoss, o.correct]) if (t) extra.push(tf.keep(t));
          kept = o;
          return o.loss;
        }, vars as TfCore.Variable[]);
        const k = kept as unknown as StepOutput;
        out = { loss: value, grads: vars.map((v) => grads[v.name]), rowLoss: k.rowLoss, correct: k.correct };
      } else {
        out = (model.step as NonNullable<TrainableModel['step']>).call(model, tf, input);
      }
      if (training) {
        const grads = out.grads;
        if (!out.flatGrad && (!grads || grads.length !== (flat ? 1 : vars.length))) throw new Error('trainer: step() returned no gradients while training');
        if (flat) {
          applyFlat(out.flatGrad ?? (grads as TfCore.Tensor[])[0].dataSync());
        } else {
          const gs = grads as TfCore.Tensor[];
          (optimizer as NonNullable<typeof optimizer>).applyGradients(vars.map((v, i) => ({ name: v.name, tensor: gs[i] })));
        }
      }
      if (rows && out.rowLoss) {
        const rl = out.rowLoss.dataSync();
        for (let k = 0; k < m; k++) rows[rowBase + k] = rl[k];
      }
      return { loss: out.loss.dataSync()[0], correct: out.correct ? out.correct.dataSync()[0] : NaN };
    });

  const evalBatch = opts.evalBatchSize ?? 4096;
  try {
    for (let epoch = 0; epoch < opts.epochs; epoch++) {
      if (opts.shuffle !== false) shuffleRng.shuffle(order);
      const last = epoch === opts.epochs - 1;
      const rows = opts.collectRowLoss ? new Float64Array(order.length) : null;
      let lossSum = 0;
      let correct = 0;
      let hasAcc = false;
      for (let from = 0; from < order.length; from += bs) {
        const to = Math.min(order.length, from + bs);
        const s = runBatch(order, from, to, true, rows, from);
        lossSum += s.loss * (to - from);
        if (!Number.isNaN(s.correct)) {
          correct += s.correct;
          hasAcc = true;
        }
      }
      const loss = lossSum / order.length;
      if (!Number.isFinite(loss)) {
        throw new PeregrineError('PGN_ERR_BAD_PARAM', `training diverged: loss is ${loss} at epoch ${epoch + 1}`, {
          where: 'learningRate',
          hint: 'lower the learning rate or scale the features',
        });
      }
      history.loss.push(loss);
      if (hasAcc) history.accuracy.push(correct / order.length);
      if (rows) {
        // Training order -> training-set order, so callers can map errors back to rows.
        rowLoss = new Float64Array(order.length);
        const pos = new Int32Array(data.rows);
        trainIdx.forEach((r, i) => (pos[r] = i));
        for (let k = 0; k < order.length; k++) rowLoss[pos[order[k]]] = rows[k];
      }
      let monitor = loss;
      if (hasVal) {
        let vLoss = 0;
        let vCorrect = 0;
        let vAcc = false;
        for (let from = 0; from < valIdx.length; from += evalBatch) {
          const to = Math.min(valIdx.length, from + evalBatch);
          const s = runBatch(valIdx, from, to, false, null, 0);
          vLoss += s.loss * (to - from);
          if (!Number.isNaN(s.correct)) {
            vCorrect += s.correct;
            vAcc = true;
          }
        }
        monitor = vLoss / valIdx.length;
        history.valLoss.push(monitor);
        if (vAcc) history.valAccuracy.push(vCorrect / valIdx.length);
      }
      epochsRun = epoch + 1;
      opts.onProgress?.(epochsRun, opts.epochs);
      if (monitor < best - opts.minDelta) {
        best = monitor;
        bestEpoch = epochsRun;
        wait = 0;
        if (hasVal && opts.restoreBestWeights && !last) bestWeights = snapshot();
      } else {
        wait++;
        if (hasVal && opts.patience > 0 && wait >= opts.patience) {
          stoppedEarly = true;
          break;
        }
      }
    }
    if (hasVal && opts.restoreBestWeights && bestEpoch !== epochsRun && bestWeights) {
      const saved = bestWeights;
      if (flat) flat.set(saved[0]);
      else vars.forEach((v, i) => tf.tidy(() => v.assign(tf.tensor(saved[i], v.shape))));
    } else {
      bestEpoch = epochsRun;
    }
  } finally {
    optimizer?.dispose();
  }
  const seconds = (performance.now() - t0) / 1000;
  return {
    history,
    epochsRun,
    bestEpoch,
    stoppedEarly,
    trainRows: trainIdx.length,
    validationRows: valIdx.length,
    seconds,
    rowsPerSecond: (trainIdx.length * epochsRun) / Math.max(seconds, 1e-9),
    lastEpochRowLoss: rowLoss,
  };
}
