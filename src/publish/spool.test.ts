import assert from 'node:assert/strict';
import { appendFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Backoff, parseRetryAfter } from './backoff.js';
import { DiskSpool, MemorySpool, type Spool } from './spool.js';
import { eventRecords, tempDir } from './testing.js';
import type { ForensicRecord } from './types.js';

const ids = (rs: ForensicRecord[]) => rs.map((r) => (r.kind === 'event' ? r.offset : -1));

/** Leases and acks everything, returning the offsets in delivery order. */
function drainAll(spool: Spool, batch = 7): number[] {
  const out: number[] = [];
  for (;;) {
    const l = spool.lease(batch, 1 << 20);
    if (!l) return out;
    out.push(...ids(l.records));
    spool.ack(l);
  }
}

describe('Backoff', () => {
  it('grows exponentially with equal jitter, capped, and seeded', () => {
    const b = new Backoff({ initialMs: 100, maxMs: 1000, seed: 7 });
    const d = Array.from({ length: 8 }, (_, i) => b.delay(i + 1));
    const base = [100, 200, 400, 800, 1000, 1000, 1000, 1000];
    d.forEach((x, i) => assert.ok(x >= base[i] / 2 && x <= base[i], `attempt ${i + 1}: ${x} not in [${base[i] / 2}, ${base[i]}]`));
    const again = new Backoff({ initialMs: 100, maxMs: 1000, seed: 7 });
    assert.deepEqual(Array.from({ length: 8 }, (_, i) => again.delay(i + 1)), d, 'same seed, same delays');
  });

  it('honours Retry-After as a floor, capped by maxRetryAfterMs', () => {
    const b = new Backoff({ initialMs: 100, maxMs: 1000, maxRetryAfterMs: 60_000 });
    assert.equal(b.delay(1, 5000), 5000);
    assert.equal(b.delay(1, 3_600_000), 60_000);
    assert.ok(b.delay(4, 10) >= 400, 'a tiny Retry-After does not shorten the backoff');
  });

  it('parses Retry-After seconds and HTTP dates', () => {
    const now = Date.UTC(2024, 0, 2, 10, 0, 0);
    assert.equal(parseRetryAfter('7', now), 7000);
    assert.equal(parseRetryAfter(['2'], now), 2000);
    assert.equal(parseRetryAfter('Tue, 02 Jan 2024 10:00:30 GMT', now), 30_000);
    assert.equal(parseRetryAfter('Tue, 02 Jan 2024 09:00:00 GMT', now), 0);
    assert.equal(parseRetryAfter('soon', now), undefined);
    assert.equal(parseRetryAfter(undefined, now), undefined);
    assert.equal(parseRetryAfter('-3', now), undefined);
  });
});

