import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  aurocRanked,
  auroc,
  averagePrecision,
  averagePrecisionRanked,
  bestF1Ranked,
  downsampleCurve,
  nextDown,
  prCurve,
  rank,
  rocCurve,
  undefinedReason,
} from './metrics.js';

const f64 = (a: number[]): Float64Array => Float64Array.from(a);
const i8 = (a: number[]): Int8Array => Int8Array.from(a);
const close = (a: number | null, b: number, tol = 1e-12): void => {
  assert.ok(a !== null && Math.abs(a - b) <= tol, `${a} != ${b}`);
};

/** A deterministic tied data set, reproduced in Python to get scikit-learn 1.2.1's values below. */
function synthetic(n: number, mod: number): { s: Float64Array; y: Int8Array } {
  const s = new Float64Array(n);
  const y = new Int8Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = (i * 31) % 7 < 2 ? 1 : 0;
    s[i] = ((i * 7919) % mod) / 100.0 + y[i] * ((i % 5) / 10.0);
  }
  return { s, y };
}

test('sklearn documentation example: AUROC 0.75, AP 0.8333', () => {
  const s = f64([0.1, 0.4, 0.35, 0.8]);
  const y = i8([0, 0, 1, 1]);
  close(auroc(s, y), 0.75);
  close(averagePrecision(s, y), 0.8333333333333333);
});

test('ties count one half in AUROC; AP steps once per distinct score', () => {
  // Pairs (pos, neg): 3>2, 3>1, 2=2 (1/2), 2>1 -> 3.5/4. AP: R .5 at P 1, then R 1 at P 2/3.
  close(auroc(f64([3, 2, 2, 1]), i8([1, 1, 0, 0])), 0.875);
  close(averagePrecision(f64([3, 2, 2, 1]), i8([1, 1, 0, 0])), 0.8333333333333333);
  // All scores equal: one ROC step from (0,0) to (1,1) = 0.5; AP = prevalence.
  close(auroc(f64([5, 5, 5, 5, 5]), i8([0, 1, 0, 1, 0])), 0.5);
  close(averagePrecision(f64([5, 5, 5, 5, 5]), i8([0, 1, 0, 1, 0])), 0.4);
  // Perfect and inverted rankings.
  close(auroc(f64([1, 2, 3, 4]), i8([0, 0, 1, 1])), 1);
  close(averagePrecision(f64([1, 2, 3, 4]), i8([0, 0, 1, 1])), 1);
  close(auroc(f64([1, 2, 3, 4]), i8([1, 1, 0, 0])), 0);
  close(averagePrecision(f64([1, 2, 3, 4]), i8([1, 1, 0, 0])), 0.41666666666666663);
});

test('matches scikit-learn 1.2.1 on tied synthetic sets', () => {
  const cases: [number, number, number, number][] = [
    [50, 13, 0.8104761904761905, 0.8108308308308307],
    [1000, 97, 0.6709515974221856, 0.5365870069759037],
    [20000, 1009, 0.5200544165440992, 0.3215225286202218],
  ];
  for (const [n, mod, roc, ap] of cases) {
    const { s, y } = synthetic(n, mod);
    close(auroc(s, y), roc);
    close(averagePrecision(s, y), ap);
  }
});

test('ROC and PR curve points match sklearn roc_curve / precision_recall_curve', () => {
  const { s, y } = synthetic(50, 13);
  const r = rank(s, y);
  const roc = rocCurve(r);
  assert.ok(roc);
  const round = (a: number[]) => a.map((v) => Math.round(v * 1e6) / 1e6);
  assert.deepEqual(round(roc.x), [0, 0, 0, 0, 0, 0.085714, 0.142857, 0.228571, 0.314286, 0.428571, 0.6, 0.685714, 0.771429, 0.828571, 0.885714, 0.942857, 1]);
  assert.deepEqual(round(roc.y), [0, 0.066667, 0.266667, 0.4, 0.666667, 0.666667, 0.666667, 0.8, 0.8, 0.8, 0.8, 0.866667, 0.866667, 0.866667, 0.933333, 0.933333, 1]);
  assert.deepEqual(roc.thresholds.slice(0, 3), [null, 0.52, 0.33999999999999997]);
  const pr = prCurve(r);
  assert.ok(pr);
  // sklearn lists PR points by increasing threshold; ours run from the top, so compare reversed.
  assert.equal(pr.x.length, 23);
  assert.deepEqual(round(pr.y).reverse().slice(0, 6), [0.3, 0.297872, 0.311111, 0.309524, 0.325, 0.351351]);
  assert.deepEqual(round(pr.x).reverse().slice(0, 4), [1, 0.933333, 0.933333, 0.866667]);
});

