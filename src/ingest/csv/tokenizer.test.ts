import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { PeregrineError, isPeregrineError } from '../../core/errors.js';
import { tokenize, writeCsv } from '../testing.js';
import { CsvTokenizer } from './tokenizer.js';

const enc = (s: string): Buffer => Buffer.from(s, 'utf8');

test('tokenizer: plain rows, CRLF and LF, empty fields, trailing row without newline', () => {
  const t = tokenize(enc('a,b,c\r\n1,,3\n\n4,5,6'), 1 << 20);
  assert.deepEqual(t.rows, [['a', 'b', 'c'], ['1', '', '3'], ['4', '5', '6']]);
  assert.deepEqual(t.lines, [1, 2, 4]);
  assert.deepEqual(t.bad, []);
});

test('tokenizer: RFC 4180 quoting with commas, doubled quotes and newlines; lines are physical', () => {
  const text = 'id,text\r\n1,"a, b"\r\n2,"say ""hi"""\r\n3,"two\r\nlines\nthree"\r\n4,x"y\r\n';
  for (const chunk of [1, 2, 3, 7, 1 << 20]) {
    const t = tokenize(enc(text), chunk);
    assert.deepEqual(t.rows, [['id', 'text'], ['1', 'a, b'], ['2', 'say "hi"'], ['3', 'two\r\nlines\nthree'], ['4', 'x"y']], `chunk ${chunk}`);
    assert.deepEqual(t.lines, [1, 2, 3, 4, 7], `chunk ${chunk}`);
  }
});

test('tokenizer: a UTF-8 BOM is dropped, also when split across chunks; multi-byte text survives any split', () => {
  const text = '\uFEFFnom,ville\nJosé,Zürich 🚀\n';
  for (const chunk of [1, 2, 3, 4, 5, 64]) {
    const t = tokenize(enc(text), chunk);
    assert.deepEqual(t.rows, [['nom', 'ville'], ['José', 'Zürich 🚀']], `chunk ${chunk}`);
  }
  // Only a leading BOM is special.
  assert.deepEqual(tokenize(enc('a\n\uFEFFb\n'), 1).rows, [['a'], ['\uFEFFb']]);
});

test('tokenizer: malformed quoting is a bad row and reading resumes on the next line', () => {
  const t = tokenize(enc('a,b\n"x"y,1\nc,d\n"open,2\n'), 3);
  assert.deepEqual(t.rows, [['a', 'b'], ['c', 'd']]);
  assert.deepEqual(
    t.bad.map((b) => [b.line, b.code]),
    [
      [2, 'PGN_ERR_BAD_ROW'],
      [4, 'PGN_ERR_BAD_ROW'],
    ],
  );
  assert.match(t.bad[0].reason, /after a closing quote/);
  assert.match(t.bad[1].reason, /unterminated/);
});

test('tokenizer: over-long fields and rows are reported with their line, then skipped', () => {
  const long = 'x'.repeat(5000);
  const t = tokenize(enc(`a,b\n1,${long}\n2,"${long}"\n3,ok\n`), 64, { maxFieldBytes: 1000 });
  assert.deepEqual(t.rows, [['a', 'b'], ['3', 'ok']]);
  assert.deepEqual(t.bad.map((b) => [b.line, b.code]), [
    [2, 'PGN_ERR_FIELD_TOO_LONG'],
    [3, 'PGN_ERR_FIELD_TOO_LONG'],
  ]);
  // A row that never ends (unclosed quote) is cut at the row limit; the next physical line is read again.
  const open = tokenize(enc(`a\n"${'y'.repeat(3000)}\nb\nc\n`), 100, { maxFieldBytes: 1000, maxRowBytes: 2000 });
  assert.deepEqual(open.rows, [['a'], ['b'], ['c']]);
  assert.deepEqual(open.bad.map((b) => b.line), [2]);
  // Without any newline at all, the rest of the line is discarded until one arrives.
  const flat = tokenize(enc(`a\n${'z'.repeat(5000)}\nb\n`), 100, { maxRowBytes: 1000, maxFieldBytes: 1000 });
  assert.deepEqual(flat.rows, [['a'], ['b']]);
  assert.deepEqual(flat.lines, [1, 3]);
});

test('tokenizer: onBad may throw to stop (fail mode)', () => {
  const tok = new CsvTokenizer({
    onRow: () => undefined,
    onBad: (line, reason) => {
      throw new PeregrineError('PGN_ERR_BAD_ROW', reason, { where: `f:${line}` });
    },
  });
  assert.throws(() => {
    tok.push(enc('ok\n"bad"x\n'));
    tok.end();
  }, /closing quote/);
});

const cell = fc.string({
  unit: fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(',', '"', '\r', '\n', '\r\n', ' ', 'a', 'é', '😀', '\uFEFF') },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 3 }) },
  ),
  maxLength: 8,
});
const table = fc.array(fc.array(cell, { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 8 });

test('property: RFC 4180 write -> tokenize gives the table back, for any chunk size and line ending', () => {
  fc.assert(
    fc.property(table, fc.integer({ min: 1, max: 40 }), fc.constantFrom('\n', '\r\n'), (rows, chunk, eol) => {
      const t = tokenize(enc(writeCsv(rows, eol)), chunk);
      assert.deepEqual(t.bad, []);
      assert.deepEqual(t.rows, rows);
    }),
    { numRuns: 400 },
  );
});

test('property: arbitrary bytes end with rows or PeregrineErrors only, whatever the chunking', () => {
  const bytes = fc.oneof(
    fc.uint8Array({ maxLength: 300 }),
    fc.array(fc.constantFrom(0x22, 0x2c, 0x0a, 0x0d, 0x61, 0xef, 0xbb, 0xbf, 0xc3, 0xa9), { maxLength: 300 }).map((a) => Uint8Array.from(a)),
  );
  fc.assert(
    fc.property(bytes, fc.integer({ min: 1, max: 50 }), fc.boolean(), (data, chunk, fail) => {
      let rows = 0;
      const tok = new CsvTokenizer({
        maxFieldBytes: 40,
        maxRowBytes: 80,
        onRow: (row) => {
          rows++;
          assert.ok(row.count >= 1 && row.line >= 1);
        },
        onBad: (line, reason, code) => {
          if (fail) throw new PeregrineError(code, reason, { where: `x:${line}` });
        },
      });
      try {
        for (let i = 0; i < data.length; i += chunk) tok.push(Buffer.from(data.subarray(i, i + chunk)));
        tok.end();
      } catch (e) {
        assert.ok(isPeregrineError(e), `unexpected ${String(e)}`);
      }
      assert.ok(rows <= data.length + 1);
    }),
    { numRuns: 500 },
  );
});