for (const kind of ['memory', 'disk'] as const) {
  describe(`${kind} spool`, () => {
    const make = (dir: string, maxBytes: number, segmentBytes = 1024) =>
      kind === 'memory' ? new MemorySpool(maxBytes) : new DiskSpool(join(dir, 'spool'), { maxBytes, segmentBytes });

    it('hands records out in order, one lease at a time, and forgets acknowledged ones', () => {
      const t = tempDir();
      try {
        const s = make(t.dir, 1 << 20);
        s.append(eventRecords(30));
        const l = s.lease(10, 1 << 20);
        assert.ok(l);
        assert.deepEqual(ids(l.records), Array.from({ length: 10 }, (_, k) => k));
        assert.throws(() => s.lease(10, 1 << 20), /lease/);
        assert.equal(s.stats().records, 30, 'in flight still counts as waiting');
        s.ack(l);
        assert.equal(s.stats().records, 20);
        s.append(eventRecords(35).slice(30));
        assert.deepEqual(drainAll(s), Array.from({ length: 25 }, (_, k) => k + 10));
        assert.equal(s.stats().records, 0);
        assert.equal(s.lease(10, 1 << 20), null);
        assert.equal(s.stats().appendedRecords, 35);
        s.close();
      } finally {
        t.cleanup();
      }
    });

    it('respects the byte limit of a lease (but always hands out at least one record)', () => {
      const t = tempDir();
      try {
        const s = make(t.dir, 1 << 20);
        const recs = eventRecords(10);
        s.append(recs);
        const one = Buffer.byteLength(JSON.stringify(recs[0])) + 1;
        const l = s.lease(100, one * 3 + 1);
        assert.equal(l?.records.length, 3);
        s.ack(l as NonNullable<typeof l>);
        const tiny = s.lease(100, 1);
        assert.equal(tiny?.records.length, 1);
        s.close();
      } finally {
        t.cleanup();
      }
    });

    it('drops the oldest records when full, and counts them', () => {
      const t = tempDir();
      try {
        const recs = eventRecords(400);
        const one = Buffer.byteLength(JSON.stringify(recs[0])) + 1;
        const s = make(t.dir, 100 * one, 10 * one);
        s.append(recs.slice(0, 50));
        const l = s.lease(5, 1 << 20); // offsets 0..4 in flight
        for (let i = 50; i < 400; i += 10) s.append(recs.slice(i, i + 10));
        const st = s.stats();
        assert.ok(st.bytes <= st.maxBytes, `${st.bytes} > ${st.maxBytes}`);
        assert.ok(st.droppedRecords > 250, `dropped ${st.droppedRecords}`);
        if (kind === 'disk') assert.ok(st.droppedSegments > 0);
        assert.ok(l);
        s.ack(l); // the in-flight batch is still acknowledged without harm
        const rest = drainAll(s);
        assert.deepEqual(rest, Array.from({ length: rest.length }, (_, k) => 400 - rest.length + k), 'the newest survive, in order');
        assert.equal(5 + st.droppedRecords + rest.length, 400, 'delivered + dropped + left = appended: nothing vanishes uncounted');
        s.close();
      } finally {
        t.cleanup();
      }
    });
  });
}

describe('DiskSpool across restarts', () => {
  it('replays what was not acknowledged, in order, after a restart', () => {
    const t = tempDir();
    try {
      const dir = join(t.dir, 'spool');
      const a = new DiskSpool(dir, { segmentBytes: 2000 });
      a.append(eventRecords(60));
      const l1 = a.lease(25, 1 << 20);
      a.ack(l1 as NonNullable<typeof l1>);
      a.lease(10, 1 << 20); // in flight when the process "dies": never acknowledged
      a.close();
      const b = new DiskSpool(dir, { segmentBytes: 2000 });
      assert.equal(b.stats().records, 35);
      assert.deepEqual(drainAll(b), Array.from({ length: 35 }, (_, k) => k + 25));
      b.append(eventRecords(62).slice(60));
      b.close();
      const c = new DiskSpool(dir, { segmentBytes: 2000 });
      assert.deepEqual(drainAll(c), [60, 61]);
      c.close();
      assert.deepEqual(
        readdirSync(dir).filter((n) => n.endsWith('.ndjson')),
        [],
        'delivered segments are deleted',
      );
    } finally {
      t.cleanup();
    }
  });

  it('cuts a torn last line (a crash mid-write) and counts it', () => {
    const t = tempDir();
    try {
      const dir = join(t.dir, 'spool');
      const a = new DiskSpool(dir);
      a.append(eventRecords(3));
      a.close();
      const seg = readdirSync(dir).find((n) => n.startsWith('spool-')) as string;
      appendFileSync(join(dir, seg), '{"kind":"event","id":"torn');
      const b = new DiskSpool(dir);
      assert.equal(b.stats().corruptLines, 1);
      b.append(eventRecords(4).slice(3));
      assert.deepEqual(drainAll(b), [0, 1, 2, 3]);
      b.close();
    } finally {
      t.cleanup();
    }
  });
});
