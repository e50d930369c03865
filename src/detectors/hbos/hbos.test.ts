import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromRows } from '../../core/matrix.js';
import { HbosDetector } from './index.js';
import { hbosSchema } from './options.js';
import { autoBins } from './hbos.js';

test("scores match PyOD's formula by hand: -sum log2(density + alpha), tolerance, out-of-range floor", () => {
  // 10 values on [0, 3], 4 bins of width 0.75: counts 1 2 3 4, densities count / (10 * 0.75).
  const train = fromRows([[0], [1], [1], [2], [2], [2], [3], [3], [3], [3]]);
  const det = new HbosDetector(hbosSchema.parse({ nBins: 4 })).fit(train);
  const s = det.score(fromRows([[2], [3.2], [10], [-0.3]]));
  const dens = (c: number) => Math.log2(c / 7.5 + 0.1);
  assert.ok(Math.abs(s[0] - -dens(3)) < 1e-12);
  assert.ok(Math.abs(s[1] - -dens(4)) < 1e-12); // within tol * width of the range: last bin
  assert.ok(Math.abs(s[2] - -dens(1)) < 1e-12); // far out: the lowest density of the feature
  assert.ok(Math.abs(s[3] - -dens(1)) < 1e-12); // just below: first bin (count 1)
});

test("'auto' bins follow numpy's rule, capped at sqrt(n)", () => {
  const v = Float64Array.from({ length: 1000 }, (_, i) => i / 999);
  // Sturges: range / (log2(1000) + 1) -> 11 bins; FD: 2 * IQR / n^(1/3) = 0.1 -> 10 bins; the narrower width wins.
  assert.equal(autoBins(v), 11);
  const spiky = Float64Array.from({ length: 100 }, (_, i) => (i < 99 ? i * 1e-6 : 1000));
  assert.equal(autoBins(spiky), 10);
});
