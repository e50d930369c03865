import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AdaptivePublisher } from './adaptive.js';
import { parseRecord, serializeRecord } from './records.js';
import { StandardPublisher } from './standard.js';
import { events, start, verdict } from './testing.js';
import type { EventRecord, ForensicRecord, SummaryRecord } from './types.js';

const evs = (rs: ForensicRecord[]) => rs.filter((r): r is EventRecord => r.kind === 'event');

describe('AdaptivePublisher', () => {
  it('publishes only the summary for a stable interval', () => {
    const p = new AdaptivePublisher();
    p.observe(events('c1', 0, 50));
    const out = p.onVerdict(verdict('c1', 0, false));
    assert.equal(out.length, 1);
    const s = out[0] as SummaryRecord;
    assert.equal(s.kind, 'summary');
    assert.equal(s.id, `c1:${start(0)}:s`);
    assert.deepEqual([s.score, s.threshold, s.unstable, s.fullLog, s.contextIntervals, s.droppedEvents], [0.25, 1.5, false, false, 0, 0]);
    assert.deepEqual(s.latentMean, [0.1, -0.2]);
    assert.deepEqual(s.counts, { read: 10, write: 5 });
    // the serialized form leaves out the defaults of a stable interval (fullLog false, no context, no drops)
    const text = serializeRecord(s);
    assert.doesNotMatch(text, /fullLog|contextIntervals|droppedEvents/);
    assert.deepEqual(parseRecord(text), s, 'parseRecord restores them');
    const bytes = Buffer.byteLength(text);
    assert.ok(bytes < 300, `summary is ${bytes} bytes`);
    const st = p.stats();
    assert.deepEqual([st.total.records, st.total.bytes, st.total.events, st.total.summaries], [1, bytes, 0, 1]);
    assert.equal(p.cachedBytes('c1'), 50 * 100, 'the interval stays cached');
  });

  it('publishes summary, cached context and the interval log when unstable, then cools down over M stable intervals', () => {
    const p = new AdaptivePublisher({ cacheIntervals: 2, coolDownIntervals: 2 });
    const seen: ForensicRecord[][] = [];
    const q = new AdaptivePublisher({ cacheIntervals: 2, coolDownIntervals: 2, output: (r) => seen.push(r) });
    const plan = [false, false, false, true, false, false, false];
    const outs: ForensicRecord[][] = [];
    for (let i = 0; i < plan.length; i++) {
      for (const pub of [p, q]) pub.observe(events('c1', i, 10 + i));
      outs.push(p.onVerdict(verdict('c1', i, plan[i])));
      q.onVerdict(verdict('c1', i, plan[i]));
    }
    assert.deepEqual(seen, outs, 'output receives exactly what onVerdict returns');
    // intervals 0..2 stable: summary only
    for (let i = 0; i < 3; i++) assert.deepEqual(outs[i].map((r) => r.kind), ['summary']);
    // interval 3 unstable: summary, context = intervals 1 and 2 (K = 2; interval 0 was evicted), then interval 3
    const u = outs[3];
    assert.equal(u[0].kind, 'summary');
    const s = u[0] as SummaryRecord;
    assert.deepEqual([s.unstable, s.fullLog, s.contextIntervals], [true, true, 2]);
    const e = evs(u);
    assert.deepEqual(
      e.map((r) => `${(r.intervalStart - start(0)) / 30_000}/${r.offset}/${r.reason}`),
      [
        ...Array.from({ length: 11 }, (_, k) => `1/${k}/context`),
        ...Array.from({ length: 12 }, (_, k) => `2/${k}/context`),
        ...Array.from({ length: 13 }, (_, k) => `3/${k}/unstable`),
      ],
    );
    assert.equal(e[0].line, events('c1', 1, 11)[0].line, 'the raw line is shipped as received');
    assert.equal(e[0].id, `c1:${start(1)}:0`);
    assert.equal(new Set(e.map((r) => r.id)).size, e.length, 'ids are unique');
    // interval 4: first stable one after the incident -> still full log (cool-down)
    assert.deepEqual([...new Set(evs(outs[4]).map((r) => r.reason))], ['cooldown']);
    assert.equal(evs(outs[4]).length, 14);
    assert.equal((outs[4][0] as SummaryRecord).fullLog, true);
    assert.equal((outs[4][0] as SummaryRecord).contextIntervals, 0, 'context is never published twice');
    // interval 5: stable for M = 2 intervals -> summary only again; interval 6 too
    assert.deepEqual(outs[5].map((r) => r.kind), ['summary']);
    assert.deepEqual(outs[6].map((r) => r.kind), ['summary']);
    const t = p.stats().total;
    assert.equal(t.intervals, 7);
    assert.equal(t.fullLogIntervals, 2);
    assert.equal(t.summaries, 7);
    assert.equal(t.events, 11 + 12 + 13 + 14);
    assert.equal(t.eventBytes, (11 + 12 + 13 + 14) * 100);
    assert.equal(t.records, t.summaries + t.events);
    assert.equal(t.bytes, t.summaryBytes + t.eventBytes);
    assert.equal(p.cachedBytes('c1'), (15 + 16) * 100, 'the two latest stable intervals are cached again');
  });

  it('an unstable interval during the cool-down restarts it', () => {
    const p = new AdaptivePublisher({ coolDownIntervals: 2 });
    const full = [true, false, true, false, false, false].map((u, i) => {
      p.observe(events('c1', i, 3));
      return (p.onVerdict(verdict('c1', i, u))[0] as SummaryRecord).fullLog;
    });
    assert.deepEqual(full, [true, true, true, true, false, false]);
  });

  it('M = 1 stops full logs at the first stable interval; K = 0 keeps no context', () => {
    const p = new AdaptivePublisher({ coolDownIntervals: 1, cacheIntervals: 0 });
    const kinds = [false, true, false].map((u, i) => {
      p.observe(events('c1', i, 2));
      return p.onVerdict(verdict('c1', i, u)).map((r) => (r.kind === 'event' ? r.reason : r.kind)).join(',');
    });
    assert.deepEqual(kinds, ['summary', 'summary,unstable,unstable', 'summary']);
    assert.equal(p.cachedBytes('c1'), 0);
  });

  it('drops the oldest cached events at the byte cap and counts them (in the stats and the next summary)', () => {
    // 10 events of 100 bytes per interval; cap 2500 bytes = 25 events
    const p = new AdaptivePublisher({ cacheIntervals: 3, cacheMaxBytes: 2500 });
    for (let i = 0; i < 3; i++) {
      p.observe(events('c1', i, 10));
      p.onVerdict(verdict('c1', i, false));
    }
    // after interval 2 was observed: 30 events > 25 -> the 5 oldest (interval 0, offsets 0..4) went first
    let st = p.stats().containers.c1;
    assert.deepEqual([st.droppedEvents, st.droppedBytes], [5, 500]);
    assert.ok(p.cachedBytes('c1') <= 2500);
    p.observe(events('c1', 3, 10)); // 10 more: the rest of interval 0 and 5 of interval 1
    st = p.stats().containers.c1;
    assert.deepEqual([st.droppedEvents, st.droppedBytes], [15, 1500]);
    const out = p.onVerdict(verdict('c1', 3, true));
    const s = out[0] as SummaryRecord;
    assert.equal(s.droppedEvents, 10, 'events dropped since the previous summary');
    assert.equal(s.contextIntervals, 2);
    const e = evs(out);
    assert.deepEqual(
      e.filter((r) => r.reason === 'context').map((r) => `${(r.intervalStart - start(0)) / 30_000}/${r.offset}`),
      [...[5, 6, 7, 8, 9].map((k) => `1/${k}`), ...Array.from({ length: 10 }, (_, k) => `2/${k}`)],
      'survivors keep their offsets (and so their ids)',
    );
    assert.equal(e.filter((r) => r.reason === 'unstable').length, 10);
    assert.equal(p.stats().total.droppedEvents, 15);
    // the next summary reports no new drops
    p.observe(events('c1', 4, 1));
    assert.equal((p.onVerdict(verdict('c1', 4, false))[0] as SummaryRecord).droppedEvents, 0);
  });

  it('drops from the open interval itself when it alone exceeds the cap', () => {
    const p = new AdaptivePublisher({ cacheMaxBytes: 1024 * 2 });
    p.observe(events('c1', 0, 30)); // 3000 bytes > 2048: 10 oldest dropped
    const out = p.onVerdict(verdict('c1', 0, true));
    const e = evs(out);
    assert.equal(e.length, 20);
    assert.equal(e[0].offset, 10);
    assert.equal((out[0] as SummaryRecord).droppedEvents, 10);
  });

  it('keeps events after the interval end pending for the next interval', () => {
    const p = new AdaptivePublisher();
    p.observe([...events('c1', 0, 4), ...events('c1', 1, 3)]);
    const first = evs(p.onVerdict(verdict('c1', 0, true)));
    assert.equal(first.length, 4);
    assert.ok(first.every((r) => r.intervalStart === start(0)));
    const second = evs(p.onVerdict(verdict('c1', 1, true)));
    assert.deepEqual(second.map((r) => [r.intervalStart, r.offset]), [[start(1), 0], [start(1), 1], [start(1), 2]]);
  });

  it('keeps containers apart and forgets removed ones without losing their counts', () => {
    const p = new AdaptivePublisher();
    const mixed = [...events('a', 0, 3), ...events('b', 0, 5), ...events('a', 0, 2)];
    p.observe(mixed);
    assert.equal(p.cachedBytes('a'), 500);
    assert.equal(p.cachedBytes('b'), 500);
    assert.equal(evs(p.onVerdict(verdict('b', 0, true))).length, 5);
    assert.equal(p.cachedBytes('a'), 500, 'a is untouched');
    p.removeContainer('b');
    assert.deepEqual(p.containers(), ['a']);
    assert.equal(p.stats().total.events, 5);
  });

  it('publishes a non-finite score as null', () => {
    const p = new AdaptivePublisher();
    const s = p.onVerdict(verdict('c1', 0, false, { score: Number.NaN }))[0] as SummaryRecord;
    assert.equal(s.score, null);
    assert.match(JSON.stringify(s), /"score":null/);
  });

  it('rejects bad options naming the field', () => {
    assert.throws(() => new AdaptivePublisher({ coolDownIntervals: 0 }), /PGN_ERR_BAD_PARAM|too small|>=/);
    assert.throws(() => new AdaptivePublisher({ coolDownIntervals: 0 }), (e: Error & { where?: string }) => e.where === 'adaptive.coolDownIntervals');
  });
});

