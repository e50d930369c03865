import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMatrix, type Matrix } from '../../core/matrix.js';
import { Rng } from '../../core/rng.js';
import { nearestNeighbours, smote } from './index.js';

/** n rows of class c around centre c * 4 in d dimensions. */
function classes(counts: number[], d: number, seed: number): { x: Matrix; y: Int32Array } {
  const rng = new Rng(seed);
  const n = counts.reduce((a, b) => a + b, 0);
  const data = new Float32Array(n * d);
  const y = new Int32Array(n);
  let i = 0;
  counts.forEach((m, c) => {
    for (let r = 0; r < m; r++, i++) {
      y[i] = c;
      for (let j = 0; j < d; j++) data[i * d + j] = 4 * c + rng.normal();
    }
  });
  // Interleave the classes so class members are not contiguous.
  const order = rng.shuffle(Int32Array.from({ length: n }, (_, k) => k));
  const sx = new Float32Array(n * d);
  const sy = new Int32Array(n);
  order.forEach((src, dst) => {
    sx.set(data.subarray(src * d, src * d + d), dst * d);
    sy[dst] = y[src];
  });
  return { x: createMatrix(n, d, sx), y: sy };
}

function sqDist(x: Matrix, a: number, b: number): number {
  let s = 0;
  for (let j = 0; j < x.cols; j++) s += (x.data[a * x.cols + j] - x.data[b * x.cols + j]) ** 2;
  return s;
}

test('counts: every minority class is raised to the majority count; originals kept first, in order', () => {
  const { x, y } = classes([200, 37, 90, 5], 3, 1);
  const r = smote(x, y, { seed: 1 });
  assert.deepEqual(r.added, [0, 163, 110, 195]);
  assert.deepEqual(r.skipped, []);
  const counts = [0, 0, 0, 0];
  for (const c of r.labels) counts[c]++;
  assert.deepEqual(counts, [200, 200, 200, 200]);
  assert.equal(r.x.rows, r.labels.length);
  assert.deepEqual(r.x.data.subarray(0, x.data.length), x.data);
  assert.deepEqual(r.labels.subarray(0, y.length), y);
  // targetRatio and perClassTarget.
  assert.deepEqual(smote(x, y, { seed: 1, targetRatio: 0.5 }).added, [0, 63, 10, 95]);
  assert.deepEqual(smote(x, y, { seed: 1, perClassTarget: [0, 40, 0, 6] }).added, [0, 3, 0, 1]);
});

test('synthetic rows lie on segments between a row and one of its k nearest same-class neighbours', () => {
  const { x, y } = classes([150, 30, 12], 4, 2);
  const k = 5;
  const r = smote(x, y, { seed: 3, k });
  const n = x.rows;
  const byClass = (c: number) => Array.from({ length: n }, (_, i) => i).filter((i) => y[i] === c);
  const knn = new Map<number, number[]>();
  for (const c of [1, 2]) {
    const m = byClass(c);
    for (const a of m) {
      const near = m.filter((b) => b !== a).sort((p, q) => sqDist(x, a, p) - sqDist(x, a, q) || p - q);
      knn.set(a, near.slice(0, k));
    }
  }
  const all = createMatrix(r.x.rows, x.cols, r.x.data);
  for (let s = n; s < r.x.rows; s++) {
    const c = r.labels[s];
    assert.ok(c === 1 || c === 2);
    // Find the (base, neighbour) pair: s = a + t (b - a) with t in [0, 1), same class, b among a's k-NN.
    let found = false;
    for (const a of byClass(c)) {
      for (const b of knn.get(a) as number[]) {
        let t = NaN;
        let ok = true;
        for (let j = 0; j < x.cols && ok; j++) {
          const xa = x.data[a * x.cols + j];
          const dv = x.data[b * x.cols + j] - xa;
          const sv = all.data[s * x.cols + j];
          if (Math.abs(dv) < 1e-6) ok = Math.abs(sv - xa) < 1e-5;
          else {
            const tj = (sv - xa) / dv;
            if (Number.isNaN(t)) t = tj;
            ok = Math.abs(tj - t) < 1e-3 && tj > -1e-6 && tj < 1 + 1e-6;
          }
        }
        if (ok) found = true;
      }
      if (found) break;
    }
    assert.ok(found, `synthetic row ${s} is on no same-class k-NN segment`);
  }
});

test('deterministic under a seed; another seed gives other rows', () => {
  const { x, y } = classes([100, 20], 3, 4);
  const a = smote(x, y, { seed: 7 });
  const b = smote(x, y, { seed: 7 });
  assert.deepEqual(a.x.data, b.x.data);
  assert.deepEqual(a.labels, b.labels);
  assert.notDeepEqual(smote(x, y, { seed: 8 }).x.data, a.x.data);
});

test('a one-row class is skipped (nothing to interpolate with); k is capped at the class size - 1', () => {
  const { x, y } = classes([50, 1, 3], 2, 5);
  const r = smote(x, y, { seed: 1, k: 10 });
  assert.deepEqual(r.skipped, [1]);
  assert.deepEqual(r.added, [0, 0, 47]);
  assert.throws(() => smote(x, y.subarray(1)), RangeError);
  assert.throws(() => smote(x, y, { k: 0 }), RangeError);
});

test('nearestNeighbours: exact, nearest first, itself excluded (agrees with brute force)', () => {
  const rng = new Rng(9);
  const n = 300;
  const d = 20;
  const x = createMatrix(n, d, Float32Array.from({ length: n * d }, () => rng.normal()));
  const rows = Int32Array.from({ length: n }, (_, i) => i);
  const queries = Int32Array.from([0, 17, 150, 299]);
  const nn = nearestNeighbours(x, rows, queries, 6);
  queries.forEach((q, j) => {
    const brute = Array.from(rows)
      .filter((p) => p !== q)
      .sort((a, b) => sqDist(x, q, a) - sqDist(x, q, b))
      .slice(0, 6);
    assert.deepEqual(Array.from(nn.subarray(j * 6, j * 6 + 6)), brute);
  });
});
