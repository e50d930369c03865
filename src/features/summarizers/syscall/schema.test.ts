import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AUDITED_BY_CLASS, AUDITED_SYSCALLS, CLASS_ONLY, SYSCALL_ALIASES, SYSCALL_CLASSES, syscallInfo } from './catalog.js';
import { groupKey, normalizeImage, pathClass, portClass, workloadOf } from './classify.js';
import { bigramBucket, fmix32, fnv1a32 } from './hash.js';
import { csvHeader, f32Text, vectorToCsv, vectorToNdjson } from './output.js';
import { FEATURE_COUNT, FEATURE_NAMES, PATH_CLASSES, PORT_CLASSES, SCHEMA_ID } from './schema.js';
import type { ActivityVector } from './summarizer.js';

test('catalog: 72 audited syscalls in ten classes, no duplicates; aliases and class-only calls resolve', () => {
  assert.equal(SYSCALL_CLASSES.length, 10);
  assert.equal(AUDITED_SYSCALLS.length, 72);
  assert.equal(new Set(AUDITED_SYSCALLS).size, 72);
  assert.deepEqual(
    SYSCALL_CLASSES.map((c) => AUDITED_BY_CLASS[c].length),
    [12, 9, 12, 18, 3, 4, 3, 8, 2, 1],
  );
  for (const [alias, base] of Object.entries(SYSCALL_ALIASES)) {
    const info = syscallInfo(alias);
    assert.equal(info.name, base);
    assert.ok(info.cls >= 0, alias);
  }
  for (const [name, cls] of Object.entries(CLASS_ONLY)) {
    assert.ok(!AUDITED_SYSCALLS.includes(name), name);
    assert.deepEqual([syscallInfo(name).audited, SYSCALL_CLASSES[syscallInfo(name).cls]], [-1, cls]);
  }
  assert.deepEqual(syscallInfo('setuid32'), { name: 'setuid', audited: AUDITED_SYSCALLS.indexOf('setuid'), cls: 1 });
  assert.deepEqual(syscallInfo('read'), { name: 'read', audited: -1, cls: -1 });
  assert.deepEqual(syscallInfo('constructor'), { name: 'constructor', audited: -1, cls: -1 });
  assert.deepEqual(syscallInfo('__proto__'), { name: '__proto__', audited: -1, cls: -1 });
});

test('schema v1: 187 unique feature names in a fixed order', () => {
  assert.equal(SCHEMA_ID, 'peregrine.syscall-activity/v1');
  assert.equal(FEATURE_COUNT, 187);
  assert.equal(new Set(FEATURE_NAMES).size, 187);
  assert.deepEqual(FEATURE_NAMES.slice(0, 3), ['sc_execve', 'sc_execveat', 'sc_fork']);
  assert.equal(FEATURE_NAMES[71], 'sc_ioctl');
  assert.equal(FEATURE_NAMES[72], 'class_process');
  assert.deepEqual(FEATURE_NAMES.slice(82, 87), ['events_total', 'events_other', 'proc_distinct', 'exe_distinct', 'exe_unseen']);
  assert.equal(FEATURE_NAMES[FEATURE_COUNT - 1], 'interval_seconds');
  assert.equal(FEATURE_NAMES.filter((n) => n.startsWith('bigram_')).length, 64);
  assert.ok(Object.isFrozen(FEATURE_NAMES));
});

test('hash: FNV-1a test vectors and pinned bigram buckets (changing them breaks every trained model)', () => {
  assert.equal(fnv1a32(''), 0x811c9dc5);
  assert.equal(fnv1a32('a'), 0xe40c292c);
  assert.equal(fnv1a32('foobar'), 0xbf9cf968);
  assert.equal(fmix32(0), 0);
  assert.deepEqual(
    [
      ['execve', 'openat'],
      ['read', 'write'],
      ['openat', 'read'],
      ['connect', 'dup2'],
      ['dup2', 'dup2'],
      ['close', 'read'],
    ].map(([a, b]) => bigramBucket(a, b)),
    [56, 19, 0, 22, 5, 61],
  );
  // Order matters: (a, b) and (b, a) are different bigrams.
  assert.notEqual(bigramBucket('read', 'write'), bigramBucket('write', 'read'));
});

