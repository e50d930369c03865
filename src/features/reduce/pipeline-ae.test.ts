/** The autoencoder reduction as the last step of the feature pipeline (`peregrine train --reduce ae`). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../core/rng.js';
import { PeregrineError } from '../../core/errors.js';
import { getTf } from '../../training/tf/runtime.js';
import type { RawBatch, RawSchema } from '../../ingest/types.js';
import { FeaturePipeline, type PipelineState } from '../pipeline.js';

const names = Array.from({ length: 14 }, (_, j) => `n${j}`);
const schema: RawSchema = { format: 'csv', numericNames: names, categoricalNames: ['proto'], idNames: [], labelName: 'label' };

function batch(rows: number, seed: number): RawBatch {
  const rng = new Rng(seed);
  const numeric = new Float64Array(rows * names.length);
  for (let i = 0; i < rows; i++) {
    const z = rng.normal();
    for (let j = 0; j < names.length; j++) numeric[i * names.length + j] = (j % 3) * z + rng.normal() + j * 10;
  }
  return {
    file: 't.csv',
    rows,
    numeric,
    categorical: [Array.from({ length: rows }, (_, i) => (i % 3 ? 'tcp' : 'udp'))],
    ids: [],
    label: new Int8Array(rows),
    attackClass: Array.from({ length: rows }, () => 'benign'),
    line: Float64Array.from({ length: rows }, (_, i) => i + 2),
  };
}

const train = batch(600, 1);
const test_ = batch(50, 2);
const fitted = new FeaturePipeline({ ae: { epochs: 4 } }).fit(train, schema, { seed: 5 });

test('--reduce ae: the last step encodes into ae1..ae10; same seed, same features', () => {
  assert.deepEqual(fitted.outputNames, Array.from({ length: 10 }, (_, i) => `ae${i + 1}`));
  const x = fitted.transform(test_);
  assert.equal(x.cols, 10);
  assert.equal(x.rows, 50);
  assert.ok(x.data.every(Number.isFinite));
  assert.deepEqual(new FeaturePipeline({ ae: { epochs: 4 } }).fit(train, schema, { seed: 5 }).transform(test_).data, x.data);
  assert.equal(fitted.toJSON().ae?.inputDim, 16);
});

test('--reduce ae: JSON round trip transforms bit-identically and leaks no tensor', () => {
  const tf = getTf();
  const before = tf.memory().numTensors;
  const back = FeaturePipeline.fromJSON(JSON.parse(JSON.stringify(fitted.toJSON())) as PipelineState);
  assert.deepEqual(back.transform(test_).data, fitted.transform(test_).data);
  assert.equal(JSON.stringify(back.toJSON()), JSON.stringify(fitted.toJSON()));
  assert.equal(tf.memory().numTensors, before);
});

test('PCA then AE: the autoencoder encodes the principal components', () => {
  const p = new FeaturePipeline({ pca: 0.95, ae: { epochs: 2, bottleneck: 3 } }).fit(train, schema);
  const s = p.toJSON();
  assert.equal(s.ae?.inputDim, s.pca?.k);
  assert.deepEqual(p.outputNames, ['ae1', 'ae2', 'ae3']);
});

test('a pipeline state written before the AE step existed (no `ae`) still loads and transforms', () => {
  const plain = new FeaturePipeline({ pca: 0.95 }).fit(train, schema);
  const old = JSON.parse(JSON.stringify(plain.toJSON())) as PipelineState;
  delete (old.options as Record<string, unknown>).ae;
  delete old.ae;
  assert.deepEqual(FeaturePipeline.fromJSON(old).transform(test_).data, plain.transform(test_).data);
});

test('a bad AE option fails at construction with PGN_ERR_BAD_PARAM naming it', () => {
  assert.throws(
    () => new FeaturePipeline({ ae: { epochs: 0 } }),
    (e) => e instanceof PeregrineError && e.code === 'PGN_ERR_BAD_PARAM' && /reduce\.ae\.epochs/.test(e.where ?? ''),
  );
});
