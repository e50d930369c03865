/**
 * A small pull scanner over one JSON text, the `scan` parser of the Falco and NDJSON decoders: it reads the keys and
 * values a decoder asks for and skips everything else without building objects. Strings without escapes are
 * found with native indexOf (no per-character loop); numbers are checked against the JSON grammar; nesting is
 * bounded. No regular expressions.
 *
 * Lenience, by design: strings the decoder skips are not checked for bad escapes or raw control characters
 * (JSON.parse would reject those lines; the scanner keeps them). Everything the decoder uses is checked.
 */

/** A malformed record: thrown inside decoders (cheap: not an Error, no stack) and turned into a bad row. */
export class RecordError {
  constructor(readonly reason: string) {}
}

export const MAX_DEPTH = 128;

/** Member names a decoder looks for, bucketed by length so a key is matched in place without allocating it. */
export class KeyTable {
  private readonly byLen: [string, number][][] = [];

  constructor(readonly map: ReadonlyMap<string, number>) {
    for (const [k, v] of map) (this.byLen[k.length] ??= []).push([k, v]);
  }

  /** Code of the key s[start, end), or -1. */
  match(s: string, start: number, end: number): number {
    const cands = this.byLen[end - start];
    if (cands === undefined) return -1;
    for (let i = 0; i < cands.length; i++) if (s.startsWith(cands[i][0], start)) return cands[i][1];
    return -1;
  }
}

/**
 * A copy of `s` that does not share memory with a larger string (V8 keeps substrings as views of their parent:
 * a long-lived substring would pin a whole read chunk).
 */
export function detach(s: string): string {
  return s.length < 13 ? s : (s + ' ').slice(0, -1);
}

/**
 * Recently seen string values of one field (64 direct-mapped slots): a repeated value (container id, image,
 * process name...) is returned as the same string object, which saves the allocation and lets Maps reuse its
 * cached hash.
 */
export class StringCache {
  readonly slots: string[] = new Array<string>(64).fill('');
}

const QUOTE = 34;
const BACKSLASH = 92;

export class JsonCursor {
  s = '';
  pos = 0;
  /** Index of the next backslash at or after some earlier position; -1 none; -2 not searched yet. */
  private bs = -2;

  reset(s: string, pos = 0): this {
    this.s = s;
    this.pos = pos;
    this.bs = -2;
    return this;
  }

  /** Skips whitespace; returns the char code at the new position (NaN at the end). */
  ws(): number {
    const s = this.s;
    let p = this.pos;
    let c = s.charCodeAt(p);
    while (c === 32 || c === 10 || c === 13 || c === 9) c = s.charCodeAt(++p);
    this.pos = p;
    return c;
  }

  fail(what: string): never {
    const c = this.s.charCodeAt(this.pos);
    const found = c !== c ? 'end of line' : JSON.stringify(this.s.slice(this.pos, this.pos + 12));
    throw new RecordError(`invalid JSON at column ${this.pos + 1}: expected ${what}, found ${found}`);
  }

  /** Expects `{`; returns true when the object is empty (and consumes `}`). */
  beginObject(): boolean {
    if (this.ws() !== 123) this.fail('an object');
    this.pos++;
    if (this.ws() === 125) {
      this.pos++;
      return true;
    }
    return false;
  }

  /** After a member value: true when another member follows (consumes `,`), false at `}` (consumed). */
  nextMember(): boolean {
    const c = this.ws();
    if (c === 44) {
      this.pos++;
      return true;
    }
    if (c === 125) {
      this.pos++;
      return false;
    }
    return this.fail('"," or "}"');
  }

  /** Reads `"key"` and the following `:`. */
  key(): string {
    if (this.ws() !== QUOTE) this.fail('a member name');
    const k = this.string();
    if (this.ws() !== 58) this.fail('":"');
    this.pos++;
    return k;
  }

  /** After the top-level value: only whitespace may follow. */
  end(): void {
    this.ws();
    if (this.pos < this.s.length) this.fail('end of record');
  }

  private nextBackslash(from: number): number {
    if (this.bs === -2 || (this.bs !== -1 && this.bs < from)) this.bs = this.s.indexOf('\\', from);
    return this.bs;
  }

  /** Index of the closing quote of a string whose content starts at `start` and contains escapes. */
  private escapedEnd(start: number): number {
    const s = this.s;
    let from = start;
    while (true) {
      const q = s.indexOf('"', from);
      if (q < 0) throw new RecordError('invalid JSON: unterminated string');
      let k = q - 1;
      while (k >= start && s.charCodeAt(k) === BACKSLASH) k--;
      if (((q - 1 - k) & 1) === 0) return q;
      from = q + 1;
    }
  }

  /** Reads `"key"` and the following `:`; returns the key's code in `table` or -1. */
  keyCode(table: KeyTable): number {
    if (this.ws() !== QUOTE) this.fail('a member name');
    const s = this.s;
    const start = this.pos + 1;
    const q = s.indexOf('"', start);
    if (q < 0) throw new RecordError('invalid JSON: unterminated string');
    const b = this.nextBackslash(start);
    let code: number;
    if (b === -1 || b > q) {
      code = table.match(s, start, q);
      this.pos = q + 1;
    } else code = table.map.get(this.string()) ?? -1;
    if (this.ws() !== 58) this.fail('":"');
    this.pos++;
    return code;
  }

