import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMatrix, type Matrix } from '../../core/matrix.js';
import { PeregrineError } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import { getTf } from '../../training/tf/runtime.js';
import { createDetector, detectorFromJSON } from '../index.js';
// Importing the folder registers the detector (it is not in src/detectors/index.ts yet; see the siamese index.ts).
import { SiameseDetector, samplePairs } from './index.js';
import { calibrateHead, flattenSize, initWeights, splitWeights, weightSpecs } from './network.js';

const code = (e: unknown): string | undefined => (e instanceof PeregrineError ? e.code : undefined);

/** Three classes, 12 features: class c adds +5 to features 4c..4c+3 (N(0,1) noise everywhere). */
function task(perClass: number, seed: number): { x: Matrix; labels: Int32Array } {
  const rng = new Rng(seed);
  const d = 12;
  const x = createMatrix(3 * perClass, d);
  const labels = new Int32Array(3 * perClass);
  for (let i = 0; i < x.rows; i++) {
    const c = i % 3;
    labels[i] = c;
    for (let j = 0; j < d; j++) x.data[i * d + j] = rng.normal() + (Math.floor(j / 4) === c ? 5 : 0);
  }
  return { x, labels };
}

test('shots must be an integer in 1..50', () => {
  for (const bad of [0, 51, 2.5, -1]) {
    assert.throws(() => createDetector('siamese', { shots: bad }), (e) => code(e) === 'PGN_ERR_BAD_PARAM' && (e as PeregrineError).where === 'siamese.shots', String(bad));
  }
  for (const ok of [1, 5, 50]) assert.equal(createDetector('siamese', { shots: ok }).type, 'siamese');
});

test('the architecture is the few-shot report\'s: 4,096-value flatten, 4,096-unit embedding, 17.3 M parameters', () => {
  assert.equal(flattenSize(32), 4096);
  const specs = weightSpecs(32);
  assert.deepEqual(specs.map((s) => s.shape), [[5, 5, 1, 64], [64], [3, 3, 64, 128], [128], [3, 3, 128, 128], [128], [3, 3, 128, 256], [256], [4096, 4096], [4096], [4096, 1], [1]]);
  const n = specs.reduce((a, s) => a + s.shape.reduce((p, q) => p * q, 1), 0);
  assert.equal(n, 17_303_681);
});

test('pair sampling is seeded and balanced: half same-class pairs, classes drawn uniformly', () => {
  const byClass = [Array.from({ length: 90 }, (_, i) => i), [90, 91, 92], [93, 94]];
  const a = samplePairs(byClass, 600, new Rng(3));
  assert.deepEqual(a, samplePairs(byClass, 600, new Rng(3)));
  const cls = (r: number): number => (r < 90 ? 0 : r < 93 ? 1 : 2);
  let same = 0;
  const perClass = [0, 0, 0];
  for (let k = 0; k < 600; k++) {
    const [i, j] = [a.pairs[2 * k], a.pairs[2 * k + 1]];
    assert.equal(a.same[k], cls(i) === cls(j) ? 1 : 0);
    if (a.same[k]) {
      assert.notEqual(i, j);
      same++;
      perClass[cls(i)]++;
    }
  }
  assert.equal(same, 300);
  // Rare classes get about as many same pairs as the big one (uniform over classes, not rows).
  for (const c of perClass) assert.ok(c > 60, perClass.join(','));
});

