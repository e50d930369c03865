/**
 * Text framing for the event decoders: lines (NDJSON, LID-DS `.sc`) and JSON records (one per line, a top-level
 * array such as a falcosidekick export, or pretty-printed / concatenated objects such as Tetragon examples).
 * Both count physical lines, so every record is reported with the line it starts on, and both bound memory: a line
 * or record longer than the limit is reported once and skipped.
 */

export type TooLong = (line: number) => void;

/** Splits decoded text into lines (LF or CRLF), calling `onLine(text, lineNumber)` for each. */
export class LineSplitter {
  private carry = '';
  private line = 0;
  private discarding = false;

  constructor(
    private readonly max: number,
    private readonly onLine: (text: string, line: number) => void,
    private readonly onTooLong: TooLong,
  ) {}

  push(chunk: string): void {
    const s = this.carry.length > 0 ? this.carry + chunk : chunk;
    const max = this.max;
    let p = 0;
    while (true) {
      const nl = s.indexOf('\n', p);
      if (nl < 0) break;
      this.line++;
      if (this.discarding) this.discarding = false;
      else {
        let e = nl;
        if (e > p && s.charCodeAt(e - 1) === 13) e--;
        if (e - p > max) this.onTooLong(this.line);
        else this.onLine(s.slice(p, e), this.line);
      }
      p = nl + 1;
    }
    if (this.discarding) {
      this.carry = '';
    } else if (s.length - p > max) {
      this.onTooLong(this.line + 1);
      this.discarding = true;
      this.carry = '';
    } else this.carry = p === 0 ? s : s.slice(p);
  }

  end(): void {
    if (!this.discarding && this.carry.length > 0) {
      this.line++;
      const s = this.carry;
      this.onLine(s.charCodeAt(s.length - 1) === 13 ? s.slice(0, -1) : s, this.line);
    }
    this.carry = '';
  }
}

const isWs = (c: number): boolean => c === 32 || c === 10 || c === 13 || c === 9;

/**
 * Splits a stream of JSON values into records by brace depth (strings and escapes respected). Top-level objects
 * are records; a top-level array's elements are records. Used for files that are not one-object-per-line.
 */
class DocumentSplitter {
  private line = 1;
  private depth = 0;
  /** 1 inside a top-level array (its elements are the records), else 0. */
  private base = 0;
  private inRec = false;
  private inStr = false;
  private esc = false;
  private skipLine = false;
  private discarding = false;
  private pieces: string[] = [];
  private recLen = 0;
  private recLine = 0;

  constructor(
    private readonly max: number,
    private readonly onRecord: (text: string, line: number) => void,
    private readonly onBad: (line: number, reason: string) => void,
    private readonly onTooLong: TooLong,
  ) {}

  push(s: string): void {
    let recStart = this.inRec ? 0 : -1;
    const n = s.length;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c === 10) {
        this.line++;
        this.skipLine = false;
      }
      if (this.inRec) {
        if (this.inStr) {
          if (this.esc) this.esc = false;
          else if (c === 92) this.esc = true;
          else if (c === 34) this.inStr = false;
        } else if (c === 34) this.inStr = true;
        else if (c === 123 || c === 91) this.depth++;
        else if (c === 125 || c === 93) {
          this.depth--;
          if (this.depth === this.base) {
            this.inRec = false;
            if (this.discarding) this.discarding = false;
            else {
              const last = s.slice(recStart, i + 1);
              const text = this.pieces.length > 0 ? this.pieces.join('') + last : last;
              this.pieces = [];
              this.onRecord(text, this.recLine);
            }
            this.pieces = [];
            this.recLen = 0;
          }
        }
        continue;
      }
      if (this.skipLine || isWs(c)) continue;
      if (this.base === 1 && c === 44) continue;
      if (this.base === 1 && c === 93) {
        this.base = 0;
        this.depth = 0;
        continue;
      }
      if (c === 91 && this.base === 0) {
        this.base = 1;
        this.depth = 1;
        continue;
      }
      if (c === 123 || c === 91) {
        this.inRec = true;
        this.inStr = false;
        this.esc = false;
        this.depth = this.base + 1;
        recStart = i;
        this.recLine = this.line;
        continue;
      }
      this.onBad(this.line, `unexpected ${JSON.stringify(String.fromCharCode(c))} outside a JSON object`);
      this.skipLine = true;
    }
    if (this.inRec && !this.discarding) {
      const rest = recStart <= 0 ? s : s.slice(recStart);
      this.recLen += rest.length;
      if (this.recLen > this.max) {
        this.onTooLong(this.recLine);
        this.discarding = true;
        this.pieces = [];
      } else this.pieces.push(rest);
    }
  }

  end(): void {
    if (this.inRec && !this.discarding) this.onBad(this.recLine, 'JSON record not closed at the end of the input');
    else if (this.base === 1) this.onBad(this.line, 'JSON array not closed at the end of the input');
    this.pieces = [];
  }
}

/**
 * JSON records from decoded text. The layout is decided from the start of the input: `[` a top-level array; a
 * first line that is a lone `{` pretty-printed or concatenated objects; anything else one object per line (the
 * common case, split with native indexOf). Blank lines are skipped.
 */
export class JsonRecordSplitter {
  private mode: 'detect' | 'lines' | 'document' = 'detect';
  private head = '';
  private lines: LineSplitter | null = null;
  private doc: DocumentSplitter | null = null;

  constructor(
    private readonly max: number,
    private readonly onRecord: (text: string, line: number) => void,
    private readonly onBad: (line: number, reason: string) => void,
    private readonly onTooLong: TooLong,
  ) {}

  /** `lines` or `document` once decided. */
  get layout(): string {
    return this.mode;
  }

  private decide(final: boolean): void {
    const h = this.head;
    let i = 0;
    while (i < h.length && isWs(h.charCodeAt(i))) i++;
    if (i === h.length) {
      if (final || h.length > this.max) this.mode = 'lines';
      return;
    }
    const c = h.charCodeAt(i);
    if (c === 91) this.mode = 'document';
    else if (c === 123) {
      const nl = h.indexOf('\n', i);
      if (nl < 0 && !final && h.length <= this.max) return;
      let e = nl < 0 ? h.length : nl;
      while (e > i && isWs(h.charCodeAt(e - 1))) e--;
      // Pretty-printers (jq, JSON.stringify(v, null, n), Python's json.dump(indent=)) put the opening brace on a line
      // of its own; anything else is one object per line (a broken first line stays one bad line).
      this.mode = e === i + 1 ? 'document' : 'lines';
    } else this.mode = 'lines';
  }

  push(chunk: string): void {
    if (this.mode === 'detect') {
      this.head += chunk;
      this.decide(false);
      if (this.mode === 'detect') return;
      chunk = this.head;
      this.head = '';
    }
    this.sink().push(chunk);
  }

  private sink(): LineSplitter | DocumentSplitter {
    if (this.mode === 'document') return (this.doc ??= new DocumentSplitter(this.max, this.onRecord, this.onBad, this.onTooLong));
    return (this.lines ??= new LineSplitter(
      this.max,
      (text, line) => {
        // skip blank lines
        let i = 0;
        while (i < text.length && isWs(text.charCodeAt(i))) i++;
        if (i < text.length) this.onRecord(text, line);
      },
      this.onTooLong,
    ));
  }

  end(): void {
    if (this.mode === 'detect') {
      this.decide(true);
      const h = this.head;
      this.head = '';
      if (h.length > 0) this.sink().push(h);
    }
    this.sink().end();
  }
}
