import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixture } from '../../../testing/paths.js';
import { peregrine } from '../../testing.js';
import { collectEvents, sharedPath, SKIP_SHARED } from '../testing.js';
import { functionToSyscall, tracepointToSyscall } from './functions.js';

const EVENTS = fixture('events', 'tetragon', 'events.jsonl');
const PRETTY = fixture('events', 'tetragon', 'pretty.json');
const CART = '3f2a9c1d7e4b5a6978c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2';

test('tetragon: kernel function and tracepoint names map to syscalls; hooks keep their names', () => {
  assert.equal(functionToSyscall('__x64_sys_openat'), 'openat');
  assert.equal(functionToSyscall('__ia32_compat_sys_execve'), 'execve');
  assert.equal(functionToSyscall('__arm64_sys_connect'), 'connect');
  assert.equal(functionToSyscall('ksys_read'), 'read');
  assert.equal(functionToSyscall('do_sys_openat2'), 'openat2');
  assert.equal(functionToSyscall('__x64_sys_write.cold'), 'write');
  assert.equal(functionToSyscall('sys_setuid'), 'setuid');
  assert.equal(functionToSyscall('security_file_permission'), 'security_file_permission');
  assert.equal(functionToSyscall('tcp_connect'), 'tcp_connect');
  assert.deepEqual(tracepointToSyscall('syscalls', 'sys_enter_openat'), { syscall: 'openat', dir: '>' });
  assert.deepEqual(tracepointToSyscall('syscalls', 'sys_exit_openat'), { syscall: 'openat', dir: '<' });
  assert.deepEqual(tracepointToSyscall('sched', 'sched_process_exec'), { syscall: 'sched/sched_process_exec', dir: '' });
});

test('tetragon: exec, kprobes, tracepoint, exit of the fixture; ignored kinds and bad lines counted', async () => {
  const c = await collectEvents('tetragon', [EVENTS]);
  assert.deepEqual(
    c.events.map((e) => [e.source.line, e.syscall, e.process, e.fd, e.ret, e.dstPort]),
    [
      [1, 'execve', 'bash', '/bin/bash', NaN, -1],
      [2, 'openat', 'bash', '/var/run/secrets/kubernetes.io/serviceaccount/token', 3, -1],
      [3, 'security_file_permission', 'bash', '/etc/shadow', -13, -1],
      [4, 'tcp_connect', 'kworker', '', NaN, 3333],
      [5, 'setuid', 'kworker', '', NaN, -1],
      [8, 'exit', 'cat', '', NaN, -1],
      [10, 'execve', 'app', '/usr/local/bin/app', NaN, -1],
    ],
  );
  assert.deepEqual(c.stats.ignoredKinds, { 'tetragon:process_loader': 1 });
  assert.deepEqual(
    c.stats.badRows.map((b) => b.line),
    [7],
  );
  const [exec, , , conn, setuid, , app] = c.events;
  assert.deepEqual(
    [exec.containerId, exec.image, exec.pod, exec.namespace, exec.exe, exec.parent, exec.pid, exec.tid, exec.node],
    [CART, 'registry.example/shop/cart:2.3.1', 'cart-5f7b8c9d6f-q2w4x', 'shop', '/bin/bash', 'runc', 4242, 4242, 'worker-1'],
  );
  assert.equal(exec.timeUs, Date.UTC(2024, 4, 2, 9, 15, 31) * 1000 + 123456.789);
  assert.deepEqual([conn.srcAddr, conn.srcPort, conn.dstAddr, conn.parent], ['10.1.2.3', 51234, '203.0.113.7', 'bash']);
  assert.equal(setuid.dir, '>');
  // No top-level time: the process start time; cri-o:// stripped.
  assert.equal(app.timeUs, Date.UTC(2024, 4, 2, 9, 0, 0) * 1000 + 1);
  assert.deepEqual([app.containerId, app.pod, app.node], ['77aa', 'api-0', 'worker-2']);
  await assert.rejects(collectEvents('tetragon', [EVENTS], { onBadRow: 'fail' }), peregrine('PGN_ERR_BAD_ROW', `${EVENTS}:7`));
});

test('tetragon: pretty-printed, concatenated objects (the older schema) read with their first lines', async () => {
  for (const highWaterMark of [undefined, 3, 50]) {
    const c = await collectEvents('tetragon', [PRETTY], { onBadRow: 'fail', highWaterMark });
    assert.deepEqual(
      c.events.map((e) => [e.source.line, e.syscall, e.dstAddr, e.dstPort, e.containerId]),
      [
        [1, 'connect', '192.0.2.10', 4444, 'aa11bb22cc33dd44ee55ff6677889900aa11bb22cc33dd44ee55ff6677889900'],
        [26, 'listen', '0.0.0.0', 9080, 'aa11bb22cc33dd44ee55ff6677889'],
      ],
    );
    assert.equal(c.events[0].image, 'docker.io/library/busybox:1.36');
  }
});

test('tetragon real data: the testdata export and the 40 book events', async (t) => {
  const dir = sharedPath('event-formats', 'tetragon');
  if (!dir) return t.skip(SKIP_SHARED);
  const c = await collectEvents('tetragon', [dir], { onBadRow: 'fail' });
  assert.equal(c.files.length, 41);
  assert.equal(c.stats.events, 43);
  const kinds: Record<string, number> = {};
  for (const e of c.events) kinds[e.syscall] = (kinds[e.syscall] ?? 0) + 1;
  assert.deepEqual(kinds, { execve: 21, exit: 9, connect: 5, close: 4, listen: 2, read: 1, write: 1 });
  const read = c.events.find((e) => e.syscall === 'read');
  // The older schema's kprobe paths lack the leading slash; it is restored.
  assert.equal(read?.fd, '/usr/share/elasticsearch/config/elasticsearch.keystore');
  const first = c.events.find((e) => e.source.file.endsWith('testdata_events.jsonl'));
  assert.deepEqual([first?.process, first?.pod, first?.containerId.length], ['netserver', 'tiefighter', 64]);
});
