import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../core/rng.js';
import { fitThreshold } from '../index.js';
import { fitGpd, gpdExcessQuantile, gpdSurvival } from './gpd.js';

function sample(n: number, seed: number, f: (u: number) => number): Float64Array {
  const r = new Rng(seed);
  return Float64Array.from({ length: n }, () => f(1 - r.next())); // 1 - U in (0, 1]: logs stay finite
}
const exponential = (u: number): number => -Math.log(u);
/** Pareto with tail index 2 above 1: excesses over a high threshold are GPD with gamma = 1/2. */
const pareto2 = (u: number): number => Math.pow(u, -1 / 2);

function exceedRate(x: Float64Array, z: number): number {
  let k = 0;
  for (const v of x) if (v > z) k++;
  return k / x.length;
}

test('GPD MLE recovers known shapes: exponential ~0, Pareto(2) ~0.5, uniform -> -1', () => {
  const exc = (f: (u: number) => number, seed: number) => sample(5000, seed, f);
  const e = fitGpd(exc(exponential, 1));
  assert.ok(Math.abs(e.gamma) < 0.05 && Math.abs(e.sigma - 1) < 0.06, JSON.stringify(e));
  // GPD(0.5, 1) excesses directly: y = sigma/gamma (U^-gamma - 1).
  const g = fitGpd(exc((u) => 2 * (Math.pow(u, -0.5) - 1), 2));
  assert.ok(Math.abs(g.gamma - 0.5) < 0.06 && Math.abs(g.sigma - 1) < 0.08, JSON.stringify(g));
  const b = fitGpd(exc((u) => 1 - u, 3)); // uniform on [0, 1): gamma = -1, sigma = 1
  assert.ok(b.gamma < -0.9 && Math.abs(b.sigma - 1) < 0.1, JSON.stringify(b));
});

test('GPD quantile and survival are inverses, including the exponential limit', () => {
  for (const fit of [{ gamma: 0.3, sigma: 2 }, { gamma: -0.4, sigma: 1 }, { gamma: 0, sigma: 1.5 }]) {
    for (const p of [0.5, 1e-2, 1e-5]) assert.ok(Math.abs(gpdSurvival(fit, gpdExcessQuantile(fit, p)) / p - 1) < 1e-9);
  }
});

test('POT on exponential scores: gamma ~ 0, and z_q has tail probability ~q on fresh samples', () => {
  const q = 1e-4;
  const r = fitThreshold('pot', { q }, sample(100_000, 11, exponential));
  assert.equal(r.method, 'pot');
  assert.equal(r.params.source, 'gpd');
  assert.ok(Math.abs(r.params.gamma as number) < 0.06, `gamma ${r.params.gamma}`);
  assert.ok(Math.abs((r.params.sigma as number) - 1) < 0.1, `sigma ${r.params.sigma}`);
  assert.ok(Math.abs((r.params.peaks as number) - 2000) <= 1);
  assert.ok(Math.abs(r.value - -Math.log(q)) < 0.8, `z_q ${r.value} vs ${-Math.log(q)}`);
  const fresh = exceedRate(sample(1_000_000, 12, exponential), r.value);
  assert.ok(fresh > q / 2 && fresh < q * 2, `fresh tail rate ${fresh}`);
  assert.ok(r.trainingAlertRate > q / 3 && r.trainingAlertRate < q * 3, `training rate ${r.trainingAlertRate}`); // ~q*n = 10 rows
});

test('POT on heavy-tailed Pareto scores extrapolates beyond the training maximum correctly', () => {
  const q = 1e-6; // far below 1/n = 1e-5: the empirical quantile cannot reach it
  const r = fitThreshold('pot', { q }, sample(100_000, 21, pareto2));
  assert.ok(Math.abs((r.params.gamma as number) - 0.5) < 0.1, `gamma ${r.params.gamma}`);
  const exact = Math.pow(q, -1 / 2); // 1000
  assert.ok(r.value > exact / 1.6 && r.value < exact * 1.6, `z_q ${r.value} vs ${exact}`);
  assert.equal(r.trainingAlertRate, 0);
});

test('POT falls back to the empirical quantile with a note when there are too few peaks', () => {
  const s = sample(200, 31, exponential); // 200 * 0.02 = 4 peaks < 10
  const r = fitThreshold('pot', { q: 0.001 }, s);
  assert.equal(r.params.source, 'empirical');
  assert.equal(r.params.gamma, null);
  assert.ok((r.params.peaks as number) < 10);
  assert.match(r.notes?.join(' ') ?? '', /need 10/);
  assert.ok(Number.isFinite(r.value));
});

test('POT with q above the peak fraction uses the empirical quantile', () => {
  const r = fitThreshold('pot', { q: 0.05 }, sample(10_000, 41, exponential));
  assert.equal(r.params.source, 'empirical');
  assert.ok(Math.abs(r.trainingAlertRate - 0.05) < 0.001);
});

test('POT on constant excesses does not crash (degenerate tail)', () => {
  const s = new Float64Array(1000);
  for (let i = 980; i < 1000; i++) s[i] = 5;
  const r = fitThreshold('pot', {}, s);
  assert.ok(Number.isFinite(r.value));
  assert.ok(r.value <= 5 + 1e-9);
});
