import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ManualClock } from './clock.js';
import { DeadLetterFile, DeadLetterMemory, Delivery, type DeliveryEvent } from './delivery.js';
import { emptySinkStats } from './sinks/sink.js';
import { DiskSpool, MemorySpool } from './spool.js';
import { eventRecords, tempDir } from './testing.js';
import type { ForensicRecord, ForensicSink, SendResult } from './types.js';

type Script = (batch: readonly ForensicRecord[], call: number) => SendResult | Promise<SendResult>;

const ok = (batch: readonly ForensicRecord[]): SendResult => ({ status: 'delivered', delivered: batch.length, duplicates: 0, retry: [], rejected: [] });

/** A sink whose answers the test scripts; it records every batch it was sent and what it accepted. */
class ScriptedSink implements ForensicSink<null> {
  readonly type = 'scripted';
  readonly calls: string[][] = [];
  readonly stored: string[] = [];
  constructor(private readonly script: Script = ok) {}
  toPayload(): null {
    return null;
  }
  async start(): Promise<void> {}
  async send(batch: readonly ForensicRecord[]): Promise<SendResult> {
    this.calls.push(batch.map((r) => r.id));
    const res = await this.script(batch, this.calls.length);
    const failed = new Set([...res.retry, ...res.rejected.map((r) => r.record)].map((r) => r.id));
    for (const r of batch) if (!failed.has(r.id)) this.stored.push(r.id);
    return res;
  }
  async healthcheck() {
    return { ok: true, detail: 'scripted' };
  }
  stats() {
    return emptySinkStats();
  }
  async close(): Promise<void> {}
}

