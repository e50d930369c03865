import { test } from 'node:test';
import assert from 'node:assert/strict';
import { vstack, type Matrix } from '../../core/matrix.js';
import { PeregrineError } from '../../core/errors.js';
import { getTf } from '../../training/tf/runtime.js';
import { createDetector, detectorFromJSON, detectors } from '../index.js';
import { auroc, gaussian } from '../testing.js';
import type { HybridDetector } from './index.js';
import { initWeights, weightCount, windowRows } from './network.js';

const tf = getTf();
const D = 6;
// Binary: benign N(0, 1) vs attack N(1.5, 1) in every feature (overlapping classes, Bayes AUROC ~ 0.99).
const binTrain = vstack([gaussian(800, D, 1), gaussian(200, D, 2, 1.5)]);
const binLabels = Int32Array.from({ length: 1000 }, (_, i) => (i < 800 ? 0 : 1));
const binTest = vstack([gaussian(300, D, 3), gaussian(100, D, 4, 1.5)]);
const binTestLabels = Array.from({ length: 400 }, (_, i) => (i < 300 ? 0 : 1));
const hybrid = (params: Record<string, unknown>) => createDetector('hybrid', { batchSize: 64, ...params }) as HybridDetector;
const binary = hybrid({ epochs: 4 }).fit(binTrain, { seed: 1, labels: binLabels, classNames: ['benign', 'attack'] });

/** Three classes, each shifted along its own feature. */
function threeClasses(perClass: number, seed: number): { x: Matrix; labels: Int32Array } {
  const parts = [0, 1, 2].map((c) => {
    const m = gaussian(perClass, D, seed * 10 + c);
    if (c > 0) for (let i = 0; i < perClass; i++) m.data[i * D + c] += 4;
    return m;
  });
  return { x: vstack(parts), labels: Int32Array.from({ length: 3 * perClass }, (_, i) => Math.floor(i / perClass)) };
}
const multiTrain = threeClasses(300, 1);
const multi = hybrid({ epochs: 4 }).fit(multiTrain.x, { seed: 2, labels: multiTrain.labels, classNames: ['benign', 'scan', 'flood'] });

test('registered as a supervised detector', () => {
  assert.ok(detectors.has('hybrid'));
  assert.equal(detectors.get('hybrid').kind, 'supervised');
});

test('the paper\'s architecture: weight count of Figure 9 for d = 6, T = 1, binary', () => {
  // LSTM 4*64*(6+64+1) + attention 64+1 + MHA 4*(64*64+64) + LN 128 + dense 64*128+128 + 128*64+64 + LN 128 + out 65
  const expected = 4 * 64 * 71 + 65 + 4 * (64 * 64 + 64) + 128 + (64 * 128 + 128) + (128 * 64 + 64) + 128 + 65;
  assert.equal(weightCount({ inputDim: 6, timeSteps: 1, outputs: 1 }), expected);
  assert.deepEqual(initWeights({ inputDim: 6, timeSteps: 1, outputs: 1 }, 3), initWeights({ inputDim: 6, timeSteps: 1, outputs: 1 }, 3));
});

test('learns a binary task (AUROC > 0.9) and reports backend, history and time', () => {
  const auc = auroc(binary.score(binTest), binTestLabels);
  assert.ok(auc > 0.9, `AUROC ${auc}`);
  const info = binary.training;
  assert.ok(info?.fitInfo);
  assert.equal(info.trainer, 'standard');
  assert.equal(info.backend, 'wasm');
  assert.equal(info.fitInfo.history.loss.length, info.fitInfo.epochsRun);
  assert.ok(info.fitInfo.history.loss[info.fitInfo.epochsRun - 1] < info.fitInfo.history.loss[0]);
  assert.ok(info.fitInfo.history.accuracy.length > 0);
  assert.equal(info.maml, null);
});

test('multi-class: predictClass accuracy on separable data; score = 1 - P(benign)', () => {
  const t = threeClasses(100, 2);
  const pred = multi.predictClass(t.x);
  let ok = 0;
  for (let i = 0; i < pred.length; i++) if (pred[i] === t.labels[i]) ok++;
  assert.ok(ok / pred.length > 0.9, `accuracy ${ok / pred.length}`);
  assert.deepEqual(multi.classNames, ['benign', 'scan', 'flood']);
  const s = multi.score(t.x);
  const auc = auroc(s, Array.from(t.labels, (l) => (l > 0 ? 1 : 0)));
  assert.ok(auc > 0.95, `AUROC ${auc}`);
  assert.ok(s.every((v) => v >= 0 && v <= 1));
});

test('windows: row i sees rows i-T+1..i, zeros before the first', () => {
  const x = Float32Array.from([1, 2, 3, 4, 5, 6]); // 3 rows x 2 cols
  assert.deepEqual(Array.from(windowRows(x, 3, 2, 2)), [0, 0, 1, 2, 1, 2, 3, 4, 3, 4, 5, 6]);
  assert.equal(windowRows(x, 3, 2, 1), x);
});

