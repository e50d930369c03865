/**
 * The `hybrid` detector: LSTM + attention + Transformer classifier of the MSc framework (Figure 9; network.ts),
 * supervised, trained the standard way or with first-order MAML (src/training/maml). Score = 1 - P(benign), so
 * higher still means more abnormal; `predictClass` gives the most likely class.
 *
 * Windows (timeSteps T > 1): the detector sees a Matrix, so a window is T consecutive ROWS of it: row i is classified
 * from rows i-T+1 .. i (zeros before the first row). The caller orders rows by endpoint pair, then time, so that a
 * window holds the recent flows of one pair (windows that straddle two pairs at a boundary are the price of a plain
 * matrix interface). With T > 1 a row's score depends on the rows before it; with T = 1 (default, the paper) it
 * does not.
 */
import { z } from 'zod';
import type * as TfCore from '@tensorflow/tfjs-core';
import type { Matrix } from '../../core/matrix.js';
import { Rng } from '../../core/rng.js';
import { base64ToF32, f32ToBase64 } from '../../core/encode.js';
import { PeregrineError } from '../../core/errors.js';
import { fitInfoOf, fitInfoSchema, type FitInfo } from '../../training/tf/persist.js';
import { getTfFull, resolveBackend, withBackend, type Tf } from '../../training/tf/runtime.js';
import { train, type StepInput, type StepOutput, type TrainableModel } from '../../training/tf/trainer.js';
import { fomaml } from '../../training/maml/index.js';
import { checkFitted, detectors, type Detector, type DetectorFactory, type DetectorState, type FitOptions } from '../detector.js';
import { count, readState, requireRows } from '../util.js';
import { batchLoss, forward, initWeights, packWeights, rowLoss, unpackWeights, weightCount, windowRows, type NetConfig } from './network.js';
import { hybridSchema, type HybridParams } from './options.js';

export { hybridSchema, type HybridParams } from './options.js';

const TYPE = 'hybrid';
const VERSION = 1;
const SCORE_CHUNK = 2048;

const mamlInfoSchema = z.object({
  iterations: count,
  tasks: count,
  /** Meta-training wall time alone, seconds. */
  seconds: z.number(),
  /** Mean post-adaptation query loss per outer step. */
  queryLoss: z.array(z.number()),
});
export type MamlInfo = z.infer<typeof mamlInfoSchema>;

const stateSchema = z.object({
  cols: count,
  timeSteps: z.number().int().min(1),
  classNames: z.array(z.string()).min(2),
  weights: z.string(),
  trainer: z.enum(['standard', 'maml']),
  backend: z.enum(['tensorflow', 'wasm', 'cpu']),
  backendReason: z.string(),
  /** Whole fit, seconds (meta-training + fine-tuning for MAML). */
  seconds: z.number(),
  /** The standard training run (standard trainer, or MAML's fine-tuning); null when MAML used no fine-tuning. */
  fitInfo: fitInfoSchema.nullable(),
  maml: mamlInfoSchema.nullable(),
});
type State = z.infer<typeof stateSchema>;

interface Fitted extends Omit<State, 'weights'> {
  net: NetConfig;
  weights: Float32Array;
}

/** The standard trainer's view of the network: TF.js variables, loss differentiated by tf.variableGrads. */
class HybridTrainable implements TrainableModel {
  readonly autodiff = true;
  constructor(
    private readonly net: NetConfig,
    readonly variables: TfCore.Variable[],
  ) {}

  step(tf: Tf, input: StepInput): StepOutput {
    const logits = forward(tf, this.net, this.variables, input.x);
    return batchLoss(tf, this.net, logits, input.labels as TfCore.Tensor1D, input.sampleWeights);
  }
}

export class HybridDetector implements Detector {
  readonly type = TYPE;
  private m: Fitted | null = null;

  constructor(readonly params: HybridParams) {}

