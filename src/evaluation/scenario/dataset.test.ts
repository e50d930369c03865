/** `evaluate --scenario --data DIR`: a dataset written by simulate, read back from its files and judged. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { writeClusterDataset } from '../../simulate/cluster/dataset.js';
import { evaluateDataset } from './dataset.js';

test('a simulated dataset on disk is judged from its files and scored with its labels', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pgn-evds-'));
  try {
    await writeClusterDataset(dir, { seed: 8, nodes: 3, durationSeconds: 240, rateScale: 0.15, modalities: ['ndjson', 'flows', 'audit', 'metrics'], scenarios: [{ name: 'reverseshell', startSeconds: 60 }] });
    const r = await evaluateDataset(dir, { seed: 2, trainSeconds: 960, calibrateSeconds: 300, epochs: 20 });
    assert.equal(r.scenarios.length, 1);
    assert.equal(r.scenarios[0].detected, true);
    assert.ok(r.scenarios[0].modalities.syscalls.alerted && r.scenarios[0].modalities.flows.alerted);
    assert.equal(r.testSeconds, 240);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a folder without labels.json is a one-line error', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pgn-evds-'));
  try {
    await assert.rejects(evaluateDataset(dir, { seed: 1 }), /no labels\.json/);
    writeFileSync(join(dir, 'labels.json'), '{"x":1}');
    await assert.rejects(evaluateDataset(dir, { seed: 1 }), /not a simulate labels file/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
