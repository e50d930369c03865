/**
 * The `gbdt` detector: a supervised histogram gradient-boosted tree classifier (see boost.ts). Its anomaly score is
 * 1 - P(benign), class 0 being benign, so higher still means more abnormal and every threshold applies unchanged;
 * `predictClass` gives the most likely class and `predictProba` every class probability.
 */
import { z } from 'zod';
import type { Matrix } from '../../core/matrix.js';
import { base64ToF64, base64ToI32, f64ToBase64, i32ToBase64 } from '../../core/encode.js';
import { PeregrineError } from '../../core/errors.js';
import { checkFitted, type Detector, type DetectorState, type FitOptions } from '../detector.js';
import { count, readState, requireRows } from '../util.js';
import { boost } from './boost.js';
import { predictRaw, type Forest } from './forest.js';
import { sigmoid, softmaxInto } from './loss.js';
import { gbdtSchema, type GbdtParams } from './options.js';

export const GBDT_TYPE = 'gbdt';
const VERSION = 1;

const stateSchema = z.object({
  cols: count,
  classNames: z.array(z.string()).min(2),
  nIter: count,
  earlyStopped: z.boolean(),
  validationLoss: z.array(z.number()),
  baseline: z.string(),
  roots: z.string(),
  feature: z.string(),
  threshold: z.string(),
  missingLeft: z.string(),
  left: z.string(),
  right: z.string(),
  value: z.string(),
  /** Bin edges of every feature, concatenated; nBins[f] - 1 of them per feature. */
  binEdges: z.string(),
  nBins: z.string(),
});

interface Fitted {
  cols: number;
  classNames: string[];
  nIter: number;
  earlyStopped: boolean;
  validationLoss: number[];
  forest: Forest;
  binEdges: Float64Array;
  nBins: Int32Array;
}

export class GbdtClassifier implements Detector {
  readonly type = GBDT_TYPE;
  private m: Fitted | null = null;

  constructor(readonly params: GbdtParams) {}

  /** Class names given to fit (index 0 = benign). */
  get classNames(): string[] {
    return this.require().classNames.slice();
  }

  /** Boosting iterations run, and whether early stopping ended them. */
  get iterations(): { nIter: number; earlyStopped: boolean; validationLoss: number[] } {
    const m = this.require();
    return { nIter: m.nIter, earlyStopped: m.earlyStopped, validationLoss: m.validationLoss.slice() };
  }

  fit(x: Matrix, options: FitOptions = {}): this {
    requireRows(GBDT_TYPE, x);
    const labels = options.labels;
    if (!labels) {
      throw new PeregrineError('PGN_ERR_USAGE', 'gbdt is a supervised detector: fit needs a class label per row', {
        hint: 'train it on labelled data without --normal-only',
      });
    }
    if (labels.length !== x.rows) throw new PeregrineError('PGN_ERR_USAGE', `gbdt: ${labels.length} labels for ${x.rows} rows`);
    let maxLabel = 0;
    for (let i = 0; i < labels.length; i++) {
      const l = labels[i];
      if (!Number.isInteger(l) || l < 0) throw new PeregrineError('PGN_ERR_USAGE', `gbdt: label ${l} at row ${i} is not a class index`);
      if (l > maxLabel) maxLabel = l;
    }
    const classNames = options.classNames?.slice() ?? defaultClassNames(Math.max(maxLabel + 1, 2));
    if (classNames.length < 2) throw new PeregrineError('PGN_ERR_USAGE', 'gbdt needs at least two class names (benign first)');
    if (maxLabel >= classNames.length) {
      throw new PeregrineError('PGN_ERR_USAGE', `gbdt: label ${maxLabel} but only ${classNames.length} class names`);
    }
    const r = boost(x, labels, classNames.length, this.params, options.seed ?? 0, options.onProgress);
    const edges = r.mapper.edges;
    const binEdges = new Float64Array(edges.reduce((s, e) => s + e.length, 0));
    let o = 0;
    for (const e of edges) {
      binEdges.set(e, o);
      o += e.length;
    }
    this.m = {
      cols: x.cols,
      classNames,
      nIter: r.nIter,
      earlyStopped: r.earlyStopped,
      validationLoss: r.validationLoss,
      forest: r.forest,
      binEdges,
      nBins: Int32Array.from(r.mapper.nBins),
    };
    return this;
  }

  /** 1 - P(benign) per row. */
  score(x: Matrix): Float64Array {
    const m = this.checked(x);
    const raw = predictRaw(m.forest, x);
    const K = m.forest.treesPerIteration;
    const out = new Float64Array(x.rows);
    if (K === 1) {
      for (let r = 0; r < x.rows; r++) out[r] = sigmoid(raw[r]);
      return out;
    }
    for (let r = 0; r < x.rows; r++) {
      const o = r * K;
      let mx = -Infinity;
      for (let c = 0; c < K; c++) mx = Math.max(mx, raw[o + c]);
      let s = 0;
      let rest = 0;
      for (let c = 0; c < K; c++) {
        const e = Math.exp(raw[o + c] - mx);
        s += e;
        if (c > 0) rest += e;
      }
      out[r] = rest / s;
    }
    return out;
  }

