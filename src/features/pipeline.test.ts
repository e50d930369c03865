import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FeaturePipeline, emptyCounters, slog1p } from './pipeline.js';
import type { RawBatch, RawSchema } from '../ingest/types.js';

const schema: RawSchema = { format: 'csv', numericNames: ['a', 'b', 'k'], categoricalNames: ['proto'], idNames: [], labelName: 'label' };

function batch(rows: number[][], cats: string[]): RawBatch {
  return {
    file: 't.csv',
    rows: rows.length,
    numeric: Float64Array.from(rows.flat()),
    categorical: [cats],
    ids: [],
    label: new Int8Array(rows.length),
    attackClass: rows.map(() => 'benign'),
    line: Float64Array.from(rows.map((_, i) => i + 2)),
  };
}

test('imputes non-finite with the training median, drops constant columns, one-hot encodes', () => {
  const train = batch([[1, 10, 5], [2, NaN, 5], [3, 30, 5], [100, Infinity, 5]], ['tcp', 'udp', 'tcp', 'tcp']);
  const p = new FeaturePipeline({ scaler: 'none' }).fit(train, schema);
  // k is constant -> dropped; NaN/Infinity are not finite so the median of b is over {10, 30} = 20.
  assert.deepEqual(p.outputNames, ['a', 'b', 'proto=tcp', 'proto=udp']);
  const counters = emptyCounters();
  const out = p.transform(batch([[4, NaN, 7]], ['icmp']), counters);
  assert.deepEqual(Array.from(out.data), [4, 20, 0, 0]);
  assert.equal(counters.imputedCells.b, 1);
  assert.equal(counters.unseenCategories.proto, 1);
});

test('standard scaler gives zero mean / unit sd on training rows; minmax maps to [0,1]; robust uses median/IQR', () => {
  const rows = [[1, 2, 0], [2, 4, 1], [3, 6, 0], [4, 8, 1], [5, 10, 0]];
  const cats = ['x', 'x', 'x', 'x', 'x'];
  const std = new FeaturePipeline({ scaler: 'standard' }).fit(batch(rows, cats), schema);
  const z = std.transform(batch(rows, cats));
  let mean = 0;
  for (let r = 0; r < 5; r++) mean += z.data[r * z.cols];
  assert.ok(Math.abs(mean) < 1e-6);
  const mm = new FeaturePipeline({ scaler: 'minmax' }).fit(batch(rows, cats), schema).transform(batch(rows, cats));
  assert.equal(mm.data[0], 0);
  assert.equal(mm.data[4 * mm.cols], 1);
  const rb = new FeaturePipeline({ scaler: 'robust' }).fit(batch(rows, cats), schema).transform(batch([[3, 6, 0]], ['x']));
  assert.equal(rb.data[0], 0);
});

test('signed log1p keeps sign and order', () => {
  assert.equal(slog1p(0), 0);
  assert.ok(slog1p(-1) < 0 && slog1p(1) > 0);
  assert.ok(Math.abs(slog1p(-5) + slog1p(5)) < 1e-12);
});

test('PCA with a variance target keeps the components that explain it, and survives a JSON round trip', () => {
  // Two strongly correlated columns plus a small independent one: one component explains > 95 %.
  const rows: number[][] = [];
  for (let i = 0; i < 200; i++) {
    const t = Math.sin(i) * 10;
    rows.push([t, 2 * t + 0.01 * Math.cos(i * 7), 0.1 * Math.cos(i * 3)]);
  }
  const cats = rows.map(() => 'x');
  const p = new FeaturePipeline({ scaler: 'none', pca: 0.95 }).fit(batch(rows, cats), schema);
  assert.deepEqual(p.outputNames, ['pc1']);
  const q = FeaturePipeline.fromJSON(JSON.parse(JSON.stringify(p.toJSON())));
  const a = p.transform(batch(rows.slice(0, 5), cats.slice(0, 5)));
  const b = q.transform(batch(rows.slice(0, 5), cats.slice(0, 5)));
  assert.deepEqual(Array.from(a.data), Array.from(b.data));
  const fixed = new FeaturePipeline({ scaler: 'standard', pca: 2 }).fit(batch(rows, cats), schema);
  assert.equal(fixed.outputNames.length, 2);
});

test('fit refuses an empty training set with a coded error', () => {
  assert.throws(() => new FeaturePipeline().fit(batch([], []), schema), /PGN_ERR|no training rows/);
});
