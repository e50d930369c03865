import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { encodeFalcoEvent } from '../ingest/events/falco/encode.js';
import { generateAllEvents } from '../simulate/events/index.js';
import { startTestHub, waitFor } from './testing.js';
import { stopChild } from '../testing/process.js';

const hasPrometheus = spawnSync('prometheus', ['--version'], { stdio: 'ignore' }).status === 0;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

test('a real Prometheus scrapes /metrics and reads back peregrine_events_received_total', { skip: hasPrometheus ? false : 'prometheus not on PATH (Debian package prometheus)' }, async () => {
  const t = await startTestHub();
  const dir = mkdtempSync(join(tmpdir(), 'peregrine-prom-'));
  const port = Number(new URL(t.url).port);
  const promPort = await freePort();
  const events = generateAllEvents({ seed: 5, durationSeconds: 2, rate: 200 });
  const res = await fetch(`${t.url}/ingest/falco`, { method: 'POST', headers: { ...t.auth, 'content-type': 'application/x-ndjson' }, body: events.map((e) => encodeFalcoEvent(e)).join('\n') });
  assert.equal(res.status, 202);
  writeFileSync(
    join(dir, 'prometheus.yml'),
    `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: peregrine\n    static_configs:\n      - targets: ['127.0.0.1:${port}']\n`,
  );
  const prom = spawn('prometheus', [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${promPort}`], { stdio: 'ignore' });
  try {
    let value = NaN;
    await waitFor(async () => {
      try {
        const r = await fetch(`http://127.0.0.1:${promPort}/api/v1/query?query=${encodeURIComponent('peregrine_events_received_total{source="falco"}')}`);
        if (!r.ok) return false;
        const j = (await r.json()) as { data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> } };
        const hit = j.data.result[0];
        if (!hit) return false;
        assert.equal(hit.metric.job, 'peregrine');
        value = Number(hit.value[1]);
        return true;
      } catch {
        return false;
      }
    }, 15_000, 250);
    assert.equal(value, events.length);
    const up = await (await fetch(`http://127.0.0.1:${promPort}/api/v1/query?query=up`)).json();
    assert.equal((up as { data: { result: Array<{ value: [number, string] }> } }).data.result[0].value[1], '1');
  } finally {
    await stopChild(prom);
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