  fit(x: Matrix, options: FitOptions = {}): this {
    requireRows(TYPE, x);
    const p = this.params;
    const { labels, classNames } = checkLabels(x, options);
    const classes = classNames.length;
    const net: NetConfig = { inputDim: x.cols, timeSteps: p.timeSteps, outputs: classes === 2 ? 1 : classes };
    const rng = new Rng(options.seed ?? 0);
    const initSeed = rng.nextUint32();
    const mamlSeed = rng.nextUint32();
    const trainSeed = rng.nextUint32();
    const data = { x: windowRows(x.data, x.rows, x.cols, p.timeSteps), rows: x.rows, cols: x.cols * p.timeSteps, labels, classes };
    const t0 = performance.now();
    const backend = resolveBackend(p.backend);
    const fineTune = p.trainer === 'maml' ? p.mamlFineTuneEpochs : p.epochs;
    const metaSteps = p.trainer === 'maml' ? p.mamlIterations : 0;
    const progress = options.onProgress;
    const fitted = withBackend(backend.backend, (tf) => {
      getTfFull(); // gradient functions for autodiff
      const init = initWeights(net, initSeed);
      const vars = tf.tidy(() => unpackWeights(tf, net, init).map((t) => tf.variable(t, true)));
      try {
        let maml: MamlInfo | null = null;
        if (p.trainer === 'maml') {
          const r = fomaml(tf, vars, (t, w, bx, by) => t.mean(rowLoss(t, net, forward(t, net, w, bx), by)) as TfCore.Scalar, data, {
            iterations: p.mamlIterations,
            tasksPerStep: p.mamlTasksPerStep,
            ways: p.mamlWays,
            shots: p.mamlShots,
            queries: p.mamlQueries,
            innerSteps: p.mamlInnerSteps,
            innerLearningRate: p.mamlInnerLearningRate,
            learningRate: p.mamlLearningRate,
            seed: mamlSeed,
            onProgress: progress && ((done) => progress(done, metaSteps + fineTune)),
          });
          maml = { iterations: r.iterations, tasks: r.tasks, seconds: r.seconds, queryLoss: r.queryLoss };
        }
        let fitInfo: FitInfo | null = null;
        if (fineTune > 0) {
          const result = train(tf, new HybridTrainable(net, vars), data, {
            ...p,
            epochs: fineTune,
            seed: trainSeed,
            onProgress: progress && ((done) => progress(metaSteps + done, metaSteps + fineTune)),
          });
          fitInfo = fitInfoOf(result, backend, fineTune);
        }
        return { weights: packWeights(net, vars), maml, fitInfo };
      } finally {
        for (const v of vars) v.dispose();
      }
    });
    this.m = {
      net,
      cols: x.cols,
      timeSteps: p.timeSteps,
      classNames,
      weights: fitted.weights,
      trainer: p.trainer,
      backend: backend.backend,
      backendReason: backend.reason,
      seconds: (performance.now() - t0) / 1000,
      fitInfo: fitted.fitInfo,
      maml: fitted.maml,
    };
    return this;
  }

  /** 1 - P(benign) per row (computed in Float64 from the logits). */
  score(x: Matrix): Float64Array {
    const m = this.checked(x);
    const z = this.logits(x, m);
    const K = m.net.outputs;
    const out = new Float64Array(x.rows);
    if (K === 1) {
      for (let r = 0; r < x.rows; r++) out[r] = 1 / (1 + Math.exp(-z[r]));
      return out;
    }
    for (let r = 0; r < x.rows; r++) {
      const o = r * K;
      let mx = -Infinity;
      for (let k = 0; k < K; k++) mx = Math.max(mx, z[o + k]);
      let all = 0;
      let attack = 0;
      for (let k = 0; k < K; k++) {
        const e = Math.exp(z[o + k] - mx);
        all += e;
        if (k > 0) attack += e;
      }
      out[r] = attack / all;
    }
    return out;
  }

  /** Most likely class per row (index into classNames). */
  predictClass(x: Matrix): Int32Array {
    const m = this.checked(x);
    const z = this.logits(x, m);
    const K = m.net.outputs;
    const out = new Int32Array(x.rows);
    for (let r = 0; r < x.rows; r++) {
      if (K === 1) {
        out[r] = z[r] > 0 ? 1 : 0;
        continue;
      }
      let best = 0;
      for (let k = 1; k < K; k++) if (z[r * K + k] > z[r * K + best]) best = k;
      out[r] = best;
    }
    return out;
  }

  /** Class names given to fit (index 0 = benign). */
  get classNames(): string[] {
    return this.require().classNames.slice();
  }

  /** How the model was trained: trainer, backend (and why), times, training history, MAML meta-training report. */
  get training(): Omit<State, 'weights' | 'cols' | 'timeSteps' | 'classNames'> | null {
    const m = this.m;
    if (!m) return null;
    return { trainer: m.trainer, backend: m.backend, backendReason: m.backendReason, seconds: m.seconds, fitInfo: m.fitInfo, maml: m.maml };
  }