describe('Delivery', () => {
  it('sends spooled records in order, in batches', async () => {
    const sink = new ScriptedSink();
    const d = new Delivery(sink, { batchRecords: 4, clock: new ManualClock() });
    const recs = eventRecords(10);
    d.enqueue(recs.slice(0, 6));
    d.enqueue(recs.slice(6));
    assert.equal(await d.flush(5000), true);
    assert.deepEqual(sink.stored, recs.map((r) => r.id));
    assert.deepEqual(sink.calls.map((c) => c.length), [4, 4, 2]);
    const st = d.stats();
    assert.deepEqual([st.enqueued, st.delivered, st.retries, st.spool.records], [10, 10, 0, 0]);
    await d.close();
  });

  it('retries only the failed items, with capped jittered backoff on the injected clock', async () => {
    const recs = eventRecords(6);
    // call 1: items 1 and 4 throttled; call 2: item 4 throttled again; call 3: all fine
    const sink = new ScriptedSink((batch, call) => {
      const fail = call === 1 ? [1, 4] : call === 2 ? [4] : [];
      const retry = batch.filter((r) => r.kind === 'event' && fail.includes(r.offset));
      return { status: retry.length ? 'retryable' : 'delivered', delivered: batch.length - retry.length, duplicates: 0, retry, rejected: [] };
    });
    const clock = new ManualClock();
    const events: DeliveryEvent[] = [];
    const d = new Delivery(sink, { clock, backoff: { initialMs: 100, maxMs: 150, seed: 1 }, onEvent: (e) => events.push(e) });
    d.enqueue(recs);
    assert.equal(await d.flush(5000), true);
    assert.deepEqual(sink.calls, [recs.map((r) => r.id), [recs[1].id, recs[4].id], [recs[4].id]]);
    assert.deepEqual([...sink.stored].sort(), recs.map((r) => r.id).sort(), 'each record stored exactly once');
    assert.equal(clock.sleeps.length, 2);
    assert.ok(clock.sleeps[0] >= 50 && clock.sleeps[0] <= 100, `first delay ${clock.sleeps[0]}`);
    assert.ok(clock.sleeps[1] >= 75 && clock.sleeps[1] <= 150, `second delay ${clock.sleeps[1]} (capped at 150)`);
    assert.deepEqual(events.map((e) => e.type), ['retry', 'retry']);
    assert.equal(d.stats().retries, 2);
    assert.equal(d.stats().failingAttempts, 0);
    await d.close();
  });

  it('honours Retry-After from the store', async () => {
    let calls = 0;
    const sink = new ScriptedSink((batch) => {
      calls++;
      return calls === 1 ? { status: 'retryable', delivered: 0, duplicates: 0, retry: [...batch], rejected: [], retryAfterMs: 7000, error: '429' } : ok(batch);
    });
    const clock = new ManualClock();
    const d = new Delivery(sink, { clock, backoff: { initialMs: 100 } });
    d.enqueue(eventRecords(2));
    assert.equal(await d.flush(5000), true);
    assert.deepEqual(clock.sleeps, [7000]);
    await d.close();
  });

  it('keeps retrying through a long outage without real sleeping, the delay capped', async () => {
    const sink = new ScriptedSink((batch, call) => (call <= 40 ? { status: 'retryable', delivered: 0, duplicates: 0, retry: [...batch], rejected: [], error: 'ECONNREFUSED' } : ok(batch)));
    const clock = new ManualClock();
    const d = new Delivery(sink, { clock, backoff: { initialMs: 200, maxMs: 30_000 } });
    const t0 = Date.now();
    d.enqueue(eventRecords(3));
    assert.equal(await d.flush(5000), true);
    assert.ok(Date.now() - t0 < 2000, 'no real sleeping');
    assert.equal(clock.sleeps.length, 40);
    assert.ok(Math.max(...clock.sleeps) <= 30_000);
    assert.ok(clock.sleeps.slice(10).every((s) => s >= 15_000), 'at the cap after a few attempts');
    assert.ok(clock.now() > 10 * 60_000, `the outage lasted ${clock.now()} ms of clock time`);
    assert.equal(sink.stored.length, 3);
    await d.close();
  });

  it('dead-letters rejected records with the reason, and never sends them again', async () => {
    const t = tempDir();
    try {
      const recs = eventRecords(4);
      const sink = new ScriptedSink((batch) => {
        const bad = batch.filter((r) => r.kind === 'event' && r.offset === 2);
        return { status: bad.length ? 'rejected' : 'delivered', delivered: batch.length - bad.length, duplicates: 0, retry: [], rejected: bad.map((record) => ({ record, reason: 'mapper_parsing_exception: failed to parse', status: 400 })) };
      });
      const path = join(t.dir, 'dlq', 'dead-letter.ndjson');
      const d = new Delivery(sink, { clock: new ManualClock(Date.UTC(2024, 0, 2)), deadLetter: new DeadLetterFile(path) });
      d.enqueue(recs);
      assert.equal(await d.flush(5000), true);
      assert.equal(sink.calls.length, 1);
      const lines = readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      assert.deepEqual(lines, [{ time: '2024-01-02T00:00:00.000Z', sink: 'scripted', status: 400, reason: 'mapper_parsing_exception: failed to parse', record: recs[2] }]);
      assert.equal(d.stats().deadLettered, 1);
      assert.equal(d.stats().delivered, 3);
      await d.close();
    } finally {
      t.cleanup();
    }
  });

  it('retries a batch when the sink throws instead of losing it', async () => {
    const sink = new ScriptedSink((batch, call) => {
      if (call === 1) throw new Error('boom');
      return ok(batch);
    });
    const d = new Delivery(sink, { clock: new ManualClock(), deadLetter: new DeadLetterMemory() });
    d.enqueue(eventRecords(2));
    assert.equal(await d.flush(5000), true);
    assert.equal(sink.stored.length, 2);
    assert.equal(d.stats().retries, 1);
    await d.close();
  });

  it('reports spool drops while the store is down, and flush gives up at its timeout', async () => {
    let up = false;
    const sink = new ScriptedSink((batch) => (up ? ok(batch) : { status: 'retryable', delivered: 0, duplicates: 0, retry: [...batch], rejected: [], error: 'down' }));
    const events: DeliveryEvent[] = [];
    const recs = eventRecords(200);
    const one = Buffer.byteLength(JSON.stringify(recs[0])) + 1;
    const d = new Delivery(sink, { spool: new MemorySpool(50 * one), batchRecords: 10, clock: new ManualClock(0, 1), onEvent: (e) => events.push(e) });
    try {
      for (let i = 0; i < 200; i += 20) d.enqueue(recs.slice(i, i + 20));
      assert.equal(await d.flush(100), false, 'the store is down: not flushed');
      const dropped = d.stats().spool.droppedRecords;
      assert.ok(dropped >= 140 && dropped < 200, `dropped ${dropped}`);
      assert.equal(events.filter((e) => e.type === 'dropped').reduce((n, e) => n + (e.type === 'dropped' ? e.records : 0), 0), dropped);
      up = true;
      assert.equal(await d.flush(5000), true);
      assert.equal(sink.stored.length + dropped, 200, 'every record is delivered or counted as dropped');
      assert.deepEqual(sink.stored.slice(0, 10), recs.slice(0, 10).map((r) => r.id), 'the batch in flight was kept');
    } finally {
      await d.close();
    }
  });

  it('close stops a sleeping retry at once and leaves the records in a disk spool for the next start', async () => {
    const t = tempDir();
    try {
      const dir = join(t.dir, 'spool');
      const down = new ScriptedSink((batch) => ({ status: 'retryable', delivered: 0, duplicates: 0, retry: [...batch], rejected: [], error: 'down' }));
      const d1 = new Delivery(down, { spool: new DiskSpool(dir), backoff: { initialMs: 60_000, maxMs: 60_000 } });
      d1.enqueue(eventRecords(5));
      await new Promise((r) => setTimeout(r, 20));
      const t0 = Date.now();
      await d1.close();
      assert.ok(Date.now() - t0 < 1000, 'close does not wait out the backoff');
      const upSink = new ScriptedSink();
      const d2 = new Delivery(upSink, { spool: new DiskSpool(dir), clock: new ManualClock() });
      assert.equal(await d2.flush(5000), true);
      assert.deepEqual(upSink.stored, eventRecords(5).map((r) => r.id));
      await d2.close();
    } finally {
      t.cleanup();
    }
  });
});
