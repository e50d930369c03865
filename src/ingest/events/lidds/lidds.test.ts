import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { fixture } from '../../../testing/paths.js';
import { peregrine } from '../../testing.js';
import { collectEvents, sharedPath, SKIP_SHARED } from '../testing.js';
import { parseScLine } from './sc.js';

const SC = fixture('events', 'lidds', 'sample_1.sc');
const RES = fixture('events', 'lidds', 'sample_1.res');

test('lidds: one .sc line parses by its direction token (names with spaces too)', () => {
  const l = parseScLine('1631078867467701544 33 2902774 apache2 2902774 accept < fd=12(<4t>192.168.240.3:50140->192.168.240.21:443) queuepct=0');
  assert.equal(l.timeUs, 1631078867467701 + 0.544);
  assert.deepEqual([l.uid, l.pid, l.process, l.tid, l.syscall, l.dir, l.ret], [33, 2902774, 'apache2', 2902774, 'accept', '<', 12]);
  assert.deepEqual(l.tuple, { srcAddr: '192.168.240.3', srcPort: 50140, dstAddr: '192.168.240.21', dstPort: 443 });
  const spaced = parseScLine('1 0 7 my worker 8 open < fd=-13(EACCES) name=/etc/shadow');
  assert.deepEqual([spaced.process, spaced.tid, spaced.ret, spaced.path], ['my worker', 8, -13, '/etc/shadow']);
  assert.equal(parseScLine('5 0 1 x 1 mmap < res=7F5246360000 vm_size=1').ret, 0x7f5246360000);
  for (const bad of ['', 'hello', '12 0 1 x 1 read', 'x 0 1 p 1 read <', '12 a 1 p 1 read <']) assert.throws(() => parseScLine(bad), (e) => !(e instanceof Error));
});

test('lidds: entry and exit merge per thread; labels from the exploit time; resources interleave', async () => {
  const c = await collectEvents('lidds', [SC], { batchEvents: 2 });
  assert.deepEqual(
    c.events.map((e) => [e.source.line, e.syscall, e.dir, e.ret, e.fd, e.dstPort, e.label]),
    [
      [2, 'accept', '<', 12, '10.0.0.5:51000->10.0.0.9:443', 443, 0],
      [4, 'read', '<', 120, '10.0.0.5:51000->10.0.0.9:443', 443, 0],
      [6, 'open', '<', -2, '/var/www/.htpasswd', -1, 0],
      [9, 'clone', '<', 102, '/usr/sbin/apache2', -1, 0],
      [11, 'execve', '<', 0, '/bin/sh', -1, 1],
      [12, 'open', '<', 3, '/etc/shadow', -1, 1],
      [13, 'setuid', '>', NaN, '', -1, 1],
    ],
  );
  assert.ok(c.events.every((e) => e.containerId === 'victim0001' && e.image === 'victim_demo'));
  assert.deepEqual(c.stats.classCounts, { benign: 4, victim_demo: 3 });
  assert.deepEqual(
    c.stats.badRows.map((b) => [b.file, b.line]),
    [
      [RES, 5],
      [SC, 7],
    ],
  );
  assert.equal(c.stats.rowsRead, 12);
  assert.deepEqual(
    c.resources.map((r) => [r.timeUs, r.cpu, r.memoryBytes, r.storageReadBytes, r.storageWrittenBytes]),
    [
      [1699999999.5e6, 0.1, 1e6, NaN, 0],
      [1700000001e6, 0.3, 1.2e6, NaN, 10],
      [1700000006e6, 0.5, 1.1e6, NaN, 0],
    ],
  );
  // Each batch carries the samples up to its last event; the ones after the last event come last.
  for (const b of c.batches.slice(0, -1)) {
    const last = b.events.length > 0 ? b.events[b.events.length - 1].timeUs : Infinity;
    assert.ok(b.resources.every((r) => r.timeUs <= last));
  }
  assert.deepEqual(c.batches[c.batches.length - 1].resources.map((r) => r.timeUs), [1700000006e6]);
  await assert.rejects(collectEvents('lidds', [SC], { onBadRow: 'fail' }), peregrine('PGN_ERR_BAD_ROW', `${RES}:5`));
});

test('lidds real data: the brute-force recording with its metadata and resource stats', async (t) => {
  const dir = sharedPath('lid-ds-sample');
  if (!dir) return t.skip(SKIP_SHARED);
  const c = await collectEvents('lidds', [dir], { onBadRow: 'fail' });
  assert.equal(c.stats.rowsRead, 23468);
  assert.equal(c.stats.rowsSkipped, 0);
  assert.equal(c.events.length, 11741);
  assert.deepEqual(c.stats.classCounts, { benign: 3107, victim_bruteforce: 8634 });
  assert.equal(c.resources.length, 18);
  assert.ok(c.events.every((e) => e.containerId === '06cfe25a36bff1e1' && e.image === 'victim_bruteforce'));
  const firstAttack = c.events.find((e) => e.label === 1);
  assert.ok(firstAttack && firstAttack.timeUs >= 1631078877513988 - 1);
  const accepts = c.events.filter((e) => e.syscall === 'accept');
  assert.equal(accepts.length, 303);
  assert.ok(accepts.every((e) => e.dstPort === 443 && e.ret >= 0));
  const c2 = await collectEvents('lidds', [join(dir, 'aggressive_nightingale_1018.sc')], { highWaterMark: 4093 });
  assert.deepEqual(c2.events, c.events);
});
