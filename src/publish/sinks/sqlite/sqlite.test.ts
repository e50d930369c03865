import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { AdaptivePublisher } from '../../adaptive.js';
import { events, SAMPLE, start, tempDir, verdict } from '../../testing.js';
import type { ForensicRecord } from '../../types.js';
import { createSink } from '../index.js';
import type { SqliteSink } from './sqlite.js';
import { openStoreForRead, queryForensics } from './store.js';

/** The exact rows of the sample batch (golden payload). */
const GOLDEN_SUMMARY_ROW = {
  id: 'c1:1704189600000:s',
  container_id: 'c1',
  group_name: 'nginx',
  interval_start: 1704189600000,
  interval_end: 1704189630000,
  score: 12.5,
  threshold: 1.5,
  unstable: 1,
  event_count: 2,
  full_log: 1,
  context_intervals: 0,
  dropped_events: 0,
  model_version: 'vae-3',
  counts: '{"execve":1,"connect":1}',
  latent_mean: '[0.5,-1]',
  latent_var: '[0.25,2]',
};
const GOLDEN_EVENT_ROWS = [
  {
    id: 'c1:1704189600000:0',
    container_id: 'c1',
    group_name: 'nginx',
    interval_start: 1704189600000,
    interval_end: 1704189630000,
    event_offset: 0,
    time_ns: 1704189601000000000,
    time_ms: 1704189601000,
    reason: 'unstable',
    line: '{"evt.type":"execve","proc.name":"sh"}',
  },
  {
    id: 'c1:1704189600000:1',
    container_id: 'c1',
    group_name: 'nginx',
    interval_start: 1704189600000,
    interval_end: 1704189630000,
    event_offset: 1,
    time_ns: 1704189602500000000,
    time_ms: 1704189602500,
    reason: 'unstable',
    line: '{"evt.type":"connect","fd.name":"10.0.0.5:4444"}',
  },
];

describe('sqlite sink', () => {
  it('turns a batch into the golden rows and stores exactly them', async () => {
    const t = tempDir();
    try {
      const sink = createSink('sqlite', { path: join(t.dir, 'db', 'forensics.db') }) as SqliteSink;
      assert.deepEqual(sink.toPayload(SAMPLE), { summaries: [GOLDEN_SUMMARY_ROW], events: GOLDEN_EVENT_ROWS });
      const res = await sink.send(SAMPLE);
      assert.deepEqual([res.status, res.delivered, res.duplicates], ['delivered', 3, 0]);
      const db = sink.database();
      assert.deepEqual(db.prepare('SELECT * FROM summaries').all(), [GOLDEN_SUMMARY_ROW]);
      assert.deepEqual(db.prepare('SELECT * FROM events ORDER BY event_offset').all(), GOLDEN_EVENT_ROWS);
      assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
      const indexes = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
      assert.deepEqual(indexes, ['events_container_time', 'events_time', 'summaries_container_time', 'summaries_time']);
      await sink.close();
    } finally {
      t.cleanup();
    }
  });

  it('is idempotent: a replayed batch adds no rows and counts duplicates', async () => {
    const t = tempDir();
    try {
      const sink = createSink('sqlite', { path: join(t.dir, 'f.db') }) as SqliteSink;
      await sink.send(SAMPLE);
      const again = await sink.send(SAMPLE);
      assert.deepEqual([again.status, again.delivered, again.duplicates], ['delivered', 3, 3]);
      const db = sink.database();
      assert.deepEqual(db.prepare('SELECT (SELECT COUNT(*) FROM summaries) s, (SELECT COUNT(*) FROM events) e').get(), { s: 1, e: 2 });
      assert.deepEqual(sink.stats().duplicates, 3);
      assert.match((await sink.healthcheck()).detail, /1 summaries, 2 events/);
      await sink.close();
      // reopening keeps the data and the schema
      const reopened = createSink('sqlite', { path: join(t.dir, 'f.db') }) as SqliteSink;
      assert.equal((await reopened.send(SAMPLE)).duplicates, 3);
      await reopened.close();
    } finally {
      t.cleanup();
    }
  });

  it('reads back what was written, filtered by container, time and kind, oldest first', async () => {
    const t = tempDir();
    try {
      const path = join(t.dir, 'f.db');
      const sink = createSink('sqlite', { path });
      const all: ForensicRecord[] = [];
      const p = new AdaptivePublisher({ output: (r) => all.push(...r) });
      for (let i = 0; i < 4; i++) {
        for (const c of ['web', 'db']) {
          p.observe(events(c, i, 3));
          p.onVerdict(verdict(c, i, c === 'web' && i === 2));
        }
      }
      assert.equal((await sink.send(all)).delivered, all.length);
      await sink.close();
      const db = openStoreForRead(path);
      try {
        const everything = queryForensics(db, { limit: 1000 });
        assert.equal(everything.records.length, all.length);
        assert.equal(everything.truncated, false);
        for (const r of all) assert.deepEqual(everything.records.find((x) => x.id === r.id), r, `${r.id} reads back equal`);
        const times = everything.records.map((r) => (r.kind === 'summary' ? r.intervalStart : r.timeNs / 1e6));
        assert.deepEqual(times, [...times].sort((a, b) => a - b), 'oldest first');
        const web = queryForensics(db, { containerId: 'web', kind: 'event', limit: 1000 });
        // web was unstable in interval 2: context (intervals 0, 1) + interval 2 + cool-down interval 3 = 12 events
        assert.equal(web.records.length, 12);
        assert.ok(web.records.every((r) => r.kind === 'event' && r.containerId === 'web'));
        const window = queryForensics(db, { kind: 'summary', sinceMs: start(1), untilMs: start(3), limit: 1000 });
        assert.deepEqual(window.records.map((r) => `${r.containerId}@${(r.intervalStart - start(0)) / 30_000}`).sort(), ['db@1', 'db@2', 'web@1', 'web@2']);
        const limited = queryForensics(db, { limit: 5 });
        assert.equal(limited.records.length, 5);
        assert.equal(limited.truncated, true);
        assert.equal(limited.records[0].kind, 'summary', 'a summary comes before the events of its interval');
      } finally {
        db.close();
      }
    } finally {
      t.cleanup();
    }
  });

  it('refuses a missing file or a file that is not a forensic store with one clear error', () => {
    const t = tempDir();
    try {
      assert.throws(() => openStoreForRead(join(t.dir, 'nope.db')), (e: Error & { code?: string }) => e.code === 'PGN_ERR_FILE_NOT_FOUND');
      writeFileSync(join(t.dir, 'junk.db'), 'this is not sqlite');
      assert.throws(() => openStoreForRead(join(t.dir, 'junk.db')), (e: Error & { code?: string }) => e.code === 'PGN_ERR_IO' && /not a Peregrine forensic store/.test(e.message));
    } finally {
      t.cleanup();
    }
  });

  it('reports an unopenable database as retryable', async () => {
    const t = tempDir();
    try {
      writeFileSync(join(t.dir, 'blocker'), 'x');
      const sink = createSink('sqlite', { path: join(t.dir, 'blocker', 'f.db') });
      const res = await sink.send(SAMPLE);
      assert.equal(res.status, 'retryable');
      assert.equal((await sink.healthcheck()).ok, false);
    } finally {
      t.cleanup();
    }
  });
});
