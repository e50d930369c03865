import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixture } from '../../../testing/paths.js';
import { collectEvents } from '../../../ingest/events/testing.js';
import { blankEvent, type SyscallEvent } from '../../../ingest/events/types.js';
import { ExecutableBaseline } from './baseline.js';
import { bigramBucket } from './hash.js';
import { FEATURE_COUNT, FEATURE_NAMES } from './schema.js';
import { SyscallSummarizer, type ActivityVector } from './summarizer.js';
import { WindowClock } from './windows.js';
import { summarizeInputs, vectorsToBatch } from './run.js';

/** Window-aligned start (epoch seconds, a multiple of 30). */
const T0 = 30 * 33_333_334;

function ev(sec: number, syscall: string, more: Partial<SyscallEvent> = {}): SyscallEvent {
  return Object.assign(blankEvent('-', 0), {
    timeUs: sec * 1e6,
    containerId: 'c1',
    image: 'docker.io/library/nginx:1.25',
    pod: 'web-6c9f8d7b5c-zk7qp',
    namespace: 'web',
    process: 'sh',
    exe: '/bin/sh',
    syscall,
    ret: 0,
    ...more,
  });
}

/** The named, non-zero features of a vector. */
function named(v: ActivityVector): Record<string, number> {
  const out: Record<string, number> = {};
  v.values.forEach((x, i) => {
    if (x !== 0) out[FEATURE_NAMES[i]] = x;
  });
  return out;
}

test('summarizer: exact vector of a hand-made event sequence', () => {
  const s = new SyscallSummarizer({ baselineIntervals: 0 });
  const events = [
    ev(T0 + 0, 'execve', { fd: '/bin/sh' }),
    ev(T0 + 1, 'openat', { fd: '/etc/shadow', ret: -13 }),
    ev(T0 + 2, 'connect', { dstPort: 4444, ret: -115 }),
    ev(T0 + 3, 'dup2'),
    ev(T0 + 4, 'read', { fd: '/tmp/x', ret: 10 }),
    ev(T0 + 5, 'accept4', { dstPort: 8080, ret: 5, process: 'nginx', exe: '/usr/sbin/nginx' }),
    ev(T0 + 6, 'setuid32', { ret: -1 }),
    ev(T0 + 7, 'socketcall'),
    ev(T0 + 8, 'chown32', { fd: '/var/run/secrets/kubernetes.io/serviceaccount/token' }),
    ev(T0 + 9, 'connect'),
    ev(T0 + 31, 'read'),
  ];
  const out = s.push(events);
  assert.equal(out.length, 1);
  const v = out[0];
  assert.equal(v.values.length, FEATURE_COUNT);
  assert.deepEqual(
    { ...v, values: null },
    {
      containerId: 'c1',
      group: 'nginx',
      image: 'docker.io/library/nginx:1.25',
      pod: 'web-6c9f8d7b5c-zk7qp',
      namespace: 'web',
      intervalStart: T0 * 1e6,
      intervalEnd: (T0 + 30) * 1e6,
      values: null,
      eventCount: 10,
      label: -1,
      attackClass: '',
    },
  );
  const pairs = ['execve', 'openat', 'connect', 'dup2', 'read', 'accept4', 'setuid', 'socketcall', 'chown', 'connect'];
  const bigrams: Record<string, number> = {};
  for (let i = 1; i < pairs.length; i++) {
    const k = `bigram_${String(bigramBucket(pairs[i - 1], pairs[i])).padStart(2, '0')}`;
    bigrams[k] = (bigrams[k] ?? 0) + 1;
  }
  assert.deepEqual(named(v), {
    sc_execve: 1,
    sc_setuid: 1,
    sc_connect: 2,
    sc_accept4: 1,
    sc_openat: 1,
    sc_dup2: 1,
    sc_chown: 1,
    class_process: 1,
    class_setuid: 1,
    class_network: 4,
    class_file: 1,
    class_fd: 1,
    class_attribute: 1,
    events_total: 10,
    events_other: 1,
    proc_distinct: 2,
    exe_distinct: 2,
    exe_unseen: 2,
    failed_total: 3,
    failed_setuid: 1,
    failed_network: 1,
    failed_file: 1,
    net_connect_risky: 1,
    net_connect_noport: 1,
    net_accept_registered: 1,
    file_secrets: 2,
    file_tmp: 1,
    file_binusr: 1,
    ...bigrams,
    interval_seconds: 30,
  });
  // The bigram context carries into the next interval: connect -> read.
  const [next] = s.flush();
  assert.equal(next.intervalStart, (T0 + 30) * 1e6);
  assert.equal(next.values[FEATURE_NAMES.indexOf(`bigram_${String(bigramBucket('connect', 'read')).padStart(2, '0')}`)], 1);
  assert.equal(next.eventCount, 1);
});

