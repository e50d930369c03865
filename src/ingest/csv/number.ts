/**
 * Decimal parsing straight from the bytes of a field, so numeric cells never become strings. The fast path is
 * Clinger's: a mantissa below 2^53 scaled by an exact power of ten <= 1e22 is one correctly rounded operation, so it
 * equals Number(text). Longer mantissas (17-digit doubles from Java's toString) fall back to Number() on the text,
 * which the grammar check below has already validated.
 */

const POW10 = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];
const TWO53 = 9007199254740992;

/**
 * Parses `b[s, e)` as a decimal number: optional spaces, sign, digits with an optional fraction and exponent.
 * Returns NaN when the text is not such a number (including NaN / Infinity tokens: see isMissingToken) and
 * +-Infinity when it overflows a double.
 */
export function parseDecimal(b: Uint8Array, s: number, e: number): number {
  while (s < e && b[s] === 32) s++;
  while (e > s && b[e - 1] === 32) e--;
  const s0 = s;
  if (s >= e) return NaN;
  let c = b[s];
  let neg = false;
  if (c === 45) {
    neg = true;
    s++;
  } else if (c === 43) s++;
  let m = 0;
  let p = s;
  while (p < e) {
    c = b[p] - 48;
    if (c < 0 || c > 9) break;
    m = m * 10 + c;
    p++;
  }
  let digits = p - s;
  let scale = 0;
  if (p < e && b[p] === 46) {
    p++;
    const f0 = p;
    while (p < e) {
      c = b[p] - 48;
      if (c < 0 || c > 9) break;
      m = m * 10 + c;
      p++;
    }
    scale = f0 - p;
    digits += p - f0;
  }
  if (digits === 0) return NaN;
  if (p < e && (b[p] | 32) === 101) {
    p++;
    let eneg = false;
    if (p < e && (b[p] === 45 || b[p] === 43)) {
      eneg = b[p] === 45;
      p++;
    }
    const x0 = p;
    let x = 0;
    while (p < e) {
      c = b[p] - 48;
      if (c < 0 || c > 9) break;
      if (x < 100000) x = x * 10 + c;
      p++;
    }
    if (p === x0) return NaN;
    scale += eneg ? -x : x;
  }
  if (p !== e) return NaN;
  if (m < TWO53) {
    if (m === 0) return neg ? -0 : 0;
    if (scale === 0) return neg ? -m : m;
    if (scale < 0 && scale >= -22) return neg ? -(m / POW10[-scale]) : m / POW10[-scale];
    if (scale > 0 && scale <= 22) return neg ? -(m * POW10[scale]) : m * POW10[scale];
  }
  return Number(latin1(b, s0, e));
}

/** Buffer's native slice decoders skip toString's argument handling (measured ~10-40 ns per call). */
interface SliceDecoders {
  latin1Slice?: (start: number, end: number) => string;
  utf8Slice?: (start: number, end: number) => string;
}
const proto = Buffer.prototype as unknown as SliceDecoders;
const fastLatin1 = typeof proto.latin1Slice === 'function';
const fastUtf8 = typeof proto.utf8Slice === 'function';

export function latin1(b: Uint8Array, s: number, e: number): string {
  if (fastLatin1 && b instanceof Buffer) return (b as unknown as Required<SliceDecoders>).latin1Slice(s, e);
  return Buffer.from(b.buffer, b.byteOffset + s, e - s).toString('latin1');
}

export function utf8(b: Buffer, s: number, e: number): string {
  if (fastUtf8) return (b as unknown as Required<SliceDecoders>).utf8Slice(s, e);
  return b.toString('utf8', s, e);
}

/**
 * True for the cells that mean "no finite value": empty, NaN, Infinity, inf (any case, optional sign), all counted
 * as non-finite and stored as NaN. Any other non-numeric text is a bad row.
 */
export function isMissingToken(b: Uint8Array, s: number, e: number): boolean {
  while (s < e && b[s] === 32) s++;
  while (e > s && b[e - 1] === 32) e--;
  if (s === e) return true;
  if (b[s] === 45 || b[s] === 43) s++;
  const n = e - s;
  if (n !== 3 && n !== 8) return false;
  let word = '';
  for (let i = s; i < e; i++) word += String.fromCharCode(b[i] | 32);
  return word === 'nan' || word === 'inf' || word === 'infinity';
}

/** String convenience for tests and small inputs: the same rules as parseDecimal on the UTF-8 bytes. */
export function parseDecimalString(text: string): number {
  const b = Buffer.from(text, 'utf8');
  return parseDecimal(b, 0, b.length);
}
