import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMatrix, selectRows, type Matrix } from '../../core/matrix.js';
import { base64ToI32 } from '../../core/encode.js';
import { PeregrineError } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import { createDetector, detectorFromJSON, detectors } from '../index.js';
import { auroc } from '../testing.js';
import { binOf, binRows, fitBinMapper } from './binning.js';
import { boost, shouldStop, stratifiedSplit } from './boost.js';
import { predictRaw } from './forest.js';
import { meanLoss } from './loss.js';
import { GbdtClassifier } from './gbdt.js';
import { gbdtSchema, type GbdtParams } from './options.js';

/** XOR-like data: class 1 when x0 and x1 have the same sign; `noise` extra uninformative columns. */
function xor(n: number, seed: number, noise = 3): { x: Matrix; y: Int32Array } {
  const rng = new Rng(seed);
  const d = 2 + noise;
  const data = new Float32Array(n * d);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) data[i * d + j] = rng.uniform(-1, 1);
    y[i] = data[i * d] * data[i * d + 1] > 0 ? 1 : 0;
  }
  return { x: createMatrix(n, d, data), y };
}

/** K Gaussian blobs in d dimensions, class c centred at 3 * e_(c mod d) * (1 + floor(c / d)). */
function blobs(n: number, k: number, d: number, seed: number): { x: Matrix; y: Int32Array } {
  const rng = new Rng(seed);
  const data = new Float32Array(n * d);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % k;
    y[i] = c;
    for (let j = 0; j < d; j++) data[i * d + j] = rng.normal() + (j === c % d ? 3 * (1 + Math.floor(c / d)) : 0);
  }
  return { x: createMatrix(n, d, data), y };
}

function gbdt(params: Partial<GbdtParams> = {}): GbdtClassifier {
  return createDetector('gbdt', params) as GbdtClassifier;
}

function accuracy(pred: Int32Array, y: Int32Array): number {
  let ok = 0;
  for (let i = 0; i < y.length; i++) if (pred[i] === y[i]) ok++;
  return ok / y.length;
}

test('registered as a supervised detector', () => {
  assert.equal(detectors.get('gbdt').kind, 'supervised');
  assert.deepEqual(gbdtSchema.parse({}).maxLeafNodes, 31);
});

test('learns XOR (no single feature separates it); score = P(attack) ranks it', () => {
  const train = xor(3000, 1);
  const test_ = xor(1000, 2);
  const m = gbdt().fit(train.x, { labels: train.y, seed: 1 });
  const acc = accuracy(m.predictClass(test_.x), test_.y);
  assert.ok(acc > 0.95, `XOR accuracy ${acc}`);
  const s = m.score(test_.x);
  assert.ok(auroc(s, test_.y) > 0.98);
  assert.ok(s.every((v) => v >= 0 && v <= 1));
  assert.deepEqual(m.classNames, ['benign', 'attack']);
  // predictProba agrees with score and predictClass.
  const p = m.predictProba(test_.x);
  for (let i = 0; i < 20; i++) {
    assert.ok(Math.abs(p[2 * i + 1] - s[i]) < 1e-12);
    assert.ok(Math.abs(p[2 * i] + p[2 * i + 1] - 1) < 1e-12);
  }
});

test('multi-class softmax: one tree per class per iteration, accurate, probabilities sum to 1', () => {
  const train = blobs(1500, 4, 3, 3);
  const test_ = blobs(600, 4, 3, 4);
  const names = ['benign', 'dos', 'probe', 'r2l'];
  const m = gbdt({ maxIter: 30 }).fit(train.x, { labels: train.y, classNames: names, seed: 1 });
  assert.deepEqual(m.classNames, names);
  const acc = accuracy(m.predictClass(test_.x), test_.y);
  assert.ok(acc > 0.95, `accuracy ${acc}`);
  const state = m.toJSON().state as { roots: string; nIter: number };
  assert.equal(state.nIter, 30);
  assert.equal(base64ToI32(state.roots).length, 30 * 4);
  const p = m.predictProba(test_.x);
  const s = m.score(test_.x);
  for (let i = 0; i < test_.x.rows; i++) {
    let sum = 0;
    for (let c = 0; c < 4; c++) sum += p[i * 4 + c];
    assert.ok(Math.abs(sum - 1) < 1e-12);
    assert.ok(Math.abs(s[i] - (1 - p[i * 4])) < 1e-12);
  }
  // Anomaly score: every attack class above benign.
  assert.ok(auroc(s, Int32Array.from(test_.y, (c) => (c === 0 ? 0 : 1))) > 0.98);
});

