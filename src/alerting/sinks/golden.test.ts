import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../../testing/paths.js';
import { fixedAlert } from '../testing.js';
import { alertSinks, type AlertSink, type Notification, type SinkContext } from './index.js';
import { verifyWebhook } from './webhook/index.js';

/**
 * Golden payload tests (falcosidekick's lesson): a fixed alert in, the exact request out, compared with the files
 * checked in under `src/alerting/sinks/<sink>/golden/`. `UPDATE_GOLDEN=1` rewrites them (review the diff).
 */

const NOW = Date.UTC(2026, 10, 24, 1, 7, 30);
const ctx: SinkContext = { fetch: globalThis.fetch, externalUrl: 'https://peregrine.example.org', requestTimeoutMs: 1000, where: 'test' };

function sinkOf(type: string, options: Record<string, unknown>): AlertSink {
  const f = alertSinks.get(type);
  return f.create(f.schema.parse({ type, ...options }), ctx)[0];
}

/** Compares (or writes) a golden file; JSON bodies are stored parsed for readable diffs and re-serialized exactly. */
function golden(sinkType: string, name: string, payload: unknown): void {
  const file = join(repoRoot(), 'src', 'alerting', 'sinks', sinkType, 'golden', `${name}.json`);
  const p = payload as { body?: unknown };
  const readable = typeof p.body === 'string' && /^[[{]/.test(p.body) ? { ...p, body: JSON.parse(p.body) } : payload;
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(file)) {
    if (process.env.UPDATE_GOLDEN !== '1' && process.env.CI) assert.fail(`golden file missing: ${file}`);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(readable, null, 2) + '\n');
  }
  const want = JSON.parse(readFileSync(file, 'utf8')) as { body?: unknown };
  assert.deepEqual(readable, want, `${sinkType}/${name} differs from its golden file`);
  // Exact bytes on the wire: compact JSON, in this key order.
  if (typeof p.body === 'string' && typeof want.body === 'object') assert.equal(p.body, JSON.stringify(want.body));
}

const firing: Notification = { alert: fixedAlert(), change: 'opened', key: 'k-opened-0001' };
const escalated: Notification = { alert: fixedAlert({ severity: 'critical', findings: 22, summary: '22 anomalous intervals in 9 minutes on 3 pods of shop/frontend' }), change: 'updated', key: 'k-updated-0002' };
const resolved: Notification = {
  alert: fixedAlert({ status: 'resolved', endsAt: Date.UTC(2026, 10, 24, 1, 12, 0), updatedAt: Date.UTC(2026, 10, 24, 1, 12, 0) }),
  change: 'resolved',
  key: 'k-resolved-0003',
};

test('alertmanager: firing, escalated (lower severities resolved), resolved, and a batch collapsing to the last state', () => {
  const s = sinkOf('alertmanager', { urls: ['http://am-0:9093/'], extraLabels: { team: 'sre' } });
  golden('alertmanager', 'firing', s.toPayload([firing], NOW));
  golden('alertmanager', 'escalated', s.toPayload([escalated], NOW));
  golden('alertmanager', 'resolved', s.toPayload([resolved], NOW));
  const batch = JSON.parse((s.toPayload([firing, escalated, resolved], NOW) as { body: string }).body) as unknown[];
  assert.equal(batch.length, 1, 'three changes of one alert collapse to its last state');
});

test('alertmanager: one target per instance (fan-out)', () => {
  const f = alertSinks.get('alertmanager');
  const targets = f.create(f.schema.parse({ type: 'alertmanager', urls: ['http://a:9093', 'http://b:9093', 'http://c:9093'] }), ctx);
  assert.deepEqual(
    targets.map((t) => t.name),
    ['alertmanager-0', 'alertmanager-1', 'alertmanager-2'],
  );
  assert.deepEqual(
    targets.map((t) => (t.toPayload([firing], NOW) as { url: string }).url),
    ['http://a:9093/api/v2/alerts', 'http://b:9093/api/v2/alerts', 'http://c:9093/api/v2/alerts'],
  );
});

test('slack: firing and resolved messages', () => {
  const s = sinkOf('slack', { webhookUrl: 'https://hooks.slack.com/services/T000/B000/XXXXSECRETXXXX' });
  golden('slack', 'firing', s.toPayload([firing], NOW));
  golden('slack', 'resolved', s.toPayload([resolved], NOW));
});

test('pagerduty: trigger and resolve with dedup_key = incident id', () => {
  const s = sinkOf('pagerduty', { routingKey: 'R0UT1NGKEY0000000000000000000000' });
  golden('pagerduty', 'trigger', s.toPayload([firing], NOW));
  golden('pagerduty', 'resolve', s.toPayload([resolved], NOW));
  const body = JSON.parse((s.toPayload([escalated], NOW) as { body: string }).body) as { dedup_key: string; event_action: string };
  assert.equal(body.dedup_key, firing.alert.id);
  assert.equal(body.event_action, 'trigger');
});

test('webhook: signed batch; the signature verifies and fails on any change', () => {
  const s = sinkOf('webhook', { url: 'https://hooks.example.org/peregrine', secret: 'whsec-test-0123456789', headers: { 'x-team': 'sre' } });
  const req = s.toPayload([firing, resolved], NOW) as { headers: Record<string, string>; body: string };
  golden('webhook', 'batch', req);
  assert.equal(verifyWebhook('whsec-test-0123456789', req.headers, req.body, NOW), true);
  assert.equal(verifyWebhook('whsec-test-0123456789', req.headers, req.body.replace('warning', 'critical'), NOW), false, 'tampered body');
  assert.equal(verifyWebhook('another-secret', req.headers, req.body, NOW), false, 'wrong secret');
  assert.equal(verifyWebhook('whsec-test-0123456789', req.headers, req.body, NOW + 301_000), false, 'replayed after the tolerance');
});

test('email: the message handed to nodemailer', () => {
  const s = sinkOf('email', { host: '127.0.0.1', port: 2525, from: 'peregrine@example.org', to: ['oncall@example.org'] });
  golden('email', 'firing', s.toPayload([firing], NOW));
  golden('email', 'resolved', s.toPayload([resolved], NOW));
});

test('no secret in any payload but the one field that must carry it', () => {
  const secrets = { slack: 'XXXXSECRETXXXX', pagerduty: 'R0UT1NGKEY0000000000000000000000', webhook: 'whsec-test-0123456789' };
  const slack = sinkOf('slack', { webhookUrl: `https://hooks.slack.com/services/T000/B000/${secrets.slack}` }).toPayload([firing], NOW) as { body: string };
  assert.ok(!slack.body.includes(secrets.slack));
  const pd = JSON.parse((sinkOf('pagerduty', { routingKey: secrets.pagerduty }).toPayload([firing], NOW) as { body: string }).body) as Record<string, unknown>;
  assert.ok(!JSON.stringify({ ...pd, routing_key: undefined }).includes(secrets.pagerduty));
  const wh = sinkOf('webhook', { url: 'https://h.example.org/x', secret: secrets.webhook }).toPayload([firing], NOW) as { body: string; headers: Record<string, string> };
  assert.ok(!wh.body.includes(secrets.webhook) && !JSON.stringify(wh.headers).includes(secrets.webhook));
});
