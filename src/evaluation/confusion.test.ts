import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classificationReport, confusionMatrix, perClassDetection } from './confusion.js';
import { scoreHistograms } from './histogram.js';

function synthetic(n: number, mod: number): { s: Float64Array; y: Int8Array } {
  const s = new Float64Array(n);
  const y = new Int8Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = (i * 31) % 7 < 2 ? 1 : 0;
    s[i] = ((i * 7919) % mod) / 100.0 + y[i] * ((i % 5) / 10.0);
  }
  return { s, y };
}

function closeDeep(a: object, b: object, tol = 1e-12): void {
  for (const [k, v] of Object.entries(b)) {
    const got = (a as Record<string, unknown>)[k];
    if (typeof v === 'number') assert.ok(typeof got === 'number' && Math.abs(got - v) <= tol, `${k}: ${got} != ${v}`);
    else closeDeep(got as object, v as object, tol);
  }
}

test('confusion matrix: score > threshold is attack; equal scores stay benign', () => {
  const c = confusionMatrix(Float64Array.from([0.1, 0.5, 0.5, 0.9, 0.2, NaN]), Int8Array.from([0, 0, 1, 1, -1, 1]), 0.5);
  assert.deepEqual(c, { tn: 2, fp: 0, fn: 1, tp: 1 });
});

test('classification report equals sklearn classification_report(output_dict=True, zero_division=0)', () => {
  // sklearn 1.2.1 on the synthetic set with pred = score > median (0.08).
  const { s, y } = synthetic(50, 13);
  const r = classificationReport(confusionMatrix(s, y, 0.08));
  closeDeep(r, {
    benign: { precision: 0.8888888888888888, recall: 0.6857142857142857, 'f1-score': 0.7741935483870968, support: 35 },
    attack: { precision: 0.5217391304347826, recall: 0.8, 'f1-score': 0.6315789473684211, support: 15 },
    accuracy: 0.72,
    'macro avg': { precision: 0.7053140096618358, recall: 0.7428571428571429, 'f1-score': 0.7028862478777589, support: 50 },
    'weighted avg': { precision: 0.778743961352657, recall: 0.72, 'f1-score': 0.7314091680814941, support: 50 },
  });
  const big = synthetic(20000, 1009);
  closeDeep(classificationReport(confusionMatrix(big.s, big.y, 5.1)), {
    attack: { precision: 0.29414121181772657, recall: 0.5139107611548557, 'f1-score': 0.374140127388535, support: 5715 },
    'weighted avg': { precision: 0.6001793834786128, recall: 0.5087, 'f1-score': 0.53234488296506, support: 20000 },
  });
});

test('zero division gives 0, as sklearn with zero_division=0 (nothing flagged)', () => {
  const r = classificationReport({ tn: 3, fp: 0, fn: 1, tp: 0 });
  assert.deepEqual(r.attack, { precision: 0, recall: 0, 'f1-score': 0, support: 1 });
  assert.equal(r.benign.precision, 0.75);
  assert.equal(r['macro avg'].precision, 0.375);
  assert.equal(r['weighted avg'].precision, 0.5625);
  assert.equal(r['weighted avg']['f1-score'], 0.6428571428571428);
  const empty = classificationReport({ tn: 0, fp: 0, fn: 0, tp: 0 });
  assert.equal(empty.accuracy, 0);
  assert.equal(empty['weighted avg'].precision, 0);
});

test('per-class detection groups attack rows by class, sorted by support, with the benign FPR', () => {
  const scores = Float64Array.from([0.9, 0.2, 0.8, 0.7, 0.1, 0.95, 0.3, 0.6, 5]);
  const labels = Int8Array.from([1, 1, 1, 1, 0, 0, 0, 0, -1]);
  const classes = ['dos', 'dos', 'scan', 'dos', 'benign', 'benign', 'benign', 'benign', 'dos'];
  const { attacks, benign } = perClassDetection(scores, labels, classes, 0.5);
  assert.deepEqual(attacks.map((a) => [a.class, a.support, a.detected]), [['dos', 3, 2], ['scan', 1, 1]]);
  assert.ok(Math.abs(attacks[0].detectionRate - 2 / 3) < 1e-12);
  assert.ok(Math.abs((attacks[0].meanScore ?? 0) - 0.6) < 1e-12);
  assert.deepEqual({ ...benign, meanScore: null }, { support: 4, flagged: 2, falsePositiveRate: 0.5, meanScore: null });
  assert.ok(Math.abs((benign.meanScore ?? 0) - 0.4875) < 1e-12);
});

test('histograms share bins across classes and count every labelled finite row', () => {
  const s = Float64Array.from({ length: 1000 }, (_, i) => i / 1000);
  const y = Int8Array.from({ length: 1000 }, (_, i) => (i >= 900 ? 1 : i === 5 ? -1 : 0));
  const h = scoreHistograms(s, y, { bins: 10 });
  assert.equal(h.scale, 'linear');
  assert.equal(h.edges.length, 11);
  assert.deepEqual(h.series.map((x) => x.name), ['benign', 'attack']);
  assert.equal(h.series[0].total, 899);
  assert.deepEqual(h.series[1].counts, [0, 0, 0, 0, 0, 0, 0, 0, 0, 100]);
});

test('histograms switch to log bins for heavy tails and clip extreme outliers into the edge bins', () => {
  const s = Float64Array.from({ length: 10000 }, (_, i) => Math.pow(10, (i % 1000) / 200)); // 1 .. ~1e5
  const y = new Int8Array(10000);
  const h = scoreHistograms(s, y, { bins: 20 });
  assert.equal(h.scale, 'log');
  assert.equal(h.edges[0], 1);
  const outlier = Float64Array.from({ length: 10000 }, (_, i) => (i === 0 ? 1e9 : i % 100));
  const h2 = scoreHistograms(outlier, new Int8Array(10000), { bins: 20 });
  assert.equal(h2.scale, 'linear');
  assert.ok(h2.edges[20] < 1000);
  assert.equal(h2.clipped.above, 1);
  assert.equal(h2.series[0].total, 10000);
  const constant = scoreHistograms(new Float64Array(5).fill(2), new Int8Array(5), { bins: 4 });
  assert.ok(constant.edges[0] < 2 && constant.edges[4] > 2);
  assert.equal(constant.series[0].total, 5);
});
