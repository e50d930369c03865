/**
 * Push-based RFC 4180 tokenizer over raw bytes. Rows are reported as field offsets into the current buffer (a
 * reused CsvRow view), so numeric cells can be parsed without creating strings; text is decoded only on demand,
 * from complete fields, which makes UTF-8 correct across chunk boundaries by construction.
 *
 * Rules: `,` separates, LF or CRLF ends a row, a field starting with `"` is quoted (`""` is a quote, commas and
 * newlines inside are data), a quote inside an unquoted field is a literal character (lenient, like most
 * writers expect), a leading UTF-8 BOM is dropped, empty lines are skipped. Line numbers are physical: a row
 * reports the line where it starts and a quoted newline advances the count.
 */

import { utf8 } from './number.js';

export const DEFAULT_MAX_FIELD_BYTES = 1 << 20;

export interface CsvRow {
  /** Buffer the offsets point into; valid only during the onRow call. */
  buf: Buffer;
  /** Number of fields. */
  count: number;
  /** Field i is buf[starts[i], ends[i]) (inside the quotes for quoted fields). */
  starts: Int32Array;
  ends: Int32Array;
  /** Bit 1: the field was quoted; bit 2: it holds doubled quotes to unescape. */
  flags: Uint8Array;
  /** 1-based physical line where the row starts. */
  line: number;
}

export type BadRowCode = 'PGN_ERR_BAD_ROW' | 'PGN_ERR_FIELD_TOO_LONG';

export interface TokenizerOptions {
  maxFieldBytes?: number;
  maxRowBytes?: number;
  onRow: (row: CsvRow) => void;
  /** Reports a malformed or over-long row; throw to stop, return to skip it (the tokenizer resynchronises). */
  onBad: (line: number, reason: string, code: BadRowCode) => void;
}

const QUOTED = 1;
/** CsvRow.flags bit: the field holds doubled quotes (decode with fieldText). */
export const FIELD_ESCAPED = 2;
const ESCAPED = FIELD_ESCAPED;
const EMPTY = Buffer.alloc(0);

/** True when b starts with (a prefix of, if shorter) the UTF-8 BOM EF BB BF. */
function isBomPrefix(b: Uint8Array): boolean {
  const n = Math.min(3, b.length);
  for (let i = 0; i < n; i++) if (b[i] !== [0xef, 0xbb, 0xbf][i]) return false;
  return n > 0;
}

/** Decodes field i of a row as UTF-8 text, unescaping doubled quotes. */
export function fieldText(row: CsvRow, i: number): string {
  const s = utf8(row.buf, row.starts[i], row.ends[i]);
  return row.flags[i] & ESCAPED ? s.replaceAll('""', '"') : s;
}

/** All fields of a row as text (header rows, tests). */
export function rowTexts(row: CsvRow): string[] {
  const out = new Array<string>(row.count);
  for (let i = 0; i < row.count; i++) out[i] = fieldText(row, i);
  return out;
}

export class CsvTokenizer {
  private readonly maxField: number;
  private readonly maxRow: number;
  private readonly onRow: (row: CsvRow) => void;
  private readonly onBad: TokenizerOptions['onBad'];
  private readonly row: CsvRow;
  /** Unparsed bytes kept from earlier chunks (a partial row), in store[0, carryLen). */
  private store: Buffer = EMPTY;
  private carryLen = 0;
  private line = 1;
  private discarding = false;
  private started = false;
  private stopped = false;

  constructor(opts: TokenizerOptions) {
    this.maxField = opts.maxFieldBytes ?? DEFAULT_MAX_FIELD_BYTES;
    this.maxRow = opts.maxRowBytes ?? Math.max(DEFAULT_MAX_FIELD_BYTES, this.maxField);
    this.onRow = opts.onRow;
    this.onBad = opts.onBad;
    const n = 128;
    this.row = { buf: EMPTY, count: 0, starts: new Int32Array(n), ends: new Int32Array(n), flags: new Uint8Array(n), line: 1 };
  }

  /** Stops reporting rows (used by header sniffing). */
  stop(): void {
    this.stopped = true;
  }

  push(chunk: Buffer): void {
    if (this.stopped || chunk.length === 0) return;
    if (this.discarding) {
      const nl = chunk.indexOf(10);
      if (nl < 0) return;
      this.discarding = false;
      chunk = chunk.subarray(nl + 1);
    }
    let work: Buffer;
    let scanFrom = 0;
    if (this.carryLen === 0) work = chunk;
    else {
      const need = this.carryLen + chunk.length;
      if (this.store.length < need) {
        const grown = Buffer.allocUnsafe(Math.max(need, this.store.length * 2, 4096));
        this.store.copy(grown, 0, 0, this.carryLen);
        this.store = grown;
      }
      chunk.copy(this.store, this.carryLen);
      work = this.store.subarray(0, need);
      scanFrom = this.carryLen;
    }
    if (!this.started) {
      if (work.length < 3 && isBomPrefix(work)) return this.keep(work, 0);
      this.started = true;
      if (isBomPrefix(work)) work = work.subarray(3);
      scanFrom = 0;
    }
    // A row can only complete at a newline, so re-scanning a partial row waits until one arrives.
    if (scanFrom > 0 && work.indexOf(10, scanFrom) < 0) return this.keep(work, 0);
    this.keep(work, this.parse(work, false));
  }