  /** Like string(), through a cache of recent values of the field. */
  cachedString(cache: StringCache): string {
    const s = this.s;
    const start = this.pos + 1;
    const q = s.indexOf('"', start);
    if (q < 0) throw new RecordError('invalid JSON: unterminated string');
    const b = this.nextBackslash(start);
    if (b !== -1 && b < q) return this.string();
    this.pos = q + 1;
    const len = q - start;
    if (len === 0) return '';
    const h = (len * 31 + s.charCodeAt(start) * 7 + s.charCodeAt(q - 1) * 13 + s.charCodeAt(start + (len >> 1))) & 63;
    const prev = cache.slots[h];
    if (prev.length === len && s.startsWith(prev, start)) return prev;
    const v = detach(s.slice(start, q));
    cache.slots[h] = v;
    return v;
  }

  /** Reads a string value (cursor on its opening quote; call ws() first). */
  string(): string {
    const s = this.s;
    const start = this.pos + 1;
    const q = s.indexOf('"', start);
    if (q < 0) throw new RecordError('invalid JSON: unterminated string');
    const b = this.nextBackslash(start);
    if (b === -1 || b > q) {
      this.pos = q + 1;
      return s.slice(start, q);
    }
    const e = this.escapedEnd(start);
    this.pos = e + 1;
    try {
      return JSON.parse(s.slice(start - 1, e + 1)) as string;
    } catch {
      throw new RecordError(`invalid JSON string escape at column ${start}`);
    }
  }

  private skipString(): void {
    const start = this.pos + 1;
    const q = this.s.indexOf('"', start);
    if (q < 0) throw new RecordError('invalid JSON: unterminated string');
    const b = this.nextBackslash(start);
    this.pos = (b === -1 || b > q ? q : this.escapedEnd(start)) + 1;
  }

  /** End index of the JSON number at the cursor (checked against the grammar). */
  private numberEnd(): number {
    const s = this.s;
    let p = this.pos;
    let c = s.charCodeAt(p);
    if (c === 45) c = s.charCodeAt(++p);
    if (c === 48) c = s.charCodeAt(++p);
    else if (c >= 49 && c <= 57) {
      do c = s.charCodeAt(++p);
      while (c >= 48 && c <= 57);
    } else this.fail('a value');
    if (c === 46) {
      c = s.charCodeAt(++p);
      if (!(c >= 48 && c <= 57)) throw new RecordError(`invalid JSON number at column ${this.pos + 1}`);
      do c = s.charCodeAt(++p);
      while (c >= 48 && c <= 57);
    }
    if (c === 101 || c === 69) {
      c = s.charCodeAt(++p);
      if (c === 43 || c === 45) c = s.charCodeAt(++p);
      if (!(c >= 48 && c <= 57)) throw new RecordError(`invalid JSON number at column ${this.pos + 1}`);
      do c = s.charCodeAt(++p);
      while (c >= 48 && c <= 57);
    }
    return p;
  }

  /** Reads a number (cursor on its first character). */
  number(): number {
    const s = this.s;
    const p0 = this.pos;
    // Fast path: a short non-negative integer.
    let v = 0;
    let p = p0;
    let c = s.charCodeAt(p);
    if (c >= 49 && c <= 57) {
      while (c >= 48 && c <= 57 && p - p0 < 15) {
        v = v * 10 + (c - 48);
        c = s.charCodeAt(++p);
      }
      if (!(c >= 48 && c <= 57) && c !== 46 && c !== 101 && c !== 69) {
        this.pos = p;
        return v;
      }
    }
    const e = this.numberEnd();
    this.pos = e;
    return Number(s.slice(p0, e));
  }

  /** The text of the number at the cursor (for nanosecond integers beyond 2^53). */
  numberText(): string {
    const p0 = this.pos;
    this.pos = this.numberEnd();
    return this.s.slice(p0, this.pos);
  }

  private literal(word: string): void {
    if (!this.s.startsWith(word, this.pos)) this.fail('a value');
    this.pos += word.length;
  }

  /** Skips one value of any kind (cursor at or before it). */
  skip(depth = 0): void {
    const c = this.ws();
    if (c === QUOTE) this.skipString();
    else if (c === 123) this.skipObject(depth + 1);
    else if (c === 91) this.skipArray(depth + 1);
    else if (c === 116) this.literal('true');
    else if (c === 102) this.literal('false');
    else if (c === 110) this.literal('null');
    else this.pos = this.numberEnd();
  }

  private skipObject(depth: number): void {
    if (depth > MAX_DEPTH) throw new RecordError(`JSON nested deeper than ${MAX_DEPTH} levels`);
    if (this.beginObject()) return;
    do {
      if (this.ws() !== QUOTE) this.fail('a member name');
      this.skipString();
      if (this.ws() !== 58) this.fail('":"');
      this.pos++;
      this.skip(depth);
    } while (this.nextMember());
  }

  private skipArray(depth: number): void {
    if (depth > MAX_DEPTH) throw new RecordError(`JSON nested deeper than ${MAX_DEPTH} levels`);
    this.pos++;
    if (this.ws() === 93) {
      this.pos++;
      return;
    }
    while (true) {
      this.skip(depth);
      const c = this.ws();
      if (c === 44) this.pos++;
      else if (c === 93) {
        this.pos++;
        return;
      } else this.fail('"," or "]"');
    }
  }

  /**
   * Reads a scalar for a field: string, number (as number), `null` (as null); true/false as 1/0. Objects and
   * arrays are skipped and read as null.
   */
  scalar(): string | number | null {
    const c = this.ws();
    if (c === QUOTE) return this.string();
    if (c === 110) {
      this.literal('null');
      return null;
    }
    if (c === 116) {
      this.literal('true');
      return 1;
    }
    if (c === 102) {
      this.literal('false');
      return 0;
    }
    if (c === 123 || c === 91) {
      this.skip();
      return null;
    }
    return this.number();
  }
}
