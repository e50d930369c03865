import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMatrix, fromRows } from '../../core/matrix.js';
import { Rng } from '../../core/rng.js';
import { PcaDetector } from './index.js';
import { pcaSchema } from './options.js';
import { componentsFor, covariance } from './pca.js';

const SD = [5, 4, 3, 2, 1, 0.5]; // variances 25 16 9 4 1 0.25: cumulative 0.45 0.74 0.91 0.98 0.995 1

function spectrumData(rows: number, seed: number) {
  const rng = new Rng(seed);
  const data = new Float32Array(rows * SD.length);
  for (let i = 0; i < rows; i++) SD.forEach((s, j) => (data[i * SD.length + j] = 10 + s * rng.normal()));
  return createMatrix(rows, SD.length, data);
}

const x = spectrumData(20000, 1);
const fit = (p: Record<string, unknown>) => new PcaDetector(pcaSchema.parse(p)).fit(x);

test('the variance target picks the number of components of a known spectrum', () => {
  assert.equal(fit({}).summary?.nComponents, 4);
  assert.equal(fit({ varianceTarget: 0.7 }).summary?.nComponents, 2);
  assert.equal(fit({ varianceTarget: 0.9 }).summary?.nComponents, 3);
  assert.equal(fit({ nComponents: 1 }).summary?.nComponents, 1);
  assert.ok(Math.abs((fit({}).summary?.explained ?? 0) - 54 / 55.25) < 0.01);
  assert.equal(componentsFor(new Float64Array([1, 1, 0]), 0.5), 2); // strictly greater, as scikit-learn
});

test('reconstruction error is the squared distance to the principal subspace', () => {
  const det = fit({});
  const s = det.score(fromRows([[10, 10, 10, 10, 10, 10], [13, 10, 12, 10, 10, 10], [10, 10, 10, 10, 10, 12]]));
  assert.ok(s[0] < 0.01 && s[1] < 0.05, `${s[0]} ${s[1]}`); // centre and a move inside the subspace: ~0
  assert.ok(Math.abs(s[2] - 4) < 0.1, `${s[2]}`); // 2 along the minor axis
});

test('weighted (Shyu) divides minor projections by their eigenvalues; with major it is the Mahalanobis distance', () => {
  const p = fromRows([[10, 10, 10, 10, 10, 11], [14, 10, 10, 10, 10, 10]]);
  const w = fit({ weighted: true }).score(p);
  assert.ok(Math.abs(w[0] - 4) < 0.2, `${w[0]}`); // (1 / 0.5)^2
  assert.ok(w[1] < 0.05);
  const m = fit({ weighted: true, major: true });
  assert.equal(m.summary?.kind, 'mahalanobis');
  const s = m.score(p);
  assert.ok(Math.abs(s[1] - 16 / 25) < 0.03, `${s[1]}`);
});

test('keeping every component falls back to the Mahalanobis distance instead of scoring 0', () => {
  const det = fit({ varianceTarget: 1 });
  assert.equal(det.summary?.kind, 'mahalanobis');
  assert.ok(det.score(fromRows([[10, 10, 10, 10, 10, 12]]))[0] > 10);
});

test('the blocked covariance matches the textbook formula', () => {
  const small = spectrumData(131, 3); // not a multiple of the block size
  const { mean, cov } = covariance(small);
  const d = small.cols;
  for (const [i, j] of [[0, 0], [1, 4], [5, 5], [2, 3]]) {
    let s = 0;
    for (let r = 0; r < small.rows; r++) s += (small.data[r * d + i] - mean[i]) * (small.data[r * d + j] - mean[j]);
    assert.ok(Math.abs(cov[i * d + j] - s / small.rows) < 1e-9 * (1 + Math.abs(s)));
    assert.equal(cov[i * d + j], cov[j * d + i]);
  }
});
