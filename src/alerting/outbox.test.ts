import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { AlertPipeline, type AlertingConfigInput } from './index.js';
import { verifyWebhook } from './sinks/webhook/index.js';
import { FakeReceiver, makeFinding, waitFor, type ReceivedRequest } from './testing.js';

const T0 = 1_700_000_000_000;
const SECRET = 'whsec-outage-test-key';

interface Delivery {
  key: string;
  change: string;
  alert: { id: string; status: string };
}
const deliveriesOf = (r: ReceivedRequest): Delivery[] => (JSON.parse(r.body) as { deliveries: Delivery[] }).deliveries;

function webhookConfig(url: string, extra: AlertingConfigInput = {}): AlertingConfigInput {
  return {
    groupWaitSeconds: 0,
    resolveAfterSeconds: 60,
    retry: { baseMs: 40, maxMs: 200 },
    outbox: { closeTimeoutMs: 300, requestTimeoutMs: 2000 },
    sinks: [{ type: 'webhook', url: `${url}/hook`, secret: SECRET, maxBatch: 4 }],
    ...extra,
  };
}

test('sink down for a while (503s, then refused), pipeline restarted mid-outage: every change delivered once, in order', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pgn-outbox-'));
  const rx = await new FakeReceiver().start();
  const accepted: ReceivedRequest[] = [];
  let up = false;
  rx.respond = (r) => {
    if (!up) return { status: 503, body: 'maintenance' };
    accepted.push(r);
    return { status: 200, body: 'ok' };
  };
  const clock = { t: T0 };
  const registry = new Registry();
  try {
    const a = new AlertPipeline({ config: webhookConfig(rx.url), dataDir: dir, now: () => clock.t, registry });
    await a.start();
    for (let i = 0; i < 10; i++) a.submit(makeFinding({ id: `a${i}`, workload: `w${i}` }));
    clock.t += 61_000;
    a.tick(); // resolves all ten
    await waitFor(() => rx.requests.length >= 3, 5000, 'a few failed attempts');
    await rx.stop(); // now connections are refused
    assert.equal(a.outboxStats().pending, 20);
    assert.ok(a.outboxStats().bySink.webhook.retrying > 0);
    assert.match(a.outboxStats().bySink.webhook.lastError ?? '', /webhook http:\/\/127\.0\.0\.1:\d+: HTTP 503|ECONNREFUSED/);
    await a.close(); // mid-outage: the rows stay in alerts.db

    const b = new AlertPipeline({ config: webhookConfig(rx.url), dataDir: dir, now: () => clock.t, registry });
    await b.start();
    for (let i = 10; i < 15; i++) b.submit(makeFinding({ id: `b${i}`, workload: `w${i}` }));
    assert.equal(b.outboxStats().pending, 25);
    await new Promise((r) => setTimeout(r, 300)); // refused for a while
    up = true;
    await rx.start(); // back on the same port
    await waitFor(() => b.outboxStats().pending === 0, 10_000, 'the outbox to drain');

    const got = accepted.flatMap(deliveriesOf);
    const keys = got.map((d) => d.key);
    assert.equal(new Set(keys).size, keys.length, 'no change delivered twice');
    assert.equal(got.length, 25, '10 opened + 10 resolved + 5 opened');
    const byAlert = new Map<string, string[]>();
    for (const d of got) byAlert.set(d.alert.id, [...(byAlert.get(d.alert.id) ?? []), d.change]);
    assert.equal(byAlert.size, 15);
    for (const changes of byAlert.values()) assert.ok(changes.join() === 'opened,resolved' || changes.join() === 'opened', `order: ${changes.join()}`);
    for (const r of accepted) assert.ok(verifyWebhook(SECRET, r.headers as Record<string, string>, r.body, clock.t), 'every request is signed');
    const stats = b.outboxStats();
    assert.equal(stats.delivered, 25);
    assert.equal(stats.deadLettered, 0);
    const text = await registry.metrics();
    assert.match(text, /peregrine_sink_deliveries_total\{sink="webhook",status="delivered"\} 25/);
    assert.match(text, /peregrine_sink_deliveries_total\{sink="webhook",status="retryable"\} \d+/);
    assert.match(text, /peregrine_outbox_pending\{sink="webhook"\} 0/);
    await b.close();
  } finally {
    await rx.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a lost acknowledgement is re-sent with the same delivery key (the at-least-once contract)', async (t) => {
  const rx = await new FakeReceiver().start();
  let first = true;
  rx.respond = () => {
    if (first) {
      first = false;
      return { status: 200, destroy: true }; // the receiver took it, the answer is lost
    }
    return { status: 200, body: 'ok' };
  };
  const p = new AlertPipeline({ config: webhookConfig(rx.url), dataDir: null, registry: new Registry() });
  t.after(() => Promise.all([p.close(), rx.stop()]));
  await p.start();
  p.submit(makeFinding({ id: '1' }));
  await waitFor(() => p.outboxStats().pending === 0, 5000, 'delivery');
  const keys = rx.requests.flatMap(deliveriesOf).map((d) => d.key);
  assert.equal(keys.length, 2, 'sent twice');
  assert.equal(keys[0], keys[1], 'with the same key, so the receiver can drop the duplicate');
  await p.close();
  await rx.stop();
});

