import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../core/rng.js';
import { fitThreshold } from '../index.js';
import { impliedFalsePositiveRate } from './index.js';

function exponential(n: number, seed: number): Float64Array {
  const r = new Rng(seed);
  return Float64Array.from({ length: n }, () => -Math.log(1 - r.next()));
}

test('10 alerts/day at 1 event/s implies FPR 1.157e-4', () => {
  assert.ok(Math.abs(impliedFalsePositiveRate(10, 1) - 1.1574074e-4) < 1e-10);
});

test('budget within the resolvable range uses the empirical quantile', () => {
  const r = fitThreshold('budget', {}, exponential(100_000, 1));
  assert.equal(r.method, 'budget');
  assert.equal(r.params.source, 'empirical');
  assert.ok(Math.abs((r.impliedFalsePositiveRate ?? 0) - 10 / 86400) < 1e-12);
  assert.ok(Math.abs(r.value - -Math.log(10 / 86400)) < 0.4, `value ${r.value}`);
  // 11.6 expected training rows above it: 11 or 12 after interpolation.
  assert.ok(r.trainingAlertRate === 11e-5 || r.trainingAlertRate === 12e-5, `rate ${r.trainingAlertRate}`);
  assert.ok(Math.abs((r.expectedAlertsPerDay ?? 0) - r.trainingAlertRate * 86400) < 1e-9);
  assert.deepEqual(r.notes, []);
});

test('a budget below 1/n extrapolates with POT and says the training set is too small', () => {
  // 1 alert/day at 100 events/s -> FPR 1.157e-7, far below 1/100k.
  const r = fitThreshold('budget', { alertsPerDay: 1, eventsPerSecond: 100 }, exponential(100_000, 2));
  assert.equal(r.params.source, 'pot');
  assert.match(r.notes?.join(' ') ?? '', /too small to resolve/);
  const exact = -Math.log(1 / 8_640_000);
  assert.ok(Math.abs(r.value - exact) < 2, `value ${r.value} vs ${exact}`);
  assert.ok(Math.abs((r.expectedAlertsPerDay ?? 0) - 1) < 1e-6);
  assert.ok(typeof r.params.gamma === 'number' && typeof r.params.sigma === 'number');
  assert.equal(r.trainingAlertRate, 0);
});

test('a budget below 1/n with too few peaks falls back to the training maximum', () => {
  const s = exponential(300, 3);
  const r = fitThreshold('budget', { alertsPerDay: 1 }, s);
  assert.equal(r.params.source, 'max');
  assert.equal(r.value, Math.max(...s));
  assert.equal(r.notes?.length, 2);
});
