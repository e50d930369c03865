/**
 * Ranking metrics on (score, label) pairs, matching scikit-learn: roc_auc_score (trapezoid over the ROC points
 * at distinct thresholds, so tied scores count one half), average_precision_score (step-wise sum over distinct
 * thresholds, never a trapezoid, which would be optimistic), roc_curve and precision_recall_curve.
 *
 * Conventions: label 1 = attack (positive), 0 = benign; any other label (-1 = unlabelled) is ignored and counted.
 * NaN scores are ignored and counted too (they have no rank); +-Infinity scores rank normally.
 * Everything is built from one O(n log n) pass: the positive and negative scores are sorted separately with
 * the native numeric sort (much faster than sorting an index array with a comparator) and merged.
 */

export { confusionMatrix, classificationReport, perClassDetection } from './confusion.js';
export type { Confusion, ClassificationReport, ClassMetrics, ClassDetection, BenignSummary } from './confusion.js';
export { scoreHistograms } from './histogram.js';
export type { ScoreHistogram } from './histogram.js';

export interface Ranked {
  /** Distinct scores, descending. */
  thresholds: Float64Array;
  /** Cumulative true / false positives when flagging every score >= thresholds[k]. */
  tps: Float64Array;
  fps: Float64Array;
  positives: number;
  negatives: number;
  /** Rows left out: label not 0/1, and labelled rows whose score is NaN. */
  ignoredUnlabelled: number;
  ignoredNaN: number;
}

export function rank(scores: Float64Array, labels: Int8Array): Ranked {
  if (scores.length !== labels.length) throw new Error(`scores (${scores.length}) and labels (${labels.length}) differ in length`);
  let p = 0;
  let n = 0;
  let unlabelled = 0;
  let nan = 0;
  for (let i = 0; i < scores.length; i++) {
    const l = labels[i];
    if (l !== 0 && l !== 1) unlabelled++;
    else if (Number.isNaN(scores[i])) nan++;
    else if (l === 1) p++;
    else n++;
  }
  const pos = new Float64Array(p);
  const neg = new Float64Array(n);
  let ip = 0;
  let ineg = 0;
  for (let i = 0; i < scores.length; i++) {
    const l = labels[i];
    const s = scores[i];
    if ((l !== 0 && l !== 1) || Number.isNaN(s)) continue;
    if (l === 1) pos[ip++] = s;
    else neg[ineg++] = s;
  }
  pos.sort();
  neg.sort();
  // Merge from the top: each distinct score becomes one ROC/PR point, ties of both classes in one step.
  const thresholds = new Float64Array(p + n);
  const tps = new Float64Array(p + n);
  const fps = new Float64Array(p + n);
  let a = p - 1;
  let b = n - 1;
  let tp = 0;
  let fp = 0;
  let k = 0;
  while (a >= 0 || b >= 0) {
    const s = a < 0 ? neg[b] : b < 0 ? pos[a] : Math.max(pos[a], neg[b]);
    for (; a >= 0 && pos[a] === s; a--) tp++;
    for (; b >= 0 && neg[b] === s; b--) fp++;
    thresholds[k] = s;
    tps[k] = tp;
    fps[k] = fp;
    k++;
  }
  return {
    thresholds: thresholds.slice(0, k),
    tps: tps.slice(0, k),
    fps: fps.slice(0, k),
    positives: p,
    negatives: n,
    ignoredUnlabelled: unlabelled,
    ignoredNaN: nan,
  };
}

/** Why AUROC (or AUPRC) is undefined for these labels, or null when it is defined. */
export function undefinedReason(r: Pick<Ranked, 'positives' | 'negatives'>, metric: 'auroc' | 'auprc'): string | null {
  if (r.positives + r.negatives === 0) return 'no labelled rows';
  if (r.positives === 0) return 'only benign rows are labelled: no attack rows to rank';
  if (r.negatives === 0 && metric === 'auroc') return 'only attack rows are labelled: no benign rows to rank against';
  return null;
}

/** Area under the ROC curve (sklearn roc_auc_score), or null when one class is absent. */
export function aurocRanked(r: Ranked): number | null {
  if (undefinedReason(r, 'auroc')) return null;
  let area = 0;
  let prevTp = 0;
  let prevFp = 0;
  for (let k = 0; k < r.thresholds.length; k++) {
    area += (r.fps[k] - prevFp) * (r.tps[k] + prevTp);
    prevTp = r.tps[k];
    prevFp = r.fps[k];
  }
  return area / (2 * r.positives * r.negatives);
}

/** Average precision (sklearn average_precision_score): sum over thresholds of (R_k - R_{k-1}) * P_k. */
export function averagePrecisionRanked(r: Ranked): number | null {
  if (undefinedReason(r, 'auprc')) return null;
  let ap = 0;
  let prevTp = 0;
  for (let k = 0; k < r.thresholds.length; k++) {
    const tp = r.tps[k];
    if (tp !== prevTp) ap += (tp - prevTp) * (tp / (tp + r.fps[k]));
    prevTp = tp;
  }
  return ap / r.positives;
}