test('Retry-After is honoured, in seconds and as an HTTP date, up to maxRetryAfterMs', async () => {
  for (const form of ['seconds', 'http-date']) {
    const rx = await new FakeReceiver().start();
    const times: number[] = [];
    let retryAfter = '';
    rx.respond = () => {
      times.push(Date.now());
      // An HTTP date has whole seconds: 5 s ahead is 4..5 s away, far above the 1.2 s cap.
      retryAfter = form === 'seconds' ? '1' : new Date(Date.now() + 5000).toUTCString();
      return times.length === 1 ? { status: 429, headers: { 'retry-after': retryAfter }, body: 'slow down' } : { status: 200 };
    };
    const p = new AlertPipeline({ config: webhookConfig(rx.url, { retry: { baseMs: 10, maxMs: 50, maxRetryAfterMs: 1200 } }), dataDir: null, registry: new Registry() });
    try {
      await p.start();
      p.submit(makeFinding({ id: '1' }));
      await waitFor(() => times.length === 2, 5000, 'the retry');
      const gap = times[1] - times[0];
      const [lo, hi] = form === 'seconds' ? [990, 2500] : [1190, 3500]; // seconds: 1 s honoured; date: capped at 1.2 s
      assert.ok(gap >= lo && gap < hi, `Retry-After ${retryAfter}: retried after ${gap} ms (want ${lo}..${hi})`);
    } finally {
      await p.close();
      await rx.stop();
    }
  }
});

test('non-retryable answers go to dead letters with the reason, secrets redacted; later rows still flow', async (t) => {
  const rx = await new FakeReceiver().start();
  const routingKey = 'PDROUTINGKEY0123456789abcdef';
  let n = 0;
  rx.respond = (r) => (++n === 1 ? { status: 400, body: `invalid event for key ${JSON.parse(r.body).routing_key}` } : { status: 202, body: '{"status":"success"}' });
  const logs: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (s: string) => void logs.push(s) });
  const registry = new Registry();
  const p = new AlertPipeline({ config: webhookConfig(rx.url, { sinks: [{ type: 'pagerduty', url: `${rx.url}/v2/enqueue`, routingKey }] }), dataDir: null, registry, logger });
  t.after(() => Promise.all([p.close(), rx.stop()]));
  await p.start();
  p.submit(makeFinding({ id: '1', workload: 'a' }));
  p.submit(makeFinding({ id: '2', workload: 'b' }));
  await waitFor(() => p.outboxStats().pending === 0, 5000, 'both handled');
  const dead = p.deadLetters();
  assert.equal(dead.length, 1);
  assert.equal(dead[0].httpStatus, 400);
  assert.match(dead[0].reason, /^pagerduty http:\/\/127\.0\.0\.1:\d+: HTTP 400 invalid event for key \[redacted\]$/);
  assert.equal(p.outboxStats().bySink.pagerduty.delivered, 1);
  assert.match(await registry.metrics(), /peregrine_outbox_dead_letters_total\{sink="pagerduty"\} 1/);
  assert.ok(logs.length > 0 && !logs.join('').includes(routingKey), 'the routing key is never logged');
  // fixed: put it back and it goes through
  assert.equal(p.redeliver([dead[0].seq]), 1);
  await waitFor(() => p.outboxStats().bySink.pagerduty.delivered === 2, 5000, 'redelivery');
  await p.close();
  await rx.stop();
});

