/**
 * The rules and dashboard against a real Prometheus (Debian `prometheus`): it scrapes the metrics exactly as the
 * service, alert pipeline and response engine register them (their prom-client factories, one Registry), loads
 * deploy/prometheus/peregrine-rules.yml, and must (1) see every contract metric, (2) evaluate every rule without
 * error, (3) put the degraded / dropping / sink-failing alerts in pending state, (4) answer every dashboard query.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as netServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { stringify } from 'yaml';
import { repoRoot } from '../testing/paths.js';
import { createServiceMetrics } from '../service/metrics.js';
import { alertingMetrics } from '../alerting/metrics.js';
import { createResponseMetrics } from '../response/metrics.js';
import { stopChild } from '../testing/process.js';

const root = repoRoot();
const bin = ((): string | null => {
  const r = spawnSync('sh', ['-c', 'command -v prometheus'], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.trim() !== '' ? r.stdout.trim() : null;
})();
const skip = bin === null ? 'prometheus not on PATH (Debian package prometheus)' : false;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
async function freePort(): Promise<number> {
  const s = netServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('rules and dashboard on a real Prometheus', { skip }, () => {
  const registry = new Registry();
  const svc = createServiceMetrics(registry, { defaults: false });
  const alerting = alertingMetrics(registry);
  const response = createResponseMetrics(registry)!;
  let app: Server;
  let prom: ChildProcess;
  let promUrl = '';
  let dir = '';
  let ticker: NodeJS.Timeout;

  const api = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${promUrl}${path}`);
    const body = (await res.json()) as { status: string; data: T; error?: string };
    if (body.status !== 'success') throw new Error(`${path}: ${body.error}`);
    return body.data;
  };
  async function until<T>(what: string, ms: number, f: () => Promise<T | null>): Promise<T> {
    const end = Date.now() + ms;
    let last: unknown = null;
    for (;;) {
      try {
        const v = await f();
        if (v !== null) return v;
      } catch (e) {
        last = e;
      }
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
      await sleep(250);
    }
  }

  before(async () => {
    // A degraded hub dropping falco events, a failing Slack sink with a growing outbox, one failed action.
    svc.degraded.set(1);
    svc.modelInfo.set({ group: 'nginx:1.27', version: 'v3' }, 1);
    svc.queueDepth.set({ source: 'falco' }, 190_000);
    svc.ingestLatency.observe({ source: 'falco' }, 0.004);
    svc.scores.observe({ modality: 'syscalls' }, 0.4);
    svc.scores.observe({ modality: 'syscalls' }, 3.2);
    svc.findings.inc({ modality: 'syscalls' });
    alerting.alerts.inc({ severity: 'critical', change: 'opened' });
    alerting.deadLetters.inc({ sink: 'slack' }, 0);
    response.actions.inc({ action: 'quarantine', result: 'dry-run', dry_run: 'true' });
    let pending = 0;
    ticker = setInterval(() => {
      svc.received.inc({ source: 'falco' }, 500);
      svc.dropped.inc({ source: 'falco', reason: 'queue_full' }, 20);
      svc.ingestLatency.observe({ source: 'falco' }, 0.02);
      alerting.deliveries.inc({ sink: 'slack', status: 'retryable' });
      alerting.deliveries.inc({ sink: 'pagerduty', status: 'delivered' });
      alerting.pending.set({ sink: 'slack' }, (pending += 3));
      alerting.deadLetters.inc({ sink: 'slack' });
      response.actions.inc({ action: 'label', result: 'failed', dry_run: 'false' });
    }, 200);

    app = createServer((req, res) => {
      void registry.metrics().then((text) => {
        res.setHeader('content-type', registry.contentType);
        res.end(text);
      });
    });
    await new Promise<void>((r) => app.listen(0, '127.0.0.1', () => r()));
    const appPort = (app.address() as AddressInfo).port;

    dir = mkdtempSync(join(tmpdir(), 'pgn-prom-'));
    const config = {
      global: { scrape_interval: '1s', evaluation_interval: '1s' },
      rule_files: [join(root, 'deploy', 'prometheus', 'peregrine-rules.yml')],
      scrape_configs: [{ job_name: 'peregrine-hub', static_configs: [{ targets: [`127.0.0.1:${appPort}`] }] }],
    };
    writeFileSync(join(dir, 'prometheus.yml'), stringify(config));
    const port = await freePort();
    promUrl = `http://127.0.0.1:${port}`;
    prom = spawn(bin!, [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let log = '';
    prom.stderr!.on('data', (b: Buffer) => (log = (log + b.toString()).slice(-4000)));
    await until('prometheus ready', 15000, async () => {
      if (prom.exitCode !== null) throw new Error(`prometheus exited: ${log}`);
      const r = await fetch(`${promUrl}/-/ready`);
      return r.ok ? true : null;
    });
  });

  after(async () => {
    clearInterval(ticker);
    if (prom) await stopChild(prom);
    await new Promise<void>((r) => (app ? app.close(() => r()) : r()));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('scrapes every metric of the contract from the real registries', async () => {
    const contract = [
      'peregrine_events_received_total', 'peregrine_events_dropped_total', 'peregrine_ingest_queue_depth',
      'peregrine_ingest_latency_seconds_bucket', 'peregrine_scores_bucket', 'peregrine_detection_degraded', 'peregrine_model_info',
      'peregrine_findings_total', 'peregrine_alerts_total', 'peregrine_sink_deliveries_total', 'peregrine_outbox_pending',
      'peregrine_outbox_dead_letters_total', 'peregrine_response_actions_total',
    ];
    const names = await until('all series', 15000, async () => {
      const n = await api<string[]>('/api/v1/label/__name__/values');
      return contract.every((c) => n.includes(c)) ? n : null;
    });
    for (const c of contract) assert.ok(names.includes(c), c);
  });

  it('evaluates every rule without error and the recording rules produce values', async () => {
    type Rules = { groups: Array<{ rules: Array<{ name: string; health: string; lastError?: string; type: string }> }> };
    const rules = await until('rules evaluated', 15000, async () => {
      const d = await api<Rules>('/api/v1/rules');
      const all = d.groups.flatMap((g) => g.rules);
      return all.length > 0 && all.every((r) => r.health === 'ok') ? all : null;
    });
    assert.equal(rules.length, 11);
    for (const r of rules) assert.ok(!r.lastError, `${r.name}: ${r.lastError}`);
    const p99 = await until('p99 recorded', 15000, async () => {
      const d = await api<{ result: Array<{ value: [number, string] }> }>('/api/v1/query?query=peregrine:ingest_latency_seconds:p99_5m');
      return d.result.length > 0 ? Number(d.result[0].value[1]) : null;
    });
    assert.ok(p99 > 0 && p99 <= 0.025, `p99 ${p99}`);
  });

  it('raises the degraded, dropping, sink-failure, outbox and dead-letter alerts (pending or firing)', async () => {
    const want = ['PeregrineDetectionDegraded', 'PeregrineEventsDropped', 'PeregrineSinkFailures', 'PeregrineOutboxGrowing', 'PeregrineDeadLetters', 'PeregrineResponseActionsFailing'];
    type Alerts = { alerts: Array<{ labels: Record<string, string>; state: string }> };
    let missing: string[] = [];
    const alerts = await until('alerts', 15000, async () => {
      const d = await api<Alerts>('/api/v1/alerts');
      const names = new Set(d.alerts.map((a) => a.labels.alertname));
      missing = want.filter((w) => !names.has(w));
      return missing.length === 0 ? d.alerts : null;
    }).catch((e: Error) => {
      throw new Error(`${e.message}; missing ${missing.join(', ')}`);
    });
    const dropped = alerts.find((a) => a.labels.alertname === 'PeregrineEventsDropped')!;
    assert.deepEqual([dropped.labels.source, dropped.labels.reason], ['falco', 'queue_full']);
    assert.ok(!alerts.some((a) => a.labels.alertname === 'PeregrineScrapeDown'), 'the target is up');
    assert.ok(!alerts.some((a) => a.labels.alertname === 'PeregrineNoEventsReceived'), 'events are arriving');
  });

  it('answers every dashboard query without error', async () => {
    const dash = JSON.parse(readFileSync(join(root, 'deploy', 'grafana', 'peregrine-dashboard.json'), 'utf8'));
    const exprs: string[] = dash.panels.flatMap((p: { targets?: Array<{ expr: string }> }) => (p.targets ?? []).map((t) => t.expr));
    const subst = (e: string): string =>
      e.replaceAll('$__rate_interval', '1m').replaceAll('$__range', '1h').replaceAll('$instance', '.*').replaceAll('$modality', '.*');
    let withData = 0;
    for (const e of exprs) {
      const d = await api<{ result: unknown[] }>(`/api/v1/query?query=${encodeURIComponent(subst(e))}`);
      if (d.result.length > 0) withData++;
    }
    assert.ok(withData >= exprs.length - 2, `${withData} of ${exprs.length} queries returned data`);
  });
});
