import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeReceiver, fixedAlert, type Reply } from '../testing.js';
import { alertSinks, type Notification, type SinkContext } from './index.js';

/**
 * One conformance suite over every registered sink (River's generic tests): a registered sink without an entry
 * in CASES fails here, so a new sink cannot skip the checks. HTTP sinks run against a fake receiver: 2xx is
 * delivered, 408/429/5xx and connection failures retryable (Retry-After read), other 4xx rejected, and no secret
 * appears in any outcome. Email's wire checks live in email/email.test.ts (an SMTP conversation).
 */

const SECRET = 'S3CRET-conformance-0123456789';

/** Per sink: options against a receiver URL, and whether the secret may appear in the request (it is its credential). */
const CASES: Record<string, { http: boolean; options: (url: string) => Record<string, unknown> }> = {
  alertmanager: { http: true, options: (url) => ({ urls: [url], bearerToken: SECRET }) },
  slack: { http: true, options: (url) => ({ webhookUrl: `${url}/services/T0/B0/${SECRET}` }) },
  pagerduty: { http: true, options: (url) => ({ url: `${url}/v2/enqueue`, routingKey: SECRET }) },
  webhook: { http: true, options: (url) => ({ url: `${url}/hook`, secret: SECRET }) },
  email: { http: false, options: () => ({ host: '127.0.0.1', port: 9, from: 'a@example.org', to: ['b@example.org'], username: 'u', password: SECRET }) },
};

const ctx: SinkContext = { fetch: globalThis.fetch, externalUrl: 'https://peregrine.example.org', requestTimeoutMs: 2000, where: 'test' };
const batch = (): Notification[] => [{ alert: fixedAlert(), change: 'opened', key: 'k1' }];

test('every registered sink has a conformance case', () => {
  assert.deepEqual(alertSinks.names(), Object.keys(CASES).sort());
});

for (const factory of alertSinks.all()) {
  test(`conformance: ${factory.type}`, async (t) => {
    const rx = await new FakeReceiver().start();
    t.after(() => rx.stop());
    const c = CASES[factory.type];
    const sinks = factory.create(factory.schema.parse({ type: factory.type, ...c.options(rx.url) }), ctx);
    assert.ok(sinks.length >= 1);
    const sink = sinks[0];
    t.after(() => sink.close());
    assert.equal(sink.type, factory.type);
    assert.ok(sink.maxBatch >= 1);
    assert.ok(factory.description.length > 10);

    // toPayload is pure: same input, same output; the input is not touched.
    const input = batch();
    const before = structuredClone(input);
    assert.deepEqual(sink.toPayload(input, 1_000), sink.toPayload(input, 1_000));
    assert.deepEqual(input, before);
    if (!c.http) return;

    const cases: [Reply, string][] = [
      [{ status: 200, body: 'ok' }, 'delivered'],
      [{ status: 202, body: '{}' }, 'delivered'],
      [{ status: 503, headers: { 'retry-after': '7' }, body: `down ${SECRET}` }, 'retryable'],
      [{ status: 429, body: 'slow down' }, 'retryable'],
      [{ status: 408 }, 'retryable'],
      [{ status: 400, body: `bad request for ${SECRET}` }, 'rejected'],
      [{ status: 404, body: 'no_service' }, 'rejected'],
    ];
    for (const [reply, want] of cases) {
      rx.respond = () => reply;
      const out = await sink.send(batch(), Date.now());
      assert.equal(out.status, want, `${factory.type}: HTTP ${reply.status}`);
      assert.ok(!JSON.stringify(out).includes(SECRET), `${factory.type}: no secret in ${JSON.stringify(out)}`);
      if (reply.status === 503 && out.status === 'retryable') assert.equal(out.retryAfterMs, 7000);
      if (out.status === 'rejected') assert.equal(out.httpStatus, reply.status);
    }
    assert.ok(rx.requests.every((r) => r.method === 'POST' && r.headers['content-type'] === 'application/json'));
    await rx.stop();
    const down = await sink.send(batch(), Date.now());
    assert.equal(down.status, 'retryable');
    assert.ok(!JSON.stringify(down).includes(SECRET));
    const health = await sink.healthcheck();
    assert.ok(!JSON.stringify(health).includes(SECRET));
  });
}
