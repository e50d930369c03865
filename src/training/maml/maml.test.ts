import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../core/rng.js';
import { rowsByClass, sampleTask } from './tasks.js';

// 10 benign rows, 12 of class 1, 2 of class 2, 0 of class 3; one column holding the row index.
const labels = Int32Array.from([...Array(10).fill(0), ...Array(12).fill(1), 2, 2]);
const x = Float32Array.from(labels, (_, i) => i);
const byClass = rowsByClass(labels, 4);

test('tasks: benign always in, N-way over present classes, K support + Q query per class, seeded', () => {
  const t = sampleTask(x, 1, byClass, 2, 3, 2, new Rng(1));
  assert.equal(t.classes.length, 2);
  assert.equal(t.classes[0], 0);
  assert.equal(t.support.rows, 6);
  assert.equal(t.query.rows, 4);
  assert.deepEqual(Array.from(t.support.labels), [0, 0, 0, t.classes[1], t.classes[1], t.classes[1]]);
  for (let k = 0; k < t.support.rows; k++) assert.equal(labels[t.support.x[k]], t.support.labels[k]);
  // Enough rows: support and query are distinct rows.
  const s0 = new Set(Array.from(t.support.x.subarray(0, 3)));
  for (const q of t.query.x.subarray(0, 2)) assert.ok(!s0.has(q));
  assert.deepEqual(sampleTask(x, 1, byClass, 2, 3, 2, new Rng(1)), t);
  // Asking for more ways than present classes (class 3 is empty) gives every present class.
  assert.deepEqual(sampleTask(x, 1, byClass, 5, 3, 2, new Rng(2)).classes, [0, 1, 2]);
  // A rare class (2 rows) is drawn with replacement.
  const rare = sampleTask(x, 1, byClass, 3, 4, 4, new Rng(3));
  assert.equal(rare.support.rows, 12);
  for (let k = 8; k < 12; k++) assert.ok([22, 23].includes(rare.support.x[k]));
});
