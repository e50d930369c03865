import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../../clock.js';
import { SAMPLE } from '../../testing.js';
import type { ForensicRecord, ForensicSink } from '../../types.js';
import { createSink } from '../index.js';
import { FakeSearchServer } from './fake-server.js';
import type { SearchSink } from './search-sink.js';

/**
 * The Elasticsearch and OpenSearch sinks against a FAKE server (fake-server.ts) that stands in for both: no real
 * server can run where the tests run. The fake asserts the wire protocol: exact `_bulk` bodies, template bodies,
 * content types, and answers like the real APIs, including item-level and top-level failures.
 */

/** The exact `_bulk` body of the sample batch (golden payload): an action line and a document line per record. */
const GOLDEN_BULK = [
  '{"create":{"_index":"peregrine-forensics-summaries-2024.01.02","_id":"c1:1704189600000:s"}}',
  '{"@timestamp":"2024-01-02T10:00:00.000Z","kind":"summary","containerId":"c1","group":"nginx","intervalStart":1704189600000,"intervalEnd":1704189630000,"score":12.5,"threshold":1.5,"unstable":true,"eventCount":2,"fullLog":true,"contextIntervals":0,"droppedEvents":0,"counts":{"execve":1,"connect":1},"latentMean":[0.5,-1],"latentVar":[0.25,2],"modelVersion":"vae-3"}',
  '{"create":{"_index":"peregrine-forensics-events-2024.01.02","_id":"c1:1704189600000:0"}}',
  '{"@timestamp":"2024-01-02T10:00:01.000Z","kind":"event","containerId":"c1","group":"nginx","intervalStart":1704189600000,"intervalEnd":1704189630000,"offset":0,"timeNs":1704189601000000000,"reason":"unstable","line":"{\\"evt.type\\":\\"execve\\",\\"proc.name\\":\\"sh\\"}"}',
  '{"create":{"_index":"peregrine-forensics-events-2024.01.02","_id":"c1:1704189600000:1"}}',
  '{"@timestamp":"2024-01-02T10:00:02.500Z","kind":"event","containerId":"c1","group":"nginx","intervalStart":1704189600000,"intervalEnd":1704189630000,"offset":1,"timeNs":1704189602500000000,"reason":"unstable","line":"{\\"evt.type\\":\\"connect\\",\\"fd.name\\":\\"10.0.0.5:4444\\"}"}',
].join('\n') + '\n';

const COMMON_PROPS = {
  '@timestamp': { type: 'date' },
  kind: { type: 'keyword' },
  containerId: { type: 'keyword' },
  group: { type: 'keyword' },
  intervalStart: { type: 'date', format: 'epoch_millis' },
  intervalEnd: { type: 'date', format: 'epoch_millis' },
};

/** The exact template bodies (golden): only the `counts` type differs between the two stores. */
function goldenTemplates(countsType: string) {
  const meta = { managed_by: 'peregrine', peregrine_template_version: 1 };
  return {
    'peregrine-forensics-summaries': {
      index_patterns: ['peregrine-forensics-summaries*'],
      priority: 200,
      template: {
        mappings: {
          dynamic: false,
          properties: {
            ...COMMON_PROPS,
            score: { type: 'double' },
            threshold: { type: 'double' },
            unstable: { type: 'boolean' },
            eventCount: { type: 'long' },
            counts: { type: countsType },
            latentMean: { type: 'float' },
            latentVar: { type: 'float' },
            modelVersion: { type: 'keyword' },
            fullLog: { type: 'boolean' },
            contextIntervals: { type: 'integer' },
            droppedEvents: { type: 'long' },
          },
        },
      },
      _meta: meta,
    },
    'peregrine-forensics-events': {
      index_patterns: ['peregrine-forensics-events*'],
      priority: 200,
      template: {
        mappings: {
          dynamic: false,
          properties: { ...COMMON_PROPS, offset: { type: 'integer' }, timeNs: { type: 'long' }, reason: { type: 'keyword' }, line: { type: 'text' } },
        },
      },
      _meta: meta,
    },
  };
}

const indexOf = (prefix: string, r: ForensicRecord) => `${prefix}-${r.kind === 'summary' ? 'summaries' : 'events'}-2024.01.02`;

