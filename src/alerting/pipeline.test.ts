import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { Registry } from 'prom-client';
import type { PeregrineError } from '../core/errors.js';
import { AlertPipeline, parseAlertingConfig, type AlertingConfigInput } from './index.js';
import type { AlertChange } from './sinks/sink.js';
import { makeFinding } from './testing.js';
import type { Alert } from './types.js';

const T0 = 1_700_000_000_000;

/** A pipeline on a controllable clock, recording every emitted change. */
async function pipeline(config: AlertingConfigInput = {}, dataDir: string | null = null, clock = { t: T0 }) {
  const p = new AlertPipeline({ config: { groupWaitSeconds: 0, ...config }, dataDir, now: () => clock.t, registry: new Registry() });
  const events: [Alert, AlertChange][] = [];
  p.on('alert', (a, c) => events.push([a, c]));
  await p.start();
  return { p, events, clock };
}

test('config: {} parses to documented defaults; bad fields are named', () => {
  const c = parseAlertingConfig({});
  assert.equal(c.groupWaitSeconds, 30);
  assert.equal(c.resolveAfterSeconds, 300);
  assert.equal(c.repeatIntervalSeconds, 600);
  assert.deepEqual(c.groupBy, ['namespace', 'workload', 'title']);
  assert.equal(c.retry.maxAttempts, 200);
  assert.deepEqual(c.sinks, []);
  const line = (input: unknown): string => {
    try {
      parseAlertingConfig(input);
    } catch (e) {
      return (e as PeregrineError).oneLine();
    }
    return 'no error';
  };
  assert.match(line({ groupWaitSeconds: -1 }), /^PGN_ERR_BAD_PARAM: alerting\.groupWaitSeconds: /);
  assert.match(line({ sinks: [{ type: 'carrier-pigeon' }] }), /alerting\.sinks\.0\.type: unknown sink type "carrier-pigeon"/);
  assert.match(line({ sinks: [{ type: 'webhook', url: 'not a url' }] }), /alerting\.sinks\.0\.url: /);
  assert.match(line({ sinks: [{ type: 'slack', webhookUrl: { env: 'X' }, colour: 'red' }] }), /alerting\.sinks\.0.*colour/);
  const again = parseAlertingConfig(parseAlertingConfig({ sinks: [{ type: 'webhook', url: 'http://127.0.0.1:1/x' }] }));
  assert.equal(again.sinks[0].maxBatch, 50, 'parsing a parsed config is idempotent');
});

test('dedup: same id, and same content inside the window, are dropped', async () => {
  const { p } = await pipeline({ dedupWindowSeconds: 60 });
  assert.ok(p.submit(makeFinding({ id: 'a' })));
  assert.equal(p.submit(makeFinding({ id: 'a' })), null, 'same id');
  assert.equal(p.submit(makeFinding({ id: 'b' })), null, 'same window of the same container under a new id');
  assert.ok(p.submit(makeFinding({ id: 'c', windowStart: T0 + 30_000 })), 'the next window');
  assert.equal(p.get(p.list()[0].id)?.findings, 2);
  await p.close();
});

test('grouping: pods on several nodes fold into one incident with an aggregated summary; critical on many pods', async () => {
  const { p, events } = await pipeline();
  p.submit(makeFinding({ id: '1', pod: 'frontend-a', node: 'node-1', windowStart: T0 }));
  p.submit(makeFinding({ id: '2', pod: 'frontend-b', node: 'node-2', windowStart: T0 + 30_000 }));
  const a = p.submit(makeFinding({ id: '3', pod: 'frontend-a', node: 'node-1', windowStart: T0 + 60_000 }));
  assert.ok(a);
  assert.equal(a.summary, '3 anomalous intervals in 2 minutes on 2 pods of shop/frontend');
  assert.deepEqual(a.pods, ['frontend-a', 'frontend-b']);
  assert.deepEqual(a.nodes, ['node-1', 'node-2']);
  assert.equal(a.entity.pod, '', 'differing fields are blanked; the lists carry them');
  assert.equal(a.entity.namespace, 'shop');
  assert.equal(a.severity, 'warning');
  const c = p.submit(makeFinding({ id: '4', pod: 'frontend-c', node: 'node-3', windowStart: T0 + 90_000 }));
  assert.equal(c?.severity, 'critical', '3 pods (criticalPods) raise the severity');
  assert.equal(c?.id, a.id);
  // another workload, or another title, is another incident
  p.submit(makeFinding({ id: '5', workload: 'checkout' }));
  p.submit(makeFinding({ id: '6', title: 'unusual egress' }));
  assert.equal(p.list({ status: 'firing' }).length, 3);
  assert.deepEqual(
    events.map(([x, ch]) => `${ch}:${x.severity}`),
    ['opened:warning', 'updated:critical', 'opened:warning', 'opened:warning'],
    'opened at once (groupWait 0); the escalation notified immediately; plain updates throttled',
  );
  await p.close();
});