test('classify: ports, paths, images, workloads and groups', () => {
  assert.deepEqual(
    [443, 22, 8080, 5432, 49152, 60000, 4444, 3333, 6667, 0, -1, 70000].map((p) => PORT_CLASSES[portClass(p)]),
    ['wellknown', 'wellknown', 'registered', 'registered', 'ephemeral', 'ephemeral', 'risky', 'risky', 'risky', 'noport', 'noport', 'noport'],
  );
  const paths: [string, string | null][] = [
    ['/etc/passwd', 'etc'],
    ['/etc', 'etc'],
    ['/etcetera/x', 'other'],
    ['/etc/shadow', 'secrets'],
    ['/etc/kubernetes/admin.conf', 'secrets'],
    ['/var/run/secrets/kubernetes.io/serviceaccount/token', 'secrets'],
    ['/run/secrets/db', 'secrets'],
    ['/root/.ssh/authorized_keys', 'secrets'],
    ['/home/u/.kube/config', 'secrets'],
    ['/home/u/id_ed25519.pub', 'secrets'],
    ['/tmp/x', 'tmp'],
    ['/var/tmp/y', 'tmp'],
    ['/dev/shm/xmrig', 'tmp'],
    ['/dev/null', 'other'],
    ['/proc/1/environ', 'proc'],
    ['/sys/fs/cgroup/release_agent', 'proc'],
    ['/usr/bin/curl', 'binusr'],
    ['/bin/sh', 'binusr'],
    ['/sbin/init', 'binusr'],
    ['/lib/x86_64-linux-gnu/libc.so.6', 'binusr'],
    ['/lib64/ld-linux-x86-64.so.2', 'binusr'],
    ['/var/log/app.log', 'other'],
    ['relative/path', null],
    ['10.0.0.1:1->10.0.0.2:2', null],
    ['', null],
  ];
  for (const [p, cls] of paths) assert.equal(pathClass(p) < 0 ? null : PATH_CLASSES[pathClass(p)], cls, p);
  assert.equal(normalizeImage('docker.io/library/nginx:1.25@sha256:abc'), 'nginx');
  assert.equal(normalizeImage('quay.io/isovalent/jobs-app-elasticsearch:latest'), 'quay.io/isovalent/jobs-app-elasticsearch');
  assert.equal(normalizeImage('localhost:5000/app'), 'localhost:5000/app');
  assert.equal(normalizeImage('localhost:5000/app:v2'), 'localhost:5000/app');
  assert.equal(workloadOf('nginx-56c45fd5ff-jcn7k'), 'nginx');
  assert.equal(workloadOf('elasticsearch-56f8fc6988-65smb'), 'elasticsearch');
  assert.equal(workloadOf('fluent-bit-x7kqz'), 'fluent-bit');
  assert.equal(workloadOf('postgres-0'), 'postgres');
  assert.equal(workloadOf('tiefighter'), 'tiefighter');
  assert.equal(groupKey('image', 'c1', 'nginx:1', 'web-6c9f8d7b5c-zk7qp', 'web'), 'nginx');
  assert.equal(groupKey('image', 'c1', '', 'web-6c9f8d7b5c-zk7qp', 'web'), 'web/web');
  assert.equal(groupKey('workload', 'c1', 'nginx:1', 'web-6c9f8d7b5c-zk7qp', 'web'), 'web/web');
  assert.equal(groupKey('image', 'c1', '', '', ''), 'c1');
  assert.equal(groupKey('container', 'c1', 'nginx', 'p', 'n'), 'c1');
});

test('output: NDJSON and CSV rows carry the identity and every feature in schema order', () => {
  const values = new Float32Array(FEATURE_COUNT);
  values[0] = 3;
  values[FEATURE_COUNT - 2] = 0.1;
  const v: ActivityVector = {
    containerId: 'c,1',
    group: 'g"x',
    image: 'nginx',
    pod: 'p',
    namespace: 'n',
    intervalStart: 1.5e15,
    intervalEnd: 1.5e15 + 3e7,
    values,
    eventCount: 3,
    label: 1,
    attackClass: 'miner',
  };
  const o = JSON.parse(vectorToNdjson(v));
  assert.equal(o.schema, SCHEMA_ID);
  assert.deepEqual([o.containerId, o.group, o.intervalStart, o.intervalEnd, o.eventCount, o.label, o.attackClass], ['c,1', 'g"x', 1.5e15, 1.5e15 + 3e7, 3, 1, 'miner']);
  assert.equal(o.values.length, FEATURE_COUNT);
  assert.deepEqual([o.values[0], o.values[FEATURE_COUNT - 2]], [3, 0.1]);
  const header = csvHeader().split(',');
  assert.equal(header.length, 10 + FEATURE_COUNT);
  const row = vectorToCsv(v);
  assert.ok(row.startsWith('"c,1","g""x",nginx,p,n,1500000000000000,1500000030000000,3,1,miner,3,'));
  assert.equal(f32Text(Math.fround(0.1)), '0.1');
  assert.equal(f32Text(Math.fround(1 / 3)), '0.33333334');
  assert.equal(f32Text(12345678), '12345678');
});
