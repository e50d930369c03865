import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PeregrineError } from '../../core/errors.js';
import { BACKEND_ENV, backendStatus, envBackendChoice, getTf, resolveBackend, runtimeInfo, tfLoaded, withBackend } from './runtime.js';

test('TF.js is loaded lazily: registering every detector does not load it', async () => {
  await import('../../detectors/index.js');
  assert.equal(tfLoaded(), false);
  getTf();
  assert.equal(tfLoaded(), true);
});

test('the WASM backend initialises synchronously from node_modules (offline) and is the auto choice without tfjs-node', () => {
  const st = backendStatus();
  const wasm = st.find((s) => s.name === 'wasm');
  assert.ok(wasm?.available, `wasm unavailable: ${wasm?.detail}`);
  assert.ok(st.find((s) => s.name === 'cpu')?.available);
  const tfNode = st.find((s) => s.name === 'tensorflow');
  const auto = resolveBackend('auto');
  assert.equal(auto.backend, tfNode?.available ? 'tensorflow' : 'wasm');
  // A real op runs on it.
  const tf = getTf();
  const v = withBackend('wasm', () => tf.tidy(() => Array.from(tf.matMul(tf.tensor2d([1, 2, 3, 4], [2, 2]), tf.tensor2d([1, 0, 0, 1], [2, 2])).dataSync())));
  assert.deepEqual(v, [1, 2, 3, 4]);
  assert.equal(runtimeInfo().tfjs, tf.version_core);
});

test('an explicit choice wins; an unavailable one falls back down the list and says why', () => {
  assert.equal(resolveBackend('cpu').backend, 'cpu');
  assert.equal(resolveBackend('wasm').backend, 'wasm');
  const r = resolveBackend('tensorflow');
  if (!backendStatus()[0].available) {
    assert.equal(r.backend, 'wasm');
    assert.match(r.reason, /tensorflow unavailable/);
  }
});

test('a model needing a kernel WASM lacks (conv2d filter gradient) is put on cpu, with the reason', () => {
  const r = resolveBackend('wasm', ['Conv2DBackpropFilter']);
  assert.equal(r.backend, 'cpu');
  assert.match(r.reason, /wasm lacks Conv2DBackpropFilter/);
  assert.throws(() => resolveBackend('auto', ['NoSuchKernelAnywhere']), (e) => e instanceof PeregrineError);
});

test('PEREGRINE_TF_BACKEND (the CLI --backend) overrides auto, not an explicit model choice; bad values are usage errors', () => {
  const saved = process.env[BACKEND_ENV];
  try {
    process.env[BACKEND_ENV] = 'cpu';
    assert.equal(envBackendChoice(), 'cpu');
    assert.equal(resolveBackend('auto').backend, 'cpu');
    assert.equal(resolveBackend('wasm').backend, 'wasm');
    process.env[BACKEND_ENV] = 'gpu';
    assert.throws(() => resolveBackend('auto'), (e) => e instanceof PeregrineError && e.code === 'PGN_ERR_USAGE' && e.where === BACKEND_ENV);
  } finally {
    if (saved === undefined) delete process.env[BACKEND_ENV];
    else process.env[BACKEND_ENV] = saved;
  }
});

test('withBackend switches and restores the active backend, even when fn throws', () => {
  const tf = getTf();
  const before = tf.getBackend();
  withBackend('cpu', (t) => assert.equal(t.getBackend(), 'cpu'));
  assert.equal(tf.getBackend(), before);
  assert.throws(() => withBackend('cpu', () => {
    throw new Error('boom');
  }), /boom/);
  assert.equal(tf.getBackend(), before);
});