test('deterministic: same seed, same model text; early stopping split depends on the seed', () => {
  const { x, y } = xor(2000, 5);
  const a = JSON.stringify(gbdt({ earlyStopping: true, maxIter: 20 }).fit(x, { labels: y, seed: 9 }).toJSON());
  const b = JSON.stringify(gbdt({ earlyStopping: true, maxIter: 20 }).fit(x, { labels: y, seed: 9 }).toJSON());
  const c = JSON.stringify(gbdt({ earlyStopping: true, maxIter: 20 }).fit(x, { labels: y, seed: 10 }).toJSON());
  assert.equal(a, b);
  assert.notEqual(a, c);
});

test('round trip through JSON text: scores, classes and probabilities bit-identical', () => {
  const train = blobs(900, 3, 4, 6);
  const probe = blobs(300, 3, 4, 7).x;
  // NaN cells in scoring follow the learnt missing-value direction in both copies.
  probe.data[5] = NaN;
  const m = gbdt({ maxIter: 15 }).fit(train.x, { labels: train.y, seed: 2 });
  const back = detectorFromJSON(JSON.parse(JSON.stringify(m.toJSON()))) as GbdtClassifier;
  assert.deepEqual(back.score(probe), m.score(probe));
  assert.deepEqual(back.predictClass(probe), m.predictClass(probe));
  assert.deepEqual(back.predictProba(probe), m.predictProba(probe));
  assert.deepEqual(back.classNames, m.classNames);
});

test('early stopping stops on noisy labels and keeps the trees grown so far', () => {
  // Labels are x0 > 0 flipped 30 % of the time: after a few trees only noise is left to fit.
  const rng = new Rng(11);
  const n = 4000;
  const x = createMatrix(n, 3, Float32Array.from({ length: n * 3 }, () => rng.uniform(-1, 1)));
  const y = Int32Array.from({ length: n }, (_, i) => ((x.data[i * 3] > 0) !== rng.next() < 0.3 ? 1 : 0));
  const m = gbdt({ earlyStopping: true, maxIter: 200 }).fit(x, { labels: y, seed: 1 });
  const it = m.iterations;
  assert.ok(it.earlyStopped);
  assert.ok(it.nIter < 100, `ran ${it.nIter} iterations`);
  assert.equal(it.validationLoss.length, it.nIter + 1);
  assert.equal(base64ToI32((m.toJSON().state as { roots: string }).roots).length, it.nIter);
  // 'auto' turns it on above 10 000 rows only.
  assert.equal(gbdt({ maxIter: 12 }).fit(x, { labels: y, seed: 1 }).iterations.validationLoss.length, 0);
});

test("shouldStop follows scikit-learn's rule", () => {
  assert.equal(shouldStop([3, 2, 1], 3, 0), false); // not enough scores yet
  assert.equal(shouldStop([3, 2, 2, 2, 2], 3, 0), true); // no improvement on 2 for 3 iterations
  assert.equal(shouldStop([3, 2, 2, 2, 1.9], 3, 0), false);
  assert.equal(shouldStop([3, 2, 2, 2, 1.9], 3, 0.5), true); // improvements below tol do not count
});

test('validation loss from the binned walk equals the loss of predictRaw on raw rows (same branches)', () => {
  const { x, y } = xor(3000, 8);
  const p = gbdtSchema.parse({ earlyStopping: true, maxIter: 10 });
  const r = boost(x, y, 2, p, 4);
  const { valid } = stratifiedSplit(y, 2, p.validationFraction, new Rng(4).fork());
  const raw = predictRaw(r.forest, selectRows(x, valid));
  assert.equal(meanLoss(raw, 1, y, valid, null), r.validationLoss[r.validationLoss.length - 1]);
});

