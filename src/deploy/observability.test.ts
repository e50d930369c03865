import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { repoRoot } from '../testing/paths.js';

const root = repoRoot();
const dashboard = JSON.parse(readFileSync(join(root, 'deploy', 'grafana', 'peregrine-dashboard.json'), 'utf8'));
const rulesFile = join(root, 'deploy', 'prometheus', 'peregrine-rules.yml');
const rules = parse(readFileSync(rulesFile, 'utf8')) as { groups: Array<{ name: string; rules: Array<Record<string, string>> }> };

/** The metric contract the service, alerting and response modules emit (issue 7). Histograms add _bucket/_sum/_count. */
const METRICS: Record<string, 'counter' | 'gauge' | 'histogram'> = {
  peregrine_events_received_total: 'counter',
  peregrine_events_dropped_total: 'counter',
  peregrine_ingest_queue_depth: 'gauge',
  peregrine_ingest_latency_seconds: 'histogram',
  peregrine_scores: 'histogram',
  peregrine_detection_degraded: 'gauge',
  peregrine_model_info: 'gauge',
  peregrine_findings_total: 'counter',
  peregrine_alerts_total: 'counter',
  peregrine_sink_deliveries_total: 'counter',
  peregrine_outbox_pending: 'gauge',
  peregrine_outbox_dead_letters_total: 'counter',
  peregrine_response_actions_total: 'counter',
};

/** `peregrine_x_bucket` -> `peregrine_x` when x is a histogram; throws for names outside the contract. */
function baseMetric(name: string): string {
  if (METRICS[name] && METRICS[name] !== 'histogram') return name;
  const m = /^(.*)_(bucket|sum|count)$/.exec(name);
  if (m && METRICS[m[1]] === 'histogram') return m[1];
  throw new Error(`${name} is not in the metric contract`);
}
const metricsIn = (expr: string): string[] => [...expr.matchAll(/\bperegrine_[a-z0-9_]+/g)].map((m) => m[0]);

/** Metric names registered anywhere in src (string literals `'peregrine_...'` outside tests). */
function registeredInSource(): Set<string> {
  const out = new Set<string>();
  const walk = (dir: string): void => {
    for (const f of readdirSync(dir)) {
      const p = join(dir, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith('.ts') && !p.endsWith('.test.ts')) for (const m of readFileSync(p, 'utf8').matchAll(/'(peregrine_[a-z0-9_]+)'/g)) out.add(m[1]);
    }
  };
  walk(join(root, 'src'));
  return out;
}

const promtool = ((): string | null => {
  const r = spawnSync('sh', ['-c', 'command -v promtool'], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.trim() !== '' ? r.stdout.trim() : null;
})();
const noPromtool = promtool === null ? 'promtool not on PATH (Debian package prometheus)' : false;

type Panel = { id: number; type: string; title: string; gridPos: { x: number; y: number; w: number; h: number }; targets?: Array<{ expr: string; refId: string; datasource: { uid: string } }> };
const panels = dashboard.panels as Panel[];
const exprs = panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));

