import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import pino from 'pino';
import type { Alert } from '../alerting/types.js';
import { loadConfig } from '../core/config.js';
import { encodeFalcoEvent } from '../ingest/events/falco/encode.js';
import { generateEvents, DEFAULT_START_US } from '../simulate/events/index.js';
import { Agent } from './agent.js';
import { HysteresisGate } from './detect/runtime.js';
import { startTestHub, TEST_TOKEN, waitFor, type TestHub } from './testing.js';
import { HttpTransport } from './transport.js';

test('hysteresis: a lone unstable interval is not reported; 2 of 3 open; 3 stable in a row close', () => {
  const g = new HysteresisGate({ openAfterIntervals: 2, windowIntervals: 3, closeAfterIntervals: 3 });
  const seq = [false, true, false, false, true, true, true, false, true, false, false, false, true, false];
  const out = seq.map((u) => g.observe('c', u));
  assert.deepEqual(out, [false, false, false, false, false, true, true, false, true, false, false, false, false, false]);
});

const SCENARIO = { seed: 3, containers: 4, rate: 250, attacks: [{ type: 'cryptominer' as const, containers: [0], startSeconds: 50, stageSeconds: 10 }] };
const detection = (c: ReturnType<typeof loadConfig>): void => {
  Object.assign(c.detection, { intervalSeconds: 5, latenessSeconds: 1, vectorsToTrain: 12, epochs: 40 });
};

let t: TestHub;
before(async () => {
  t = await startTestHub({}, detection);
});
after(async () => {
  await t.close();
});

async function postSeconds(url: string, from: number, to: number): Promise<void> {
  let k = 0;
  for (const slice of generateEvents({ ...SCENARIO, durationSeconds: to })) {
    if (k++ < from) continue;
    const body = slice.map((e) => encodeFalcoEvent(e)).join('\n');
    for (;;) {
      const res = await fetch(`${url}/ingest/falco`, { method: 'POST', headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/x-ndjson' }, body });
      if (res.status === 202) break;
      assert.ok(res.status === 429 || res.status === 503, `unexpected ${res.status}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

test('syscalls over HTTP: the runtime path learns nginx, then the staged miner becomes one alert with evidence and a model version', async () => {
  await postSeconds(t.url, 0, 100);
  let alert: Alert | undefined;
  await waitFor(() => {
    alert = t.hub.alerts.list({}).find((a) => a.modalities.includes('syscalls'));
    return alert !== undefined;
  }, 15_000);
  const a = alert as Alert;
  assert.equal(a.entity.namespace, 'web');
  assert.equal(a.entity.workload, 'web');
  assert.deepEqual(a.modelVersions, ['nginx@v1']);
  assert.ok(a.evidence.topFeatures.length > 0 && a.evidence.topFeatures.every((f) => f.share > 0 && f.share <= 1));
  assert.ok(a.evidence.keyEvents.some((k) => k.startsWith('execve /bin/sh')), a.evidence.keyEvents.join('; '));
  assert.ok(a.evidence.processLineage.includes('sh'), a.evidence.processLineage.join(' > '));
  assert.match(a.evidence.forensicsRef, /forensics\.db --container /);
  // only the attacked pod alerts: the three normal replicas stay below the threshold
  assert.equal(t.hub.alerts.list({}).filter((x) => x.modalities.includes('syscalls')).length, 1);
  const models = (await t.hub.app.inject({ method: 'GET', url: '/api/models', headers: t.auth })).json();
  assert.equal(models.runtime[0].group, 'nginx');
  const tl = (await t.hub.app.inject({ method: 'GET', url: '/api/timelines', headers: t.auth })).json();
  assert.equal(tl.timelines.length, 4);
  assert.ok(tl.timelines[0].points.some((p: { unstable: boolean }) => p.unstable), 'the attacked container comes first');
  const metrics = (await t.hub.app.inject({ method: 'GET', url: '/metrics' })).body;
  assert.match(metrics, /peregrine_model_info\{group="nginx",version="v1"\} 1/);
  assert.match(metrics, /peregrine_findings_total\{modality="syscalls"\} [1-9]/);
});

test('agent: models the hub gets after the agent started are fetched on the next sync and swapped in', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'peregrine-agent-'));
  try {
    const config = loadConfig({ env: { PEREGRINE_DATA_DIR: dir, PEREGRINE_HUB_URL: t.url, PEREGRINE_NODE: 'node-8', PEREGRINE_TOKEN: TEST_TOKEN } });
    detection(config);
    // At the agent's start the hub has no model yet (its first listing is empty); later it has the trained one.
    let listings = 0;
    const fetchImpl: typeof fetch = (url, init) => {
      if (String(url).endsWith('/api/models/runtime/files') && listings++ === 0) return Promise.resolve(new Response(JSON.stringify({ files: [] })));
      return fetch(url, init);
    };
    const agent = new Agent(config, { logger: pino({ level: 'silent' }), transport: new HttpTransport(t.url, TEST_TOKEN), token: TEST_TOKEN, fetchImpl });
    const started = await agent.start();
    assert.deepEqual(started, { models: 0, fetched: 0 });
    try {
      const sync = await agent.syncModels();
      assert.ok(sync.fetched >= 1, JSON.stringify(sync));
      assert.deepEqual(sync.changed.map((c) => [c.group, c.version]), [['nginx', 'v1']]);
      assert.deepEqual(agent.summary().models, [{ group: 'nginx', version: 'v1' }]);
      assert.deepEqual(await agent.syncModels(), { fetched: 0, changed: [] }, 'files already here are not fetched again');
    } finally {
      await agent.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('agent: fetches the hub\'s models, judges from its first interval, forwards findings over HTTP to the same incident', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'peregrine-agent-'));
  try {
    const config = loadConfig({ env: { PEREGRINE_DATA_DIR: dir, PEREGRINE_HUB_URL: t.url, PEREGRINE_NODE: 'node-9', PEREGRINE_TOKEN: TEST_TOKEN } });
    detection(config);
    const before = t.hub.alerts.list({}).find((a) => a.modalities.includes('syscalls'))?.findings ?? 0;
    const agent = new Agent(config, { logger: pino({ level: 'silent' }), transport: new HttpTransport(t.url, TEST_TOKEN), token: TEST_TOKEN });
    const started = await agent.start();
    assert.ok(started.fetched >= 1 && started.models >= 1, JSON.stringify(started));
    // the attack part only (a later hour of the same scenario): no learning phase on the agent
    const lines: string[] = [];
    for (const slice of generateEvents({ ...SCENARIO, startUs: DEFAULT_START_US + 3600e6, durationSeconds: 90 })) for (const e of slice) lines.push(encodeFalcoEvent(e));
    for (let i = 0; i < lines.length; i += 2000) await agent.ingestLines(lines.slice(i, i + 2000), 'falco');
    await agent.stop();
    assert.equal(agent.pendingFindings, 0);
    assert.ok(agent.sent > 0);
    // same pod, same incident: the agent's findings fold into the hub's alert (ids differ by interval, no dedup)
    await waitFor(() => (t.hub.alerts.list({}).find((a) => a.modalities.includes('syscalls'))?.findings ?? 0) >= before + agent.sent, 10_000);
    assert.equal(t.hub.alerts.list({}).filter((x) => x.modalities.includes('syscalls')).length, 1);
    assert.deepEqual(t.hub.agents.get('node-9')?.models, [{ group: 'nginx', version: 'v1' }]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
