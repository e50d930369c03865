/**
 * The boosting loop (scikit-learn's BaseHistGradientBoosting.fit): bin the training rows, start from the best
 * constant model, then per iteration compute gradients once and grow one tree per class (one tree for binary
 * labels). Early stopping holds out a stratified, seeded validation split and stops when the validation loss has
 * not improved by more than `tol` over the last `nIterNoChange` iterations; the trees grown so far are kept.
 */
import type { Matrix } from '../../core/matrix.js';
import { Rng } from '../../core/rng.js';
import { binRows, fitBinMapper, type BinMapper } from './binning.js';
import { ForestBuilder, type Forest } from './forest.js';
import { TreeGrower } from './grower.js';
import { buildLayout } from './histogram.js';
import { baselineRaw, gradients, meanLoss } from './loss.js';
import type { GbdtParams } from './options.js';

export interface BoostResult {
  forest: Forest;
  mapper: BinMapper;
  /** Iterations run (trees = nIter * treesPerIteration). */
  nIter: number;
  earlyStopped: boolean;
  /** Validation loss before the first tree and after each iteration (empty without early stopping). */
  validationLoss: number[];
}

/** Training rows above which early stopping is on under 'auto' (scikit-learn's rule). */
export const AUTO_EARLY_STOPPING_ROWS = 10_000;

export function boost(
  x: Matrix,
  labels: Int32Array,
  nClasses: number,
  p: GbdtParams,
  seed: number,
  onProgress?: (done: number, total: number) => void,
): BoostResult {
  const n = x.rows;
  const rng = new Rng(seed);
  const weights = p.classWeight === 'balanced' ? balancedWeights(labels, nClasses) : null;
  const early = p.earlyStopping === 'auto' ? n > AUTO_EARLY_STOPPING_ROWS : p.earlyStopping;
  const { train, valid } = early ? stratifiedSplit(labels, nClasses, p.validationFraction, rng.fork()) : { train: range(n), valid: new Int32Array(0) };
  const useValid = early && valid.length > 0;

  const mapper = fitBinMapper(x, train, p.maxBins, rng.nextUint32());
  const tb = binRows(x, train, mapper);
  const layout = buildLayout(train.length, x.cols, tb.binned, mapper.nBins, tb.hasMissing, tb.counts);
  const vBinned = useValid ? binRows(x, valid, mapper).binned : new Uint8Array(0);

  const K = nClasses === 2 ? 1 : nClasses;
  const baseline = baselineRaw(labels, train, weights, nClasses);
  const nt = train.length;
  const nv = valid.length;
  const raw = new Float64Array(nt * K);
  const rawV = new Float64Array(nv * K);
  for (let k = 0; k < nt; k++) for (let c = 0; c < K; c++) raw[k * K + c] = baseline[c];
  for (let k = 0; k < nv; k++) for (let c = 0; c < K; c++) rawV[k * K + c] = baseline[c];
  const grad = Array.from({ length: K }, () => new Float64Array(nt));
  const hess = Array.from({ length: K }, () => new Float64Array(nt));
  const prob = new Float64Array(K);

  const forest = new ForestBuilder();
  const grower = new TreeGrower(layout, mapper.edges, p);
  const losses: number[] = useValid ? [meanLoss(rawV, K, labels, valid, weights)] : [];
  let nIter = 0;
  let earlyStopped = false;
  for (let it = 0; it < p.maxIter; it++) {
    gradients(raw, K, labels, train, weights, grad, hess, prob);
    for (let c = 0; c < K; c++) {
      const root = grower.grow(grad[c], hess[c], forest, raw, K, c);
      forest.roots.push(root);
      for (let k = 0; k < nv; k++) rawV[k * K + c] += forest.value[forest.leafOfBinned(root, vBinned, nv, k, mapper.nBins)];
    }
    nIter++;
    onProgress?.(nIter, p.maxIter);
    if (useValid) {
      losses.push(meanLoss(rawV, K, labels, valid, weights));
      if (shouldStop(losses, p.nIterNoChange, p.tol)) {
        earlyStopped = true;
        break;
      }
    }
  }
  if (earlyStopped) onProgress?.(p.maxIter, p.maxIter);
  return { forest: forest.build(K, baseline), mapper, nIter, earlyStopped, validationLoss: losses };
}

/** scikit-learn's _should_stop on scores = -loss: no score in the last n beats the one before them by more than tol. */
export function shouldStop(losses: readonly number[], nIterNoChange: number, tol: number): boolean {
  if (losses.length < nIterNoChange + 1) return false;
  const reference = -losses[losses.length - nIterNoChange - 1] + tol;
  for (let k = losses.length - nIterNoChange; k < losses.length; k++) if (-losses[k] > reference) return false;
  return true;
}

function range(n: number): Int32Array {
  const r = new Int32Array(n);
  for (let i = 0; i < n; i++) r[i] = i;
  return r;
}

/** n / (nClasses_present * count[class]) per row (scikit-learn's class_weight='balanced'). */
function balancedWeights(labels: Int32Array, nClasses: number): Float64Array {
  const counts = new Float64Array(nClasses);
  for (let i = 0; i < labels.length; i++) counts[labels[i]]++;
  let present = 0;
  for (let c = 0; c < nClasses; c++) if (counts[c] > 0) present++;
  const w = new Float64Array(labels.length);
  for (let i = 0; i < labels.length; i++) w[i] = labels.length / (present * counts[labels[i]]);
  return w;
}

/**
 * Seeded stratified split: per class, a shuffled round(fraction * count) rows go to validation (a class with one
 * row stays in training). Both index lists come back ascending.
 */
export function stratifiedSplit(labels: Int32Array, nClasses: number, fraction: number, rng: Rng): { train: Int32Array; valid: Int32Array } {
  const byClass: number[][] = Array.from({ length: nClasses }, () => []);
  for (let i = 0; i < labels.length; i++) byClass[labels[i]].push(i);
  const isValid = new Uint8Array(labels.length);
  let nv = 0;
  for (const members of byClass) {
    if (members.length < 2) continue;
    const idx = Int32Array.from(members);
    rng.shuffle(idx);
    const take = Math.min(Math.round(fraction * idx.length), idx.length - 1);
    for (let k = 0; k < take; k++) isValid[idx[k]] = 1;
    nv += take;
  }
  const train = new Int32Array(labels.length - nv);
  const valid = new Int32Array(nv);
  let a = 0;
  let b = 0;
  for (let i = 0; i < labels.length; i++) {
    if (isValid[i]) valid[b++] = i;
    else train[a++] = i;
  }
  return { train, valid };
}
