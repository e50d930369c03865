import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeEvent, openEvents, parseNdjsonEvent } from '../../ingest/events/index.js';
import type { SyscallEvent } from '../../ingest/events/types.js';
import { containerIdentity, DEFAULT_START_US, generateAllEvents, generateEvents, minerSchedule, MINER_STAGES, writeEventsFile } from './index.js';

const strip = (e: SyscallEvent) => encodeEvent(e);

test('seeded: the same options give the same events, another seed other events', () => {
  const a = generateAllEvents({ seed: 3, containers: 2, rate: 200, durationSeconds: 5 }).map(strip);
  const b = generateAllEvents({ seed: 3, containers: 2, rate: 200, durationSeconds: 5 }).map(strip);
  const c = generateAllEvents({ seed: 4, containers: 2, rate: 200, durationSeconds: 5 }).map(strip);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
});

test('nginx: the requested syscall rate, time order, realistic calls and identities', () => {
  const rate = 600;
  const ev = generateAllEvents({ seed: 1, containers: 3, rate, durationSeconds: 120 });
  const perContainer = new Map<string, SyscallEvent[]>();
  for (const e of ev) {
    const list = perContainer.get(e.containerId);
    if (list) list.push(e);
    else perContainer.set(e.containerId, [e]);
  }
  assert.equal(perContainer.size, 3);
  for (const [, list] of perContainer) {
    const r = list.length / 120;
    assert.ok(r > rate * 0.85 && r < rate * 1.15, `rate ${r} vs ${rate}`);
  }
  for (let i = 1; i < ev.length; i++) assert.ok(ev[i].timeUs >= ev[i - 1].timeUs, 'sorted by time');
  assert.ok(ev[0].timeUs >= DEFAULT_START_US);
  const calls = new Set(ev.map((e) => e.syscall));
  for (const s of ['accept4', 'recvfrom', 'openat', 'sendfile', 'writev', 'close', 'epoll_wait', 'write']) assert.ok(calls.has(s), s);
  assert.ok(!calls.has('execve') && !calls.has('clone'), 'a normal nginx never executes programs');
  assert.ok(ev.filter((e) => e.syscall === 'openat' && e.ret >= 0).every((e) => e.fd.startsWith('/usr/share/nginx/html/')));
  assert.ok(ev.some((e) => e.syscall === 'openat' && e.ret === -2), 'some 404s');
  const acc = ev.find((e) => e.syscall === 'accept4') as SyscallEvent;
  assert.equal(acc.dstPort, 80);
  assert.ok(ev.every((e) => e.label === 0 && e.image === 'nginx:1.25.3' && /^[0-9a-f]{12}$/.test(e.containerId)));
  // the compact NDJSON form round-trips
  for (const e of ev.slice(0, 200)) assert.equal(encodeEvent(parseNdjsonEvent(encodeEvent(e))), encodeEvent(e));
  // several images when asked: distinct repositories
  const imgs = new Set(generateAllEvents({ seed: 1, containers: 4, images: 2, rate: 50, durationSeconds: 2 }).map((e) => e.image));
  assert.deepEqual([...imgs].sort(), ['registry.example/web-0/nginx:1.25.3', 'registry.example/web-1/nginx:1.25.3']);
});

