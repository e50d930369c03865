import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from './rng.js';

test('same seed gives the same stream; different seeds differ', () => {
  const a = new Rng(42);
  const b = new Rng(42);
  const c = new Rng(43);
  const xs = Array.from({ length: 5 }, () => a.next());
  assert.deepEqual(xs, Array.from({ length: 5 }, () => b.next()));
  assert.notDeepEqual(xs, Array.from({ length: 5 }, () => c.next()));
});

test('uniform values cover [0,1) and normals have mean ~0, sd ~1', () => {
  const r = new Rng(1);
  let s = 0;
  let s2 = 0;
  const n = 20000;
  for (let i = 0; i < n; i++) {
    const u = r.next();
    assert.ok(u >= 0 && u < 1);
    const z = r.normal();
    s += z;
    s2 += z * z;
  }
  assert.ok(Math.abs(s / n) < 0.03);
  assert.ok(Math.abs(Math.sqrt(s2 / n) - 1) < 0.03);
});

test('sampleIndices returns distinct in-range indices', () => {
  const idx = new Rng(7).sampleIndices(100, 30);
  assert.equal(new Set(idx).size, 30);
  for (const i of idx) assert.ok(i < 100);
});
