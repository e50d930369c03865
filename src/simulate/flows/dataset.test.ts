import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CSV_HEADER } from './csv.js';
import { DEMO_ATTACKS, writeDemoDataset } from './dataset.js';

const small = { trainSeconds: 60, testSeconds: 600, benignFlowsPerSecond: 3 };

test('demo dataset: benign-only train file, every scenario in the test file, byte-identical per seed', async () => {
  const root = await mkdtemp(join(tmpdir(), 'peregrine-flows-'));
  try {
    const a = await writeDemoDataset(join(root, 'a'), { seed: 3, ...small });
    const b = await writeDemoDataset(join(root, 'b'), { seed: 3, ...small });
    const c = await writeDemoDataset(join(root, 'c'), { seed: 4, ...small });
    const [trainA, testA] = await Promise.all([readFile(a.trainPath, 'utf8'), readFile(a.testPath, 'utf8')]);
    assert.equal(trainA, await readFile(b.trainPath, 'utf8'));
    assert.equal(testA, await readFile(b.testPath, 'utf8'));
    assert.equal(await readFile(a.manifestPath, 'utf8'), await readFile(b.manifestPath, 'utf8'));
    assert.notEqual(testA, await readFile(c.testPath, 'utf8'));

    assert.deepEqual(Object.keys(a.counts.train), ['0']);
    const trainLines = trainA.trimEnd().split('\n');
    assert.equal(trainLines[0], CSV_HEADER);
    assert.equal(trainLines.length - 1, a.counts.train['0']);

    const testLines = testA.trimEnd().split('\n');
    const labels = new Map<string, number>();
    for (const line of testLines.slice(1)) {
      const label = line.slice(line.lastIndexOf(',') + 1);
      labels.set(label, (labels.get(label) ?? 0) + 1);
    }
    assert.deepEqual(Object.fromEntries(labels), a.counts.test);
    for (const spec of DEMO_ATTACKS) assert.ok((labels.get(spec.scenario) ?? 0) > 0, `${spec.scenario} in test file`);
    assert.ok((labels.get('0') ?? 0) > 1000);
    assert.equal(a.attackWindows.length, DEMO_ATTACKS.length);
    // Attacks are interleaved with normal traffic: benign rows occur inside every attack window.
    for (const w of a.attackWindows) assert.ok(w.end > w.start);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
