import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { isMissingToken, parseDecimalString } from './number.js';

const missing = (s: string): boolean => {
  const b = Buffer.from(s);
  return isMissingToken(b, 0, b.length);
};

test('parseDecimal: decimal grammar, same value as Number()', () => {
  for (const s of ['0', '-0', '+5', '007', '1.', '.5', '3.25', '-2.5e-3', '1E5', '47.40464112299554', '39.888888888888886', '4.58E8', ' 12 ', '1e400', '123456789012345678901234567890']) {
    assert.ok(Object.is(parseDecimalString(s), Number(s)), s);
  }
  for (const s of ['', ' ', '-', '.', 'e5', '1e', '1e+', '0x10', '1,5', '1 2', 'abc', 'NaN', 'Infinity', '1.2.3', '--1']) {
    assert.ok(Number.isNaN(parseDecimalString(s)), s);
  }
});

test('isMissingToken: empty, NaN, Infinity, inf in any case and sign; nothing else', () => {
  for (const s of ['', '  ', 'NaN', 'nan', 'Infinity', '-Infinity', '+infinity', 'inf', '-INF']) assert.ok(missing(s), s);
  for (const s of ['abc', 'infinit', 'nana', '0', '-', 'null']) assert.ok(!missing(s), s);
});

test('property: every finite double round-trips through its shortest, exponential and fixed forms', () => {
  fc.assert(
    fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
      for (const s of [String(x), x.toExponential(), x.toExponential(5)]) assert.ok(Object.is(parseDecimalString(s), Number(s)), s);
    }),
    { numRuns: 3000 },
  );
});

test('property: arbitrary digit strings parse exactly like Number()', () => {
  const digits = fc.string({ unit: fc.constantFrom('0', '1', '5', '9'), minLength: 1, maxLength: 25 });
  const text = fc
    .tuple(fc.constantFrom('', '-', '+'), digits, fc.option(digits), fc.option(fc.integer({ min: -330, max: 330 })))
    .map(([sign, int, frac, exp]) => `${sign}${int}${frac === null ? '' : `.${frac}`}${exp === null ? '' : `e${exp}`}`);
  fc.assert(
    fc.property(text, (s) => {
      const want = Number(s);
      const got = parseDecimalString(s);
      assert.ok(Object.is(got, want), `${s}: ${got} !== ${want}`);
    }),
    { numRuns: 3000 },
  );
});
