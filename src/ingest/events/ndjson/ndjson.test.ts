import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import fc from 'fast-check';
import { isPeregrineError } from '../../../core/errors.js';
import { fixture } from '../../../testing/paths.js';
import { peregrine } from '../../testing.js';
import { collectEvents } from '../testing.js';
import { blankEvent, type SyscallEvent } from '../types.js';
import { encodeEvent, encodeEvents, NDJSON_KEYS, parseNdjsonEvent } from './index.js';

const FILE = fixture('events', 'ndjson', 'events.ndjson');

test('ndjson: the fixture decodes, unknown keys ignored, bad lines counted with their numbers', async () => {
  const c = await collectEvents('ndjson', [FILE]);
  assert.deepEqual(
    c.events.map((e) => [e.source.line, e.syscall]),
    [
      [1, 'accept4'],
      [2, 'openat'],
      [4, 'execve'],
      [6, 'connect'],
    ],
  );
  assert.deepEqual(
    c.stats.badRows.map((b) => [b.line, b.reason]),
    [
      [3, '"t" must be a number'],
      [5, c.stats.badRows[1].reason],
    ],
  );
  assert.match(c.stats.badRows[1].reason, /^invalid JSON/);
  const [acc, open, exec, conn] = c.events;
  assert.deepEqual(
    { ...acc, source: null },
    {
      timeUs: 1700000000000000,
      node: 'worker-1',
      containerId: 'abc123',
      image: 'nginx:1.25',
      pod: 'web-7d9c5b6f4d-x2x4z',
      namespace: 'web',
      process: 'nginx',
      exe: '/usr/sbin/nginx',
      parent: 'containerd-shim',
      pid: 10,
      tid: 10,
      syscall: 'accept4',
      dir: '<',
      ret: 5,
      fd: '10.0.0.5:51000->10.0.0.9:80',
      srcAddr: '10.0.0.5',
      srcPort: 51000,
      dstAddr: '10.0.0.9',
      dstPort: 80,
      label: -1,
      attackClass: '',
      source: null,
    },
  );
  assert.deepEqual([open.ret, open.fd, open.image, open.pid], [-2, '/etc/nginx/missing.conf', '', -1]);
  assert.deepEqual([exec.timeUs, exec.label, exec.attackClass], [1700000001000000.5, 1, 'miner']);
  assert.deepEqual([conn.dstPort, conn.dstAddr], [3333, '198.51.100.7']);
  await assert.rejects(collectEvents('ndjson', [FILE], { onBadRow: 'fail' }), peregrine('PGN_ERR_BAD_ROW', `${FILE}:3`));
  const scan = await collectEvents('ndjson', [FILE], { parser: 'scan', highWaterMark: 5 });
  assert.deepEqual(scan.events, c.events);
});

test('ndjson: reads stdin with --data -', async () => {
  const text = encodeEvents([Object.assign(blankEvent('-', 1), { timeUs: 5, syscall: 'read', containerId: 'c1' })]);
  const c = await collectEvents('ndjson', ['-'], { stdin: Readable.from([Buffer.from(text)]) });
  assert.equal(c.events.length, 1);
  assert.deepEqual([c.events[0].source.file, c.events[0].containerId, c.events[0].syscall], ['-', 'c1', 'read']);
});

const str = fc.string({ maxLength: 10 });
const event: fc.Arbitrary<SyscallEvent> = fc
  .record({
    timeUs: fc.oneof(fc.double({ min: 0, max: 4e15, noNaN: true }), fc.integer({ min: 0, max: 2 ** 52 })).map((t) => t + 0),
    node: str,
    containerId: fc.oneof(fc.constant('host'), fc.string({ minLength: 1, maxLength: 12 })),
    image: str,
    pod: str,
    namespace: str,
    process: str,
    exe: str,
    parent: str,
    pid: fc.integer({ min: -1, max: 4194304 }),
    tid: fc.integer({ min: -1, max: 4194304 }),
    syscall: str,
    dir: fc.constantFrom('', '>', '<'),
    ret: fc.oneof(fc.constant(NaN), fc.integer({ min: -4095, max: 1 << 30 })),
    fd: str,
    srcAddr: str,
    srcPort: fc.integer({ min: -1, max: 65535 }),
    dstAddr: str,
    dstPort: fc.integer({ min: -1, max: 65535 }),
    label: fc.constantFrom(-1, 0, 1),
    attackClass: str,
  })
  .map((r) => ({ ...r, source: { file: '-', line: 1 } }) as SyscallEvent);

test('property: encodeEvent then either parser gives the event back', () => {
  fc.assert(
    fc.property(event, (e) => {
      const line = encodeEvent(e);
      assert.ok(!line.includes('\n'));
      assert.deepEqual(parseNdjsonEvent(line, { parser: 'json' }), e);
      assert.deepEqual(parseNdjsonEvent(line, { parser: 'scan' }), e);
    }),
    { numRuns: 1000 },
  );
});

function outcome(text: string, parser: 'json' | 'scan'): SyscallEvent | 'bad' {
  try {
    return parseNdjsonEvent(text, { parser });
  } catch (e) {
    assert.ok(isPeregrineError(e), `${parser}: not a PeregrineError: ${String(e)} for ${JSON.stringify(text)}`);
    assert.equal(e.code, 'PGN_ERR_BAD_ROW');
    return 'bad';
  }
}

test('property: arbitrary text never throws anything but PGN_ERR_BAD_ROW; valid JSON gets the same answer from both parsers', () => {
  const line = encodeEvent(Object.assign(blankEvent('-', 1), { timeUs: 1.5, syscall: 'openat', fd: '/etc/x', pid: 4, dstPort: 443, ret: -2 }));
  const value = fc.oneof(fc.string({ maxLength: 6 }), fc.integer(), fc.double(), fc.constantFrom(null, true, false, '>', -1, 65536, 1.5), fc.constant([1]), fc.constant({ x: 1 }));
  const obj = fc.dictionary(fc.oneof(fc.constantFrom(...NDJSON_KEYS), fc.string({ maxLength: 3 })), value, { maxKeys: 8 });
  const text = fc.oneof(
    fc.string({ maxLength: 100 }),
    fc.string({ unit: fc.constantFrom('{', '}', '"', '\\', ':', ',', 't', 's', '1', '-', 'e', '.', ' '), maxLength: 60 }),
    fc.tuple(fc.nat(line.length), fc.string({ maxLength: 2 })).map(([i, s]) => line.slice(0, i) + s + line.slice(i + 1)),
  );
  fc.assert(
    fc.property(text, (s) => {
      outcome(s, 'json');
      outcome(s, 'scan');
    }),
    { numRuns: 1500 },
  );
  fc.assert(
    fc.property(obj, (o) => {
      const s = JSON.stringify(o);
      assert.deepEqual(outcome(s, 'scan'), outcome(s, 'json'), s);
    }),
    { numRuns: 1500 },
  );
});
