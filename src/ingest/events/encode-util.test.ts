import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { encodeFalcoEvent } from './falco/encode.js';
import { encodeEvent, parseNdjsonEvent } from './ndjson/index.js';
import { jsonString } from './encode-util.js';
import { blankEvent } from './types.js';

test('jsonString is JSON.stringify for every string (fast path for plain ASCII)', () => {
  fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => jsonString(s) === JSON.stringify(s)), { numRuns: 2000 });
  for (const s of ['', 'nginx', 'a"b', 'a\\b', 'tab\there', '\u007f', 'é', '🚀', '\u2028', '\ud800']) assert.equal(jsonString(s), JSON.stringify(s), s);
});

test('encoders return lines that decode back to the event, for any field text', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary' }), fc.string(), fc.integer({ min: 0, max: 2 ** 40 }), (proc, fd, t) => {
      const e = Object.assign(blankEvent('-', 1), { timeUs: t, containerId: 'c1', syscall: 'openat', process: proc, fd });
      const back = parseNdjsonEvent(encodeEvent(e));
      assert.equal(back.process, proc);
      assert.equal(back.fd, fd);
      assert.equal(back.timeUs, t);
      JSON.parse(encodeFalcoEvent(e));
    }),
    { numRuns: 500 },
  );
});
