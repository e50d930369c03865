import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SAMPLE, tempDir } from '../testing.js';
import type { ForensicRecord } from '../types.js';
import { createSink, sinks } from './index.js';
import { FakeSearchServer } from './search/fake-server.js';

/**
 * One suite, every registered forensic sink (River's generic tests): options from the schema defaults, a pure
 * toPayload, delivered sends, idempotent replays where the sink says so, a healthy healthcheck, a clean close.
 * A new sink must add its fixture here, or this test fails.
 */

let fakes: Record<string, FakeSearchServer> = {};
let tmp: { dir: string; cleanup: () => void };

/** Options for each sink type in the test environment. */
const FIXTURES: Record<string, () => Record<string, unknown>> = {
  ndjson: () => ({ dir: join(tmp.dir, 'ndjson') }),
  sqlite: () => ({ path: join(tmp.dir, 'sqlite', 'f.db') }),
  elasticsearch: () => ({ node: fakes.elasticsearch.url }),
  opensearch: () => ({ node: fakes.opensearch.url }),
};

describe('forensic sink conformance', () => {
  before(async () => {
    tmp = tempDir();
    fakes = { elasticsearch: await new FakeSearchServer('elasticsearch').start(), opensearch: await new FakeSearchServer('opensearch').start() };
  });
  after(async () => {
    for (const f of Object.values(fakes)) await f.stop();
    tmp.cleanup();
  });

  it('every registered sink has a fixture', () => {
    assert.deepEqual(sinks.names(), Object.keys(FIXTURES).sort());
  });

  for (const type of sinks.names()) {
    it(`${type}: pure payload, delivered sends, ${sinks.get(type).idempotent ? 'idempotent replays, ' : ''}healthcheck, close`, async () => {
      const factory = sinks.get(type);
      assert.ok(factory.description.length > 10);
      const sink = createSink(type, FIXTURES[type]());
      assert.equal(sink.type, type);
      const input: ForensicRecord[] = structuredClone(SAMPLE);
      const p1 = sink.toPayload(input);
      assert.deepEqual(sink.toPayload(input), p1, 'toPayload is deterministic');
      assert.deepEqual(input, SAMPLE, 'toPayload does not touch its input');
      const res = await sink.send(input);
      assert.deepEqual([res.status, res.delivered, res.retry.length, res.rejected.length], ['delivered', SAMPLE.length, 0, 0]);
      assert.deepEqual(input, SAMPLE, 'send does not touch its input');
      const again = await sink.send(input);
      assert.equal(again.status, 'delivered');
      if (factory.idempotent) assert.equal(again.duplicates, SAMPLE.length, 'a replay is recognised as duplicates');
      const empty = await sink.send([]);
      assert.equal(empty.status, 'delivered');
      const st = sink.stats();
      assert.ok(st.requests >= 3 && st.bytesSent > 0 && st.delivered === 2 * SAMPLE.length, JSON.stringify(st));
      assert.equal((await sink.healthcheck()).ok, true);
      await sink.close();
      await sink.close(); // twice is harmless
    });
  }
});
