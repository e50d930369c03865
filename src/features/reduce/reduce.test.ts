import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMatrix, vstack } from '../../core/matrix.js';
import { PeregrineError } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import { createDetector } from '../../detectors/index.js';
import { auroc, gaussian } from '../../detectors/testing.js';
import { getTf } from '../../training/tf/runtime.js';
import { AeReducer } from './index.js';

/** 20-d rows driven by 4 latent factors (plus a little noise): a 10-d bottleneck should keep nearly everything. */
function lowRank(rows: number, seed: number, shift = 0) {
  const rng = new Rng(42);
  const mix = Array.from({ length: 4 * 20 }, () => rng.normal());
  const r = new Rng(seed);
  const out = new Float32Array(rows * 20);
  for (let i = 0; i < rows; i++) {
    const f = [r.normal() + shift, r.normal(), r.normal(), r.normal()];
    for (let j = 0; j < 20; j++) out[i * 20 + j] = f[0] * mix[j] + f[1] * mix[20 + j] + f[2] * mix[40 + j] + f[3] * mix[60 + j] + 0.05 * r.normal();
  }
  return createMatrix(rows, 20, out);
}

const train = lowRank(1500, 1);
const reducer = new AeReducer({ epochs: 15 }).fit(train, { seed: 2 });

test('fit/transform: 10 named features, low training reconstruction error, no tensor leaks', () => {
  const tf = getTf();
  const before = tf.memory().numTensors;
  const z = reducer.transform(lowRank(50, 3));
  assert.equal(tf.memory().numTensors, before);
  assert.equal(z.cols, 10);
  assert.equal(z.rows, 50);
  assert.deepEqual(z.names, ['ae1', 'ae2', 'ae3', 'ae4', 'ae5', 'ae6', 'ae7', 'ae8', 'ae9', 'ae10']);
  const st = reducer.toJSON();
  assert.ok(st.trainingReconstructionMse < 0.5, `reconstruction MSE ${st.trainingReconstructionMse} (data variance ~4)`);
  assert.equal(reducer.fitInfo?.history.loss.length, reducer.fitInfo?.epochsRun);
});

test('JSON round trip transforms bit-identically; project() is the Float64 form', () => {
  const x = lowRank(40, 4);
  const back = AeReducer.fromJSON(JSON.parse(JSON.stringify(reducer.toJSON())));
  assert.deepEqual(back.transform(x).data, reducer.transform(x).data);
  assert.deepEqual(back.project(Float64Array.from(x.data), 40), Float64Array.from(reducer.transform(x).data));
  assert.throws(() => AeReducer.fromJSON({ kind: 'autoencoder', version: 1 }), (e) => e instanceof PeregrineError && e.code === 'PGN_ERR_MODEL_FORMAT');
});

test('usable in front of a detector: shifted rows stay separable in the 10 AE features', () => {
  const test_ = vstack([lowRank(200, 5), lowRank(50, 6, 4)]);
  const labels = Array.from({ length: 250 }, (_, i) => (i < 200 ? 0 : 1));
  const det = createDetector('pca', { weighted: true, major: true }).fit(reducer.transform(train));
  const auc = auroc(det.score(reducer.transform(test_)), labels);
  assert.ok(auc > 0.9, `AUROC ${auc}`);
});

test('bad options name the field; wrong width is a schema error; same seed same features', () => {
  assert.throws(() => new AeReducer({ bottleneck: 0 }), (e) => e instanceof PeregrineError && e.where === 'reduce.ae.bottleneck');
  assert.throws(() => reducer.transform(gaussian(2, 7, 1)), (e) => e instanceof PeregrineError && e.code === 'PGN_ERR_MODEL_SCHEMA');
  const again = new AeReducer({ epochs: 15 }).fit(train, { seed: 2 });
  assert.deepEqual(again.transform(train).data, reducer.transform(train).data);
});
