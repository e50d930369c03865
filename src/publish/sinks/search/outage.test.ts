import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { AdaptivePublisher } from '../../adaptive.js';
import { ManualClock } from '../../clock.js';
import { Delivery, DeadLetterMemory } from '../../delivery.js';
import { DiskSpool } from '../../spool.js';
import { events, tempDir, verdict } from '../../testing.js';
import type { ForensicRecord } from '../../types.js';
import { createSink } from '../index.js';
import { FakeSearchServer } from './fake-server.js';

/**
 * The outage test: the store (the FAKE server standing in for Elasticsearch / OpenSearch) goes away while the agent
 * keeps publishing, the agent restarts during the outage, the store comes back throttling (a top-level 429 with
 * Retry-After, then item-level 429s); every forensic record must arrive exactly once, in publishing order.
 */

const indexOf = (r: ForensicRecord) => `peregrine-forensics-${r.kind === 'summary' ? 'summaries' : 'events'}-2024.01.02`;

async function until(what: string, cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

for (const flavor of ['elasticsearch', 'opensearch'] as const) {
  describe(`${flavor} outage`, () => {
    it('loses nothing and duplicates nothing across an outage and an agent restart', async () => {
      const t = tempDir();
      const fake = await new FakeSearchServer(flavor).start();
      const spoolDir = join(t.dir, 'spool');
      const clock = new ManualClock(Date.UTC(2024, 0, 2, 10, 0, 0), 2);
      const published: ForensicRecord[] = [];
      const deliveries: Delivery[] = [];
      const newDelivery = () => {
        const d = new Delivery(createSink(flavor, { node: fake.url }, { clock }), {
          spool: new DiskSpool(spoolDir, { maxBytes: 64 * 1024 * 1024, segmentBytes: 16 * 1024 }),
          batchRecords: 50,
          clock,
          backoff: { initialMs: 100, maxMs: 2000 },
          deadLetter: new DeadLetterMemory(),
        });
        deliveries.push(d);
        return d;
      };
      try {
        let delivery = newDelivery();
        const pub = new AdaptivePublisher({
          output: (r) => {
            published.push(...r);
            delivery.enqueue(r);
          },
        });
        const interval = (i: number, unstable: boolean) => {
          for (const c of ['web', 'db']) {
            pub.observe(events(c, i, 40));
            pub.onVerdict(verdict(c, i, unstable && c === 'web'));
          }
        };
        // healthy: intervals 0-2, web unstable in 1
        for (let i = 0; i < 3; i++) interval(i, i === 1);
        assert.equal(await delivery.flush(5000), true);
        const before = fake.documentCount();
        assert.equal(before, published.length);

        // outage: intervals 3-7, web unstable in 5 (context + full logs pile up in the spool)
        await fake.stop();
        for (let i = 3; i < 8; i++) interval(i, i === 5);
        await until('retries against the dead store', () => delivery.stats().failingAttempts >= 3);
        assert.equal(fake.documentCount(), before);
        assert.ok(delivery.stats().spool.records > 100, `spooled ${delivery.stats().spool.records}`);

        // the agent restarts during the outage: the spool on disk carries everything over
        await delivery.close();
        delivery = newDelivery();
        for (let i = 8; i < 10; i++) interval(i, false);
        await until('retries after the restart', () => delivery.stats().failingAttempts >= 2);

        // the store comes back, throttling at first
        fake.bulkScript.push({ kind: 'top', status: 429, retryAfter: '3' });
        fake.bulkScript.push({ kind: 'items', fail: { [published[before + 1].id]: { status: 429, type: 'es_rejected_execution_exception', reason: 'queue full' } } });
        await fake.start();
        assert.equal(await delivery.flush(10_000), true, 'everything delivered after recovery');

        // exactly once, nothing missing, nothing extra
        for (const r of published) assert.equal(fake.timesCreated(indexOf(r), r.id), 1, `${r.id} stored once`);
        assert.equal(fake.documentCount(), published.length);
        assert.equal(new Set(published.map((r) => r.id)).size, published.length);
        assert.ok(published.some((r) => r.kind === 'event' && r.reason === 'context'), 'pre-incident context was among them');
        // in publishing order: the first time each id reached the store follows the publishing order
        // (the one item throttled at item level is re-sent right after its batch)
        const firstSeen: string[] = [];
        const seen = new Set<string>();
        for (const req of fake.bulkRequests()) {
          const lines = req.body.split('\n');
          for (let k = 0; k + 1 < lines.length; k += 2) {
            const id = JSON.parse(lines[k]).create._id as string;
            if (!seen.has(id)) firstSeen.push(id);
            seen.add(id);
          }
        }
        assert.deepEqual(firstSeen, published.map((r) => r.id));
        const st = delivery.stats();
        assert.deepEqual([st.spool.records, st.spool.droppedRecords, st.deadLettered], [0, 0, 0]);
        assert.ok(clock.sleeps.includes(3000), 'the Retry-After of the 429 was honoured');
      } finally {
        for (const d of deliveries) {
          await d.close();
          await d.sink.close();
        }
        await fake.stop();
        t.cleanup();
      }
    });
  });
}