  /** Class probabilities, rows x classNames.length, row-major. */
  predictProba(x: Matrix): Float64Array {
    const m = this.checked(x);
    const raw = predictRaw(m.forest, x);
    const K = m.classNames.length;
    const out = new Float64Array(x.rows * K);
    if (m.forest.treesPerIteration === 1) {
      for (let r = 0; r < x.rows; r++) {
        const p = sigmoid(raw[r]);
        out[2 * r] = 1 - p;
        out[2 * r + 1] = p;
      }
      return out;
    }
    const prob = new Float64Array(K);
    for (let r = 0; r < x.rows; r++) {
      softmaxInto(raw, r * K, K, prob);
      out.set(prob, r * K);
    }
    return out;
  }

  /** Most likely class index per row (ties go to the lower index). */
  predictClass(x: Matrix): Int32Array {
    const m = this.checked(x);
    const raw = predictRaw(m.forest, x);
    const K = m.forest.treesPerIteration;
    const out = new Int32Array(x.rows);
    for (let r = 0; r < x.rows; r++) {
      if (K === 1) {
        out[r] = raw[r] > 0 ? 1 : 0;
        continue;
      }
      let best = 0;
      for (let c = 1; c < K; c++) if (raw[r * K + c] > raw[r * K + best]) best = c;
      out[r] = best;
    }
    return out;
  }

  toJSON(): DetectorState {
    const m = this.m;
    const f = m?.forest;
    return {
      type: GBDT_TYPE,
      version: VERSION,
      params: { ...this.params },
      state: m &&
        f && {
          cols: m.cols,
          classNames: m.classNames,
          nIter: m.nIter,
          earlyStopped: m.earlyStopped,
          validationLoss: m.validationLoss,
          baseline: f64ToBase64(f.baseline),
          roots: i32ToBase64(f.roots),
          feature: i32ToBase64(f.feature),
          threshold: f64ToBase64(f.threshold),
          missingLeft: Buffer.from(f.missingLeft).toString('base64'),
          left: i32ToBase64(f.left),
          right: i32ToBase64(f.right),
          value: f64ToBase64(f.value),
          binEdges: f64ToBase64(m.binEdges),
          nBins: i32ToBase64(m.nBins),
        },
    };
  }

  static fromJSON(saved: DetectorState): GbdtClassifier {
    const { params, state: s } = readState(saved, GBDT_TYPE, VERSION, gbdtSchema, stateSchema);
    const K = s.classNames.length === 2 ? 1 : s.classNames.length;
    const forest: Forest = {
      treesPerIteration: K,
      baseline: base64ToF64(s.baseline),
      roots: base64ToI32(s.roots),
      feature: base64ToI32(s.feature),
      threshold: base64ToF64(s.threshold),
      missingLeft: new Uint8Array(Buffer.from(s.missingLeft, 'base64')),
      left: base64ToI32(s.left),
      right: base64ToI32(s.right),
      value: base64ToF64(s.value),
    };
    const nBins = base64ToI32(s.nBins);
    const binEdges = base64ToF64(s.binEdges);
    checkForest(forest, s.cols, nBins, binEdges);
    const det = new GbdtClassifier(params);
    det.m = { cols: s.cols, classNames: s.classNames, nIter: s.nIter, earlyStopped: s.earlyStopped, validationLoss: s.validationLoss, forest, binEdges, nBins };
    return det;
  }

  private checked(x: Matrix): Fitted {
    checkFitted(GBDT_TYPE, this.m !== null, this.m?.cols ?? 0, x);
    return this.m as Fitted;
  }

  private require(): Fitted {
    if (!this.m) throw new Error('gbdt: used before fit()');
    return this.m;
  }
}

function defaultClassNames(k: number): string[] {
  return k === 2 ? ['benign', 'attack'] : ['benign', ...Array.from({ length: k - 1 }, (_, i) => `class${i + 1}`)];
}

/** Structural checks so a damaged model fails at load with PGN_ERR_MODEL_FORMAT, not with a hang or a TypeError. */
function checkForest(f: Forest, cols: number, nBins: Int32Array, binEdges: Float64Array): void {
  const bad = (what: string) =>
    new PeregrineError('PGN_ERR_MODEL_FORMAT', `gbdt model is malformed: ${what}`, { hint: 'retrain the model or restore the original file' });
  const size = f.feature.length;
  for (const a of [f.threshold, f.missingLeft, f.left, f.right, f.value]) if (a.length !== size) throw bad('node arrays differ in length');
  if (f.baseline.length !== f.treesPerIteration) throw bad('baseline length');
  if (nBins.length !== cols) throw bad('bin counts');
  let edges = 0;
  for (let j = 0; j < cols; j++) edges += Math.max(nBins[j] - 1, 0);
  if (edges !== binEdges.length) throw bad('bin edges');
  for (const r of f.roots) if (r < 0 || r >= size) throw bad('tree root out of range');
  for (let i = 0; i < size; i++) {
    if (f.feature[i] >= cols) throw bad(`node ${i} feature out of range`);
    // Children always come after their parent (trees are written root first), so walks terminate.
    if (f.feature[i] >= 0 && !(f.left[i] > i && f.left[i] < size && f.right[i] > i && f.right[i] < size)) throw bad(`node ${i} children`);
  }
}
