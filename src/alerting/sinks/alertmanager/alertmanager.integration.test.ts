import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Registry } from 'prom-client';
import { AlertPipeline } from '../../index.js';
import { makeFinding, waitFor } from '../../testing.js';
import { stopChild } from '../../../testing/process.js';

/**
 * A real Alertmanager (Debian `prometheus-alertmanager`), two instances to check the fan-out: Peregrine's alerts
 * are sent through the alertmanager sink and read back from each instance's API v2.
 */

const BIN = process.env.PEREGRINE_ALERTMANAGER_BIN ?? '/usr/bin/prometheus-alertmanager';

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

interface Instance {
  url: string;
  proc: ChildProcess;
  stderr: string[];
}

async function startAlertmanager(dir: string, i: number): Promise<Instance> {
  const config = join(dir, `am-${i}.yml`);
  writeFileSync(config, "route:\n  receiver: 'null'\n  group_wait: 1s\nreceivers:\n  - name: 'null'\n");
  const port = await freePort();
  const stderr: string[] = [];
  const proc = spawn(
    BIN,
    [`--config.file=${config}`, `--storage.path=${join(dir, `data-${i}`)}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address=', '--log.level=warn'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  proc.stderr?.on('data', (c: Buffer) => stderr.push(c.toString()));
  const url = `http://127.0.0.1:${port}`;
  const end = Date.now() + 10_000;
  for (;;) {
    try {
      if ((await fetch(`${url}/-/ready`)).ok) break;
    } catch {
      // not listening yet
    }
    if (proc.exitCode !== null || Date.now() > end) throw new Error(`alertmanager did not start: ${stderr.join('').slice(-500)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, proc, stderr };
}

interface GettableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  generatorURL: string;
  status: { state: string };
}

async function alertsOf(url: string, incident: string): Promise<GettableAlert[]> {
  const res = await fetch(`${url}/api/v2/alerts?filter=${encodeURIComponent(`incident_id="${incident}"`)}`);
  assert.equal(res.status, 200);
  return (await res.json()) as GettableAlert[];
}

test('Alertmanager receives, escalates and resolves Peregrine incidents on every instance', { skip: existsSync(BIN) ? false : `${BIN} not installed` }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pgn-am-'));
  const instances: Instance[] = [];
  t.after(async () => {
    await Promise.all(instances.map((i) => stopChild(i.proc)));
    rmSync(dir, { recursive: true, force: true });
  });
  instances.push(...(await Promise.all([startAlertmanager(dir, 0), startAlertmanager(dir, 1)])));
  const p = new AlertPipeline({
    config: {
      groupWaitSeconds: 0.2,
      resolveAfterSeconds: 1.5,
      externalUrl: 'http://peregrine.test:8080',
      retry: { baseMs: 50, maxMs: 500 },
      sinks: [{ type: 'alertmanager', urls: instances.map((i) => i.url), extraLabels: { team: 'sre' } }],
    },
    dataDir: null,
    registry: new Registry(),
  });
  t.after(() => p.close());
  await p.start();
  const t0 = Date.now() - 120_000;
  p.submit(makeFinding({ id: '1', pod: 'frontend-a', node: 'node-1', windowStart: t0 }));
  const a = p.submit(makeFinding({ id: '2', pod: 'frontend-b', node: 'node-2', windowStart: t0 + 30_000 }));
  assert.ok(a);
  await new Promise((r) => setTimeout(r, 250));
  p.tick();
  const delivered = (n: number) => () => {
    const s = p.outboxStats().bySink;
    return s['alertmanager-0'].delivered >= n && s['alertmanager-1'].delivered >= n;
  };
  await waitFor(delivered(1), 8000, 'delivery to both instances');

  for (const inst of instances) {
    const got = await alertsOf(inst.url, a.id);
    assert.equal(got.length, 1, `one alert on ${inst.url}`);
    const g = got[0];
    assert.deepEqual(g.labels, {
      alertname: 'PeregrineAnomaly',
      incident_id: a.id,
      severity: 'warning',
      namespace: 'shop',
      workload: 'frontend',
      title: 'container activity departs from its baseline',
      source: 'peregrine',
      team: 'sre',
    });
    assert.equal(g.annotations.summary, '2 anomalous intervals in 1 minute on 2 pods of shop/frontend');
    assert.equal(g.annotations.pods, 'frontend-a, frontend-b');
    assert.equal(g.annotations.top_features, 'execve=41 (52%), connect=12 (21%)');
    assert.equal(g.annotations.process_lineage, 'containerd-shim > nginx > sh > xmrig');
    assert.equal(g.generatorURL, `http://peregrine.test:8080/alerts/${a.id}`);
    assert.equal(Date.parse(g.startsAt), t0);
    assert.equal(g.status.state, 'active');
  }

  // A third pod escalates to critical: the warning label set is resolved, the critical one fires.
  p.submit(makeFinding({ id: '3', pod: 'frontend-c', node: 'node-3', windowStart: t0 + 60_000 }));
  await waitFor(delivered(2), 8000, 'the escalation');
  for (const inst of instances) {
    const got = await alertsOf(inst.url, a.id);
    assert.deepEqual(
      got.map((g) => g.labels.severity),
      ['critical'],
    );
    assert.equal(got[0].annotations.summary, '3 anomalous intervals in 2 minutes on 3 pods of shop/frontend');
  }

  // Idle for resolveAfterSeconds: resolved everywhere.
  await new Promise((r) => setTimeout(r, 1600));
  p.tick();
  await waitFor(delivered(3), 8000, 'the resolution');
  for (const inst of instances) assert.deepEqual(await alertsOf(inst.url, a.id), [], `nothing active on ${inst.url}`);
  assert.equal(p.get(a.id)?.status, 'resolved');
});
