import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { PeregrineError } from './errors.js';
import { configSchema, envPath, envValue, loadConfig } from './config.js';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'peregrine-config-'));

test('defaults: every section parses from nothing; the data dir defaults under the working directory', () => {
  const c = loadConfig({ env: {}, cwd: '/srv/app' });
  assert.equal(c.server.port, 8080);
  assert.equal(c.dataDir, '/srv/app/peregrine-data');
  assert.equal(c.detection.intervalSeconds, 30);
  assert.deepEqual(c.auth.tokens, []);
  assert.equal(c.alerting.resolveAfterSeconds, 300, 'the alerting section is composed from src/alerting');
  assert.equal(c.bus, undefined);
});

test('precedence: YAML < PEREGRINE_<SECTION>__<KEY> < named variables < flags', () => {
  const dir = tmp();
  try {
    const file = join(dir, 'peregrine.yaml');
    writeFileSync(file, 'server:\n  port: 9000\n  bodyLimitBytes: 2048\ndetection:\n  flows:\n    windowSeconds: 10\n');
    const env = { PEREGRINE_SERVER__PORT: '9100', PEREGRINE_DETECTION__FLOWS__MIN_ANOMALOUS_FLOWS: '7', PEREGRINE_INGEST__QUEUE_EVENTS: '99' };
    const a = loadConfig({ file, env });
    assert.equal(a.server.port, 9100);
    assert.equal(a.server.bodyLimitBytes, 2048);
    assert.equal(a.detection.flows.windowSeconds, 10);
    assert.equal(a.detection.flows.minAnomalousFlows, 7);
    assert.equal(a.ingest.queueEvents, 99);
    const b = loadConfig({ file, env: { ...env, PEREGRINE_PORT: '9200', PEREGRINE_DATA_DIR: '/data' } });
    assert.equal(b.server.port, 9200);
    assert.equal(b.dataDir, '/data');
    const c = loadConfig({ file, env: { PEREGRINE_PORT: '9200' }, overrides: [{ path: ['server', 'port'], value: 1234, source: '--port' }] });
    assert.equal(c.server.port, 1234);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('tokens from PEREGRINE_TOKEN (comma list) or PEREGRINE_TOKEN_FILE (one per line, # comments)', () => {
  const dir = tmp();
  try {
    assert.deepEqual(loadConfig({ env: { PEREGRINE_TOKEN: 'aaaaaaaaaaaaaaaa1, bbbbbbbbbbbbbbbb2' } }).auth.tokens, ['aaaaaaaaaaaaaaaa1', 'bbbbbbbbbbbbbbbb2']);
    const f = join(dir, 'tokens');
    writeFileSync(f, '# hub tokens\ncccccccccccccccc3\n\n');
    assert.deepEqual(loadConfig({ env: { PEREGRINE_TOKEN_FILE: f, PEREGRINE_TOKEN: 'ignored-when-a-file-is-given' } }).auth.tokens, ['cccccccccccccccc3']);
    assert.throws(() => loadConfig({ env: { PEREGRINE_TOKEN: 'short' } }), (e: PeregrineError) => e.code === 'PGN_ERR_BAD_PARAM' && e.oneLine().includes('auth.tokens') && e.oneLine().includes('PEREGRINE_TOKEN') && !e.oneLine().includes('short'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('validation errors are one line naming the key path and where the value came from', () => {
  const dir = tmp();
  try {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'server:\n  port: 70000\n');
    assert.throws(() => loadConfig({ file, env: {} }), (e: PeregrineError) => e.code === 'PGN_ERR_BAD_PARAM' && /invalid config server\.port/.test(e.message) && e.where === file && !e.oneLine().includes('\n'));
    writeFileSync(file, 'server:\n  prot: 80\n');
    assert.throws(() => loadConfig({ file, env: {} }), (e: PeregrineError) => /server\.prot: unknown key/.test(e.message));
    assert.throws(() => loadConfig({ env: { PEREGRINE_DETECTION__K: 'many' } }), (e: PeregrineError) => e.where === 'PEREGRINE_DETECTION__K' && /detection\.k/.test(e.message));
    writeFileSync(file, 'server: [1, 2\n');
    assert.throws(() => loadConfig({ file, env: {} }), (e: PeregrineError) => e.code === 'PGN_ERR_BAD_PARAM' && e.where?.startsWith(file) === true);
    writeFileSync(file, '__proto__:\n  polluted: 1\n');
    assert.throws(() => loadConfig({ file, env: {} }), (e: PeregrineError) => e.code === 'PGN_ERR_BAD_PARAM');
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.throws(() => loadConfig({ file: join(dir, 'missing.yaml'), env: {} }), (e: PeregrineError) => e.code === 'PGN_ERR_FILE_NOT_FOUND');
    assert.throws(() => loadConfig({ env: { PEREGRINE_BUS__KIND: 'kafka' } }), (e: PeregrineError) => /bus\.kind/.test(e.message));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('env helpers: names map to camelCase paths; values parse as numbers, booleans and JSON', () => {
  assert.deepEqual(envPath('PEREGRINE_DETECTION__FLOWS__MODEL_FILE'), ['detection', 'flows', 'modelFile']);
  assert.deepEqual(envPath('PEREGRINE_SERVER__BODY_LIMIT_BYTES'), ['server', 'bodyLimitBytes']);
  assert.equal(envPath('PEREGRINE_PORT'), null);
  assert.equal(envValue('42'), 42);
  assert.equal(envValue('false'), false);
  assert.deepEqual(envValue('["a","b"]'), ['a', 'b']);
  assert.equal(envValue('nats://x:4222'), 'nats://x:4222');
  assert.ok(configSchema.safeParse({}).success);
});