describe('StandardPublisher', () => {
  it('ships every event of every interval, whatever the verdict, and no summaries', () => {
    const p = new StandardPublisher();
    let shipped = 0;
    for (let i = 0; i < 4; i++) {
      p.observe(events('c1', i, 20 + i));
      const out = p.onVerdict(verdict('c1', i, i === 2));
      assert.equal(out.length, 20 + i);
      assert.ok(out.every((r) => r.kind === 'event' && r.reason === 'standard' && r.intervalStart === start(i)));
      assert.deepEqual(out.map((r) => (r as EventRecord).offset), Array.from({ length: 20 + i }, (_, k) => k));
      shipped += out.length;
    }
    const t = p.stats().total;
    assert.deepEqual([t.events, t.records, t.summaries, t.eventBytes, t.intervals], [shipped, shipped, 0, shipped * 100, 4]);
  });

  it('adaptive publishes over 1000x fewer bytes than standard over 5 minutes of stable operation', () => {
    // the paper's load: 1,800 syscalls/s per container = 54,000 events per 30-s interval, ~200-byte lines
    const adaptive = new AdaptivePublisher();
    const standard = new StandardPublisher();
    const line = '{"evt.type":"read","proc.name":"nginx","fd.name":"/var/www/html/index.html","container.id":"c1"}'.padEnd(200, ' ');
    const counts = Object.fromEntries(Array.from({ length: 20 }, (_, k) => [`sys${k}`, k * 37]));
    for (let i = 0; i < 10; i++) {
      for (const c of ['c1', 'c2']) {
        const evts = Array.from({ length: 54_000 }, (_, k) => ({ containerId: c, timeNs: (start(i) + Math.floor(k / 1.8)) * 1e6, line }));
        adaptive.observe(evts);
        standard.observe(evts);
        const v = verdict(c, i, false, { counts, latentMean: [0.1, 0.2, 0.3, 0.4], latentVar: [1, 1, 1, 1], eventCount: 54_000 });
        adaptive.onVerdict(v);
        assert.equal(standard.onVerdict(v).length, 54_000);
      }
    }
    const a = adaptive.stats().total;
    const s = standard.stats().total;
    assert.equal(a.events, 0);
    assert.equal(a.summaries, 20);
    assert.equal(s.events, 2 * 10 * 54_000);
    assert.equal(s.bytes, s.events * 200);
    assert.ok(s.bytes / a.bytes >= 1000, `standard ${s.bytes} B vs adaptive ${a.bytes} B = ${(s.bytes / a.bytes).toFixed(0)}x`);
    assert.ok(a.droppedEvents > 0, 'the 8 MiB default cap cannot hold 54k x 200 B intervals: drops are counted');
  });
});
