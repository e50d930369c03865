import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { writeDemoDataset } from '../simulate/flows/dataset.js';
import { saveModel } from '../training/model-file.js';
import { runTraining } from '../training/train.js';
import { startTestHub, waitFor, type TestHub } from './testing.js';

let t: TestHub;
let testCsv = '';
let modelPath = '';

async function train(dir: string, seed: number, detector: string): Promise<void> {
  const data = await writeDemoDataset(join(dir, `flows-${seed}`), {
    seed,
    trainSeconds: 240,
    testSeconds: 180,
    attacks: [
      { scenario: 'portscan', startSeconds: 30, durationSeconds: 40 },
      { scenario: 'synflood', startSeconds: 100, durationSeconds: 20 },
    ],
  });
  const r = await runTraining({
    format: 'cicflowmeter',
    files: [data.trainPath],
    detector,
    detectorParams: detector === 'autoencoder' ? { epochs: 5 } : {},
    normalOnly: true,
    seed,
    pipeline: { log1p: true, scaler: 'standard' },
    threshold: { method: 'contamination', params: { contamination: 0.01 } },
    calibrationFraction: 0.2,
    onBadRow: 'fail',
    reader: { includePorts: false },
  });
  saveModel(modelPath, r.model); // atomic (temporary file + rename): a watcher never reads half a file
  testCsv = readFileSync(data.testPath, 'utf8');
}

before(async () => {
  t = await startTestHub({}, (c) => {
    c.detection.flows.modelFile = join(c.dataDir, 'flows.model.json');
    c.detection.flows.watch = false;
    c.detection.flows.windowSeconds = 60;
    modelPath = c.detection.flows.modelFile;
  });
  await train(t.dir, 1, 'autoencoder');
  const r = await t.hub.app.inject({ method: 'POST', url: '/api/admin/models/reload', headers: t.auth });
  assert.equal(r.statusCode, 200, r.body);
});
after(async () => {
  await t.close();
});

const postCsv = (csv: string) => t.hub.app.inject({ method: 'POST', url: '/ingest/flows', payload: csv, headers: { ...t.auth, 'content-type': 'text/csv' } });

test('flows: scored per endpoint pair; anomalous windows become findings with the model version and top features', async () => {
  const res = await postCsv(testCsv);
  assert.equal(res.statusCode, 202, res.body.slice(0, 300));
  const version = t.hub.flows.model()?.version ?? '';
  assert.match(version, /^autoencoder@[0-9a-f]{12}$/);
  await waitFor(() => t.hub.flows.flowsScored >= res.json().accepted, 10_000);
  t.hub.flows.flush();
  const alerts = t.hub.alerts.list({ limit: 1000 }).filter((a) => a.modalities.includes('flows'));
  assert.ok(alerts.length > 0, 'the generated attacks raise flow alerts');
  assert.ok(alerts.every((a) => a.modelVersions.includes(version)));
  assert.ok(alerts.some((a) => a.evidence.topFeatures.length > 0), 'autoencoder findings carry reconstruction-error shares');
  assert.ok(alerts.every((a) => a.entity.endpoint === '' || a.entity.endpoint.includes('->')));
});

test('hot swap: a new model is loaded beside the old one and swapped while flows keep arriving; nothing is dropped', async () => {
  const before = t.hub.flows.model()?.version;
  const rows = testCsv.trimEnd().split('\n');
  const header = rows[0];
  const chunks: string[] = [];
  for (let i = 1; i < rows.length && chunks.length < 20; i += 200) chunks.push([header, ...rows.slice(i, i + 200)].join('\n'));
  const scored0 = t.hub.flows.flowsScored;
  let sent = 0;
  const sending = (async () => {
    for (const c of chunks) {
      const r = await postCsv(c);
      assert.equal(r.statusCode, 202);
      sent += r.json().accepted;
      await new Promise((res) => setTimeout(res, 20));
    }
  })();
  await train(t.dir, 2, 'iforest');
  const swap = await t.hub.app.inject({ method: 'POST', url: '/api/admin/models/reload', headers: t.auth });
  assert.equal(swap.statusCode, 200);
  assert.equal(swap.json().flows.previous, before);
  await sending;
  await waitFor(() => t.hub.flows.flowsScored - scored0 === sent, 10_000);
  assert.match(t.hub.flows.model()?.version ?? '', /^iforest@/);
  const metrics = (await t.hub.app.inject({ method: 'GET', url: '/metrics' })).body;
  assert.ok(metrics.includes(`peregrine_model_info{group="flows",version="${t.hub.flows.model()?.version}"} 1`));
  assert.ok(!metrics.includes(`version="${before}"`), 'the old version is no longer reported');
  // a corrupt file is refused and the previous model stays in use
  const { writeFileSync } = await import('node:fs');
  writeFileSync(modelPath, '{"format":"peregrine-model", "truncated');
  const bad = await t.hub.app.inject({ method: 'POST', url: '/api/admin/models/reload', headers: t.auth });
  assert.equal(bad.statusCode, 422);
  assert.match(t.hub.flows.model()?.version ?? '', /^iforest@/);
});
