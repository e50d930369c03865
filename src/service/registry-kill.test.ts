import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { createMatrix } from '../core/matrix.js';
import { FEATURE_COUNT } from '../features/summarizers/syscall/schema.js';
import { DirectoryModelRegistry } from '../runtime/index.js';

const BUILD = dirname(dirname(fileURLToPath(import.meta.url)));

/** A child that trains one small VAE, then writes new versions of it into the registry as fast as it can. */
const WRITER = `
import { createMatrix } from '${BUILD}/core/matrix.js';
import { createDetector } from '${BUILD}/detectors/detector.js';
import '${BUILD}/detectors/vae/index.js';
import { DirectoryModelRegistry } from '${BUILD}/runtime/index.js';
import { FEATURE_COUNT } from '${BUILD}/features/summarizers/syscall/schema.js';
const n = 16, data = new Float32Array(n * FEATURE_COUNT);
for (let i = 0; i < data.length; i++) data[i] = (i * 7919) % 13;
const det = createDetector('vae', { epochs: 2 }).fit(createMatrix(n, FEATURE_COUNT, data), { seed: 1 });
const reg = new DirectoryModelRegistry(process.argv[1], { keepVersions: 2 });
reg.load();
for (let k = 0; ; k++) {
  reg.put('registry.example/shop/cart', det, { vectors: n, containers: 1, trainSeconds: 0.1 });
  if (k === 0) process.stdout.write('ready\\n');
}
`;

function runWriterAndKill(dir: string, killAfterMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', WRITER, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.once('data', () => setTimeout(() => child.kill('SIGKILL'), killAfterMs));
    child.once('exit', (code, signal) => (signal === 'SIGKILL' ? resolve() : reject(new Error(`writer exited ${code}: ${err}`))));
  });
}

test('SIGKILL during model-registry writes: every restart loads the last good model; a torn newest file falls back to the previous version', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'peregrine-kill-'));
  try {
    for (const ms of [5, 37, 120]) {
      await runWriterAndKill(dir, ms);
      const reg = new DirectoryModelRegistry(dir);
      const models = reg.load();
      assert.equal(models.length, 1, `after a kill at ${ms} ms: ${JSON.stringify(reg.problems())}`);
      const m = reg.get('registry.example/shop/cart');
      assert.ok(m && m.version >= 1);
      const x = createMatrix(1, FEATURE_COUNT, new Float32Array(FEATURE_COUNT).fill(1));
      assert.ok(Number.isFinite(m.detector.score(x)[0]), 'the loaded model scores');
      assert.ok(!readdirSync(dir).some((f) => f.includes('.tmp')), 'left-over temporary files are removed on load');
    }
    // A torn newest version (as a non-atomic copy would leave it) is reported and skipped: the previous good one loads.
    const reg = new DirectoryModelRegistry(dir);
    const good = reg.load()[0];
    const torn = (good.file as string).replace(/\.v(\d+)\.model\.json$/, (_, v: string) => `.v${Number(v) + 1}.model.json`);
    const text = readFileSync(good.file as string, 'utf8');
    writeFileSync(torn, text.slice(0, Math.floor(text.length / 2)));
    const again = new DirectoryModelRegistry(dir);
    assert.equal(again.load()[0].version, good.version);
    assert.ok(again.problems().some((p) => p.file.endsWith(torn.split('/').pop() as string)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
