import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { fixture } from '../testing/paths.js';
import { isOpenRoute } from './auth.js';
import { startTestHub, waitFor, type TestHub } from './testing.js';

let t: TestHub;
before(async () => {
  t = await startTestHub();
});
after(async () => {
  await t.close();
});

const post = (url: string, body: string, headers: Record<string, string> = {}) =>
  t.hub.app.inject({ method: 'POST', url, payload: body, headers: { 'content-type': 'application/json', ...t.auth, ...headers } });

test('every registered route except the probes, /metrics and the dashboard shell answers 401 without a token', async () => {
  const routes = t.hub.routes.filter((r) => r.method !== 'OPTIONS');
  assert.ok(routes.length >= 15, `expected the full route list, got ${routes.length}`);
  const checked: string[] = [];
  for (const r of routes) {
    const url = r.url.replace(/:[A-Za-z]+/g, 'x').replace(/\*$/, 'index.html');
    if (isOpenRoute(r.method, url)) continue;
    for (const headers of [{}, { authorization: 'Bearer wrong-token-0123456789abcdef' }, { authorization: t.auth.authorization.slice(7) }]) {
      const res = await t.hub.app.inject({ method: r.method as 'GET', url, headers, payload: r.method === 'POST' ? '{}' : undefined });
      assert.equal(res.statusCode, 401, `${r.method} ${r.url} answered ${res.statusCode} without a valid token`);
      if (r.method !== 'HEAD') assert.equal(res.json().error.code, 'PGN_ERR_UNAUTHORIZED');
    }
    checked.push(`${r.method} ${r.url}`);
  }
  for (const must of ['POST /ingest/falco', 'POST /ingest/tetragon', 'POST /ingest/flows', 'POST /ingest/findings', 'GET /api/alerts', 'POST /api/admin/models/reload']) {
    assert.ok(checked.includes(must), `${must} was not checked`);
  }
  // the open ones really are open
  for (const url of ['/healthz', '/readyz', '/metrics', '/ui/']) {
    const res = await t.hub.app.inject({ method: 'GET', url });
    assert.ok(res.statusCode === 200, `${url}: ${res.statusCode}`);
  }
});

test('Falco: http_output object, falcosidekick export (array) and NDJSON with bad lines: good ones taken, bad ones listed', async () => {
  const sidekick = readFileSync(fixture('events', 'falco', 'sidekick-export.json'), 'utf8');
  const arr = await post('/ingest/falco', sidekick);
  assert.equal(arr.statusCode, 202, arr.body);
  assert.ok(arr.json().accepted > 0);
  const one = JSON.stringify(JSON.parse(sidekick)[0], null, 2); // one pretty-printed object, as Falco's http_output sends
  const single = await post('/ingest/falco', one);
  assert.equal(single.statusCode, 202, single.body);
  assert.deepEqual(single.json(), { accepted: 1, rejected: 0, ignored: 0 });
  const lines = readFileSync(fixture('events', 'falco', 'alerts.jsonl'), 'utf8');
  const res = await post('/ingest/falco', lines, { 'content-type': 'application/x-ndjson' });
  assert.equal(res.statusCode, 400);
  const b = res.json();
  assert.equal(b.error.code, 'PGN_ERR_BAD_ROW');
  assert.equal(typeof b.error.line, 'number');
  assert.ok(b.accepted >= 5, JSON.stringify(b));
  assert.ok(b.rejected >= 1);
  assert.equal(b.errors.length, b.rejected);
});

test('Tetragon JSON lines: the fixture decodes as the CLI reads it (7 events, 1 bad line, 1 ignored kind)', async () => {
  const res = await post('/ingest/tetragon', readFileSync(fixture('events', 'tetragon', 'events.jsonl'), 'utf8'), { 'content-type': 'application/x-ndjson' });
  assert.equal(res.statusCode, 400);
  const b = res.json();
  assert.equal(b.accepted, 7);
  assert.equal(b.rejected, 1);
  assert.equal(b.error.line, 7);
});