  end(): void {
    if (this.stopped) return;
    const work = this.store.subarray(0, this.carryLen);
    const start = !this.started && work.length >= 3 && isBomPrefix(work) ? 3 : 0;
    this.started = true;
    this.carryLen = 0;
    if (!this.discarding && work.length > start) this.parse(work.subarray(start), true);
    this.store = EMPTY;
  }

  /** Keeps work[from..] for the next chunk, enforcing the row-size bound. */
  private keep(work: Buffer, from: number): void {
    const rest = work.length - from;
    if (rest > this.maxRow && !this.stopped) {
      const line = this.line;
      const nl = work.indexOf(10, from);
      this.carryLen = 0;
      this.onBad(line, `row is longer than the ${this.maxRow}-byte limit (unclosed quote or missing newline?)`, 'PGN_ERR_FIELD_TOO_LONG');
      this.line = line + 1;
      if (nl < 0) this.discarding = true;
      else this.keep(work, this.parse(work.subarray(nl + 1), false) + nl + 1);
      return;
    }
    if (work.buffer === this.store.buffer && work.byteOffset === this.store.byteOffset) this.store.copyWithin(0, from, work.length);
    else {
      if (this.store.length < rest) this.store = Buffer.allocUnsafe(Math.max(rest, 4096));
      work.copy(this.store, 0, from);
    }
    this.carryLen = rest;
  }

  /** Parses complete rows of b; returns the offset of the first unconsumed byte. */
  private parse(b: Buffer, final: boolean): number {
    const end = b.length;
    const row = this.row;
    row.buf = b;
    let p = 0;
    while (p < end && !this.stopped) {
      const next = this.scanRow(b, p, end, final);
      if (next < 0) return p;
      p = next;
    }
    return p;
  }

  /**
   * Scans one row starting at p0. Returns the offset after it, or -1 when more data is needed. Reports the row or
   * a bad row, and advances the line counter.
   */
  private scanRow(b: Buffer, p0: number, end: number, final: boolean): number {
    const row = this.row;
    let starts = row.starts;
    let ends = row.ends;
    let flags = row.flags;
    const maxField = this.maxField;
    let n = 0;
    let p = p0;
    let nl = 0;
    let tooLong = -1;
    for (;;) {
      if (n === starts.length) {
        this.grow();
        starts = row.starts;
        ends = row.ends;
        flags = row.flags;
      }
      const fs = p;
      let fe: number;
      let fl = 0;
      let c = 0;
      if (p < end && b[p] === 34) {
        fl = QUOTED;
        p++;
        for (;;) {
          if (p >= end) {
            if (!final) return -1;
            return this.bad(b, p0, end, 'unterminated quoted field', 'PGN_ERR_BAD_ROW');
          }
          c = b[p];
          if (c === 34) {
            if (p + 1 < end && b[p + 1] === 34) {
              fl |= ESCAPED;
              p += 2;
              continue;
            }
            if (p + 1 >= end && !final) return -1;
            break;
          }
          if (c === 10) nl++;
          p++;
        }
        fe = p;
        p++;
        c = p < end ? b[p] : -1;
        if (c === 13 && (p + 1 >= end || b[p + 1] === 10)) {
          if (p + 1 >= end && !final) return -1;
          p++;
          c = p < end ? 10 : -1;
        }
        if (c !== 44 && c !== 10 && c !== -1) {
          return this.bad(b, p0, end, `unexpected character after a closing quote in field ${n + 1}`, 'PGN_ERR_BAD_ROW');
        }
        starts[n] = fs + 1;
        ends[n] = fe;
      } else {
        while (p < end) {
          c = b[p];
          if (c === 44 || c === 10) break;
          p++;
        }
        if (p >= end) {
          if (!final) return -1;
          c = -1;
        }
        fe = p;
        if (c !== 44 && fe > fs && b[fe - 1] === 13) fe--;
        starts[n] = fs;
        ends[n] = fe;
      }
      flags[n] = fl;
      if (tooLong < 0 && ends[n] - starts[n] > maxField) tooLong = n;
      n++;
      if (c === 44) {
        p++;
        continue;
      }
      // End of row: LF (c === 10) or end of input.
      if (c === 10) p++;
      break;
    }
    const line = this.line;
    this.line += 1 + nl;
    if (n === 1 && flags[0] === 0 && ends[0] === starts[0]) return p; // empty line
    if (tooLong >= 0) {
      this.onBad(line, `field ${tooLong + 1} is longer than the ${maxField}-byte limit`, 'PGN_ERR_FIELD_TOO_LONG');
    } else if (p - p0 > this.maxRow) {
      this.onBad(line, `row is longer than the ${this.maxRow}-byte limit`, 'PGN_ERR_FIELD_TOO_LONG');
    } else {
      row.count = n;
      row.line = line;
      this.onRow(row);
    }
    return p;
  }

  /** Reports a malformed row and resumes at the first newline after its start (the next physical line). */
  private bad(b: Buffer, p0: number, end: number, reason: string, code: BadRowCode): number {
    const line = this.line;
    this.onBad(line, reason, code);
    this.line = line + 1;
    const nl = b.indexOf(10, p0);
    if (nl >= 0) return nl + 1;
    // The line goes on in the next chunk: drop everything up to its newline.
    this.discarding = true;
    return end;
  }

  private grow(): void {
    const row = this.row;
    const n = row.starts.length * 2;
    const s = new Int32Array(n);
    s.set(row.starts);
    const e = new Int32Array(n);
    e.set(row.ends);
    const f = new Uint8Array(n);
    f.set(row.flags);
    row.starts = s;
    row.ends = e;
    row.flags = f;
  }
}