test('summarizer: interval edges, quiet containers closed by event time, late and out-of-order events', () => {
  const s = new SyscallSummarizer({ latenessSeconds: 5 });
  // An event exactly on an edge opens the next interval.
  let out = s.push([ev(T0 + 29.999999, 'read'), ev(T0 + 30, 'read')]);
  assert.deepEqual(
    out.map((v) => [v.intervalStart / 1e6, v.intervalEnd / 1e6, v.eventCount]),
    [[T0, T0 + 30, 1]],
  );
  // c2 goes quiet; c1's events move time on: c2's interval waits for the lateness, then closes.
  out = s.push([ev(T0 + 31, 'read', { containerId: 'c2' }), ev(T0 + 64, 'read')]);
  assert.deepEqual(
    out.map((v) => v.containerId),
    ['c1'],
  );
  out = s.push([ev(T0 + 65, 'read')]);
  assert.deepEqual(
    out.map((v) => [v.containerId, v.intervalStart / 1e6]),
    [['c2', T0 + 30]],
  );
  // 3 s late: counted into the open interval; 100 s back: its own window.
  out = s.push([ev(T0 + 58, 'write')]);
  assert.equal(out.length, 0);
  assert.equal(s.stats.lateEvents, 1);
  out = s.push([ev(T0 - 100, 'write')]);
  assert.deepEqual(
    out.map((v) => [v.intervalStart / 1e6, v.eventCount]),
    [
      [T0 + 60, 3],
      [T0 - 120, 1],
    ],
  );
  assert.equal(s.stats.outOfOrder, 1);
  assert.ok(Number.isNaN(blankEvent('-', 1).timeUs));
  s.push([blankEvent('-', 1)]);
  assert.equal(s.stats.noTime, 1);
});

test('summarizer: jittered edges are seeded, bounded and independent of batching', () => {
  const a = new WindowClock(30, 5, 7);
  const b = new WindowClock(30, 5, 7);
  const c = new WindowClock(30, 5, 8);
  let differ = 0;
  for (let k = -50; k < 2000; k += 7) {
    const e = a.edge(k);
    assert.equal(e, b.edge(k));
    assert.ok(Math.abs(e - k * 30e6) <= 5e6);
    assert.ok(a.edge(k + 1) - e > 20e6);
    if (c.edge(k) !== e) differ++;
    const t = e + 1;
    assert.equal(a.window(t), k);
    assert.equal(a.window(e - 1), k - 1);
  }
  assert.ok(differ > 250);
  assert.throws(() => new WindowClock(30, 15), /below half/);

  const events: SyscallEvent[] = [];
  for (let i = 0; i < 400; i++) events.push(ev(T0 + i * 0.9, i % 3 === 0 ? 'openat' : 'read', { containerId: `c${i % 3}` }));
  const run = (batch: number, seed: number): ActivityVector[] => {
    const s = new SyscallSummarizer({ jitterSeconds: 6, seed });
    const out: ActivityVector[] = [];
    for (let i = 0; i < events.length; i += batch) out.push(...s.push(events.slice(i, i + batch)));
    return [...out, ...s.flush()];
  };
  const ref = run(400, 42);
  assert.deepEqual(run(1, 42), ref);
  assert.deepEqual(run(17, 42), ref);
  const other = run(400, 43);
  assert.notDeepEqual(
    other.map((v) => v.intervalStart),
    ref.map((v) => v.intervalStart),
  );
  const lengths = new Set(ref.map((v) => v.values[FEATURE_NAMES.indexOf('interval_seconds')]));
  assert.ok(lengths.size > 2, 'jittered intervals have different lengths');
  assert.equal(
    ref.reduce((n, v) => n + v.eventCount, 0),
    400,
  );
});

test('summarizer: executables unseen in the group baseline; new pods of the image inherit it', () => {
  const s = new SyscallSummarizer({ baselineIntervals: 2 });
  const unseen = (v: ActivityVector): number => v.values[FEATURE_NAMES.indexOf('exe_unseen')];
  const out = [
    ...s.push([ev(T0, 'read', { exe: '/usr/sbin/nginx' }), ev(T0 + 31, 'read', { exe: '/usr/sbin/nginx' }), ev(T0 + 32, 'execve', { exe: '/bin/sh' })]),
    ...s.push([ev(T0 + 61, 'execve', { exe: '/usr/bin/curl' }), ev(T0 + 62, 'read', { exe: '/usr/sbin/nginx' })]),
    // another pod of the same image (new container id, same group)
    ...s.push([ev(T0 + 63, 'execve', { containerId: 'c9', pod: 'web-6c9f8d7b5c-abcde', exe: '/dev/shm/xmrig' }), ev(T0 + 64, 'read', { containerId: 'c9', exe: '/bin/sh' })]),
    ...s.flush(),
  ];
  assert.deepEqual(
    out.map((v) => [v.containerId, v.group, unseen(v)]),
    [
      ['c1', 'nginx', 0],
      ['c1', 'nginx', 0],
      ['c1', 'nginx', 1],
      ['c9', 'nginx', 1],
    ],
  );
  assert.deepEqual([...s.baseline.known('nginx')].sort(), ['/bin/sh', '/usr/sbin/nginx']);
  // Saved and loaded, the baseline is frozen: nothing is learned from the next run.
  const loaded = ExecutableBaseline.fromJSON(JSON.parse(JSON.stringify(s.baseline.toJSON())), 2);
  const s2 = new SyscallSummarizer({ baselineIntervals: 2 }, loaded);
  const [v] = [...s2.push([ev(T0, 'execve', { exe: '/usr/bin/curl' })]), ...s2.flush()];
  assert.equal(unseen(v), 1);
  assert.throws(() => ExecutableBaseline.fromJSON({ format: 'x' }), /not an executable baseline/);
});

