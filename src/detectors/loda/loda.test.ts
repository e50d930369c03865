import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMatrix } from '../../core/matrix.js';
import { base64ToI32 } from '../../core/encode.js';
import { createDetector } from '../index.js';
import { gaussian } from '../testing.js';

test('projections are sparse: round(sqrt(d)) non-zero weights each', () => {
  const det = createDetector('loda', { nProjections: 20 }).fit(gaussian(300, 16, 1), { seed: 4 });
  const st = det.toJSON().state as { nnz: number; index: string };
  assert.equal(st.nnz, 4);
  assert.equal(base64ToI32(st.index).length, 80);
});

test('a value far outside every histogram scores above all training rows', () => {
  const train = gaussian(1000, 9, 2);
  const det = createDetector('loda').fit(train, { seed: 1 });
  const max = Math.max(...det.score(train));
  const far = det.score(createMatrix(1, 9, new Float32Array(9).fill(40)))[0];
  assert.ok(far > max, `${far} <= ${max}`);
});

test('Laplace smoothing keeps one empty bin from dominating: scores stay on the log-probability scale', () => {
  const train = gaussian(2000, 4, 5);
  const s = createDetector('loda', { nBins: 10 }).fit(train, { seed: 2 }).score(train);
  const avg = s.reduce((a, b) => a + b, 0) / s.length;
  // The mean -log p of a 10-bin histogram of Gaussian projections lies between 0 and log(10).
  assert.ok(avg > 0.5 && avg < Math.log(10), `${avg}`);
});