describe('Grafana dashboard', () => {
  it('is an importable dashboard: uid, datasource input, unique ids, panels within the 24-column grid, no overlaps', () => {
    assert.equal(dashboard.uid, 'peregrine-overview');
    assert.equal(dashboard.__inputs[0].name, 'DS_PROMETHEUS');
    assert.ok(dashboard.schemaVersion >= 36);
    assert.equal(new Set(panels.map((p) => p.id)).size, panels.length);
    for (const p of panels) {
      assert.ok(p.gridPos.x >= 0 && p.gridPos.w > 0 && p.gridPos.x + p.gridPos.w <= 24, `${p.title}: grid`);
      for (const q of panels) {
        if (q === p) continue;
        const a = p.gridPos;
        const b = q.gridPos;
        const overlap = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
        assert.ok(!overlap, `${p.title} overlaps ${q.title}`);
      }
      for (const t of p.targets ?? []) {
        assert.equal(t.datasource.uid, '${DS_PROMETHEUS}', `${p.title}: datasource`);
        assert.ok(t.refId && t.expr, `${p.title}: target`);
      }
    }
  });

  it('shows every part of the service the issue names', () => {
    const used = new Set(exprs.flatMap(metricsIn).map(baseMetric));
    for (const m of Object.keys(METRICS)) assert.ok(used.has(m), `${m} is not on the dashboard`);
    const titles = panels.map((p) => p.title.toLowerCase()).join('|');
    for (const w of ['received', 'dropped', 'queue depth', 'latency', 'scores', 'severity', 'deliveries', 'outbox', 'models', 'degraded']) assert.ok(titles.includes(w), w);
  });

  it('uses only contract metric names, and each one is registered by the code', () => {
    const registered = registeredInSource();
    for (const e of exprs) for (const m of metricsIn(e)) assert.ok(registered.has(baseMetric(m)), `${m} (in ${e}) is not registered in src/`);
  });

  it('every query is valid PromQL (promtool parses them as recording rules)', { skip: noPromtool }, () => {
    // Grafana's variables replaced by what Grafana would substitute.
    const subst = (e: string): string =>
      e.replaceAll('$__rate_interval', '1m').replaceAll('$__range', '1h').replaceAll('$instance', '.*').replaceAll('$modality', '.*');
    const file = { groups: [{ name: 'dashboard', rules: exprs.map((e, i) => ({ record: `dashboard:q${i}`, expr: subst(e) })) }] };
    const dir = mkdtempSync(join(tmpdir(), 'pgn-dash-'));
    try {
      writeFileSync(join(dir, 'q.yml'), stringify(file));
      const r = spawnSync(promtool!, ['check', 'rules', join(dir, 'q.yml')], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stdout + r.stderr);
      assert.match(r.stdout, new RegExp(`SUCCESS: ${exprs.length} rules found`));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('Prometheus rules', () => {
  const alerts = rules.groups.flatMap((g) => g.rules).filter((r) => r.alert);

  it('cover the failure modes: degraded, drops, outbox growth, sink failures, silence, scrape down', () => {
    const names = alerts.map((a) => a.alert);
    for (const n of ['PeregrineDetectionDegraded', 'PeregrineEventsDropped', 'PeregrineOutboxGrowing', 'PeregrineSinkFailures', 'PeregrineNoEventsReceived', 'PeregrineScrapeDown']) {
      assert.ok(names.includes(n), n);
    }
    const drops = alerts.find((a) => a.alert === 'PeregrineEventsDropped')!;
    assert.equal(drops.for, '5m');
    for (const a of alerts) assert.ok(['warning', 'critical'].includes((a.labels as unknown as Record<string, string>).severity), `${a.alert}: severity`);
  });

  it('use only contract metric names that the code registers', () => {
    const registered = registeredInSource();
    for (const r of rules.groups.flatMap((g) => g.rules)) {
      for (const m of metricsIn(r.expr)) {
        assert.ok(registered.has(baseMetric(m)), `${m} in ${r.alert ?? r.record}`);
      }
    }
  });

  it('pass `promtool check rules`', { skip: noPromtool }, () => {
    const r = spawnSync(promtool!, ['check', 'rules', rulesFile], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /SUCCESS: \d+ rules found/);
  });

  it('fire as intended on synthetic series (`promtool test rules`, Prometheus\'s own rule engine)', { skip: noPromtool }, () => {
    const r = spawnSync(promtool!, ['test', 'rules', 'peregrine-rules.test.yml'], { cwd: join(root, 'deploy', 'prometheus'), encoding: 'utf8' });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /SUCCESS/);
  });

  it('promtool rejects a broken rule (the check can fail)', { skip: noPromtool }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'pgn-rules-'));
    try {
      writeFileSync(join(dir, 'bad.yml'), stringify({ groups: [{ name: 'g', rules: [{ alert: 'X', expr: 'sum by (source (peregrine_events_dropped_total)' }] }] }));
      const r = spawnSync(promtool!, ['check', 'rules', join(dir, 'bad.yml')], { encoding: 'utf8' });
      assert.notEqual(r.status, 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