export function auroc(scores: Float64Array, labels: Int8Array): number | null {
  return aurocRanked(rank(scores, labels));
}

export function averagePrecision(scores: Float64Array, labels: Int8Array): number | null {
  return averagePrecisionRanked(rank(scores, labels));
}

/** Curve points, descending threshold; threshold null for the (0,0) / (recall 0, precision 1) start. */
export interface Curve {
  x: number[];
  y: number[];
  thresholds: (number | null)[];
}

/** ROC points: x = false-positive rate, y = true-positive rate; collinear points dropped, then downsampled. */
export function rocCurve(r: Ranked, maxPoints = 500): Curve | null {
  if (undefinedReason(r, 'auroc')) return null;
  const m = r.thresholds.length;
  const x = [0];
  const y = [0];
  const t: (number | null)[] = [null];
  for (let k = 0; k < m; k++) {
    // sklearn's drop_intermediate: a point on the straight line between its neighbours adds nothing.
    if (k > 0 && k < m - 1) {
      const d2f = r.fps[k + 1] - 2 * r.fps[k] + r.fps[k - 1];
      const d2t = r.tps[k + 1] - 2 * r.tps[k] + r.tps[k - 1];
      if (d2f === 0 && d2t === 0) continue;
    }
    x.push(r.fps[k] / r.negatives);
    y.push(r.tps[k] / r.positives);
    t.push(r.thresholds[k]);
  }
  return downsampleCurve({ x, y, thresholds: t }, maxPoints);
}

/** PR points: x = recall, y = precision, starting at (0, 1) like sklearn's precision_recall_curve. */
export function prCurve(r: Ranked, maxPoints = 500): Curve | null {
  if (undefinedReason(r, 'auprc')) return null;
  const m = r.thresholds.length;
  const x = [0];
  const y = [1];
  const t: (number | null)[] = [null];
  for (let k = 0; k < m; k++) {
    x.push(r.tps[k] / r.positives);
    y.push(r.tps[k] / (r.tps[k] + r.fps[k]));
    t.push(r.thresholds[k]);
  }
  return downsampleCurve({ x, y, thresholds: t }, maxPoints);
}

/**
 * Keeps at most ~maxPoints points for plotting: a point is kept once the path since the last kept point is
 * longer (in L1) than total length / maxPoints, so steep and flat parts both keep their shape. Both endpoints
 * are always kept exactly.
 */
export function downsampleCurve(c: Curve, maxPoints: number): Curve {
  const n = c.x.length;
  if (n <= maxPoints) return c;
  let total = 0;
  for (let i = 1; i < n; i++) total += Math.abs(c.x[i] - c.x[i - 1]) + Math.abs(c.y[i] - c.y[i - 1]);
  const step = total / (maxPoints - 1);
  const out: Curve = { x: [c.x[0]], y: [c.y[0]], thresholds: [c.thresholds[0]] };
  let acc = 0;
  for (let i = 1; i < n - 1; i++) {
    acc += Math.abs(c.x[i] - c.x[i - 1]) + Math.abs(c.y[i] - c.y[i - 1]);
    if (acc >= step) {
      out.x.push(c.x[i]);
      out.y.push(c.y[i]);
      out.thresholds.push(c.thresholds[i]);
      acc = 0;
    }
  }
  out.x.push(c.x[n - 1]);
  out.y.push(c.y[n - 1]);
  out.thresholds.push(c.thresholds[n - 1]);
  return out;
}

export interface BestF1 {
  /** score > threshold reproduces the best flagged set; it is the highest score left unflagged. */
  threshold: number;
  precision: number;
  recall: number;
  f1: number;
}

/** The threshold maximising attack-class F1 over all distinct scores (ties: the higher threshold). O(n) on a Ranked. */
export function bestF1Ranked(r: Ranked): BestF1 | null {
  if (r.positives === 0) return null;
  let best = -1;
  let bestF1 = -1;
  for (let k = 0; k < r.thresholds.length; k++) {
    const f1 = (2 * r.tps[k]) / (r.tps[k] + r.fps[k] + r.positives);
    if (f1 > bestF1) {
      bestF1 = f1;
      best = k;
    }
  }
  const tp = r.tps[best];
  const next = best + 1 < r.thresholds.length ? r.thresholds[best + 1] : nextDown(r.thresholds[best]);
  return { threshold: next, precision: tp / (tp + r.fps[best]), recall: tp / r.positives, f1: bestF1 };
}

/** The largest double below x (finite result even for -Infinity inputs, so it survives JSON). */
export function nextDown(x: number): number {
  if (!Number.isFinite(x)) return x > 0 ? Number.MAX_VALUE : -Number.MAX_VALUE;
  if (x === 0) return -Number.MIN_VALUE;
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  view.setBigUint64(0, x > 0 ? bits - 1n : bits + 1n);
  return view.getFloat64(0);
}