const FLAVORS = [
  { flavor: 'elasticsearch' as const, bulkType: 'application/vnd.elasticsearch+x-ndjson; compatible-with=8', counts: 'flattened' },
  { flavor: 'opensearch' as const, bulkType: 'application/x-ndjson', counts: 'flat_object' },
];

for (const { flavor, bulkType, counts } of FLAVORS) {
  describe(`${flavor} sink (against the fake server)`, () => {
    let fake: FakeSearchServer;
    const open: ForensicSink[] = [];
    const sinkFor = (extra: Record<string, unknown> = {}, clock?: ManualClock) => {
      const s = createSink(flavor, { node: fake.url, ...extra }, { clock });
      open.push(s);
      return s as SearchSink;
    };

    before(async () => {
      fake = await new FakeSearchServer(flavor).start();
    });
    after(async () => {
      for (const s of open) await s.close();
      await fake.stop();
    });

    it('creates the index templates on start (golden bodies), once', async () => {
      fake.templates.clear();
      const before = fake.requests.length;
      const sink = sinkFor();
      await sink.start();
      const reqs = fake.requests.slice(before);
      assert.deepEqual(
        reqs.map((r) => `${r.method === 'GET' ? 'GET' : 'PUT'} ${r.path}`),
        [
          'GET /_index_template/peregrine-forensics-summaries',
          'PUT /_index_template/peregrine-forensics-summaries',
          'GET /_index_template/peregrine-forensics-events',
          'PUT /_index_template/peregrine-forensics-events',
        ],
      );
      assert.deepEqual(Object.fromEntries(fake.templates), goldenTemplates(counts));
      // idempotent: a second sink (a restart) finds current templates and writes nothing
      const n = fake.requests.length;
      await sinkFor().start();
      assert.deepEqual(fake.requests.slice(n).map((r) => r.method), ['GET', 'GET']);
    });

    it('sends the golden bulk body through the official bulk helper', async () => {
      const sink = sinkFor();
      assert.equal(sink.toPayload(SAMPLE), GOLDEN_BULK);
      const n = fake.bulkRequests().length;
      const res = await sink.send(SAMPLE);
      assert.deepEqual([res.status, res.delivered, res.duplicates, res.retry.length, res.rejected.length], ['delivered', 3, 0, 0, 0]);
      const [req] = fake.bulkRequests().slice(n);
      assert.equal(req.method, 'POST');
      assert.equal(req.path, '/_bulk');
      assert.equal(req.contentType, bulkType);
      assert.equal(req.body, GOLDEN_BULK);
      assert.equal(sink.stats().bytesSent, Buffer.byteLength(GOLDEN_BULK));
      assert.deepEqual(fake.indices.get('peregrine-forensics-events-2024.01.02')?.get('c1:1704189600000:1'), JSON.parse(GOLDEN_BULK.split('\n')[5]));
    });

    it('a replay never duplicates: ids the store holds come back 409 and count as delivered duplicates', async () => {
      const sink = sinkFor();
      await sink.send(SAMPLE);
      const res = await sink.send(SAMPLE);
      assert.deepEqual([res.status, res.delivered, res.duplicates], ['delivered', 3, 3]);
      for (const r of SAMPLE) assert.equal(fake.timesCreated(indexOf('peregrine-forensics', r), r.id), 1);
    });

    it('partial failure: retries only the 429/503 items, dead-letters the 400 one with its reason', async () => {
      const sink = sinkFor({ indexPrefix: 'partial' });
      fake.bulkScript.push({
        kind: 'items',
        fail: {
          'c1:1704189600000:s': { status: 503, type: 'unavailable_shards_exception', reason: 'primary shard is not active' },
          'c1:1704189600000:0': { status: 429, type: 'es_rejected_execution_exception', reason: 'rejected execution of primary operation' },
          'c1:1704189600000:1': { status: 400, type: 'document_parsing_exception', reason: '[1:10] failed to parse field [offset]' },
        },
      });
      const res = await sink.send(SAMPLE);
      assert.equal(res.status, 'retryable');
      assert.deepEqual(res.retry.map((r) => r.id), ['c1:1704189600000:s', 'c1:1704189600000:0']);
      assert.deepEqual(res.rejected.map((r) => [r.record.id, r.status, r.reason]), [['c1:1704189600000:1', 400, 'document_parsing_exception: [1:10] failed to parse field [offset]']]);
      assert.equal(res.delivered, 0);
      // the retry sends only those two, and they land
      const n = fake.bulkRequests().length;
      const again = await sink.send(res.retry);
      assert.deepEqual([again.status, again.delivered], ['delivered', 2]);
      const body = fake.bulkRequests()[n].body.split('\n');
      assert.equal(body.length, 5);
      assert.deepEqual([JSON.parse(body[0]).create._id, JSON.parse(body[2]).create._id], ['c1:1704189600000:s', 'c1:1704189600000:0']);
    });

    it('top-level 429: the whole batch is retryable with the Retry-After delay (seconds or HTTP date)', async () => {
      const clock = new ManualClock(Date.UTC(2024, 0, 2, 10, 0, 0));
      const sink = sinkFor({ indexPrefix: 'throttled' }, clock);
      await sink.start();
      fake.bulkScript.push({ kind: 'top', status: 429, retryAfter: '7' });
      const res = await sink.send(SAMPLE);
      assert.deepEqual([res.status, res.retry.length, res.retryAfterMs], ['retryable', 3, 7000]);
      assert.match(res.error ?? '', /es_rejected_execution_exception/);
      fake.bulkScript.push({ kind: 'top', status: 429, retryAfter: 'Tue, 02 Jan 2024 10:00:12 GMT' });
      assert.equal((await sink.send(SAMPLE)).retryAfterMs, 12_000);
      fake.bulkScript.push({ kind: 'top', status: 503, type: 'cluster_block_exception', reason: 'blocked' });
      const unavailable = await sink.send(SAMPLE);
      assert.deepEqual([unavailable.status, unavailable.retryAfterMs], ['retryable', undefined]);
      assert.equal((await sink.send(SAMPLE)).status, 'delivered');
    });

    it('top-level 400 rejects the batch with the reason', async () => {
      const sink = sinkFor({ indexPrefix: 'bad' });
      await sink.start();
      fake.bulkScript.push({ kind: 'top', status: 400, type: 'illegal_argument_exception', reason: 'Malformed action/metadata line' });
      const res = await sink.send(SAMPLE);
      assert.equal(res.status, 'rejected');
      assert.equal(res.rejected.length, 3);
      assert.match(res.rejected[0].reason, /bad request: .*illegal_argument_exception/);
    });

    it('a lost acknowledgement (connection cut after storing) is retried without a duplicate', async () => {
      const sink = sinkFor({ indexPrefix: 'lostack' });
      await sink.start();
      fake.bulkScript.push({ kind: 'drop-response' });
      const first = await sink.send(SAMPLE);
      assert.equal(first.status, 'retryable');
      const second = await sink.send(first.retry);
      assert.deepEqual([second.status, second.delivered, second.duplicates], ['delivered', 3, 3]);
      assert.equal(fake.indices.get('lostack-events-2024.01.02')?.size, 2);
      for (const r of SAMPLE) assert.equal(fake.timesCreated(indexOf('lostack', r), r.id), 1);
    });

    it('template creation refused (403): indexes anyway and says so in the healthcheck', async () => {
      fake.templateFailure = 403;
      try {
        const sink = sinkFor({ indexPrefix: 'noperm' });
        assert.equal((await sink.send(SAMPLE)).status, 'delivered');
        const h = await sink.healthcheck();
        assert.equal(h.ok, true);
        assert.match(h.detail, /template noperm-summaries: .*security_exception/);
      } finally {
        fake.templateFailure = null;
      }
    });

    it('server down: retryable with the connection error, unhealthy; back: delivered', async () => {
      const sink = sinkFor({ indexPrefix: 'down' });
      await sink.start();
      await fake.stop();
      try {
        const res = await sink.send(SAMPLE);
        assert.equal(res.status, 'retryable');
        assert.match(res.error ?? '', /ECONNREFUSED|ConnectionError|NoLivingConnections/);
        const h = await sink.healthcheck();
        assert.equal(h.ok, false);
      } finally {
        await fake.start();
      }
      assert.equal((await sink.send(SAMPLE)).status, 'delivered');
      assert.equal((await sink.healthcheck()).ok, true);
    });
  });
}