test('retries stop after maxAttempts (dead letter "gave up"); a full outbox dead-letters the oldest rows', async (t) => {
  const rx = await new FakeReceiver().start();
  rx.respond = () => ({ status: 503 });
  const slackSecret = 'T000/B000/SLACKSECRETPATH';
  const p = new AlertPipeline({
    config: webhookConfig(rx.url, { retry: { baseMs: 5, maxMs: 20, maxAttempts: 3 }, outbox: { maxPending: 2 }, sinks: [{ type: 'slack', webhookUrl: `${rx.url}/services/${slackSecret}` }] }),
    dataDir: null,
    registry: new Registry(),
  });
  t.after(() => Promise.all([p.close(), rx.stop()]));
  await p.start();
  for (let i = 0; i < 4; i++) p.submit(makeFinding({ id: `${i}`, workload: `w${i}` }));
  await waitFor(() => p.outboxStats().pending === 0, 5000, 'all given up');
  const dead = p.deadLetters({ limit: 10 });
  assert.equal(dead.length, 4);
  const reasons = dead.map((d) => d.reason).sort();
  assert.equal(reasons.filter((r) => r === 'outbox full (maxPending=2)').length, 2);
  assert.equal(reasons.filter((r) => /^gave up after 3 attempts: slack webhook: HTTP 503$/.test(r)).length, 2);
  assert.ok(!JSON.stringify(dead).includes('SLACKSECRETPATH'));
  assert.ok(!JSON.stringify(p.outboxStats()).includes('SLACKSECRETPATH'));
  await p.close();
  await rx.stop();
});

test('alertmanager targets get every open incident again each resendIntervalSeconds (Alertmanager expires silent alerts)', async (t) => {
  const rx = await new FakeReceiver().start();
  const clock = { t: T0 };
  const p = new AlertPipeline({
    config: { groupWaitSeconds: 0, resolveAfterSeconds: 3600, sinks: [{ type: 'alertmanager', urls: [rx.url], resendIntervalSeconds: 60 }] },
    dataDir: null,
    registry: new Registry(),
    now: () => clock.t,
  });
  t.after(() => Promise.all([p.close(), rx.stop()]));
  await p.start();
  p.submit(makeFinding({ id: '1', workload: 'a' }));
  p.submit(makeFinding({ id: '2', workload: 'b' }));
  p.tick();
  await waitFor(() => p.outboxStats().delivered === 2, 5000, 'first delivery');
  clock.t += 30_000;
  p.tick();
  assert.equal(p.outboxStats().pending, 0, 'not yet');
  clock.t += 31_000;
  p.tick();
  await waitFor(() => p.outboxStats().delivered === 4, 5000, 'the re-send');
  assert.ok(rx.requests.every((r) => r.path === '/api/v2/alerts'));
  const all = rx.requests.flatMap((r) => JSON.parse(r.body) as { labels: { workload: string } }[]).map((x) => x.labels.workload);
  assert.deepEqual(all.sort(), ['a', 'a', 'b', 'b']);
});

test('SIGKILL mid-outage: a new process on the same data dir delivers everything the dead one queued', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pgn-crash-'));
  const rx = await new FakeReceiver().start();
  let up = false;
  const accepted: ReceivedRequest[] = [];
  rx.respond = (r) => {
    if (!up) return { status: 503 };
    accepted.push(r);
    return { status: 200 };
  };
  t.after(async () => {
    await rx.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const child = spawn(process.execPath, [fileURLToPath(new URL('./crash-child.testing.js', import.meta.url)), dir, rx.url, '12'], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.after(() => child.kill('SIGKILL'));
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  await waitFor(() => out.includes('submitted') && rx.requests.length >= 3, 10_000, 'the child to queue and fail a few times');
  assert.match(out, /submitted 12/);
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  up = true;
  const p = new AlertPipeline({ config: webhookConfig(rx.url), dataDir: dir, registry: new Registry() });
  t.after(() => p.close());
  await p.start();
  await waitFor(() => p.outboxStats().pending === 0, 10_000, 'the survivor to drain');
  const delivered = accepted.flatMap(deliveriesOf);
  assert.equal(delivered.length, 12);
  assert.ok(delivered.every((d) => d.change === 'opened'));
  assert.equal(new Set(delivered.map((d) => d.alert.id)).size, 12, 'all twelve incidents delivered after the crash, once each');
  assert.equal(p.outboxStats().delivered, 12);
  assert.equal(p.list({ status: 'firing' }).length, 12, 'the open incidents survived too');
});
