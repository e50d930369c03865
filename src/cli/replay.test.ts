import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeEventsFile } from '../simulate/events/index.js';
import { assertError, assertOk, cli, tempDir } from './testing.js';

let tmp: { dir: string; cleanup: () => void };
let ndjson: string;
let falco: string;

before(async () => {
  tmp = tempDir('peregrine-replay-');
  ndjson = join(tmp.dir, 'events.ndjson');
  falco = join(tmp.dir, 'events.falco.jsonl');
  // one nginx container, 60 s at 100 syscalls/s; the staged miner from 40 s on
  await writeEventsFile(ndjson, { seed: 3, rate: 100, durationSeconds: 60, attacks: [{ type: 'cryptominer', startSeconds: 40, stageSeconds: 4, miner: { futexPerThreadPerSecond: 50 } }] });
  await writeEventsFile(falco, { seed: 4, rate: 100, durationSeconds: 20 }, 'falco');
});
after(() => tmp.cleanup());

const FAST = ['--interval-seconds', '5', '--vectors-to-train', '6', '--epochs', '3'];

test('replay: per-interval table, totals, SQLite store, report, models reused on the next run', async () => {
  const out = join(tmp.dir, 'run');
  const report = join(tmp.dir, 'replay.html');
  const args = ['replay', '--events', ndjson, '--format', 'ndjson', '--containers', '3', '--rate', '100', ...FAST, '--sink', 'sqlite', '--out', out, '--report', report];
  const r = assertOk(await cli(args));
  const lines = r.stdout.split('\n');
  assert.match(lines[0], /^interval \(UTC\)\s+events\s+vectors\s+judged\s+unstable\s+cpu ms\s+wall ms\s+published\s+stored/);
  assert.ok(lines.some((l) => /trained nginx v1 on 6 vectors/.test(l)), r.stdout);
  assert.ok(lines.some((l) => /UNSTABLE web-/.test(l)), 'the miner is detected');
  assert.match(r.stdout, /replayed [\d,]+ events of 3 container\(s\)/);
  assert.match(r.stdout, /published \(adaptive\): /);
  assert.match(r.stdout, /stored \(sqlite\): .* on disk at /);
  assert.match(r.stderr, /replaying [\d,]+ events of 1 container\(s\) as 3 container\(s\) at 100 events\/s each/);
  assert.ok(existsSync(join(out, 'forensics.db')));
  assert.equal(readdirSync(join(out, 'models')).filter((f) => f.endsWith('.model.json')).length, 1);
  const html = readFileSync(report, 'utf8');
  assert.equal((html.match(/<svg /g) ?? []).length, 3);
  // the store is queryable
  const q = assertOk(await cli(['forensics', 'query', '--db', join(out, 'forensics.db'), '--kind', 'summary', '--json', '--limit', '1000']));
  const res = JSON.parse(q.stdout) as { count: number; records: { unstable: boolean }[] };
  assert.ok(res.count > 10 && res.records.some((x) => x.unstable));
  // a second run with the same --out judges from the first interval with the stored model
  const again = assertOk(await cli([...args.filter((a) => a !== '--report' && a !== report), '--json']));
  const j = JSON.parse(again.stdout) as { stability: { learning: number; evaluated: number }; models: { version: number }[]; intervals: { trained: unknown[] }[] };
  assert.equal(j.stability.learning, 0);
  assert.ok(j.stability.evaluated > 0);
  assert.equal(j.models[0].version, 1);
  assert.ok(j.intervals.every((m) => m.trained.length === 0));
});

test('replay: Falco input, standard mode, NDJSON sink, duration loops the input', async () => {
  const out = join(tmp.dir, 'falco-run');
  const r = assertOk(await cli(['replay', '--events', falco, '--format', 'falco', '--containers', '2', '--rate', '50', ...FAST, '--duration-seconds', '60', '--mode', 'standard', '--sink', 'ndjson', '--out', out, '--json']));
  const j = JSON.parse(r.stdout) as { events: number; plan: { passes: number; containers: number }; published: { summaries: number; events: number }; sink: { type: string } };
  assert.equal(j.plan.containers, 2);
  assert.ok(j.plan.passes >= 2, 'the input loops to fill the duration');
  assert.ok(Math.abs(j.events - 2 * 50 * 60) < 2 * 50 * 60 * 0.1, `~${2 * 50 * 60} events, got ${j.events}`);
  assert.equal(j.published.summaries, 0);
  assert.equal(j.published.events, j.events, 'standard mode ships every event');
  const files = readdirSync(join(out, 'forensics'));
  assert.ok(files.length >= 1);
  const first = readFileSync(join(out, 'forensics', files[0]), 'utf8').split('\n')[0];
  assert.equal((JSON.parse(first) as { reason: string }).reason, 'standard');
});

test('replay: usage and input errors are one line with the documented exit code', async () => {
  assertError(await cli(['replay', '--events', ndjson, '--format', 'ndjson', '--containers', '2', '--rate', '10', '--sink', 'sqlite']), 2, 'PGN_ERR_USAGE', '--sink');
  assertError(await cli(['replay', '--events', join(tmp.dir, 'nope.ndjson'), '--format', 'ndjson', '--containers', '2', '--rate', '10']), 5, 'PGN_ERR_FILE_NOT_FOUND');
  assertError(await cli(['replay', '--events', ndjson, '--format', 'ndjson', '--containers', '0', '--rate', '10']), 2, 'PGN_ERR_USAGE', '--containers');
  assertError(await cli(['replay', '--events', ndjson, '--format', 'nope', '--containers', '1', '--rate', '10']), 2, 'PGN_ERR_USAGE');
});
