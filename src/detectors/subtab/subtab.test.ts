import { test } from 'node:test';
import assert from 'node:assert/strict';
import { vstack } from '../../core/matrix.js';
import { Rng } from '../../core/rng.js';
import { getTf } from '../../training/tf/runtime.js';
import { createDetector, detectorFromJSON, detectors } from '../index.js';
import { gaussian } from '../testing.js';
import { subsetLayout, subsetRows } from './network.js';
import type { SubtabDetector } from './index.js';

const tf = getTf();
const small = { pretrainEpochs: 3, epochs: 15, batchSize: 32, encoderHidden: [32], embeddingDim: 16, headHidden: [16] };
// Three classes: benign N(0,1), class 1 shifted +3 on columns 0-3, class 2 shifted -3 on columns 8-11.
function threeClass(n: number, seed: number): { x: ReturnType<typeof vstack>; y: Int32Array } {
  const a = gaussian(n, 12, seed);
  const b = gaussian(n, 12, seed + 1);
  const c = gaussian(n, 12, seed + 2);
  for (let i = 0; i < n; i++) for (let j = 0; j < 4; j++) {
    b.data[i * 12 + j] += 3;
    c.data[i * 12 + 8 + j] -= 3;
  }
  return { x: vstack([a, b, c]), y: Int32Array.from({ length: 3 * n }, (_, i) => Math.floor(i / n)) };
}
const tr = threeClass(300, 1);
const te = threeClass(100, 11);
const fitSub = (params: Record<string, unknown> = {}, seed = 3) =>
  createDetector('subtab', { ...small, ...params }).fit(tr.x, { seed, labels: tr.y, classNames: ['benign', 'scan', 'flood'] }) as SubtabDetector;
const fitted = fitSub();

test('registered as a supervised detector', () => assert.equal(detectors.get('subtab').kind, 'supervised'));

test('subsets: K contiguous equal-width blocks with the overlap, covering every column', () => {
  assert.deepEqual(subsetLayout(8, 4, 0.75), { starts: [0, 1, 3, 4], width: 4 });
  assert.deepEqual(subsetLayout(100, 4, 0.75), { starts: [0, 19, 37, 56], width: 44 });
  assert.deepEqual(subsetLayout(3, 4, 0.75), { starts: [0, 1, 1], width: 2 });
  assert.deepEqual(subsetLayout(10, 1, 0.75), { starts: [0], width: 10 });
  for (const [d, k] of [[41, 4], [122, 4], [7, 3]]) {
    const { starts, width } = subsetLayout(d, k, 0.75);
    const seen = new Set<number>();
    for (const s of starts) for (let j = s; j < s + width; j++) seen.add(j);
    assert.equal(seen.size, d);
  }
});

test('swap noise: seeded, about maskRatio of the cells, values from the same column', () => {
  const x = gaussian(200, 6, 4);
  const a = subsetRows(x.data, 200, 6, [0, 2], 4, 0.15, new Rng(5));
  assert.deepEqual(a, subsetRows(x.data, 200, 6, [0, 2], 4, 0.15, new Rng(5)));
  const clean = subsetRows(x.data, 200, 6, [0, 2], 4, 0, null);
  let changed = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== clean[i]) changed++;
  assert.ok(changed > 0.1 * a.length && changed < 0.2 * a.length, `${changed} of ${a.length}`);
  // Row 5, subset 1, column 0 of the block (= column 2): its value is some row's column 2.
  const v = a[(200 + 5) * 4];
  assert.ok(Array.from({ length: 200 }, (_, i) => x.data[i * 6 + 2]).includes(v));
});

test('multi-class: predictClass beats 90 % accuracy; probabilities sum to 1; score = 1 - P(benign)', () => {
  const pred = fitted.predictClass(te.x);
  let ok = 0;
  for (let i = 0; i < pred.length; i++) if (pred[i] === te.y[i]) ok++;
  assert.ok(ok / pred.length > 0.9, `accuracy ${ok / pred.length}`);
  const p = fitted.predictProba(te.x);
  const s = fitted.score(te.x);
  for (let i = 0; i < te.x.rows; i++) {
    assert.ok(Math.abs(p[i * 3] + p[i * 3 + 1] + p[i * 3 + 2] - 1) < 1e-9);
    assert.equal(s[i], 1 - p[i * 3]);
  }
  assert.deepEqual(fitted.classNames, ['benign', 'scan', 'flood']);
});

test('pretraining lowers the reconstruction loss; both stages record backend and history', () => {
  const pre = fitSub({ pretrainEpochs: 6 }).pretrainFitInfo;
  assert.ok(pre);
  assert.equal(pre.history.loss.length, pre.epochsRun);
  assert.ok(pre.history.loss[pre.epochsRun - 1] < pre.history.loss[0]);
  assert.ok(fitted.fitInfo);
  assert.equal(fitted.fitInfo.history.accuracy.length, fitted.fitInfo.epochsRun);
  assert.equal(fitSub({ pretrainEpochs: 0, epochs: 2 }).pretrainFitInfo, null);
  assert.equal(fitSub({ backend: 'cpu', pretrainEpochs: 1, epochs: 1 }).fitInfo?.backend, 'cpu');
});

test('JSON round trip: identical probabilities, classes and fit reports', () => {
  const back = detectorFromJSON(JSON.parse(JSON.stringify(fitted.toJSON()))) as SubtabDetector;
  assert.deepEqual(back.predictProba(te.x), fitted.predictProba(te.x));
  assert.deepEqual(back.predictClass(te.x), fitted.predictClass(te.x));
  assert.deepEqual(back.fitInfo, fitted.fitInfo);
  assert.deepEqual(back.pretrainFitInfo, fitted.pretrainFitInfo);
});

test('no tensor leaks: numTensors unchanged by fit, score, predictClass and embed', () => {
  const before = tf.memory().numTensors;
  const det = fitSub({ pretrainEpochs: 2, epochs: 2, validationSplit: 0.2, patience: 1, classWeights: 'balanced' });
  assert.equal(tf.memory().numTensors, before, 'after fit');
  det.score(te.x);
  det.predictClass(te.x);
  assert.equal(det.embed(te.x).cols, 16);
  assert.equal(tf.memory().numTensors, before, 'after score');
});

test('fit without labels is a usage error', () => {
  assert.throws(() => createDetector('subtab', small).fit(tr.x), /needs labels/);
});