test('a single class present: AUROC is null with a reason; AUPRC defined with only attacks', () => {
  const s = f64([0.1, 0.2, 0.3]);
  const benignOnly = rank(s, i8([0, 0, 0]));
  assert.equal(aurocRanked(benignOnly), null);
  assert.equal(averagePrecisionRanked(benignOnly), null);
  assert.match(undefinedReason(benignOnly, 'auroc') ?? '', /only benign/);
  assert.equal(rocCurve(benignOnly), null);
  const attackOnly = rank(s, i8([1, 1, 1]));
  assert.equal(aurocRanked(attackOnly), null);
  assert.match(undefinedReason(attackOnly, 'auroc') ?? '', /only attack/);
  close(averagePrecisionRanked(attackOnly), 1);
  assert.equal(bestF1Ranked(benignOnly), null);
});

test('unlabelled rows (-1) and NaN scores are ignored and counted', () => {
  const r = rank(f64([0.9, NaN, 0.5, 0.1, 0.7]), i8([1, 1, -1, 0, 0]));
  assert.equal(r.positives, 1);
  assert.equal(r.negatives, 2);
  assert.equal(r.ignoredUnlabelled, 1);
  assert.equal(r.ignoredNaN, 1);
  close(aurocRanked(r), 1);
});

test('best-F1 threshold: hand case, and score > threshold reproduces the flagged set', () => {
  // Flag top 4 (0.9..0.6): tp 3, fp 1 -> F1 6/7, the best; the highest unflagged score is 0.5.
  const r = rank(f64([0.9, 0.8, 0.7, 0.6, 0.5]), i8([1, 0, 1, 1, 0]));
  const b = bestF1Ranked(r);
  assert.ok(b);
  assert.equal(b.threshold, 0.5);
  close(b.precision, 0.75);
  close(b.recall, 1);
  close(b.f1, 6 / 7);
  // Best set = everything: the threshold sits just below the lowest score.
  const all = bestF1Ranked(rank(f64([2, 1]), i8([1, 1])));
  assert.ok(all && all.threshold < 1 && all.threshold === nextDown(1) && all.f1 === 1);
});

test('best-F1 agrees with a brute-force search on random scores', () => {
  let seed = 7;
  const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  const n = 400;
  const s = Float64Array.from({ length: n }, () => Math.round(rnd() * 50) / 10);
  const y = Int8Array.from(s, (v) => (rnd() < 0.2 + v / 10 ? 1 : 0));
  const b = bestF1Ranked(rank(s, y));
  assert.ok(b);
  let brute = 0;
  for (const t of new Set(s)) {
    let tp = 0;
    let fp = 0;
    let p = 0;
    for (let i = 0; i < n; i++) {
      if (y[i]) p++;
      if (s[i] >= t && y[i]) tp++;
      else if (s[i] >= t) fp++;
    }
    brute = Math.max(brute, (2 * tp) / (tp + fp + p));
  }
  close(b.f1, brute);
});

test('curves are downsampled to <= ~500 points with exact endpoints', () => {
  const n = 100_000;
  let seed = 3;
  const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  const y = Int8Array.from({ length: n }, () => (rnd() < 0.1 ? 1 : 0));
  const s = Float64Array.from(y, (l) => rnd() + l * 0.5);
  const r = rank(s, y);
  const roc = rocCurve(r, 500);
  const pr = prCurve(r, 500);
  assert.ok(roc && pr);
  assert.ok(roc.x.length <= 502 && roc.x.length > 100, `roc ${roc.x.length}`);
  assert.ok(pr.x.length <= 502 && pr.x.length > 100, `pr ${pr.x.length}`);
  assert.deepEqual([roc.x[0], roc.y[0], roc.x.at(-1), roc.y.at(-1)], [0, 0, 1, 1]);
  assert.deepEqual([pr.x[0], pr.y[0], pr.x.at(-1)], [0, 1, 1]);
  close(pr.y.at(-1) ?? null, r.positives / (r.positives + r.negatives));
  const small = downsampleCurve({ x: [0, 1], y: [0, 1], thresholds: [null, 1] }, 500);
  assert.deepEqual(small.x, [0, 1]);
});
