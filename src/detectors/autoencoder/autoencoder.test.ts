import { test } from 'node:test';
import assert from 'node:assert/strict';
import { vstack } from '../../core/matrix.js';
import { getTf } from '../../training/tf/runtime.js';
import { createDetector, detectorFromJSON, detectors } from '../index.js';
import { auroc, gaussian, uniform } from '../testing.js';
import type { AutoencoderDetector } from './index.js';

const tf = getTf();
const train = gaussian(1500, 10, 1);
const test_ = vstack([gaussian(200, 10, 2), gaussian(50, 10, 3, 1.5)]);
const labels = Array.from({ length: test_.rows }, (_, i) => (i < 200 ? 0 : 1));
const fitAe = (params: Record<string, unknown> = {}, seed = 3) => createDetector('autoencoder', { epochs: 8, ...params }).fit(train, { seed }) as AutoencoderDetector;
const fitted = fitAe();

test('registered as autoencoder', () => assert.ok(detectors.has('autoencoder')));

test('no tensor leaks: numTensors unchanged by fit, score, explain and encode', () => {
  const before = tf.memory().numTensors;
  const det = fitAe({ epochs: 2, validationSplit: 0.2, patience: 1 });
  assert.equal(tf.memory().numTensors, before, 'after fit');
  det.score(test_);
  det.explain(test_);
  det.encode(test_);
  assert.equal(tf.memory().numTensors, before, 'after score');
});

test('beats random on Gaussian vs shifted rows (mild shift: 1.5 sd)', () => {
  const auc = auroc(fitted.score(test_), labels);
  assert.ok(auc > 0.8, `AUROC ${auc}`);
});

test('same seed, same scores; another seed, other scores', () => {
  assert.deepEqual(fitAe().score(test_), fitted.score(test_));
  assert.notDeepEqual(fitAe({}, 4).score(test_), fitted.score(test_));
});

test('JSON round trip scores bit-identically and keeps the fit report', () => {
  const back = detectorFromJSON(JSON.parse(JSON.stringify(fitted.toJSON()))) as AutoencoderDetector;
  assert.deepEqual(back.score(test_), fitted.score(test_));
  assert.deepEqual(back.fitInfo, fitted.fitInfo);
});

test('reports the backend used and the training history', () => {
  const info = fitted.fitInfo;
  assert.ok(info);
  assert.equal(info.backend, 'wasm');
  assert.match(info.backendReason, /auto/);
  assert.equal(info.history.loss.length, info.epochsRun);
  assert.equal(info.history.valLoss.length, info.epochsRun);
  assert.ok(info.history.loss[info.epochsRun - 1] < info.history.loss[0]);
  const cpu = fitAe({ backend: 'cpu', epochs: 2 });
  assert.equal(cpu.fitInfo?.backend, 'cpu');
  assert.match(cpu.fitInfo?.backendReason ?? '', /requested/);
  // The same maths on another backend: close, not necessarily bit-identical.
  const wasm = fitAe({ backend: 'wasm', epochs: 2 });
  const a = cpu.score(test_);
  const b = wasm.score(test_);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= 1e-3 * Math.max(1, Math.abs(b[i])), `row ${i}: ${a[i]} vs ${b[i]}`);
});

test('explain: per-feature error shares sum to 1 and point at the feature that is off', () => {
  const x = gaussian(5, 10, 8);
  const xs = x.data.slice();
  for (let i = 0; i < 5; i++) xs[i * 10 + 6] += 12;
  const shares = fitted.explain({ rows: 5, cols: 10, data: xs });
  for (let i = 0; i < 5; i++) {
    const row = shares.data.subarray(i * 10, i * 10 + 10);
    const sum = row.reduce((s, v) => s + v, 0);
    assert.ok(Math.abs(sum - 1) < 1e-5, `row ${i} sums to ${sum}`);
    assert.equal(row.indexOf(Math.max(...row)), 6);
  }
});

test('encode gives the bottleneck; reconstruction has the input shape', () => {
  const z = fitted.encode(test_);
  assert.equal(z.cols, 10);
  assert.equal(z.rows, test_.rows);
  const r = fitted.reconstruction(uniform(3, 10, 1));
  assert.equal(r.rows, 3);
  assert.equal(r.cols, 10);
});