test('severity: two modalities, or a score far over its threshold, make it critical', async () => {
  const { p } = await pipeline();
  p.submit(makeFinding({ id: '1' }));
  assert.equal(p.submit(makeFinding({ id: '2', modality: 'flows', windowStart: T0 + 1 }))?.severity, 'critical');
  assert.equal(p.submit(makeFinding({ id: '3', workload: 'api', score: 4.6, threshold: 1.5 }))?.severity, 'critical');
  assert.equal(p.submit(makeFinding({ id: '4', workload: 'db', score: 4.4, threshold: 1.5 }))?.severity, 'warning');
  await p.close();
});

test('workload falls back to pod, then container; groupBy is configurable', async () => {
  const { p } = await pipeline();
  p.submit(makeFinding({ id: '1', workload: '', pod: 'standalone-1' }));
  p.submit(makeFinding({ id: '2', workload: '', pod: 'standalone-2' }));
  assert.equal(p.list().length, 2, 'bare pods are separate incidents');
  await p.close();
  const q = (await pipeline({ groupBy: ['namespace'] })).p;
  q.submit(makeFinding({ id: '1', workload: 'a' }));
  q.submit(makeFinding({ id: '2', workload: 'b' }));
  assert.equal(q.list().length, 1, 'grouped by namespace only');
  await q.close();
});

test('evidence: features merged by share, key events deduped and capped, lineage from the strongest finding', async () => {
  const { p } = await pipeline({ evidence: { topFeatures: 3, keyEvents: 3 } });
  p.submit(makeFinding({ id: '1', score: 2, features: [['execve', 10, 0.4], ['open', 5, 0.3]], keyEvents: ['e1', 'e2'], lineage: ['a', 'b'] }));
  const a = p.submit(
    makeFinding({ id: '2', windowStart: T0 + 30_000, score: 3, features: [['execve', 30, 0.6], ['connect', 2, 0.1], ['mmap', 1, 0.05]], keyEvents: ['e2', 'e3', 'e4'], lineage: ['x', 'y', 'z'] }),
  );
  assert.deepEqual(a?.evidence.topFeatures, [
    { name: 'execve', value: 30, share: 0.6 },
    { name: 'open', value: 5, share: 0.3 },
    { name: 'connect', value: 2, share: 0.1 },
  ]);
  assert.deepEqual(a?.evidence.keyEvents, ['e1', 'e2', 'e3']);
  assert.deepEqual(a?.evidence.processLineage, ['x', 'y', 'z']);
  await p.close();
});

