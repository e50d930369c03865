import { test } from 'node:test';
import assert from 'node:assert/strict';
import { vstack } from '../../core/matrix.js';
import { OneClassSvm } from './index.js';
import { ocsvmSchema } from './options.js';
import { resolveGamma } from './ocsvm.js';
import { projectCappedSimplex } from './approx.js';
import { auroc, gaussian } from '../testing.js';

const svm = (p: Record<string, unknown>) => new OneClassSvm(ocsvmSchema.parse(p));

test('exact solver: the dual solution satisfies sum a = 1, 0 <= a <= 1/(nu n) and the KKT conditions', () => {
  const nu = 0.1;
  const x = gaussian(800, 4, 1);
  const det = svm({ nu, solver: 'exact' }).fit(x);
  const info = det.fitInfo;
  assert.equal(info?.solver, 'exact');
  assert.ok(info?.converged);
  const { coef } = det.coefficients ?? { coef: new Float64Array(0) };
  const C = 1 / (nu * x.rows);
  let sum = 0;
  for (const a of coef) {
    sum += a;
    assert.ok(a > 0 && a <= C + 1e-12, `alpha ${a} outside (0, ${C}]`);
  }
  assert.ok(Math.abs(sum - 1) < 1e-9, `sum alpha ${sum}`);
  assert.ok(coef.length >= nu * x.rows - 1, 'nu is a lower bound on the support-vector fraction');
  // The fraction of training rows outside the boundary (decision < 0) is about nu (and at most nu + slack).
  const f = det.decision(x);
  const outside = f.filter((v) => v < -1e-9).length / x.rows;
  assert.ok(outside <= nu + 0.01 && outside > nu - 0.04, `outside fraction ${outside}`);
  // KKT with libsvm's tolerance (tol on the unscaled gradient = tol / (nu n) here): every row inside or on the
  // margin has no slack to gain.
  const slack = (2 * 1e-3) / (nu * x.rows);
  const below = f.filter((v) => v < -slack).length;
  assert.ok(below <= Math.floor(nu * x.rows), `${below} rows violate the margin beyond the bound`);
});

test('Nystroem and random-feature AUROC track the exact solver on the same data', () => {
  const train = gaussian(2500, 5, 2);
  const batch = vstack([gaussian(400, 5, 3), gaussian(100, 5, 4, 1.2)]);
  const labels = Array.from({ length: 500 }, (_, i) => (i < 400 ? 0 : 1));
  const exact = auroc(svm({ solver: 'exact' }).fit(train).score(batch), labels);
  const nys = auroc(svm({ solver: 'nystroem', nComponents: 200 }).fit(train, { seed: 1 }).score(batch), labels);
  const rff = auroc(svm({ solver: 'rff', nComponents: 300 }).fit(train, { seed: 1 }).score(batch), labels);
  assert.ok(exact > 0.8, `exact ${exact}`);
  assert.ok(Math.abs(nys - exact) < 0.02, `nystroem ${nys} vs exact ${exact}`);
  // Random features are the noisier approximation (AUROC 0.82-0.89 over seeds 1-5 here, Nystroem 0.865-0.878).
  assert.ok(Math.abs(rff - exact) < 0.05, `rff ${rff} vs exact ${exact}`);
});

test('auto picks exact up to maxExactRows, Nystroem above; subsampling is recorded', () => {
  const x = gaussian(900, 3, 5);
  assert.equal(svm({}).fit(x).fitInfo?.solver, 'exact');
  const big = svm({ maxExactRows: 300, maxTrainRows: 600, nComponents: 50 }).fit(x, { seed: 2 });
  assert.equal(big.fitInfo?.solver, 'nystroem');
  assert.equal(big.fitInfo?.trainRows, 600);
  assert.equal(big.fitInfo?.subsampledFrom, 900);
  // An explicit exact solve still honours maxExactRows (it is O(n^2)).
  const ex = svm({ solver: 'exact', maxExactRows: 200 }).fit(x, { seed: 2 });
  assert.equal(ex.fitInfo?.trainRows, 200);
  // Nystroem: about a nu fraction of the training rows falls outside, by construction of rho.
  const f = big.decision(x);
  const out = f.filter((v) => v < 0).length / x.rows;
  assert.ok(Math.abs(out - 0.05) < 0.03, `outside fraction ${out}`);
});

test("gamma 'scale' is 1 / (d var(X)) over every cell, 'auto' 1 / d", () => {
  const x = gaussian(4000, 4, 6, 3, 2); // var 4
  assert.ok(Math.abs(resolveGamma('scale', x) - 1 / 16) < 0.003);
  assert.equal(resolveGamma('auto', x), 0.25);
  assert.equal(resolveGamma(0.7, x), 0.7);
});

test('projection onto the capped simplex', () => {
  const y = new Float64Array([0.9, 0.5, 0.1, -1]);
  projectCappedSimplex(y, 0.4, Int32Array.from([0, 1, 2, 3]));
  const sum = y.reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(sum - 1) < 1e-12);
  assert.ok(y.every((v) => v >= 0 && v <= 0.4 + 1e-15));
  assert.deepEqual(Array.from(y, (v) => +v.toFixed(12)), [0.4, 0.4, 0.2, 0]);
});