test('T > 1 learns a label carried by the previous row, which T = 1 cannot see', () => {
  const seq = (rows: number, seed: number) => {
    const x = gaussian(rows, 4, seed);
    const labels = new Int32Array(rows);
    for (let i = 1; i < rows; i++) labels[i] = x.data[(i - 1) * 4] > 0.5 ? 1 : 0;
    return { x, labels };
  };
  const tr = seq(1200, 5);
  const te = seq(400, 6);
  const w2 = hybrid({ timeSteps: 2, epochs: 5 }).fit(tr.x, { seed: 1, labels: tr.labels });
  const w1 = hybrid({ timeSteps: 1, epochs: 2 }).fit(tr.x, { seed: 1, labels: tr.labels });
  const a2 = auroc(w2.score(te.x), te.labels);
  const a1 = auroc(w1.score(te.x), te.labels);
  assert.ok(a2 > 0.9, `T = 2 AUROC ${a2}`);
  assert.ok(a1 < 0.65, `T = 1 AUROC ${a1}`);
  const back = detectorFromJSON(JSON.parse(JSON.stringify(w2.toJSON())));
  assert.deepEqual(back.score(te.x), w2.score(te.x));
});

test('MAML: meta-training improves on the (almost) untrained model on a few-shot task, and is timed separately', () => {
  // 40 attack rows only: a few-shot class.
  const x = vstack([gaussian(600, D, 11), gaussian(40, D, 12, 1.5)]);
  const labels = Int32Array.from({ length: 640 }, (_, i) => (i < 600 ? 0 : 1));
  const maml = (iterations: number) => hybrid({ trainer: 'maml', mamlIterations: iterations, mamlFineTuneEpochs: 0 }).fit(x, { seed: 3, labels });
  const trained = maml(40);
  const barely = maml(1);
  const a = auroc(trained.score(binTest), binTestLabels);
  const a0 = auroc(barely.score(binTest), binTestLabels);
  assert.ok(a > 0.9 && a > a0, `MAML AUROC ${a} vs 1 step ${a0}`);
  const info = trained.training;
  assert.ok(info?.maml);
  assert.equal(info.trainer, 'maml');
  assert.equal(info.maml.iterations, 40);
  assert.equal(info.maml.tasks, 160);
  assert.equal(info.maml.queryLoss.length, 40);
  assert.ok(info.maml.seconds > 0 && info.maml.seconds <= info.seconds);
  assert.equal(info.fitInfo, null);
  // With fine-tuning: the standard trainer runs after meta-training; progress covers both.
  const ticks: number[] = [];
  const tuned = hybrid({ trainer: 'maml', mamlIterations: 5, mamlFineTuneEpochs: 2 }).fit(x, { seed: 3, labels, onProgress: (d, t) => ticks.push(d / t) });
  assert.equal(tuned.training?.fitInfo?.epochs, 2);
  assert.equal(ticks.length, 7);
  assert.equal(ticks[6], 1);
  // Multi-class N-way tasks run too.
  const m = hybrid({ trainer: 'maml', mamlIterations: 3, mamlWays: 3, mamlFineTuneEpochs: 0 }).fit(multiTrain.x, { seed: 1, labels: multiTrain.labels });
  assert.equal(m.predictClass(multiTrain.x).length, multiTrain.x.rows);
});

test('JSON round trip: bit-identical scores and classes, training report kept', () => {
  for (const det of [binary, multi]) {
    const text = JSON.stringify(det.toJSON());
    const back = detectorFromJSON(JSON.parse(text)) as HybridDetector;
    assert.deepEqual(back.score(binTest), det.score(binTest));
    assert.deepEqual(back.predictClass(binTest), det.predictClass(binTest));
    assert.deepEqual(back.training, det.training);
    assert.equal(JSON.stringify(back.toJSON()), text);
  }
});

test('no tensor leaks: numTensors unchanged by fit (standard and MAML), score and predictClass', () => {
  const before = tf.memory().numTensors;
  const a = hybrid({ epochs: 2, timeSteps: 2 }).fit(binTrain, { seed: 1, labels: binLabels });
  const b = hybrid({ trainer: 'maml', mamlIterations: 2, mamlFineTuneEpochs: 1 }).fit(binTrain, { seed: 1, labels: binLabels });
  assert.equal(tf.memory().numTensors, before, 'after fit');
  a.score(binTest);
  b.predictClass(binTest);
  assert.equal(tf.memory().numTensors, before, 'after score');
});

test('class weights shift the decision towards the heavier class', () => {
  const fitW = (classWeights: number[]) => hybrid({ epochs: 1, classWeights }).fit(binTrain, { seed: 1, labels: binLabels }).score(binTest);
  const mean = (a: Float64Array) => a.reduce((s, v) => s + v, 0) / a.length;
  assert.ok(mean(fitW([1, 20])) > mean(fitW([20, 1])));
  assert.throws(() => fitW([1]), (e) => e instanceof PeregrineError && e.code === 'PGN_ERR_BAD_PARAM');
});

test('fit without labels is a usage error', () => {
  assert.throws(
    () => hybrid({}).fit(binTrain),
    (e) => e instanceof PeregrineError && e.code === 'PGN_ERR_USAGE',
  );
});
