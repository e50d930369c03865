import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { fixture } from '../../../testing/paths.js';
import { peregrine } from '../../testing.js';
import { collectEvents, sharedPath, SKIP_SHARED } from '../testing.js';
import { I386_SYSCALLS, i386Name } from './i386.js';
import { adfaLabel } from './index.js';

const DIR = fixture('events', 'adfa');

test('adfa: the i386 syscall table (spot checks against unistd_32.h)', () => {
  const known: [number, string][] = [
    [0, 'restart_syscall'], [1, 'exit'], [2, 'fork'], [3, 'read'], [4, 'write'], [5, 'open'], [6, 'close'], [11, 'execve'],
    [33, 'access'], [45, 'brk'], [54, 'ioctl'], [63, 'dup2'], [78, 'gettimeofday'], [90, 'mmap'], [91, 'munmap'],
    [102, 'socketcall'], [114, 'wait4'], [120, 'clone'], [122, 'uname'], [125, 'mprotect'], [142, '_newselect'],
    [162, 'nanosleep'], [168, 'poll'], [174, 'rt_sigaction'], [175, 'rt_sigprocmask'], [183, 'getcwd'], [190, 'vfork'],
    [192, 'mmap2'], [195, 'stat64'], [196, 'lstat64'], [197, 'fstat64'], [199, 'getuid32'], [213, 'setuid32'],
    [220, 'getdents64'], [221, 'fcntl64'], [224, 'gettid'], [240, 'futex'], [243, 'set_thread_area'], [252, 'exit_group'],
    [258, 'set_tid_address'], [265, 'clock_gettime'], [270, 'tgkill'], [295, 'openat'], [311, 'set_robust_list'],
    [340, 'prlimit64'], [346, 'setns'], [350, 'finit_module'], [358, 'execveat'], [359, 'socket'], [362, 'connect'],
    [364, 'accept4'], [383, 'statx'], [435, 'clone3'], [437, 'openat2'],
  ];
  for (const [n, name] of known) assert.equal(i386Name(n), name, `syscall ${n}`);
  assert.equal(I386_SYSCALLS.length, 440);
  assert.equal(i386Name(222), 'sys_222');
  assert.equal(i386Name(9999), 'sys_9999');
  assert.equal(new Set(I386_SYSCALLS).size, I386_SYSCALLS.length);
});

test('adfa: labels and classes come from the folders', () => {
  assert.deepEqual(adfaLabel('/d/ADFA-LD/Training_Data_Master/UTD-0001.txt'), { label: 0, attackClass: 'benign' });
  assert.deepEqual(adfaLabel('/d/Attack_Data_Master/Hydra_FTP_10/UAD-Hydra-FTP-10-1.txt'), { label: 1, attackClass: 'Hydra_FTP' });
  assert.deepEqual(adfaLabel('Attack_Data_Master/Web_Shell_3/x.txt'), { label: 1, attackClass: 'Web_Shell' });
  assert.deepEqual(adfaLabel('Attack_Data_Master/x.txt'), { label: 1, attackClass: 'attack' });
});

test('adfa: traces of the fixture folders, a bad token reported with its line', async () => {
  const c = await collectEvents('adfa-ld', [DIR]);
  assert.equal(c.files.length, 4);
  const byTrace = new Map<string, string[]>();
  for (const e of c.events) byTrace.set(e.containerId, [...(byTrace.get(e.containerId) ?? []), e.syscall]);
  assert.deepEqual([...byTrace.keys()], ['attack-adduser', 'attack-hydra-ftp', 'train-normal', 'validation-normal']);
  assert.deepEqual(byTrace.get('train-normal'), [
    'socketcall', 'execve', 'close', 'open', 'write', 'read', 'mmap2', 'stat64', 'close', 'clone', 'pipe', 'close', 'dup2', 'close', 'close',
  ]);
  assert.deepEqual(byTrace.get('attack-adduser'), ['open', 'read', 'close', 'setuid32', 'execve']);
  assert.deepEqual(byTrace.get('validation-normal'), ['read', 'write', 'close', 'futex', 'clock_gettime']);
  const uvd = c.events.filter((e) => e.containerId === 'validation-normal');
  assert.deepEqual(uvd.map((e) => [e.timeUs, e.source.line]), [[0, 1], [1, 1], [2, 1], [3, 2], [4, 2]]);
  assert.deepEqual(c.stats.badRows.map((b) => [b.line, b.reason]), [[1, 'not a syscall number: "x5"']]);
  assert.deepEqual(c.stats.classCounts, { Adduser: 5, Hydra_FTP: 6, benign: 20 });
  assert.ok(c.events.every((e) => e.image === 'adfa-ld' && (e.label === 1) === e.containerId.startsWith('attack')));
  const tiny = await collectEvents('adfa-ld', [DIR], { highWaterMark: 2, batchEvents: 3 });
  assert.deepEqual(tiny.events, c.events);
  await assert.rejects(
    collectEvents('adfa-ld', [join(DIR, 'Validation_Data_Master')], { onBadRow: 'fail' }),
    peregrine('PGN_ERR_BAD_ROW', `${join(DIR, 'Validation_Data_Master', 'validation-normal.txt')}:1`),
  );
});

test('adfa real data: Training (833 traces) and the four attack classes', async (t) => {
  const training = sharedPath('adfa-ld', 'Training_Data_Master');
  const attack = sharedPath('adfa-ld', 'Attack_Data_Master');
  if (!training || !attack) return t.skip(SKIP_SHARED);
  const tr = await collectEvents('adfa-ld', [training], { onBadRow: 'fail' });
  assert.equal(tr.files.length, 833);
  assert.equal(tr.stats.events, 308077);
  assert.deepEqual(tr.stats.classCounts, { benign: 308077 });
  const counts = new Map<string, number>();
  for (const e of tr.events) counts.set(e.syscall, (counts.get(e.syscall) ?? 0) + 1);
  const top = [...counts].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([s]) => s);
  assert.deepEqual(top, ['read', 'write', 'close', 'open', 'stat64']);
  assert.ok(![...counts.keys()].some((s) => s.startsWith('sys_')), 'every number used maps to a name');
  const at = await collectEvents('adfa-ld', [attack], { onBadRow: 'fail' });
  assert.equal(at.files.length, 504);
  assert.deepEqual(at.stats.classCounts, { Adduser: 41933, Hydra_FTP: 50733, Hydra_SSH: 72359, Meterpreter: 34937 });
});