test('group wait, repeat throttling and resolution follow the clock', async () => {
  const { p, events, clock } = await pipeline({ groupWaitSeconds: 30, repeatIntervalSeconds: 120, resolveAfterSeconds: 300 });
  const a = p.submit(makeFinding({ id: '1' }));
  assert.ok(a);
  clock.t += 10_000;
  p.submit(makeFinding({ id: '2', windowStart: T0 + 30_000 }));
  p.tick();
  assert.equal(events.length, 0, 'still in group wait');
  clock.t += 20_000;
  p.tick();
  assert.deepEqual(
    events.map(([x, c]) => [c, x.findings]),
    [['opened', 2]],
  );
  clock.t += 10_000;
  p.submit(makeFinding({ id: '3', windowStart: T0 + 60_000 }));
  p.tick();
  assert.equal(events.length, 1, 'update throttled');
  clock.t += 120_000;
  p.tick();
  assert.deepEqual(
    events.map(([x, c]) => [c, x.findings]),
    [
      ['opened', 2],
      ['updated', 3],
    ],
  );
  p.tick(clock.t + 1000);
  assert.equal(events.length, 2, 'nothing new: no repeat');
  clock.t += 300_000;
  p.tick();
  const [last, change] = events[events.length - 1];
  assert.equal(change, 'resolved');
  assert.equal(last.status, 'resolved');
  assert.equal(last.endsAt, clock.t);
  assert.equal(p.get(a.id)?.status, 'resolved');
  assert.equal(p.list({ status: 'firing' }).length, 0);
  // a new finding after resolution opens a new incident with a new id
  const b = p.submit(makeFinding({ id: '4', windowStart: T0 + 900_000 }));
  assert.notEqual(b?.id, a.id);
  await p.close();
});

