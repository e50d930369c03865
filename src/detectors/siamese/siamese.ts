/**
 * Few-shot Siamese CNN detector (the few-shot report; Koch et al. 2015): rows become 32 x 32 images
 * (src/features/imaging), a twin CNN with shared weights learns whether two images show the same class from
 * balanced same/different pairs, and a row is classified against k labelled support examples per class kept in the
 * model.
 *
 * - similarity(row, class c) = mean over c's support examples s of P(same | row, s) (the head's sigmoid).
 * - predictClass: the class with the highest mean similarity.
 * - score = 1 - P(benign), where P(c) = similarity(c) / sum of similarities over the classes present in the support
 *   set (normalised across classes, so "similar to everything" does not read as benign). Higher = more abnormal.
 *
 * The support set is drawn (seeded) from the training rows: min(shots, rows of the class) per class. Weights are
 * TF.js variables only during fit; between calls they are one Float32Array, so a fitted detector holds no tensor.
 * Inference embeds rows in chunks on the inference backend (WASM by default) and evaluates the head in Float64 JS,
 * so a row's score does not depend on its batch.
 */
import { z } from 'zod';
import type * as TfCore from '@tensorflow/tfjs-core';
import { createMatrix, type Matrix } from '../../core/matrix.js';
import { base64ToF32, f32ToBase64 } from '../../core/encode.js';
import { PeregrineError } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import { toImages } from '../../features/imaging/layout.js';
import { fitInfoOf, fitInfoSchema, type FitInfo } from '../../training/tf/persist.js';
import { resolveBackend, tidyRead, withBackend, type ResolvedBackend, type Tf } from '../../training/tf/runtime.js';
import { train } from '../../training/tf/trainer.js';
import { checkFitted, type Detector, type DetectorState, type FitOptions } from '../detector.js';
import { count, readState, requireRows } from '../util.js';
import { EMBED_UNITS, INFERENCE_KERNELS, SiameseTrainable, calibrateHead, embed, initWeights, specLength, splitWeights, trainingKernels, weightSpecs } from './network.js';
import { siameseSchema, type SiameseParams } from './options.js';

export const SIAMESE_TYPE = 'siamese';
const VERSION = 1;
/** Rows embedded per inference chunk (bounds activation memory: 256 x 32 x 32 x 64 floats = 64 MiB at the first conv). */
const EMBED_CHUNK = 256;
/** Training pairs the head's data-dependent initialisation looks at (see calibrateHead). */
const HEAD_CALIBRATION_PAIRS = 64;

const stateSchema = z.object({
  cols: count,
  imageSize: z.number().int().min(8),
  classNames: z.array(z.string()).min(2),
  weights: z.string(),
  supportRows: z.string(),
  supportLabels: z.array(z.number().int().min(0)),
  /** Support examples per class actually kept (fewer than `shots` when a class has fewer training rows). */
  shotsUsed: z.array(count),
  pairs: z.object({ same: count, different: count }),
  fitInfo: fitInfoSchema,
});

interface Fitted {
  cols: number;
  imageSize: number;
  classNames: string[];
  weights: Float32Array;
  support: Matrix;
  supportLabels: Int32Array;
  shotsUsed: number[];
  pairs: { same: number; different: number };
  fitInfo: FitInfo;
}

let variableCounter = 0;

export class SiameseDetector implements Detector {
  readonly type = SIAMESE_TYPE;
  private m: Fitted | null = null;

  constructor(readonly params: SiameseParams) {}

