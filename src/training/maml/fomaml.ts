/**
 * First-order MAML (FOMAML; Finn et al. 2017, section 5.2; Nichol et al. 2018) for any model written as a loss of a
 * weight list. Per outer step: for each of `tasksPerStep` sampled tasks, copy the meta-weights, take `innerSteps`
 * plain SGD steps (lr `innerLearningRate`) on the support set, then take the gradient of the query loss AT THE
 * ADAPTED WEIGHTS; the mean of those query gradients is applied to the meta-weights by Adam (lr `learningRate`).
 *
 * Why first order: full MAML differentiates the query loss through the inner SGD steps, i.e. second derivatives
 * through the LSTM unrolled over time and through every inner step. TF.js has no fused higher-order gradients: it
 * would mean nesting tf.grads inside tf.grads over the whole tape, several times the memory and time of a step, for a
 * gain the MAML paper itself measured as small (FOMAML matched MAML on Omniglot / MiniImagenet within noise).
 */
import type * as TfCore from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { Rng } from '../../core/rng.js';
import { getTfFull, type Tf } from '../tf/runtime.js';
import { rowsByClass, sampleTask } from './tasks.js';

/** MAML parameters as a schema fragment detectors spread into their own schemas. */
export const mamlParamsShape = {
  /** Outer (meta) steps. */
  mamlIterations: z.number().int().min(1).max(1_000_000).default(200),
  /** Tasks per outer step (the meta-batch). */
  mamlTasksPerStep: z.number().int().min(1).default(4),
  /** Classes per task (N-way); benign is always one of them. Binary data gives 2-way tasks whatever this says. */
  mamlWays: z.number().int().min(2).default(2),
  /** Support rows per class (K-shot). */
  mamlShots: z.number().int().min(1).default(10),
  /** Query rows per class. */
  mamlQueries: z.number().int().min(1).default(10),
  /** Inner-loop SGD steps on the support set. */
  mamlInnerSteps: z.number().int().min(1).max(100).default(3),
  mamlInnerLearningRate: z.number().positive().default(0.01),
  /** Outer-loop Adam learning rate. */
  mamlLearningRate: z.number().positive().default(0.001),
  /**
   * After meta-training, epochs of standard training on the full training set starting from the meta-weights
   * (same trainer, early stopping and class weights as `trainer: 'standard'`); 0 = use the meta-weights as they are.
   */
  mamlFineTuneEpochs: z.number().int().min(0).default(3),
};

export interface MamlOptions {
  iterations: number;
  tasksPerStep: number;
  ways: number;
  shots: number;
  queries: number;
  innerSteps: number;
  innerLearningRate: number;
  learningRate: number;
  seed: number;
  onProgress?: (done: number, total: number) => void;
}

export interface MamlData {
  x: Float32Array;
  rows: number;
  cols: number;
  labels: Int32Array;
  classes: number;
}

/** Mean loss of rows `x` with `labels` at weights `w` (in the order of the meta-variables). */
export type MamlLoss = (tf: Tf, w: TfCore.Tensor[], x: TfCore.Tensor2D, labels: TfCore.Tensor1D) => TfCore.Scalar;

export interface MamlResult {
  /** Mean query loss after adaptation, per outer step. */
  queryLoss: number[];
  iterations: number;
  tasks: number;
  /** Wall time of meta-training alone (the paper's Table 2 compares it with standard training). */
  seconds: number;
}

/** Meta-trains `vars` in place. Leaves no tensor behind besides the variables themselves. */
export function fomaml(tf: Tf, vars: readonly TfCore.Variable[], loss: MamlLoss, data: MamlData, o: MamlOptions): MamlResult {
  const t0 = performance.now();
  getTfFull(); // gradient functions
  const rng = new Rng(o.seed);
  const byClass = rowsByClass(data.labels, data.classes);
  const optimizer = tf.train.adam(o.learningRate);
  const queryLoss: number[] = [];
  try {
    for (let it = 0; it < o.iterations; it++) {
      let sum: TfCore.Tensor[] | null = null;
      let lossSum = 0;
      for (let t = 0; t < o.tasksPerStep; t++) {
        const task = sampleTask(data.x, data.cols, byClass, o.ways, o.shots, o.queries, rng);
        const out = tf.tidy(() => {
          const sx = tf.tensor2d(task.support.x, [task.support.rows, data.cols]);
          const sy = tf.tensor1d(task.support.labels, 'int32');
          const qx = tf.tensor2d(task.query.x, [task.query.rows, data.cols]);
          const qy = tf.tensor1d(task.query.labels, 'int32');
          let w: TfCore.Tensor[] = vars.map((v) => v.clone());
          for (let s = 0; s < o.innerSteps; s++) {
            const g = tf.grads((...ws: TfCore.Tensor[]) => loss(tf, ws, sx, sy))(w);
            w = w.map((wi, i) => tf.sub(wi, tf.mul(g[i], o.innerLearningRate)));
          }
          const { value, grads } = tf.valueAndGrads((...ws: TfCore.Tensor[]) => loss(tf, ws, qx, qy))(w);
          return [value, ...grads];
        });
        const [value, ...grads] = out;
        lossSum += value.dataSync()[0];
        value.dispose();
        if (!sum) {
          sum = grads;
        } else {
          const prev: TfCore.Tensor[] = sum;
          sum = tf.tidy(() => prev.map((s, i) => tf.add(s, grads[i])));
          tf.dispose([...prev, ...grads]);
        }
      }
      const total = sum as TfCore.Tensor[];
      tf.tidy(() => {
        optimizer.applyGradients(vars.map((v, i) => ({ name: v.name, tensor: tf.div(total[i], o.tasksPerStep) })));
      });
      tf.dispose(total);
      queryLoss.push(lossSum / o.tasksPerStep);
      o.onProgress?.(it + 1, o.iterations);
    }
  } finally {
    optimizer.dispose();
  }
  return { queryLoss, iterations: o.iterations, tasks: o.iterations * o.tasksPerStep, seconds: (performance.now() - t0) / 1000 };
}