test('flows: CICFlowMeter CSV with header taken; a non-numeric cell is one bad row; a non-flow header is refused', async () => {
  const csv = readFileSync(fixture('ingest', 'cic-v4.csv'), 'utf8');
  const ok = await post('/ingest/flows', csv, { 'content-type': 'text/csv' });
  assert.ok(ok.statusCode === 202, ok.body);
  const n = ok.json().accepted;
  assert.ok(n > 0);
  const rows = csv.trimEnd().split('\n');
  const cells = rows[1].split(',');
  cells[8] = 'abc';
  const bad = await post('/ingest/flows', [rows[0], cells.join(','), ...rows.slice(2)].join('\n'), { 'content-type': 'text/csv' });
  assert.equal(bad.statusCode, 400);
  assert.equal(bad.json().error.line, 2);
  assert.equal(bad.json().accepted, n - 1);
  const header = await post('/ingest/flows', 'a,b,c\n1,2,3\n', { 'content-type': 'text/csv' });
  assert.equal(header.statusCode, 400);
  assert.equal(header.json().error.code, 'PGN_ERR_MISSING_COLUMN');
  const nd = await post('/ingest/flows', '{"Flow Duration": 12, "Src IP": "10.0.0.1", "Dst IP": "10.0.0.2", "Dst Port": 443}\n{"Flow Duration": "x"}\n', {
    'content-type': 'application/x-ndjson',
  });
  assert.equal(nd.statusCode, 400);
  assert.equal(nd.json().accepted, 1);
});

test('hostile JSON: depth bomb, __proto__ / constructor keys (also \\u-escaped), oversize body, empty body', async () => {
  const good = readFileSync(fixture('events', 'falco', 'alerts.jsonl'), 'utf8').split('\n')[0];
  const deep = '{"output_fields":' + '{"a":'.repeat(200) + '1' + '}'.repeat(200) + '}';
  const proto = '{"time":"2024-05-02T09:15:31Z","output_fields":{"evt.type":"openat","__proto__":{"polluted":true}}}';
  const ctor = '{"time":"2024-05-02T09:15:31Z","output_fields":{"evt.type":"openat","\\u0063onstructor":{"prototype":{"x":1}}}}';
  const res = await post('/ingest/falco', [good, deep, proto, ctor, good].join('\n'));
  assert.equal(res.statusCode, 400);
  const b = res.json();
  assert.equal(b.accepted, 2);
  assert.deepEqual(
    b.errors.map((e: { line: number; code: string }) => [e.line, e.code]),
    [
      [2, 'PGN_ERR_JSON_DEPTH'],
      [3, 'PGN_ERR_UNSAFE_KEY'],
      [4, 'PGN_ERR_UNSAFE_KEY'],
    ],
  );
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  const big = await post('/ingest/falco', 'x'.repeat(t.config.server.bodyLimitBytes + 10));
  assert.equal(big.statusCode, 413);
  assert.equal(big.json().error.code, 'PGN_ERR_BODY_TOO_LARGE');
  const empty = await post('/ingest/falco', '');
  assert.equal(empty.statusCode, 400);
  assert.equal(empty.json().error.code, 'PGN_ERR_EMPTY_INPUT');
  const unknown = await t.hub.app.inject({ method: 'GET', url: '/api/nope', headers: t.auth });
  assert.equal(unknown.statusCode, 404);
  assert.equal(unknown.json().error.code, 'PGN_ERR_NOT_FOUND');
});

test('property: arbitrary bodies on every ingest route get a 2xx/4xx JSON answer with a code, never a 5xx', async () => {
  await fc.assert(
    fc.asyncProperty(fc.constantFrom('/ingest/falco', '/ingest/tetragon', '/ingest/flows', '/ingest/findings'), fc.oneof(fc.string(), fc.json(), fc.array(fc.json()).map((a) => a.join('\n'))), async (url, body) => {
      const res = await post(url, body);
      assert.ok(res.statusCode < 500, `${url} ${JSON.stringify(body).slice(0, 200)} -> ${res.statusCode}`);
      const j = res.json();
      if (res.statusCode >= 400) assert.match(j.error.code, /^PGN_ERR_[A-Z_]+$/);
    }),
    { numRuns: 150, seed: 7 },
  );
  assert.equal((await t.hub.app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
});

test('/metrics exposes the documented names and counts what was taken', async () => {
  await waitFor(async () => (await t.hub.metrics.registry.getSingleMetric('peregrine_events_processed_total')?.get())?.values.some((v) => v.value > 0) ?? false);
  const text = (await t.hub.app.inject({ method: 'GET', url: '/metrics' })).body;
  for (const name of [
    'peregrine_events_received_total{source="falco"}',
    'peregrine_events_dropped_total{source="falco",reason="bad_record"}',
    'peregrine_ingest_queue_depth',
    'peregrine_ingest_latency_seconds_bucket',
    'peregrine_scores',
    'peregrine_detection_degraded 0',
    'peregrine_model_info',
    'peregrine_findings_total',
    'peregrine_alerts_total',
  ]) {
    assert.ok(text.includes(name), `missing ${name}`);
  }
});
