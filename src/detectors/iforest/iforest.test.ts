import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMatrix, vstack } from '../../core/matrix.js';
import { base64ToI32 } from '../../core/encode.js';
import { createDetector } from '../index.js';
import { auroc, gaussian, mean, uniform } from '../testing.js';
import { averagePathLength } from './forest.js';

test('c(n): the average unsuccessful-search path length used by scikit-learn', () => {
  assert.equal(averagePathLength(0), 0);
  assert.equal(averagePathLength(1), 0);
  assert.equal(averagePathLength(2), 1);
  const c256 = 2 * (Math.log(255) + 0.5772156649) - (2 * 255) / 256;
  assert.ok(Math.abs(averagePathLength(256) - c256) < 1e-9);
  assert.ok(Math.abs(averagePathLength(256) - 10.2448) < 1e-4);
});

test('uniform data scores near 0.5; an isolated point scores near 1 (as scikit-learn: 0.50 / 0.93 and 0.72)', () => {
  const far = createMatrix(1, 4, new Float32Array([8, 8, 8, 8]));
  // Every row in every tree's sample (n <= 256): the isolated point is cut off within a split or two.
  const small = vstack([uniform(255, 4, 1), far]);
  const s = createDetector('iforest').fit(small, { seed: 3 }).score(small);
  const inl = mean(s.subarray(0, 255));
  assert.ok(inl > 0.42 && inl < 0.52, `uniform mean score ${inl}`);
  assert.ok(s[255] > 0.85, `isolated score ${s[255]}`);
  assert.ok(s.every((v) => v > 0 && v <= 1));
  // n = 1001: the point is in a quarter of the samples; elsewhere it shares the edge leaves (scikit-learn: ~0.72).
  const big = vstack([uniform(1000, 4, 1), far]);
  const b = createDetector('iforest').fit(big, { seed: 3 }).score(big);
  assert.ok(Math.abs(mean(b.subarray(0, 1000)) - 0.5) < 0.03);
  assert.ok(b[1000] > 0.65, `isolated score ${b[1000]}`);
});

test('progress is reported once per tree', () => {
  const calls: [number, number][] = [];
  createDetector('iforest', { nEstimators: 7 }).fit(gaussian(100, 3, 1), { onProgress: (d, t) => calls.push([d, t]) });
  assert.deepEqual(calls, [1, 2, 3, 4, 5, 6, 7].map((i) => [i, 7]));
});

test('maxSamples bounds the trees: depth ceil(log2 m), at most 2m - 1 nodes per tree', () => {
  const det = createDetector('iforest', { nEstimators: 10, maxSamples: 64 }).fit(gaussian(2000, 5, 2), { seed: 1 });
  const st = det.toJSON().state as { maxSamples: number; roots: string; feature: string };
  assert.equal(st.maxSamples, 64);
  assert.equal(base64ToI32(st.roots).length, 10);
  const nodes = base64ToI32(st.feature).length;
  assert.ok(nodes <= 10 * 127 && nodes >= 10 * 7, `${nodes} nodes`);
  // A fraction is a fraction of the rows.
  const half = createDetector('iforest', { nEstimators: 2, maxSamples: 0.5 }).fit(gaussian(100, 2, 1));
  assert.equal((half.toJSON().state as { maxSamples: number }).maxSamples, 50);
});

test('feature subsampling and bootstrap still separate shifted outliers', () => {
  const train = gaussian(1000, 6, 4);
  const batch = vstack([gaussian(200, 6, 5), gaussian(40, 6, 6, 5)]);
  const labels = Array.from({ length: 240 }, (_, i) => (i < 200 ? 0 : 1));
  for (const params of [{ maxFeatures: 0.5 }, { bootstrap: true }, { maxFeatures: 2 }]) {
    const s = createDetector('iforest', params).fit(train, { seed: 2 }).score(batch);
    assert.ok(auroc(s, labels) > 0.95, JSON.stringify(params));
  }
});

test('all-identical training rows give a single leaf per tree and finite scores', () => {
  const x = createMatrix(50, 3, new Float32Array(150).fill(2));
  const s = createDetector('iforest', { nEstimators: 5 }).fit(x).score(gaussian(4, 3, 1));
  assert.ok(s.every(Number.isFinite));
});