  fit(x: Matrix, options: FitOptions = {}): this {
    requireRows(SIAMESE_TYPE, x);
    const p = this.params;
    const labels = checkLabels(x, options.labels);
    let maxLabel = 0;
    for (const l of labels) maxLabel = Math.max(maxLabel, l);
    const classNames = options.classNames?.slice() ?? (maxLabel <= 1 ? ['benign', 'attack'] : ['benign', ...Array.from({ length: maxLabel }, (_, i) => `class${i + 1}`)]);
    if (maxLabel >= classNames.length) throw new PeregrineError('PGN_ERR_USAGE', `${SIAMESE_TYPE}: label ${maxLabel} but only ${classNames.length} class names`);
    const byClass: number[][] = classNames.map(() => []);
    labels.forEach((l, i) => byClass[l].push(i));
    if (byClass.filter((r) => r.length > 0).length < 2) {
      throw new PeregrineError('PGN_ERR_NO_TRAINING_ROWS', `${SIAMESE_TYPE} learns from pairs of classes and needs rows of at least two classes`, {
        hint: 'train it on labelled data holding benign and attack rows',
      });
    }
    const seed = options.seed ?? 0;
    const rng = new Rng(seed);
    const initSeed = rng.nextUint32();
    const trainSeed = rng.nextUint32();
    const supportRng = rng.fork();
    const pairRng = rng.fork();

    // Support set: min(shots, n_c) rows per class, seeded, in class order.
    const supportIdx: number[] = [];
    const supportLabels: number[] = [];
    const shotsUsed = byClass.map((rows, c) => {
      const pick = supportRng.sampleIndices(rows.length, p.shots);
      for (const k of pick) {
        supportIdx.push(rows[k]);
        supportLabels.push(c);
      }
      return pick.length;
    });
    const support = createMatrix(supportIdx.length, x.cols);
    supportIdx.forEach((r, k) => support.data.set(x.data.subarray(r * x.cols, (r + 1) * x.cols), k * x.cols));

    const { pairs, same } = samplePairs(byClass, p.pairs, pairRng);
    const backend = resolveBackend(p.backend, trainingKernels(p.convGrad));
    const specs = weightSpecs(p.imageSize);
    const { weights, fitInfo } = withBackend(backend.backend, (tf) => {
      const init = splitWeights(specs, initWeights(specs, initSeed));
      const id = ++variableCounter;
      const vars = specs.map((s, i) => {
        const t = tf.tensor(init[i], s.shape);
        const v = tf.variable(t, true, `siamese${id}/${s.name}`);
        t.dispose();
        return v;
      });
      try {
        calibrateHead(tf, vars, x, pairs, Math.min(p.pairs, HEAD_CALIBRATION_PAIRS), p.imageSize);
        const result = train(
          tf,
          new SiameseTrainable(vars, x, p.imageSize, p.convGrad),
          { x: pairs, rows: p.pairs, cols: 2, labels: same, classes: 2 },
          { ...p, classWeights: null, seed: trainSeed, onProgress: options.onProgress, evalBatchSize: p.batchSize },
        );
        const flat = new Float32Array(specs.reduce((a, s) => a + specLength(s), 0));
        let off = 0;
        for (const v of vars) {
          const d = v.dataSync() as Float32Array;
          flat.set(d, off);
          off += d.length;
        }
        return { weights: flat, fitInfo: fitInfoOf(result, backend, p.epochs) };
      } finally {
        for (const v of vars) v.dispose();
      }
    });
    let nSame = 0;
    for (const s of same) nSame += s;
    this.m = {
      cols: x.cols,
      imageSize: p.imageSize,
      classNames,
      weights,
      support,
      supportLabels: Int32Array.from(supportLabels),
      shotsUsed,
      pairs: { same: nSame, different: p.pairs - nSame },
      fitInfo,
    };
    return this;
  }

  /** 1 - P(benign), P normalised across the classes of the support set. */
  score(x: Matrix): Float64Array {
    const m = this.fitted(x);
    const sims = this.similarities(x);
    const k = m.classNames.length;
    const out = new Float64Array(x.rows);
    const present = m.shotsUsed.map((n) => n > 0);
    for (let i = 0; i < x.rows; i++) {
      let total = 0;
      for (let c = 0; c < k; c++) if (present[c]) total += sims[i * k + c];
      out[i] = !present[0] ? 1 : total > 0 ? 1 - sims[i * k] / total : 1 - 1 / present.filter(Boolean).length;
    }
    return out;
  }

  /** The class whose support examples are most similar on average (index into classNames). */
  predictClass(x: Matrix): Int32Array {
    const m = this.fitted(x);
    const sims = this.similarities(x);
    const k = m.classNames.length;
    const out = new Int32Array(x.rows);
    for (let i = 0; i < x.rows; i++) {
      let best = -1;
      for (let c = 0; c < k; c++) if (m.shotsUsed[c] > 0 && (best < 0 || sims[i * k + c] > sims[i * k + best])) best = c;
      out[i] = best;
    }
    return out;
  }

