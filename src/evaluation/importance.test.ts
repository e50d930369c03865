import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMatrix, type FeatureBatch, type Matrix } from '../core/matrix.js';
import { PeregrineError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import { createDetector } from '../detectors/index.js';
import { permutationImportance } from './importance.js';

/** 4 features; the label depends on feature 2 only (attack when f2 > 0.5, with some overlap). */
function data(n: number, seed: number): { x: FeatureBatch; y: Int8Array } {
  const rng = new Rng(seed);
  const d = 4;
  const values = new Float32Array(n * d);
  const y = new Int8Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) values[i * d + j] = rng.normal();
    y[i] = values[i * d + 2] + 0.3 * rng.normal() > 0.5 ? 1 : 0;
  }
  return { x: { ...createMatrix(n, d, values), names: ['bytes', 'packets', 'syn_rate', 'duration'] }, y };
}

test('only the feature that matters has importance: a scorer that reads it alone', () => {
  const { x, y } = data(2000, 1);
  const onlyF2 = { score: (m: Matrix) => Float64Array.from({ length: m.rows }, (_, i) => m.data[i * m.cols + 2]) };
  const r = permutationImportance(onlyF2, x, y, { seed: 3, nRepeats: 4 });
  assert.equal(r.rows, 2000);
  assert.equal(r.nRepeats, 4);
  assert.ok(r.baseline > 0.9);
  assert.equal(r.importances[0].feature, 'syn_rate');
  assert.equal(r.importances[0].index, 2);
  assert.ok(r.importances[0].mean > 0.35, `drop ${r.importances[0].mean}`);
  assert.equal(r.importances[0].drops.length, 4);
  assert.ok(r.importances[0].sd >= 0 && r.importances[0].sd < 0.05);
  // Unused features: shuffling them changes nothing at all.
  for (const f of r.importances.slice(1)) {
    assert.equal(f.mean, 0);
    assert.equal(f.sd, 0);
  }
  // The input is left untouched.
  assert.deepEqual(x.data, data(2000, 1).x.data);
});

test('a fitted detector (gbdt) on held-out rows: the relevant feature ranks first; deterministic under a seed', () => {
  const train = data(2000, 2);
  const held = data(1000, 3);
  const det = createDetector('gbdt', { maxIter: 20 }).fit(train.x, { labels: Int32Array.from(train.y), seed: 1 });
  const a = permutationImportance(det, held.x, held.y, { seed: 5, nRepeats: 3 });
  assert.equal(a.importances[0].feature, 'syn_rate');
  assert.ok(a.importances[0].mean > 0.2);
  for (const f of a.importances.slice(1)) assert.ok(Math.abs(f.mean) < 0.03, `${f.feature}: ${f.mean}`);
  assert.deepEqual(permutationImportance(det, held.x, held.y, { seed: 5, nRepeats: 3 }), a);
  // A feature's result does not depend on which other features are evaluated; maxRows subsamples.
  const one = permutationImportance(det, held.x, held.y, { seed: 5, nRepeats: 3, features: [2] });
  assert.deepEqual(one.importances[0], a.importances.find((f) => f.index === 2));
  assert.equal(permutationImportance(det, held.x, held.y, { seed: 5, nRepeats: 1, maxRows: 300 }).rows, 300);
});

test('needs both classes; names default to f0.. for a plain matrix', () => {
  const { x } = data(50, 4);
  const s = { score: (m: Matrix) => new Float64Array(m.rows) };
  assert.throws(() => permutationImportance(s, x, new Int8Array(50)), (e) => e instanceof PeregrineError && e.code === 'PGN_ERR_NO_LABELS');
  const plain = createMatrix(4, 2, Float32Array.of(0, 1, 1, 0, 2, 1, 3, 0));
  const r = permutationImportance({ score: (m) => Float64Array.from({ length: m.rows }, (_, i) => m.data[i * 2]) }, plain, [0, 0, 1, 1]);
  assert.deepEqual(r.importances.map((f) => f.feature).sort(), ['f0', 'f1']);
});
