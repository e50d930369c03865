/**
 * Helpers of the event encoders (compact NDJSON, Falco lines). Encoded lines are kept for minutes by the forensic
 * publisher's cache, so they must be flat strings: a line built by `+=` is a rope of ~20 nodes (about 5x the
 * memory of its characters, and garbage collection work for as long as it lives).
 */

/** Anything JSON.stringify would escape (quote, backslash, control characters) or a non-ASCII character. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what JSON must escape
const NEEDS_ESCAPE = /["\\\u0000-\u001f\u007f-\uffff]/;

/** A JSON string literal: plain ASCII text (nearly every field) is quoted as is, the rest by JSON.stringify. */
export function jsonString(s: string): string {
  return NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : '"' + s + '"';
}

/** The string as one flat sequence of characters (V8 flattens a rope in place when one character is read). */
export function flat(s: string): string {
  s.charCodeAt(s.length - 1);
  return s;
}