  toJSON(): DetectorState {
    const m = this.m;
    const state: State | null = m && {
      cols: m.cols,
      timeSteps: m.timeSteps,
      classNames: m.classNames,
      weights: f32ToBase64(m.weights),
      trainer: m.trainer,
      backend: m.backend,
      backendReason: m.backendReason,
      seconds: m.seconds,
      fitInfo: m.fitInfo,
      maml: m.maml,
    };
    return { type: TYPE, version: VERSION, params: { ...this.params }, state };
  }

  static fromJSON(saved: DetectorState): HybridDetector {
    const { params, state: s } = readState(saved, TYPE, VERSION, hybridSchema, stateSchema);
    const classes = s.classNames.length;
    const net: NetConfig = { inputDim: s.cols, timeSteps: s.timeSteps, outputs: classes === 2 ? 1 : classes };
    const weights = base64ToF32(s.weights);
    if (s.cols < 1 || weights.length !== weightCount(net)) {
      throw new PeregrineError('PGN_ERR_MODEL_FORMAT', `${TYPE} model is malformed: ${weights.length} weights, the network needs ${weightCount(net)}`, {
        hint: 'retrain the model or restore the original file',
      });
    }
    const det = new HybridDetector(params);
    det.m = { ...s, net, weights };
    return det;
  }

  private require(): Fitted {
    if (!this.m) throw new Error(`${TYPE}: used before fit()`);
    return this.m;
  }

  private checked(x: Matrix): Fitted {
    checkFitted(TYPE, this.m !== null, this.m?.cols ?? 0, x);
    return this.m as Fitted;
  }

  /** Logits, rows x outputs, forward pass in chunks on the model's backend. */
  private logits(x: Matrix, m: Fitted): Float32Array {
    const { backend } = resolveBackend(this.params.backend);
    const T = m.timeSteps;
    const windows = windowRows(x.data, x.rows, x.cols, T);
    const width = x.cols * T;
    const K = m.net.outputs;
    const out = new Float32Array(x.rows * K);
    withBackend(backend, (tf) => {
      const ws = unpackWeights(tf, m.net, m.weights);
      try {
        for (let from = 0; from < x.rows; from += SCORE_CHUNK) {
          const to = Math.min(x.rows, from + SCORE_CHUNK);
          const z = tf.tidy(() => forward(tf, m.net, ws, tf.tensor2d(windows.subarray(from * width, to * width), [to - from, width])));
          out.set(z.dataSync(), from * K);
          z.dispose();
        }
      } finally {
        tf.dispose(ws);
      }
    });
    return out;
  }
}

function checkLabels(x: Matrix, options: FitOptions): { labels: Int32Array; classNames: string[] } {
  const labels = options.labels;
  if (!labels) {
    throw new PeregrineError('PGN_ERR_USAGE', `${TYPE} is a supervised detector: fit needs a class label per row`, {
      hint: 'train it on labelled data without --normal-only',
    });
  }
  if (labels.length !== x.rows) throw new PeregrineError('PGN_ERR_USAGE', `${TYPE}: ${labels.length} labels for ${x.rows} rows`);
  let maxLabel = 0;
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i];
    if (!Number.isInteger(l) || l < 0) throw new PeregrineError('PGN_ERR_USAGE', `${TYPE}: label ${l} at row ${i} is not a class index`);
    if (l > maxLabel) maxLabel = l;
  }
  const classNames = options.classNames?.slice() ?? Array.from({ length: Math.max(maxLabel + 1, 2) }, (_, c) => (c === 0 ? 'benign' : `class${c}`));
  if (classNames.length < 2) throw new PeregrineError('PGN_ERR_USAGE', `${TYPE} needs at least two class names (benign first)`);
  if (maxLabel >= classNames.length) throw new PeregrineError('PGN_ERR_USAGE', `${TYPE}: label ${maxLabel} but only ${classNames.length} class names`);
  return { labels, classNames };
}

export const hybridFactory: DetectorFactory<HybridParams> = {
  type: TYPE,
  description: 'LSTM + attention + Transformer classifier (TF.js, MSc framework Fig. 9), supervised, standard or first-order MAML training; score = 1 - P(benign)',
  schema: hybridSchema,
  kind: 'supervised',
  create: (params) => new HybridDetector(params),
  fromJSON: (state) => HybridDetector.fromJSON(state),
  conformance: { params: { epochs: 3, batchSize: 64 } },
};

detectors.register(hybridFactory);