  /** Mean P(same) against each class's support examples: rows x classes (0 for a class without support rows). */
  similarities(x: Matrix): Float64Array {
    const m = this.fitted(x);
    const [eSupport, eRows] = this.embedMany([m.support, x]);
    return this.similaritiesFrom(eRows, x.rows, eSupport, m.supportLabels);
  }

  /**
   * Embeddings (rows x 4096) of every row of x, on the inference backend. Embed once, then classify against any
   * support set with `similaritiesFrom` (how the few-shot experiments sweep k without re-embedding the test rows).
   */
  embedRows(x: Matrix): Float32Array {
    this.fitted(x);
    return this.embedMany([x])[0];
  }

  /**
   * Mean P(same) of each embedded row against each class's embedded support rows (rows x classes; 0 for a class
   * with no support row). The head runs in Float64 JS on cached embeddings, so only new rows cost a CNN pass.
   */
  similaritiesFrom(eRows: Float32Array, rows: number, eSupport: Float32Array, supportLabels: ArrayLike<number>): Float64Array {
    const m = this.require();
    const k = m.classNames.length;
    const views = splitWeights(weightSpecs(m.imageSize), m.weights);
    const headW = views[10];
    const headB = views[11][0];
    const S = supportLabels.length;
    const counts = new Float64Array(k);
    for (let s = 0; s < S; s++) counts[supportLabels[s]]++;
    const out = new Float64Array(rows * k);
    for (let i = 0; i < rows; i++) {
      const a = i * EMBED_UNITS;
      for (let s = 0; s < S; s++) {
        const b = s * EMBED_UNITS;
        let z = headB;
        for (let u = 0; u < EMBED_UNITS; u++) z += headW[u] * Math.abs(eRows[a + u] - eSupport[b + u]);
        out[i * k + supportLabels[s]] += 1 / (1 + Math.exp(-z));
      }
      for (let c = 0; c < k; c++) if (counts[c] > 0) out[i * k + c] /= counts[c];
    }
    return out;
  }

  private embedMany(xs: Matrix[]): Float32Array[] {
    const m = this.require();
    const { backend } = this.inferenceBackend();
    const specs = weightSpecs(m.imageSize);
    const views = splitWeights(specs, m.weights);
    return withBackend(backend, (tf) => {
      const ws = specs.map((s, i) => tf.tensor(views[i], s.shape));
      try {
        return xs.map((x) => embedAll(tf, ws, x, m.imageSize));
      } finally {
        for (const w of ws) w.dispose();
      }
    });
  }

  /** The backend inference runs on (needs forward kernels only, so WASM qualifies). */
  inferenceBackend(): ResolvedBackend {
    return resolveBackend(this.params.backend, INFERENCE_KERNELS);
  }

  get classNames(): string[] {
    return this.require().classNames.slice();
  }

  /** Training backend (and why), epochs, loss / accuracy history on training and validation pairs. */
  get fitInfo(): FitInfo | null {
    return this.m?.fitInfo ?? null;
  }

  get shotsUsed(): number[] {
    return this.require().shotsUsed.slice();
  }

  toJSON(): DetectorState {
    const m = this.m;
    return {
      type: SIAMESE_TYPE,
      version: VERSION,
      params: { ...this.params },
      state: m && {
        cols: m.cols,
        imageSize: m.imageSize,
        classNames: m.classNames,
        weights: f32ToBase64(m.weights),
        supportRows: f32ToBase64(m.support.data),
        supportLabels: Array.from(m.supportLabels),
        shotsUsed: m.shotsUsed,
        pairs: m.pairs,
        fitInfo: m.fitInfo,
      },
    };
  }