test('trees respect maxLeafNodes, maxDepth and minSamplesLeaf', () => {
  const { x, y } = xor(2000, 12);
  const leaves = (m: GbdtClassifier) => {
    const s = m.toJSON().state as { feature: string; left: string; roots: string };
    const feature = base64ToI32(s.feature);
    const left = base64ToI32(s.left);
    const right = base64ToI32((m.toJSON().state as { right: string }).right);
    const roots = base64ToI32(s.roots);
    const perTree: { leaves: number; depth: number }[] = [];
    for (const r of roots) {
      let nLeaves = 0;
      let depth = 0;
      const walk = (node: number, dd: number): void => {
        if (feature[node] < 0) {
          nLeaves++;
          depth = Math.max(depth, dd);
          return;
        }
        walk(left[node], dd + 1);
        walk(right[node], dd + 1);
      };
      walk(r, 0);
      perTree.push({ leaves: nLeaves, depth });
    }
    return perTree;
  };
  for (const t of leaves(gbdt({ maxIter: 5, maxLeafNodes: 7 }).fit(x, { labels: y }))) assert.ok(t.leaves <= 7 && t.leaves > 1);
  const deep = leaves(gbdt({ maxIter: 5, maxLeafNodes: null, maxDepth: 3 }).fit(x, { labels: y }));
  for (const t of deep) assert.ok(t.depth <= 3 && t.leaves <= 8);
  // min leaf larger than half the data: no split at all.
  for (const t of leaves(gbdt({ maxIter: 2, minSamplesLeaf: 1001 }).fit(x, { labels: y }))) assert.equal(t.leaves, 1);
});

test('missing values: NaN learnt as a signal; NaN at scoring on a feature never missing in training is finite', () => {
  const rng = new Rng(3);
  const n = 2000;
  const data = new Float32Array(n * 2);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % 2;
    data[2 * i] = y[i] === 1 && rng.next() < 0.8 ? NaN : rng.normal();
    data[2 * i + 1] = rng.normal();
  }
  const m = gbdt({ maxIter: 20 }).fit(createMatrix(n, 2, data), { labels: y, seed: 1 });
  const probe = createMatrix(2, 2, Float32Array.of(NaN, 0, 0.1, NaN));
  const s = m.score(probe);
  assert.ok(s[0] > 0.7, `NaN row score ${s[0]}`);
  assert.ok(Number.isFinite(s[1]));
});

test('balanced class weights raise the rare class scores', () => {
  const rng = new Rng(21);
  const n = 3000;
  const x = createMatrix(n, 2, Float32Array.from({ length: n * 2 }, () => rng.normal()));
  // Rare, overlapping positives: 3 % of rows, shifted by 1 on feature 0.
  const y = Int32Array.from({ length: n }, (_, i) => (i % 33 === 0 ? 1 : 0));
  for (let i = 0; i < n; i++) if (y[i] === 1) x.data[2 * i] += 1;
  const plain = gbdt({ maxIter: 20 }).fit(x, { labels: y }).predictClass(x);
  const weighted = gbdt({ maxIter: 20, classWeight: 'balanced' }).fit(x, { labels: y }).predictClass(x);
  const recall = (p: Int32Array) => p.filter((c, i) => c === 1 && y[i] === 1).length / y.filter((c) => c === 1).length;
  assert.ok(recall(weighted) > recall(plain));
});

test('maxDeltaStep clips every leaf value to learningRate * maxDeltaStep', () => {
  const train = blobs(900, 3, 3, 2);
  const m = gbdt({ maxIter: 10, maxDeltaStep: 0.5 }).fit(train.x, { labels: train.y });
  const s = m.toJSON().state as { value: string };
  const v = new Float64Array(Buffer.from(s.value, 'base64').buffer.slice(0));
  assert.ok(v.every((a) => Math.abs(a) <= 0.05 + 1e-15));
});

test('fit needs labels that match the rows and the class names', () => {
  const { x, y } = xor(100, 1);
  const code = (e: unknown) => (e instanceof PeregrineError ? e.code : undefined);
  assert.throws(() => gbdt().fit(x), (e) => code(e) === 'PGN_ERR_USAGE');
  assert.throws(() => gbdt().fit(x, { labels: y.subarray(1) }), (e) => code(e) === 'PGN_ERR_USAGE');
  assert.throws(() => gbdt().fit(x, { labels: Int32Array.from(y, (c) => c * 2), classNames: ['benign', 'attack'] }), (e) => code(e) === 'PGN_ERR_USAGE');
  assert.throws(() => gbdt().fit(createMatrix(0, 3), { labels: new Int32Array(0) }), (e) => code(e) === 'PGN_ERR_NO_TRAINING_ROWS');
  // One class only: the constant model, finite scores.
  assert.ok(gbdt({ maxIter: 3 }).fit(x, { labels: new Int32Array(100) }).score(x).every(Number.isFinite));
});