test('staged miner: the stages of Table 3 in order, labelled, and the benign events unchanged', () => {
  const base = { seed: 2, containers: 2, rate: 200, durationSeconds: 80 };
  const attacked = generateAllEvents({ ...base, attacks: [{ type: 'cryptominer', containers: [0], startSeconds: 10, stageSeconds: 10 }] });
  const clean = generateAllEvents(base);
  assert.deepEqual(attacked.filter((e) => e.label === 0).map(strip), clean.map(strip), 'adding an attack never changes the benign events');
  const victim = containerIdentity(2, 0).containerId;
  const bad = attacked.filter((e) => e.label === 1);
  assert.ok(bad.length > 0);
  const first = new Map<string, number>();
  for (const e of bad) if (!first.has(e.attackClass)) first.set(e.attackClass, e.timeUs);
  assert.deepEqual([...first.keys()], MINER_STAGES.map((s) => `cryptominer:${s}`), 'stages appear in order');
  const stage = (s: string) => bad.filter((e) => e.attackClass === `cryptominer:${s}`);
  const exec = (list: SyscallEvent[]) => list.filter((e) => e.syscall === 'execve').map((e) => e.exe);
  const shell = stage('shell');
  assert.deepEqual(exec(shell), ['/bin/sh']);
  assert.equal(shell.find((e) => e.syscall === 'execve')?.parent, 'nginx');
  assert.equal(shell.filter((e) => e.syscall === 'dup2').length, 3);
  assert.ok(shell.filter((e) => e.syscall === 'dup2').every((e) => e.fd.includes('->')), 'dup2 onto a socket');
  assert.deepEqual(exec(stage('commands')), ['/usr/bin/id', '/bin/uname', '/bin/cat', '/bin/ls', '/bin/cat']);
  assert.ok(stage('commands').some((e) => e.fd === '/etc/passwd'));
  const dl = stage('download');
  assert.ok(dl.some((e) => e.syscall === 'connect' && e.dstAddr === '203.0.113.50'), 'connects to an external host');
  assert.ok(dl.some((e) => e.syscall === 'write' && e.fd.startsWith('/tmp/')), 'writes to /tmp');
  assert.ok(dl.some((e) => e.syscall === 'fchmodat'), 'chmod');
  const cc = exec(stage('compile'));
  for (const x of ['/usr/bin/make', '/usr/bin/c++', '/usr/lib/gcc/x86_64-linux-gnu/12/cc1plus', '/usr/bin/as', '/usr/bin/ld', '/bin/tar']) assert.ok(cc.includes(x), x);
  assert.ok(stage('compile').filter((e) => e.syscall === 'openat' && e.ret === -2).length > 100, 'include-path misses');
  const mine = stage('mining');
  assert.ok(mine.some((e) => e.syscall === 'connect' && e.dstPort === 3333), 'stratum pool on :3333');
  assert.ok(mine.filter((e) => e.syscall === 'futex').length > 10_000, 'steady futex traffic of the worker threads');
  assert.ok(mine.some((e) => e.fd.startsWith('/proc/')), 'watchdog scans /proc');
  assert.ok(bad.every((e) => e.containerId === victim), 'only the attacked container');
  assert.deepEqual(
    minerSchedule(10, 10, 80).map((w) => [w.stage, w.startSeconds, w.durationSeconds]),
    [
      ['shell', 10, 10],
      ['commands', 20, 10],
      ['download', 30, 10],
      ['compile', 40, 10],
      ['mining', 50, 30],
    ],
  );
});

test('HTTP flood in cycles: attack requests only in the on-phases (1 minute in 5)', () => {
  const ev = generateAllEvents({ seed: 5, rate: 200, durationSeconds: 600, sliceSeconds: 5, attacks: [{ type: 'httpflood', startSeconds: 30 }] });
  const flood = ev.filter((e) => e.label === 1);
  assert.ok(flood.every((e) => e.attackClass === 'httpflood'));
  const phase = (e: SyscallEvent) => ((e.timeUs - DEFAULT_START_US) / 1e6 - 30) % 300;
  assert.ok(flood.every((e) => phase(e) >= 0 && phase(e) < 60.01), 'on for 60 s of every 300');
  const inOn = (t: number) => ev.filter((e) => e.label === 0 && Math.floor((e.timeUs - DEFAULT_START_US) / 1e6) === t).length;
  const floodAt = (t: number) => flood.filter((e) => Math.floor((e.timeUs - DEFAULT_START_US) / 1e6) === t).length;
  assert.ok(floodAt(60) > 4 * inOn(60), 'several times the normal load');
  assert.equal(floodAt(200), 0);
  assert.ok(floodAt(350) > 0, 'second cycle');
  assert.ok(flood.filter((e) => e.syscall === 'accept4').length > 0.9 * flood.filter((e) => e.syscall === 'recvfrom' && e.ret > 0).length, 'a new connection per request');
});

test('writeEventsFile: compact NDJSON and Falco lines the decoders read back', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pgn-sim-events-'));
  try {
    const opts = { seed: 1, rate: 100, durationSeconds: 3 };
    const expected = generateAllEvents(opts).map(strip);
    for (const [format, file] of [
      ['ndjson', join(dir, 'e.ndjson')],
      ['falco', join(dir, 'e.falco.jsonl')],
    ] as const) {
      const w = await writeEventsFile(file, opts, format);
      assert.equal(w.events, expected.length);
      const src = await openEvents(format, [file], { onBadRow: 'fail' });
      const got: string[] = [];
      for await (const b of src.batches()) for (const e of b.events) got.push(strip(e));
      // Falco lines carry no ground-truth label
      const want = format === 'falco' ? expected.map((l) => l.replace(',"l":0,"ac":"benign"', '')) : expected;
      assert.deepEqual(got, want, format);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('slices are time-ordered and cover the duration', () => {
  let last = -Infinity;
  let slices = 0;
  for (const part of generateEvents({ seed: 1, rate: 50, durationSeconds: 4 })) {
    slices++;
    for (const e of part) {
      assert.ok(e.timeUs >= last);
      last = e.timeUs;
    }
  }
  assert.equal(slices, 4);
});
