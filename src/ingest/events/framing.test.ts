/** Framing (lines, JSON records), field conversions and reading rules shared by every event decoder. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { isPeregrineError } from '../../core/errors.js';
import { tmpDir, peregrine } from '../testing.js';
import { nsTextToUs, parseIsoUs, parseRet, parseTuple } from './fields.js';
import { JsonRecordSplitter, LineSplitter } from './text.js';
import { collectEvents } from './testing.js';
import { encodeEvents } from './ndjson/index.js';
import { blankEvent } from './types.js';
import { EVENT_FORMATS, openEvents } from './index.js';

interface Framed {
  records: [number, string][];
  bad: [number, string][];
  tooLong: number[];
}

function frame(text: string, chunk: number, max = 1000): Framed {
  const out: Framed = { records: [], bad: [], tooLong: [] };
  const s = new JsonRecordSplitter(
    max,
    (t, l) => out.records.push([l, t]),
    (l, r) => out.bad.push([l, r]),
    (l) => out.tooLong.push(l),
  );
  for (let i = 0; i < text.length; i += chunk) s.push(text.slice(i, i + chunk));
  s.end();
  return out;
}

test('framing: JSON records one per line, in an array, pretty-printed or concatenated, at any chunking', () => {
  const lines = '{"a":1}\r\n\n  {"b":"}"}\n{"c":[1,{"d":2}]}';
  const array = '[\n {"a":1},\n {"b":\n  "x\\"}"},\n [1]\n]\n';
  const pretty = '{\n "a": {"b": "{"}\n}{"c":\n2}\n\n{"d":3}\n';
  for (const chunk of [1, 2, 5, 1000]) {
    assert.deepEqual(frame(lines, chunk).records, [
      [1, '{"a":1}'],
      [3, '  {"b":"}"}'],
      [4, '{"c":[1,{"d":2}]}'],
    ]);
    assert.deepEqual(frame(array, chunk).records, [
      [2, '{"a":1}'],
      [3, '{"b":\n  "x\\"}"}'],
      [5, '[1]'],
    ]);
    // A broken first line does not switch a JSON-lines file to document framing.
    assert.deepEqual(frame('{"a":\n{"b":1}\n', chunk).records, [
      [1, '{"a":'],
      [2, '{"b":1}'],
    ]);
    assert.deepEqual(frame(pretty, chunk).records, [
      [1, '{\n "a": {"b": "{"}\n}'],
      [3, '{"c":\n2}'],
      [6, '{"d":3}'],
    ]);
  }
});

test('framing: garbage between records, unclosed records and over-long records are reported and skipped', () => {
  const f = frame('{\n"a":1}\nnot json here {"x":1}\n{"b":2}\n{"c":', 3);
  assert.deepEqual(f.records, [
    [1, '{\n"a":1}'],
    [4, '{"b":2}'],
  ]);
  assert.deepEqual(f.bad, [
    [3, 'unexpected "n" outside a JSON object'],
    [5, 'JSON record not closed at the end of the input'],
  ]);
  const long = frame(`{\n"a":"${'x'.repeat(50)}"}\n{"b":1}\n`, 4, 20);
  assert.deepEqual(long.tooLong, [1]);
  assert.deepEqual(long.records, [[3, '{"b":1}']]);
  const longLines = frame(`{"a":1}\n{"a":"${'y'.repeat(50)}"}\n{"b":1}\n`, 4, 20);
  assert.deepEqual(longLines.tooLong, [2]);
  assert.deepEqual(
    longLines.records.map((r) => r[0]),
    [1, 3],
  );
});

test('framing: lines split on LF and CRLF; the last line needs no newline', () => {
  const got: [number, string][] = [];
  const s = new LineSplitter(100, (t, l) => got.push([l, t]), () => assert.fail('too long'));
  for (const c of ['a\r', '\nb\n\nc', 'd']) s.push(c);
  s.end();
  assert.deepEqual(got, [
    [1, 'a'],
    [2, 'b'],
    [3, ''],
    [4, 'cd'],
  ]);
});

test('fields: ISO times to microseconds, nanosecond integers, return values, socket tuples', () => {
  const base = Date.UTC(2024, 4, 2, 9, 15, 31) * 1000;
  assert.equal(parseIsoUs('2024-05-02T09:15:31Z'), base);
  assert.equal(parseIsoUs('2024-05-02T09:15:31.5Z'), base + 500000);
  assert.ok(Math.abs(parseIsoUs('2024-05-02T09:15:31.123456789Z') - (base + 123456.789)) < 0.3);
  // same minute through the cache, then an offset time of the same minute
  assert.equal(parseIsoUs('2024-05-02T09:15:59.000001Z'), base + 28e6 + 1);
  assert.equal(parseIsoUs('2024-05-02T09:15:31+02:00'), base - 2 * 3600e6);
  assert.equal(parseIsoUs('2024-05-02T09:15:31.25-0130'), base + 1.5 * 3600e6 + 250000);
  assert.equal(parseIsoUs('2024-05-02 09:15:31Z'), base);
  for (const bad of ['', 'yesterday', '2024-05-02T09:15:31.Z', '2024-13-02T09:15:31Z', '2024-05-02T09:15:31X', '2024-05-02T09:15:3aZ']) {
    assert.ok(Number.isNaN(parseIsoUs(bad)), bad);
  }
  assert.equal(nsTextToUs('1714641336000002345'), 1714641336000002 + 0.345);
  assert.equal(nsTextToUs('1500'), 1.5);
  assert.ok(Number.isNaN(nsTextToUs('12ab')));
  assert.deepEqual(['SUCCESS', 'ENOENT', 'EWHATEVER', '-2(ENOENT)', '12(<f>/x)', '0', '7F52', '-x', 'zz'].map(parseRet), [0, -2, -1, -2, 12, 0, 0x7f52, NaN, NaN]);
  assert.deepEqual(parseTuple('::1:5000->fe80::2:443'), { srcAddr: '::1', srcPort: 5000, dstAddr: 'fe80::2', dstPort: 443 });
  assert.equal(parseTuple('/var/run/docker.sock'), null);
  assert.equal(parseTuple('a:1->b:99999'), null);
});

test('reading: multi-byte UTF-8 split across reads, BOM, and attacker-chosen class names stay data', async () => {
  const dir = await tmpDir();
  try {
    const e = Object.assign(blankEvent('-', 1), { timeUs: 1, syscall: 'openat', process: 'nginx-é🚀', fd: '/tmp/файл', label: 1 as const, attackClass: '__proto__' });
    const f = await dir.file('u.ndjson', '\uFEFF' + encodeEvents([e, { ...e, attackClass: 'constructor' }]));
    for (const highWaterMark of [1, 3, 64]) {
      const c = await collectEvents('ndjson', [f], { highWaterMark, onBadRow: 'fail' });
      assert.deepEqual([c.events[0].process, c.events[0].fd], ['nginx-é🚀', '/tmp/файл']);
      assert.deepEqual(Object.entries(c.stats.classCounts), [
        ['__proto__', 1],
        ['constructor', 1],
      ]);
    }
  } finally {
    await dir.remove();
  }
});

test('reading: missing paths, empty folders and bad options fail with the documented codes', async () => {
  const dir = await tmpDir();
  try {
    await assert.rejects(openEvents('falco', [`${dir.path}/nope.json`], { onBadRow: 'fail' }), peregrine('PGN_ERR_FILE_NOT_FOUND'));
    await assert.rejects(openEvents('lidds', [dir.path], { onBadRow: 'fail' }), peregrine('PGN_ERR_EMPTY_INPUT'));
    await assert.rejects(openEvents('falco', [], { onBadRow: 'fail' }), peregrine('PGN_ERR_USAGE'));
    await assert.rejects(openEvents('falco', ['-', '-'], { onBadRow: 'fail' }), peregrine('PGN_ERR_USAGE'));
    await assert.rejects(openEvents('nope', ['-'], { onBadRow: 'fail' }), peregrine('PGN_ERR_UNKNOWN_COMPONENT'));
    await assert.rejects(openEvents('falco', ['-'], { onBadRow: 'fail', batchEvents: 0 }), peregrine('PGN_ERR_BAD_PARAM', 'batchEvents'));
  } finally {
    await dir.remove();
  }
});

test('property: arbitrary file bytes end in batches or a PeregrineError, for every event format and policy', async () => {
  const dir = await tmpDir();
  const bytes = fc.oneof(
    fc.uint8Array({ maxLength: 300 }),
    fc.array(fc.constantFrom(...Buffer.from('{}[]":,\\\n\r 0123456789-.eE<>=()tnfalsuxyz/é')), { maxLength: 300 }).map((a) => Uint8Array.from(a)),
    fc.array(fc.constantFrom(...Buffer.from('1631078867467701544 33 2 apache2 2 open < > fd=3(<f>/etc/x) res=-2(ENOENT)\n')), { maxLength: 300 }).map((a) => Uint8Array.from(a)),
  );
  try {
    await fc.assert(
      fc.asyncProperty(
        bytes,
        fc.constantFrom(...EVENT_FORMATS),
        fc.constantFrom('skip' as const, 'fail' as const),
        fc.constantFrom('json' as const, 'scan' as const),
        async (data, format, onBadRow, parser) => {
          const f = await dir.file('x.sc', Buffer.from(data));
          try {
            const src = await openEvents(format, [f], { onBadRow, parser, highWaterMark: 16, maxRecordBytes: 120, batchEvents: 3 });
            let n = 0;
            for await (const b of src.batches()) n += b.events.length;
            assert.equal(n, src.stats.events);
          } catch (e) {
            assert.ok(isPeregrineError(e), `not a PeregrineError: ${String(e)}`);
          }
        },
      ),
      { numRuns: 300 },
    );
  } finally {
    await dir.remove();
  }
});