  static fromJSON(saved: DetectorState): SiameseDetector {
    const { params, state: s } = readState(saved, SIAMESE_TYPE, VERSION, siameseSchema, stateSchema);
    const weights = base64ToF32(s.weights);
    const rows = base64ToF32(s.supportRows);
    const expected = weightSpecs(s.imageSize).reduce((a, w) => a + specLength(w), 0);
    const k = s.classNames.length;
    const counts = new Array<number>(k).fill(0);
    for (const l of s.supportLabels) if (l < k) counts[l]++;
    const ok =
      weights.length === expected &&
      s.imageSize === params.imageSize &&
      rows.length === s.supportLabels.length * s.cols &&
      s.shotsUsed.length === k &&
      s.supportLabels.every((l) => l < k) &&
      counts.every((n, c) => n === s.shotsUsed[c]);
    if (!ok) {
      throw new PeregrineError('PGN_ERR_MODEL_FORMAT', `${SIAMESE_TYPE} model is malformed: weights, support set and classes do not agree`, {
        hint: 'retrain the model or restore the original file',
      });
    }
    const det = new SiameseDetector(params);
    det.m = {
      cols: s.cols,
      imageSize: s.imageSize,
      classNames: s.classNames,
      weights,
      support: createMatrix(s.supportLabels.length, s.cols, rows),
      supportLabels: Int32Array.from(s.supportLabels),
      shotsUsed: s.shotsUsed,
      pairs: s.pairs,
      fitInfo: s.fitInfo,
    };
    return det;
  }

  private require(): Fitted {
    if (!this.m) throw new Error(`${SIAMESE_TYPE}: used before fit()`);
    return this.m;
  }

  private fitted(x: Matrix): Fitted {
    checkFitted(SIAMESE_TYPE, this.m !== null, this.m?.cols ?? 0, x);
    return this.m as Fitted;
  }
}

function checkLabels(x: Matrix, labels: Int32Array | undefined): Int32Array {
  if (!labels) {
    throw new PeregrineError('PGN_ERR_USAGE', `${SIAMESE_TYPE} is a supervised detector: fit needs a class label per row`, {
      hint: 'train it on labelled data without --normal-only',
    });
  }
  if (labels.length !== x.rows) throw new PeregrineError('PGN_ERR_USAGE', `${SIAMESE_TYPE}: ${labels.length} labels for ${x.rows} rows`);
  labels.forEach((l, i) => {
    if (!Number.isInteger(l) || l < 0) throw new PeregrineError('PGN_ERR_USAGE', `${SIAMESE_TYPE}: label ${l} at row ${i} is not a class index`);
  });
  return labels;
}

/**
 * Balanced pairs, seeded: even pairs are same-class (a class drawn uniformly among those with two or more rows, then
 * two distinct rows of it; a class's single row is paired with itself only when no class has two), odd pairs are
 * different-class (two distinct classes drawn uniformly among those present, one row of each). Classes, not rows,
 * are drawn uniformly, so a rare attack class appears in as many pairs as the benign class.
 */
export function samplePairs(byClass: readonly number[][], n: number, rng: Rng): { pairs: Float32Array; same: Int32Array } {
  const present = byClass.map((r, c) => (r.length > 0 ? c : -1)).filter((c) => c >= 0);
  const multi = present.filter((c) => byClass[c].length > 1);
  const sameFrom = multi.length > 0 ? multi : present;
  const pairs = new Float32Array(2 * n);
  const same = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    if (k % 2 === 0 || present.length < 2) {
      const rows = byClass[sameFrom[rng.int(sameFrom.length)]];
      const a = rng.int(rows.length);
      let b = a;
      if (rows.length > 1) {
        b = rng.int(rows.length - 1);
        if (b >= a) b++;
      }
      pairs[2 * k] = rows[a];
      pairs[2 * k + 1] = rows[b];
      same[k] = 1;
    } else {
      const ci = rng.int(present.length);
      let cj = rng.int(present.length - 1);
      if (cj >= ci) cj++;
      const ra = byClass[present[ci]];
      const rb = byClass[present[cj]];
      pairs[2 * k] = ra[rng.int(ra.length)];
      pairs[2 * k + 1] = rb[rng.int(rb.length)];
    }
  }
  return { pairs, same };
}

/** Embeddings of every row of x (rows x 4096), chunk by chunk, each chunk in tf.tidy. */
function embedAll(tf: Tf, ws: TfCore.Tensor[], x: Matrix, size: number): Float32Array {
  const out = new Float32Array(x.rows * EMBED_UNITS);
  for (let from = 0; from < x.rows; from += EMBED_CHUNK) {
    const to = Math.min(x.rows, from + EMBED_CHUNK);
    const part = createMatrix(to - from, x.cols, x.data.subarray(from * x.cols, to * x.cols));
    const { e } = tidyRead(tf, () => ({ e: embed(tf, ws, tf.tensor4d(toImages(part, size), [to - from, size, size, 1])) }));
    out.set(e, from * EMBED_UNITS);
  }
  return out;
}