test('summarizer: memory stays bounded (evictions, idle state dropped, capped sets)', () => {
  const s = new SyscallSummarizer({ maxContainers: 3, maxDistinct: 2, idleIntervals: 1 });
  const out = s.push([1, 2, 3, 4, 5].map((i) => ev(T0 + i, 'read', { containerId: `c${i}`, process: `p${i}`, exe: `/x${i}` })));
  assert.equal(s.containers, 3);
  assert.equal(s.stats.evicted, 2);
  assert.deepEqual(
    out.map((v) => v.containerId),
    ['c1', 'c2'],
  );
  const many = s.push(['a', 'b', 'c', 'd'].map((p, i) => ev(T0 + 6 + i * 0.1, 'read', { containerId: 'c5', process: p, exe: `/${p}` })));
  assert.equal(many.length, 0);
  const later = s.push([ev(T0 + 200, 'read', { containerId: 'c5' })]);
  assert.deepEqual(
    later.map((v) => v.containerId),
    ['c5', 'c3', 'c4'],
  );
  assert.equal(s.containers, 1, 'idle containers are dropped');
  // five distinct processes in c5's first interval, counted up to the cap
  assert.equal(later[0].eventCount, 5);
  assert.equal(later[0].values[FEATURE_NAMES.indexOf('proc_distinct')], 2);
  assert.equal(s.flush().length, 1);
});

test('summarizer: ADFA-LD traces give one labelled vector each (trace mode)', async () => {
  const { vectors, read } = await summarizeInputs('adfa-ld', [fixture('events', 'adfa')], { onBadRow: 'skip' });
  assert.equal(read.rowsSkipped, 1);
  const batch = vectorsToBatch(vectors);
  assert.deepEqual([batch.rows, batch.cols, batch.names.length], [4, FEATURE_COUNT, FEATURE_COUNT]);
  assert.deepEqual(batch.data.subarray(FEATURE_COUNT, 2 * FEATURE_COUNT), vectors[1].values);
  assert.deepEqual(
    vectors.map((v) => [v.containerId, v.group, v.eventCount, v.label, v.attackClass, v.intervalStart, v.intervalEnd]),
    [
      ['attack-adduser', 'adfa-ld', 5, 1, 'Adduser', 0, 5],
      ['attack-hydra-ftp', 'adfa-ld', 6, 1, 'Hydra_FTP', 0, 6],
      ['train-normal', 'adfa-ld', 15, 0, 'benign', 0, 15],
      ['validation-normal', 'adfa-ld', 5, 0, 'benign', 0, 5],
    ],
  );
  const adduser = named(vectors[0]);
  assert.equal(adduser.sc_setuid, 1, 'setuid32 counts as setuid');
  assert.equal(adduser.sc_execve, 1);
  assert.equal(adduser.interval_seconds, undefined);
  assert.equal(named(vectors[2]).class_network, 1, 'socketcall counts in the network class');
});

test('summarizer: LID-DS resource samples and labels land in their intervals', async () => {
  const c = await collectEvents('lidds', [fixture('events', 'lidds', 'sample_1.sc')], { batchEvents: 3 });
  const s = new SyscallSummarizer({ intervalSeconds: 5, originSeconds: 0 });
  const vectors = [...c.batches.flatMap((b) => s.push(b)), ...s.flush()];
  assert.deepEqual(
    vectors.map((v) => [v.intervalStart / 1e6, v.eventCount, v.label, v.attackClass]),
    [
      [1699999995, 0, -1, ''],
      [1700000000, 4, 0, 'benign'],
      [1700000005, 3, 1, 'victim_demo'],
    ],
  );
  const [pre, first, second] = vectors.map(named);
  assert.deepEqual(pre, { res_samples: 1, res_cpu_mean: Math.fround(0.1), res_cpu_max: Math.fround(0.1), res_memory_max: 1e6, res_net_rx: 100, res_net_tx: 200, interval_seconds: 5 });
  assert.equal(first.res_samples, 1);
  assert.equal(first.res_storage_written, 10);
  assert.equal(first.failed_file, 1);
  assert.equal(first.net_accept_wellknown, 1);
  assert.equal(second.file_secrets, 1);
  assert.equal(second.res_cpu_mean, Math.fround(0.5));
  assert.equal(second.sc_setuid, 1);
});