test('a restart keeps open incidents, their ids and the dedup memory (same data dir)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pgn-alerting-'));
  try {
    const clock = { t: T0 };
    const one = await pipeline({ groupWaitSeconds: 0 }, dir, clock);
    const a = one.p.submit(makeFinding({ id: '1', pod: 'p1' }));
    await one.p.close();
    const two = await pipeline({ groupWaitSeconds: 0 }, dir, clock);
    assert.equal(two.p.submit(makeFinding({ id: '1', pod: 'p1' })), null, 'id remembered across the restart');
    const b = two.p.submit(makeFinding({ id: '2', pod: 'p2', windowStart: T0 + 30_000 }));
    assert.equal(b?.id, a?.id, 'the same incident continues');
    assert.equal(b?.findings, 2);
    await two.p.close();
    // Two hubs that see the same findings derive the same incident id (fingerprint + start).
    const other = await pipeline({ groupWaitSeconds: 0 });
    assert.equal(other.p.submit(makeFinding({ id: '1', pod: 'p1' }))?.id, a?.id);
    await other.p.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('metrics: alerts by severity and change on the given registry', async () => {
  const registry = new Registry();
  const p = new AlertPipeline({ config: { groupWaitSeconds: 0 }, dataDir: null, registry, now: () => T0 });
  await p.start();
  p.submit(makeFinding({ id: '1' }));
  p.tick(T0 + 400_000);
  const text = await registry.metrics();
  assert.match(text, /peregrine_alerts_total\{severity="warning",change="opened"\} 1/);
  assert.match(text, /peregrine_alerts_total\{severity="warning",change="resolved"\} 1/);
  await p.close();
});

test('a listener that throws does not break the pipeline', async () => {
  const { p } = await pipeline();
  p.on('alert', () => {
    throw new Error('boom');
  });
  assert.ok(p.submit(makeFinding({ id: '1' })));
  await p.close();
});

test('a critical incident skips group wait', async () => {
  const { p, events } = await pipeline({ groupWaitSeconds: 60 });
  p.submit(makeFinding({ id: '1' }));
  assert.equal(events.length, 0);
  p.submit(makeFinding({ id: '2', modality: 'flows', windowStart: T0 + 1 }));
  assert.deepEqual(
    events.map(([a, c]) => `${c}:${a.severity}`),
    ['opened:critical'],
  );
  await p.close();
});

test('property: in any arrival order, findings fold into one incident per workload with exact counts and severity', async () => {
  const spec = fc.record({
    w: fc.integer({ min: 0, max: 2 }),
    pod: fc.integer({ min: 0, max: 3 }),
    flows: fc.boolean(),
    win: fc.integer({ min: 0, max: 5 }),
    score: fc.double({ min: 1.6, max: 6, noNaN: true }),
  });
  await fc.assert(
    fc.asyncProperty(fc.array(spec, { minLength: 1, maxLength: 25 }), async (specs) => {
      const { p } = await pipeline({ groupWaitSeconds: 0 });
      try {
        const findings = specs.map((s, i) =>
          makeFinding({ id: `f${i}`, workload: `w${s.w}`, pod: `w${s.w}-p${s.pod}`, modality: s.flows ? 'flows' : 'syscalls', windowStart: T0 + s.win * 30_000, score: s.score, threshold: 1.5 }),
        );
        // Content dedup: one finding per (pod, modality, detector, window); the first one wins.
        const firstOf = new Map<string, number>();
        specs.forEach((s, i) => {
          const k = `${s.w}|${s.pod}|${s.flows}|${s.win}`;
          if (!firstOf.has(k)) firstOf.set(k, i);
        });
        const accepted = specs.filter((_, i) => [...firstOf.values()].includes(i));
        for (const f of findings) p.submit(f);
        for (const f of findings) assert.equal(p.submit(f), null, 'a second submit is a duplicate');
        const alerts = p.list({ limit: 100 });
        const workloads = new Set(accepted.map((s) => s.w));
        assert.equal(alerts.length, workloads.size);
        for (const a of alerts) {
          const mine = accepted.filter((s) => `w${s.w}` === a.entity.workload);
          assert.equal(a.findings, mine.length);
          assert.deepEqual([...a.pods].sort(), [...new Set(mine.map((s) => `w${s.w}-p${s.pod}`))].sort());
          const modalities = new Set(mine.map((s) => s.flows)).size;
          const ratio = Math.max(...mine.map((s) => s.score / 1.5));
          const critical = a.pods.length >= 3 || modalities >= 2 || ratio >= 3;
          assert.equal(a.severity, critical ? 'critical' : 'warning');
          assert.match(a.summary, new RegExp(`^${mine.length} anomalous intervals? in \\d+ minutes? on ${a.pods.length} pods? of shop/w\\d$`));
        }
      } finally {
        await p.close();
      }
    }),
    { numRuns: 40, seed: 7 },
  );
});

test('a failed store write rolls back the incident and its notification together', async () => {
  const { p, events } = await pipeline({ outbox: { closeTimeoutMs: 100 }, sinks: [{ type: 'webhook', url: 'http://127.0.0.1:9/x' }] });
  const bad = makeFinding({ id: 'bad' });
  (bad.evidence.keyEvents as unknown[]).push(10n); // not JSON-serializable: the outbox insert throws mid-transaction
  assert.throws(
    () => p.submit(bad),
    (e: unknown) => (e as PeregrineError).code === 'PGN_ERR_IO',
  );
  assert.equal(p.list().length, 0);
  assert.equal(p.outboxStats().pending, 0);
  assert.equal(events.length, 0);
  const ok = p.submit(makeFinding({ id: 'good' }));
  assert.equal(ok?.findings, 1, 'the failed finding left nothing behind');
  assert.deepEqual(
    events.map(([, c]) => c),
    ['opened'],
  );
  assert.equal(p.outboxStats().pending, 1);
  await p.close();
});

test('fetch is injectable: every HTTP sink goes through it', async () => {
  const calls: { url: string; body: string }[] = [];
  const fakeFetch = (async (url: string | URL | Request, init?: RequestInit) => {
    calls.push({ url: String(url), body: String(init?.body) });
    return new Response('ok', { status: 200 });
  }) as typeof fetch;
  const p = new AlertPipeline({
    config: { groupWaitSeconds: 0, sinks: [{ type: 'slack', webhookUrl: 'https://hooks.slack.com/services/T1/B1/abcdefghijkl' }, { type: 'pagerduty', routingKey: 'k'.repeat(32) }] },
    dataDir: null,
    registry: new Registry(),
    fetch: fakeFetch,
  });
  await p.start();
  p.submit(makeFinding({ id: '1' }));
  for (let i = 0; i < 100 && p.outboxStats().delivered < 2; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(p.outboxStats().delivered, 2);
  assert.deepEqual(calls.map((c) => c.url).sort(), ['https://events.pagerduty.com/v2/enqueue', 'https://hooks.slack.com/services/T1/B1/abcdefghijkl']);
  await p.close();
});
