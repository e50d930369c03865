import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../core/rng.js';
import { PeregrineError } from '../core/errors.js';
import { fitThreshold, thresholders } from './index.js';

function uniform(n: number, seed: number): Float64Array {
  const r = new Rng(seed);
  return Float64Array.from({ length: n }, () => r.next());
}

test('all four methods are registered and their defaults parse from {}', () => {
  assert.deepEqual(thresholders.names(), ['budget', 'contamination', 'meanstd', 'pot']);
  assert.deepEqual(thresholders.get('contamination').schema.parse({}), { contamination: 0.01 });
  assert.deepEqual(thresholders.get('meanstd').schema.parse({}), { k: 3 });
  assert.deepEqual(thresholders.get('pot').schema.parse({}), { level: 0.98, q: 1e-4, minPeaks: 10 });
  assert.deepEqual(thresholders.get('budget').schema.parse({}), { alertsPerDay: 10, eventsPerSecond: 1, level: 0.98, minPeaks: 10 });
});

test('contamination: the 0.99 quantile of 100k U(0,1) is ~0.99 and ~1% of training rows alert', () => {
  const r = fitThreshold('contamination', {}, uniform(100_000, 1));
  assert.equal(r.method, 'contamination');
  assert.ok(Math.abs(r.value - 0.99) < 0.002, `value ${r.value}`);
  assert.ok(Math.abs(r.trainingAlertRate - 0.01) < 0.0005, `rate ${r.trainingAlertRate}`);
  assert.equal(r.params.contamination, 0.01);
  assert.deepEqual(r.notes, []);
});

test('contamination: exact linear-interpolation quantile on a small hand case', () => {
  // 0..10, q = 0.9 -> position 9 -> value 9; one score (10) is above it.
  const s = Float64Array.from({ length: 11 }, (_, i) => i);
  const r = fitThreshold('contamination', { contamination: 0.1 }, s);
  assert.equal(r.value, 9);
  assert.equal(r.trainingAlertRate, 1 / 11);
});

test('meanstd: mean + k*sd with population sd; U(0,1) gives 0.5 + 3/sqrt(12)', () => {
  const hand = fitThreshold('meanstd', { k: 2 }, Float64Array.from([1, 2, 3, 4, 5]));
  assert.ok(Math.abs(hand.value - (3 + 2 * Math.sqrt(2))) < 1e-12);
  assert.equal(hand.trainingAlertRate, 0);
  const u = fitThreshold('meanstd', {}, uniform(100_000, 2));
  assert.ok(Math.abs(u.value - (0.5 + 3 / Math.sqrt(12))) < 0.01, `value ${u.value}`);
  assert.equal(u.trainingAlertRate, 0); // the threshold is above 1: no uniform score exceeds it
});

test('non-finite training scores are ignored with a note; all non-finite is a clear error', () => {
  const r = fitThreshold('contamination', { contamination: 0.5 }, Float64Array.from([1, 2, 3, NaN, Infinity]));
  assert.equal(r.value, 2);
  assert.equal(r.params.trainingRows, 3);
  assert.match(r.notes?.join(' ') ?? '', /2 non-finite/);
  assert.throws(
    () => fitThreshold('meanstd', {}, Float64Array.from([NaN])),
    (e: unknown) => e instanceof PeregrineError && e.code === 'PGN_ERR_NO_TRAINING_ROWS',
  );
});

test('bad params throw PGN_ERR_BAD_PARAM naming the field', () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ['contamination', { contamination: 0.7 }, 'contamination'],
    ['contamination', { contamination: 0 }, 'contamination'],
    ['contamination', { contamnation: 0.1 }, 'contamnation'],
    ['meanstd', { k: 'three' }, 'k'],
    ['pot', { level: 1 }, 'level'],
    ['pot', { q: -1 }, 'q'],
    ['pot', { minPeaks: 2.5 }, 'minPeaks'],
    ['budget', { alertsPerDay: 0 }, 'alertsPerDay'],
    ['budget', { eventsPerSecond: -2 }, 'eventsPerSecond'],
    ['budget', { alertsPerDay: 100, eventsPerSecond: 0.001 }, 'alertsPerDay'],
  ];
  for (const [type, params, field] of cases) {
    assert.throws(
      () => fitThreshold(type, params, uniform(100, 3)),
      (e: unknown) =>
        e instanceof PeregrineError && e.code === 'PGN_ERR_BAD_PARAM' && e.where === `${type}.${field}` && e.message.startsWith(field),
      `${type} ${JSON.stringify(params)}`,
    );
  }
  assert.throws(() => fitThreshold('nope', {}, uniform(10, 3)), (e: unknown) => e instanceof PeregrineError && e.code === 'PGN_ERR_UNKNOWN_COMPONENT');
});
