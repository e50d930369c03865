/**
 * Permutation feature importance (Breiman 2001; scikit-learn's permutation_importance) for any detector: how much
 * the AUROC of its scores drops when one feature column is shuffled across rows, breaking that feature's link with
 * the labels while keeping its distribution. Model-agnostic (only `score` is called), so one-class and supervised
 * detectors are explained the same way.
 *
 * Each feature is permuted `nRepeats` times with its own seeded stream (the result for a feature does not depend on
 * which other features are evaluated); the report gives the mean and standard deviation (ddof 0, as scikit-learn) of
 * the drops, sorted by mean drop, largest first. A negative mean means shuffling the feature helped: it carries no
 * signal, or a misleading one, on these rows. Compute it on held-out labelled rows, not on the training rows.
 */
import type { Matrix } from '../core/matrix.js';
import { PeregrineError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import { auroc } from './metrics.js';

export interface ImportanceOptions {
  /** Seed for the permutations (default 0). */
  seed?: number;
  /** Permutations per feature (default 5). */
  nRepeats?: number;
  /** Feature names (default: `names` of a FeatureBatch, else f0, f1, ...). */
  names?: readonly string[];
  /** Columns to evaluate (default all). */
  features?: readonly number[];
  /** Use a seeded random subset of this many rows (default all): the cost is features x repeats x score(rows). */
  maxRows?: number;
  /** Called after each feature: done of total. */
  onProgress?: (done: number, total: number) => void;
}

export interface FeatureImportance {
  feature: string;
  /** Column index in x. */
  index: number;
  /** Mean and standard deviation of (baseline AUROC - AUROC with the column permuted). */
  mean: number;
  sd: number;
  drops: number[];
}

export interface ImportanceResult {
  /** AUROC of the unpermuted rows. */
  baseline: number;
  rows: number;
  nRepeats: number;
  /** Sorted by mean drop, largest first (ties by column index). */
  importances: FeatureImportance[];
}

export interface Scorer {
  score(x: Matrix): Float64Array;
}

/**
 * labels: 1 attack, 0 benign; any other value (e.g. -1, unlabelled) is ignored by the AUROC.
 * Throws PGN_ERR_NO_LABELS when the rows do not hold both classes.
 */
export function permutationImportance(detector: Scorer, x: Matrix, labels: ArrayLike<number>, options: ImportanceOptions = {}): ImportanceResult {
  if (labels.length !== x.rows) throw new RangeError(`permutationImportance: ${labels.length} labels for ${x.rows} rows`);
  const nRepeats = options.nRepeats ?? 5;
  if (!Number.isInteger(nRepeats) || nRepeats < 1) throw new RangeError(`nRepeats must be a positive integer, got ${nRepeats}`);
  const seed = options.seed ?? 0;
  const batchNames = (x as Matrix & { names?: readonly string[] }).names;
  const names = options.names ?? batchNames ?? Array.from({ length: x.cols }, (_, j) => `f${j}`);
  if (names.length !== x.cols) throw new RangeError(`permutationImportance: ${names.length} names for ${x.cols} columns`);

  // Working copy (optionally a row subset); columns are permuted in it and restored.
  let rowIdx: Uint32Array | null = null;
  if (options.maxRows !== undefined && options.maxRows < x.rows) rowIdx = new Rng(seed).sampleIndices(x.rows, options.maxRows).sort();
  const n = rowIdx ? rowIdx.length : x.rows;
  const d = x.cols;
  const data = new Float32Array(n * d);
  const y = new Int8Array(n);
  for (let k = 0; k < n; k++) {
    const i = rowIdx ? rowIdx[k] : k;
    data.set(x.data.subarray(i * d, (i + 1) * d), k * d);
    const l = labels[i];
    y[k] = l === 0 || l === 1 ? l : -1;
  }
  const work: Matrix = { data, rows: n, cols: d };
  const baseline = auroc(detector.score(work), y);
  if (baseline === null) {
    throw new PeregrineError('PGN_ERR_NO_LABELS', 'permutation importance needs labelled rows of both classes (benign and attack)');
  }

  const features = options.features ?? Array.from({ length: d }, (_, j) => j);
  const column = new Float32Array(n);
  const perm = new Uint32Array(n);
  const out: FeatureImportance[] = [];
  features.forEach((j, done) => {
    if (!Number.isInteger(j) || j < 0 || j >= d) throw new RangeError(`feature index ${j} out of range`);
    for (let k = 0; k < n; k++) column[k] = data[k * d + j];
    const rng = new Rng((seed ^ Math.imul(j + 1, 0x9e3779b9)) >>> 0);
    const drops: number[] = [];
    for (let r = 0; r < nRepeats; r++) {
      for (let k = 0; k < n; k++) perm[k] = k;
      rng.shuffle(perm);
      for (let k = 0; k < n; k++) data[k * d + j] = column[perm[k]];
      drops.push(baseline - (auroc(detector.score(work), y) as number));
    }
    for (let k = 0; k < n; k++) data[k * d + j] = column[k];
    const mean = drops.reduce((s, v) => s + v, 0) / nRepeats;
    const sd = Math.sqrt(drops.reduce((s, v) => s + (v - mean) ** 2, 0) / nRepeats);
    out.push({ feature: names[j], index: j, mean, sd, drops });
    options.onProgress?.(done + 1, features.length);
  });
  out.sort((a, b) => b.mean - a.mean || a.index - b.index);
  return { baseline, rows: n, nRepeats, importances: out };
}
