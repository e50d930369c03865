import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeFalcoEvent } from '../ingest/events/falco/encode.js';
import { generateAllEvents } from '../simulate/events/index.js';
import { startTestHub, waitFor } from './testing.js';

test('a full queue answers 429 with Retry-After and takes nothing; sustained refusals turn into 503 and a "detection degraded" self-alert', async () => {
  const t = await startTestHub({ PEREGRINE_INGEST__QUEUE_EVENTS: '4', PEREGRINE_INGEST__RETRY_AFTER_SECONDS: '2' });
  try {
    const lines = generateAllEvents({ seed: 1, durationSeconds: 1, rate: 50 }).slice(0, 5).map((e) => encodeFalcoEvent(e));
    const body = lines.join('\n');
    const headers = { ...t.auth, 'content-type': 'application/x-ndjson' };
    const r1 = await t.hub.app.inject({ method: 'POST', url: '/ingest/falco', payload: body, headers });
    assert.equal(r1.statusCode, 429);
    assert.equal(r1.headers['retry-after'], '2');
    assert.equal(r1.json().error.code, 'PGN_ERR_OVERLOADED');
    assert.equal(r1.json().accepted, 0);
    // the refusal marks the service degraded (next housekeeping tick): the self-alert is raised and 503 follows
    await waitFor(() => t.hub.degraded, 5000);
    const r2 = await t.hub.app.inject({ method: 'POST', url: '/ingest/falco', payload: body, headers });
    assert.equal(r2.statusCode, 503);
    assert.equal((await t.hub.app.inject({ method: 'GET', url: '/readyz' })).statusCode, 503);
    await waitFor(() => t.hub.alerts.list({}).some((a) => a.title === 'detection degraded'), 5000);
    const small = lines.slice(0, 2).join('\n');
    const r3 = await t.hub.app.inject({ method: 'POST', url: '/ingest/falco', payload: small, headers });
    assert.equal(r3.statusCode, 202, 'a request that fits is still taken while degraded');
    const m = await t.hub.metrics.dropped.get();
    const by = Object.fromEntries(m.values.map((v) => [`${v.labels.source}/${v.labels.reason}`, v.value]));
    assert.equal(by['falco/queue_full'], 5);
    assert.equal(by['falco/degraded'], 5);
    assert.equal((await t.hub.app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
  } finally {
    await t.close();
  }
});

test('graceful stop drains the queues: every accepted event is processed, then new requests get 503', async () => {
  const t = await startTestHub();
  const lines = generateAllEvents({ seed: 2, containers: 4, durationSeconds: 3, rate: 400 }).map((e) => encodeFalcoEvent(e));
  const headers = { ...t.auth, 'content-type': 'application/x-ndjson' };
  let accepted = 0;
  for (let i = 0; i < lines.length; i += 500) {
    const r = await t.hub.app.inject({ method: 'POST', url: '/ingest/falco', payload: lines.slice(i, i + 500).join('\n'), headers });
    assert.equal(r.statusCode, 202);
    accepted += r.json().accepted;
  }
  const stopping = t.hub.stop();
  const late = t.hub.ingest('falco', lines[0], 'application/x-ndjson');
  assert.equal(late.status, 503);
  assert.equal((late.body.error as { code: string }).code, 'PGN_ERR_UNAVAILABLE');
  await stopping;
  const processed = (await t.hub.metrics.processed.get()).values.reduce((s, v) => s + v.value, 0);
  assert.equal(processed, accepted);
  await t.close();
});