test('siamese learns a 3-class few-shot task (tiny budget), persists bit-identically and leaks no tensor', () => {
  const tf = getTf();
  const { x, labels } = task(30, 1);
  const test = task(30, 2);
  const before = tf.memory().numTensors;
  const det = createDetector('siamese', { pairs: 24, epochs: 1, batchSize: 12, shots: 5, validationSplit: 0 }) as SiameseDetector;
  det.fit(x, { seed: 5, labels, classNames: ['benign', 'scan', 'flood'] });
  assert.equal(tf.memory().numTensors, before, 'fit leaves no tensor');
  const info = det.fitInfo;
  assert.ok(info && ['wasm', 'cpu', 'tensorflow'].includes(info.backend), 'the training backend is reported');
  assert.deepEqual(det.shotsUsed, [5, 5, 5]);
  const pred = det.predictClass(test.x);
  const scores = det.score(test.x);
  assert.equal(tf.memory().numTensors, before, 'scoring leaves no tensor');
  let correct = 0;
  for (let i = 0; i < pred.length; i++) if (pred[i] === test.labels[i]) correct++;
  const acc = correct / pred.length;
  assert.ok(acc > 0.6, `few-shot accuracy ${acc} (chance 0.33)`);
  let sBenign = 0;
  let sAttack = 0;
  for (let i = 0; i < scores.length; i++) if (test.labels[i] === 0) sBenign += scores[i];
  else sAttack += scores[i];
  assert.ok(sAttack / 60 > sBenign / 30, 'attack rows score above benign rows');
  const back = detectorFromJSON(JSON.parse(JSON.stringify(det.toJSON()))) as SiameseDetector;
  assert.deepEqual(back.score(test.x), scores);
  assert.deepEqual(back.predictClass(test.x), pred);
  assert.deepEqual(back.classNames, ['benign', 'scan', 'flood']);
});

test('a class with fewer rows than shots keeps them all; one class only is refused', () => {
  const x = createMatrix(4, 3, Float32Array.from([0, 0, 0, 0.1, 0, 0, 0.2, 0, 0, 5, 5, 5]));
  const det = createDetector('siamese', { pairs: 4, epochs: 1, batchSize: 4, shots: 3, validationSplit: 0 }) as SiameseDetector;
  det.fit(x, { labels: Int32Array.from([0, 0, 0, 1]) });
  assert.deepEqual(det.shotsUsed, [3, 1]);
  assert.throws(() => det.fit(x, { labels: new Int32Array(4) }), (e) => code(e) === 'PGN_ERR_NO_TRAINING_ROWS');
  assert.throws(() => det.fit(x), (e) => code(e) === 'PGN_ERR_USAGE');
});

test('the head starts calibrated (untrained logits centred, unit spread) and training moves the pair loss well below ln 2', () => {
  const tf = getTf();
  const { x, labels } = task(30, 3);
  const specs = weightSpecs(16);
  const rng = new Rng(4);
  const byClass = [0, 1, 2].map((c) => Array.from(labels.keys()).filter((i) => labels[i] === c));
  const { pairs } = samplePairs(byClass, 32, rng);
  const vars = splitWeights(specs, initWeights(specs, 9)).map((w, i) => tf.variable(tf.tensor(w, specs[i].shape)));
  try {
    const before = calibrateHead(tf, vars, x, pairs, 32, 16);
    assert.ok(before.sd > 0, 'the untrained logits vary');
    const again = calibrateHead(tf, vars, x, pairs, 32, 16);
    assert.ok(Math.abs(again.mean) < 1e-3 && Math.abs(again.sd - 1) < 1e-3, `after calibration: mean ${again.mean}, sd ${again.sd}`);
  } finally {
    for (const v of vars) v.dispose();
  }
  // Regression: with the Glorot-scaled head the first steps saturated the embedding and the loss stuck at ln 2.
  const det = createDetector('siamese', { imageSize: 16, pairs: 48, epochs: 6, batchSize: 16, learningRate: 1e-3, validationSplit: 0 }) as SiameseDetector;
  det.fit(x, { seed: 2, labels });
  const h = (det.fitInfo as NonNullable<SiameseDetector['fitInfo']>).history;
  const last = h.loss[h.loss.length - 1];
  assert.ok(last < 0.55 && last < h.loss[0], `pair loss per epoch: ${h.loss.map((l) => l.toFixed(3)).join(' ')}`);
});