test('fromJSON rejects a damaged tree table', () => {
  const { x, y } = xor(300, 1);
  const saved = JSON.parse(JSON.stringify(gbdt({ maxIter: 3 }).fit(x, { labels: y }).toJSON()));
  const left = base64ToI32(saved.state.left);
  left[0] = 0; // a cycle
  const bad = { ...saved, state: { ...saved.state, left: Buffer.from(left.buffer).toString('base64') } };
  assert.throws(() => GbdtClassifier.fromJSON(bad), (e) => e instanceof PeregrineError && e.code === 'PGN_ERR_MODEL_FORMAT');
});

test('binning: one bin per distinct value up to maxBins, quantile edges beyond, NaN in its own bin', () => {
  const few = createMatrix(6, 1, Float32Array.of(0, 1, 1, 3, NaN, 0));
  const rows = Int32Array.from([0, 1, 2, 3, 4, 5]);
  const m = fitBinMapper(few, rows, 255, 0);
  assert.deepEqual(Array.from(m.edges[0]), [0.5, 2]);
  assert.equal(m.nBins[0], 3);
  const b = binRows(few, rows, m);
  assert.deepEqual(Array.from(b.binned), [0, 1, 1, 2, 3, 0]);
  assert.equal(b.hasMissing[0], 1);
  const rng = new Rng(1);
  const many = createMatrix(5000, 1, Float32Array.from({ length: 5000 }, () => rng.normal()));
  const all = Int32Array.from({ length: 5000 }, (_, i) => i);
  const q = fitBinMapper(many, all, 16, 0);
  assert.equal(q.nBins[0], 16);
  // Quantile bins hold about the same number of rows.
  const counts = new Array<number>(16).fill(0);
  for (const v of many.data) counts[binOf(q.edges[0], v)]++;
  assert.ok(Math.max(...counts) - Math.min(...counts) <= 2, counts.join(','));
  const bb = binRows(many, all, q).binned;
  for (let i = 0; i < 5000; i += 97) assert.equal(bb[i], binOf(q.edges[0], many.data[i]));
});

test('histograms: row-wise sparse columns, dense columns and NaN bins match a direct count, for any row subset', async () => {
  const { buildHistogram, buildLayout } = await import('./histogram.js');
  const rng = new Rng(5);
  const n = 400;
  const d = 4;
  const data = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    data[i * d] = rng.normal(); // dense
    data[i * d + 1] = rng.next() < 0.1 ? 1 : 0; // sparse one-hot
    data[i * d + 2] = rng.next() < 0.2 ? NaN : rng.next() < 0.1 ? rng.int(5) : 0; // sparse with NaN
    data[i * d + 3] = 7; // constant: not active
  }
  const x = createMatrix(n, d, data);
  const all = Int32Array.from({ length: n }, (_, i) => i);
  const mapper = fitBinMapper(x, all, 32, 0);
  const b = binRows(x, all, mapper);
  const L = buildLayout(n, d, b.binned, mapper.nBins, b.hasMissing, b.counts);
  assert.deepEqual(Array.from(L.dense), [0]);
  assert.deepEqual(Array.from(L.sparse), [1, 2]);
  const grad = Float64Array.from({ length: n }, () => rng.normal());
  const hess = Float64Array.from({ length: n }, () => rng.next());
  const subset = all.filter((i) => i % 3 !== 0);
  for (const rows of [all, subset]) {
    let G = 0;
    let H = 0;
    for (const i of rows) {
      G += grad[i];
      H += hess[i];
    }
    const hist = new Float64Array(3 * L.offset[d]);
    buildHistogram(L, hist, rows, 0, rows.length, grad, hess, new Float64Array(2 * n), G, H);
    for (const f of [0, 1, 2]) {
      for (let bin = 0; bin <= mapper.nBins[f]; bin++) {
        let g = 0;
        let h = 0;
        let c = 0;
        for (const i of rows) {
          if (b.binned[f * n + i] !== bin) continue;
          g += grad[i];
          h += hess[i];
          c++;
        }
        const s = 3 * (L.offset[f] + bin);
        assert.ok(Math.abs(hist[s] - g) < 1e-9 && Math.abs(hist[s + 1] - h) < 1e-9, `feature ${f} bin ${bin}`);
        assert.equal(hist[s + 2], c);
      }
    }
  }
});
