import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AdaptivePublisher } from '../publish/adaptive.js';
import { createSink } from '../publish/sinks/index.js';
import { events, start, verdict } from '../publish/testing.js';
import type { ForensicRecord } from '../publish/types.js';
import { assertError, assertOk, cli, tempDir } from './testing.js';

/** `peregrine forensics query` end to end: a store written by the sqlite sink, read by the compiled CLI. */
describe('peregrine forensics query', () => {
  let t: { dir: string; cleanup: () => void };
  let db: string;
  const written: ForensicRecord[] = [];

  before(async () => {
    t = tempDir('peregrine-forensics-');
    db = join(t.dir, 'forensics.db');
    const sink = createSink('sqlite', { path: db });
    const p = new AdaptivePublisher({ output: (r) => written.push(...r) });
    // two containers, three intervals; web unstable in interval 1 (context from 0, cool-down in 2)
    for (let i = 0; i < 3; i++) {
      for (const c of ['web-7d9f8', 'db-0']) {
        p.observe(events(c, i, 2, 60));
        p.onVerdict(verdict(c, i, c === 'web-7d9f8' && i === 1, { modelVersion: 'vae-1' }));
      }
    }
    assert.equal((await sink.send(written)).delivered, written.length);
    await sink.close();
  });
  after(() => t.cleanup());

  it('prints every record, oldest first, one line each (golden text)', async () => {
    const r = assertOk(await cli(['forensics', 'query', '--db', db]));
    const lines = r.stdout.trimEnd().split('\n');
    assert.equal(lines[0], 'TIME                      KIND     CONTAINER  DETAIL');
    assert.equal(lines.length, 1 + written.length);
    assert.equal(lines[1], '2024-01-02T10:00:00.000Z  summary  db-0       group=nginx score=0.25 threshold=1.5 stable events=15 model=vae-1');
    assert.ok(lines.includes('2024-01-02T10:00:30.000Z  summary  web-7d9f8  group=nginx score=12.5 threshold=1.5 UNSTABLE events=15 full-log context=1 model=vae-1'));
    assert.ok(lines.includes('2024-01-02T10:00:30.000Z  event    web-7d9f8  #0 unstable {"c":"web-7d9f8","i":1,"k":0,"p":"xxxxxxxxxxxxxxxxxxxxxxxx"}'));
    assert.ok(lines.includes('2024-01-02T10:00:15.000Z  event    web-7d9f8  #1 context {"c":"web-7d9f8","i":0,"k":1,"p":"xxxxxxxxxxxxxxxxxxxxxxxx"}'));
    const times = lines.slice(1).map((l) => l.slice(0, 24));
    assert.deepEqual(times, [...times].sort());
    assert.equal(r.stderr, `${written.length} record(s)\n`);
  });

  it('filters by container, kind and time, and prints JSON that round-trips the records', async () => {
    const r = assertOk(await cli(['forensics', 'query', '--db', db, '--container', 'web-7d9f8', '--kind', 'event', '--since', '2024-01-02T10:00:30Z', '--until', '2024-01-02T10:01:00Z', '--json']));
    const out = JSON.parse(r.stdout) as { db: string; query: Record<string, unknown>; count: number; truncated: boolean; records: ForensicRecord[] };
    assert.deepEqual(out.query, { container: 'web-7d9f8', since: '2024-01-02T10:00:30.000Z', until: '2024-01-02T10:01:00.000Z', kind: 'event', limit: 100 });
    const expected = written.filter((w) => w.kind === 'event' && w.containerId === 'web-7d9f8' && w.timeNs / 1e6 >= start(1) && w.timeNs / 1e6 < start(2));
    assert.equal(expected.length, 2);
    assert.deepEqual(out.records, expected);
    assert.deepEqual([out.count, out.truncated, out.db], [2, false, db]);
  });

  it('stops at --limit and says more match', async () => {
    const r = assertOk(await cli(['forensics', 'query', '--db', db, '--limit', '3', '--kind', 'summary']));
    assert.equal(r.stdout.trimEnd().split('\n').length, 4);
    assert.match(r.stderr, /^3 record\(s\) \(more match: raise --limit/);
  });

  it('fails with one documented line on bad input', async () => {
    const junk = join(t.dir, 'junk.db');
    writeFileSync(junk, 'not sqlite');
    const [missing, notStore, badTime, order, badKind, noDb, badLimit] = await Promise.all([
      cli(['forensics', 'query', '--db', join(t.dir, 'nope.db')]),
      cli(['forensics', 'query', '--db', junk]),
      cli(['forensics', 'query', '--db', db, '--since', 'yesterday']),
      cli(['forensics', 'query', '--db', db, '--since', '2024-01-02T11:00:00Z', '--until', '2024-01-02T10:00:00Z']),
      cli(['forensics', 'query', '--db', db, '--kind', 'alerts']),
      cli(['forensics', 'query']),
      cli(['forensics', 'query', '--db', db, '--limit', '0']),
    ]);
    assertError(missing, 5, 'PGN_ERR_FILE_NOT_FOUND', join(t.dir, 'nope.db'));
    assertError(notStore, 5, 'PGN_ERR_IO', junk);
    assertError(badTime, 2, 'PGN_ERR_USAGE', '--since');
    assertError(order, 2, 'PGN_ERR_USAGE', '--since');
    assert.match(assertError(badKind, 2, 'PGN_ERR_USAGE'), /Allowed choices are summary, event/);
    assert.match(assertError(noDb, 2, 'PGN_ERR_USAGE'), /--db/);
    assertError(badLimit, 2, 'PGN_ERR_USAGE', '--limit');
  });
});
