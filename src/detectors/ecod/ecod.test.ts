import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMatrix, fromRows } from '../../core/matrix.js';
import { base64ToF32 } from '../../core/encode.js';
import { EcodDetector } from './index.js';
import { ecodSchema } from './options.js';

const train = fromRows([[1], [2], [3], [4], [5]]);
const ecod = (p: Record<string, unknown>) => new EcodDetector(ecodSchema.parse(p));

test('tail probabilities: -log((count + 1) / (n + 1)) per side, by hand', () => {
  // Symmetric feature (skewness 0): PyOD aggregation takes max(left, right, left + right) per feature.
  const s = ecod({}).fit(train).score(fromRows([[3], [10], [-10], [1]]));
  assert.ok(Math.abs(s[0] - 2 * Math.log(6 / 4)) < 1e-12); // 3 of 5 on each side of 3
  assert.ok(Math.abs(s[1] - Math.log(6)) < 1e-12); // nothing >= 10, everything <= 10
  assert.ok(Math.abs(s[2] - Math.log(6)) < 1e-12);
  assert.ok(Math.abs(s[3] - (Math.log(6 / 2) + Math.log(6 / 6))) < 1e-12);
  // The paper's aggregation: max of the left, right and skew-chosen sums.
  const p = ecod({ aggregation: 'paper' }).fit(train).score(fromRows([[3], [10]]));
  assert.ok(Math.abs(p[0] - Math.log(6 / 4)) < 1e-12);
  assert.ok(Math.abs(p[1] - Math.log(6)) < 1e-12);
});

test('skewness picks the tail: a right-skewed feature scores its right tail', () => {
  const skewed = fromRows([[0], [0], [0], [0], [1], [1], [2], [9]]);
  const s = ecod({ aggregation: 'paper' }).fit(skewed).score(fromRows([[20], [-20]]));
  assert.ok(s[0] > 0 && s[1] > 0);
  assert.ok(Math.abs(s[0] - Math.log(9)) < 1e-12);
});

test('the reference stores unique values with cumulative counts and honours maxReferenceRows', () => {
  const rows = 1000;
  const data = new Float32Array(rows * 2);
  for (let i = 0; i < rows; i++) {
    data[i * 2] = i % 2; // one-hot like
    data[i * 2 + 1] = i;
  }
  const det = ecod({ maxReferenceRows: 300 }).fit(createMatrix(rows, 2, data), { seed: 1 });
  const st = det.toJSON().state as { referenceRows: number; values: string };
  assert.equal(st.referenceRows, 300);
  assert.equal(base64ToF32(st.values).length, 2 + 300);
});
