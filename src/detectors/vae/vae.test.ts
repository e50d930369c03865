import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMatrix, selectRows, vstack, type Matrix } from '../../core/matrix.js';
import { getTf } from '../../training/tf/runtime.js';
import { createDetector, detectorFromJSON, detectors } from '../index.js';
import { auroc, gaussian } from '../testing.js';
import type { VaeDetector } from './index.js';
import { vaeSchema } from './options.js';

const tf = getTf();
/** Raw-unit data (large offsets and scales): the stored min-max scaler must handle it without the pipeline. */
function raw(m: Matrix): Matrix {
  const d = m.data.map((v, i) => 5000 + 300 * v * (1 + (i % m.cols)));
  return createMatrix(m.rows, m.cols, d);
}
const train = raw(gaussian(600, 6, 1));
const batch = vstack([raw(gaussian(150, 6, 2)), raw(gaussian(40, 6, 3, 4))]);
const labels = Array.from({ length: batch.rows }, (_, i) => (i < 150 ? 0 : 1));
const fitVae = (params: Record<string, unknown> = {}, seed = 5) => createDetector('vae', { epochs: 15, ...params }).fit(train, { seed }) as VaeDetector;
const fitted = fitVae();

test('registered as vae, with the paper defaults', () => {
  assert.ok(detectors.has('vae'));
  const p = vaeSchema.parse({});
  assert.deepEqual(p.hidden, [16, 16, 16]);
  assert.equal(p.latentDim, 10);
  assert.equal(p.learningRate, 1e-4);
  assert.equal(p.beta1, 0.9);
  assert.equal(p.beta2, 0.999);
  assert.equal(p.epochs, 100);
  assert.equal(p.k, 3);
  assert.equal(p.score, 'mse');
});

test('min-max scaler fitted on training rows is stored; anomalies in raw units score higher', () => {
  const s = fitted.scaler;
  assert.ok(s);
  assert.equal(s.min.length, 6);
  assert.ok(s.min[0] > 3000 && s.range[0] > 100);
  const auc = auroc(fitted.score(batch), labels);
  assert.ok(auc > 0.95, `AUROC ${auc}`);
});

test('threshold statistics: r_mean, r_sd over the last epoch, threshold(k) = r_mean + k * r_sd', () => {
  const st = fitted.thresholdStats;
  assert.ok(st);
  assert.ok(st.rMean > 0 && st.rSd > 0);
  assert.equal(st.k, 3);
  assert.equal(fitted.threshold(), st.rMean + 3 * st.rSd);
  assert.equal(fitted.threshold(1.5), st.rMean + 1.5 * st.rSd);
  // Last-epoch errors (sampled z) are of the order of the deterministic training scores.
  const tr = fitted.score(train);
  const m = tr.reduce((a, v) => a + v, 0) / tr.length;
  assert.ok(st.rMean > m / 3 && st.rMean < m * 3, `r_mean ${st.rMean} vs mean training score ${m}`);
  // Most training rows are under r_th, most attack rows above it.
  const above = (xs: Float64Array) => xs.filter((v) => v > fitted.threshold()).length / xs.length;
  assert.ok(above(tr) < 0.05, `training rows above r_th: ${above(tr)}`);
  assert.ok(above(fitted.score(batch).subarray(150)) > 0.5);
});

test('encode: latent mean and (positive) variance per row, deterministic', () => {
  const e = fitted.encode(batch);
  assert.equal(e.mean.rows, batch.rows);
  assert.equal(e.mean.cols, 10);
  assert.ok(e.variance.data.every((v) => v > 0 && Number.isFinite(v)));
  assert.deepEqual(fitted.encode(batch).mean.data, e.mean.data);
});

test('reconstruction-probability score: seeded Monte Carlo, independent of the batch it is in, separates anomalies', () => {
  const det = fitVae({ score: 'probability', samples: 8 });
  const s = det.score(batch);
  assert.deepEqual(det.score(batch), s);
  const one = det.score(selectRows(batch, [170]));
  assert.equal(one[0], s[170]);
  assert.ok(auroc(s, labels) > 0.95, `AUROC ${auroc(s, labels)}`);
  const back = detectorFromJSON(JSON.parse(JSON.stringify(det.toJSON())));
  assert.deepEqual(back.score(batch), s);
});

test('no tensor leaks; same seed same scores; JSON round trip bit-identical', () => {
  const before = tf.memory().numTensors;
  const det = fitVae({ epochs: 3 });
  det.score(batch);
  det.encode(batch);
  det.explain(batch);
  assert.equal(tf.memory().numTensors, before);
  assert.deepEqual(fitVae({ epochs: 3 }).score(batch), det.score(batch));
  const back = detectorFromJSON(JSON.parse(JSON.stringify(fitted.toJSON()))) as VaeDetector;
  assert.deepEqual(back.score(batch), fitted.score(batch));
  assert.equal(back.threshold(2), fitted.threshold(2));
  assert.equal(back.fitInfo?.backend, fitted.fitInfo?.backend);
});

test('fit reports progress per epoch and records the history', () => {
  const seen: string[] = [];
  const det = createDetector('vae', { epochs: 4 }).fit(train, { seed: 1, onProgress: (e, n) => seen.push(`${e}/${n}`) }) as VaeDetector;
  assert.deepEqual(seen, ['1/4', '2/4', '3/4', '4/4']);
  assert.equal(det.fitInfo?.history.loss.length, 4);
  assert.equal(det.fitInfo?.history.valLoss.length, 0);
});
