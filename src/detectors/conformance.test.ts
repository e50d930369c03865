/**
 * One suite, every registered detector (River's check_estimator idea): a detector that registers itself is held to
 * the whole contract without writing a line of test code.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { createMatrix, selectRows, vstack, type Matrix } from '../core/matrix.js';
import { PeregrineError } from '../core/errors.js';
import { createDetector, detectorFromJSON, detectors, type Detector, type FitOptions } from './index.js';
import { auroc, gaussian, mean } from './testing.js';

const D = 8;
const inliers = gaussian(300, D, 2);
const outliers = gaussian(60, D, 3, 6);
const batch = vstack([inliers, outliers]);
const labels = Array.from({ length: batch.rows }, (_, i) => (i < inliers.rows ? 0 : 1));

function code(e: unknown): string | undefined {
  return e instanceof PeregrineError ? e.code : undefined;
}

test('every detector folder is registered', () => {
  for (const name of ['ecod', 'hbos', 'iforest', 'loda', 'ocsvm', 'pca']) assert.ok(detectors.has(name), name);
});

for (const factory of detectors.all()) {
  describe(`conformance: ${factory.type}`, () => {
    const nTrain = Math.min(2000, factory.conformance?.maxTrainRows ?? 2000);
    // One-class detectors fit on normal rows only. Supervised ones also get a separate set of shifted rows, labelled
    // 1 (the normal rows are class 0), appended after the normal rows.
    const supervised = factory.kind === 'supervised';
    const train = supervised ? vstack([gaussian(nTrain, D, 1), gaussian(Math.ceil(nTrain / 4), D, 4, 6)]) : gaussian(nTrain, D, 1);
    const trainLabels = Int32Array.from({ length: train.rows }, (_, i) => (i < nTrain ? 0 : 1));
    /** Fit options for `rows` of train (all rows when omitted): labels only for supervised detectors. */
    const opts = (seed: number, rows?: number[]): FitOptions =>
      supervised ? { seed, labels: rows ? Int32Array.from(rows, (i) => trainLabels[i]) : trainLabels } : { seed };
    const fresh = (): Detector => factory.create(factory.schema.parse(factory.conformance?.params ?? {}));
    const fitted = fresh().fit(train, opts(7));
    const scores = fitted.score(batch);

    test('default params parse, describe themselves, and createDetector agrees', () => {
      assert.equal(typeof factory.description, 'string');
      assert.ok(factory.description.length > 10);
      assert.equal(createDetector(factory.type).type, factory.type);
      // A bad value names the field; a misspelt parameter is an error, not silently ignored.
      const first = factory.schema instanceof z.ZodObject ? Object.keys(factory.schema.shape)[0] : undefined;
      if (first) {
        assert.throws(
          () => createDetector(factory.type, { [first]: 'not a valid value' }),
          (e) => code(e) === 'PGN_ERR_BAD_PARAM' && (e as PeregrineError).where === `${factory.type}.${first}`,
        );
      }
      assert.throws(() => createDetector(factory.type, { noSuchParam: 1 }), (e) => code(e) === 'PGN_ERR_BAD_PARAM');
    });

    test('score before fit throws; fit on no rows throws', () => {
      assert.throws(() => fresh().score(batch), /before fit/);
      assert.throws(() => fresh().fit(createMatrix(0, D), supervised ? opts(0, []) : undefined), (e) => code(e) === 'PGN_ERR_NO_TRAINING_ROWS');
    });

    test('scores: one finite Float64 per row; outliers rank above inliers (AUROC > 0.95)', () => {
      assert.ok(scores instanceof Float64Array);
      assert.equal(scores.length, batch.rows);
      assert.ok(scores.every(Number.isFinite));
      const sIn = scores.subarray(0, inliers.rows);
      const sOut = scores.subarray(inliers.rows);
      assert.ok(mean(sOut) > mean(sIn), `mean outlier ${mean(sOut)} <= mean inlier ${mean(sIn)}`);
      const auc = auroc(scores, labels);
      assert.ok(auc > 0.95, `AUROC ${auc}`);
    });

    test('score does not mutate its input; one row scores as it does in a batch', () => {
      const copy = batch.data.slice();
      fitted.score(batch);
      assert.deepEqual(batch.data, copy);
      for (const i of [0, batch.rows - 1]) {
        const one = fitted.score(selectRows(batch, [i]));
        assert.equal(one.length, 1);
        assert.equal(one[0], scores[i]);
      }
    });

    test('same seed, same model', () => {
      assert.deepEqual(fresh().fit(train, opts(7)).score(batch), scores);
    });

    test('toJSON -> JSON text -> detectorFromJSON scores bit-identically', () => {
      const text = JSON.stringify(fitted.toJSON());
      const back = detectorFromJSON(JSON.parse(text));
      assert.equal(back.type, factory.type);
      assert.deepEqual(back.score(batch), scores);
      // Round-tripping twice changes nothing either.
      assert.equal(JSON.stringify(back.toJSON()), text);
    });

    test('fromJSON rejects another type, another version and a mangled state', () => {
      const saved = JSON.parse(JSON.stringify(fitted.toJSON()));
      const other = factory.type === 'iforest' ? 'pca' : 'iforest';
      assert.throws(() => factory.fromJSON({ ...saved, type: other }), (e) => code(e) === 'PGN_ERR_MODEL_FORMAT');
      assert.throws(() => factory.fromJSON({ ...saved, version: 999 }), (e) => code(e) === 'PGN_ERR_MODEL_FORMAT');
      assert.throws(() => factory.fromJSON({ ...saved, state: { cols: 'x' } }), (e) => code(e) === 'PGN_ERR_MODEL_FORMAT');
    });

    test('the wrong number of columns throws PGN_ERR_MODEL_SCHEMA', () => {
      assert.throws(() => fitted.score(gaussian(3, D + 1, 9)), (e) => code(e) === 'PGN_ERR_MODEL_SCHEMA');
    });

    test('a constant training column gives finite scores', () => {
      const x = withConstantColumn(train, 3, 5);
      const s = fresh().fit(x, opts(1)).score(withConstantColumn(batch, 3, 5));
      assert.ok(s.every(Number.isFinite));
      // ...including when the scored value differs from the constant.
      assert.ok(fresh().fit(x, opts(1)).score(batch).every(Number.isFinite));
    });

    test('a tiny training set (3 rows) fits and scores finitely', () => {
      const tiny = supervised ? [0, 1, train.rows - 1] : [0, 1, 2];
      const s = fresh().fit(selectRows(train, tiny), opts(1, tiny)).score(batch);
      assert.ok(s.every(Number.isFinite));
    });
  });
}

function withConstantColumn(x: Matrix, col: number, value: number): Matrix {
  const data = x.data.slice();
  for (let i = 0; i < x.rows; i++) data[i * x.cols + col] = value;
  return createMatrix(x.rows, x.cols, data);
}
