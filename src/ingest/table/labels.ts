/**
 * Label cell -> (binary label, attack class). Benign: 0 / benign / normal (trimmed, any case) plus the caller's
 * extra values; any other non-empty value is an attack whose class is the value as written (trimmed). Labels repeat
 * row after row, so the last label's bytes are compared first and text is only decoded when the label changes.
 */
import { utf8 } from '../csv/number.js';

export interface LabelEntry {
  label: 0 | 1;
  /** `benign` for benign rows, else the label as written. */
  cls: string;
  /** Rows mapped to this entry since the last flush (see flushCounts). */
  pending: number;
}

const DEFAULT_BENIGN = ['0', 'benign', 'normal'];
const MAX_CACHED = 10_000;

export class LabelMapper {
  private readonly benign: Set<string>;
  private readonly cache = new Map<string, LabelEntry>();
  private readonly uncached: LabelEntry[] = [];
  private last: LabelEntry | null = null;
  private lastBytes: Buffer = Buffer.alloc(0);

  constructor(extraBenign: string[] = []) {
    this.benign = new Set([...DEFAULT_BENIGN, ...extraBenign.map((s) => s.trim().toLowerCase())]);
  }

  /** Maps the label in b[s, e); null for an empty label. `escaped` means the field holds doubled quotes. */
  map(b: Buffer, s: number, e: number, escaped: boolean): LabelEntry | null {
    while (s < e && (b[s] === 32 || b[s] === 9)) s++;
    while (e > s && (b[e - 1] === 32 || b[e - 1] === 9)) e--;
    if (s === e) return null;
    const last = this.last;
    const lb = this.lastBytes;
    if (last !== null && !escaped && lb.length === e - s) {
      let i = 0;
      while (i < lb.length && lb[i] === b[s + i]) i++;
      if (i === lb.length) {
        last.pending++;
        return last;
      }
    }
    let text = utf8(b, s, e);
    if (escaped) text = text.replaceAll('""', '"');
    const entry = this.entry(text.trim());
    entry.pending++;
    if (!escaped && this.uncached[this.uncached.length - 1] !== entry) {
      this.last = entry;
      this.lastBytes = Buffer.from(b.subarray(s, e));
    }
    return entry;
  }

  /** Maps label text (tests, non-CSV callers). */
  mapText(text: string): LabelEntry | null {
    const t = text.trim();
    return t === '' ? null : this.entry(t);
  }

  /** Adds the pending per-class counts to `counts` and resets them. */
  flushCounts(counts: Record<string, number>): void {
    const add = (en: LabelEntry): void => {
      if (en.pending > 0) counts[en.cls] = (counts[en.cls] ?? 0) + en.pending;
      en.pending = 0;
    };
    for (const en of this.cache.values()) add(en);
    for (const en of this.uncached) add(en);
    this.uncached.length = 0;
  }

  private entry(text: string): LabelEntry {
    const hit = this.cache.get(text);
    if (hit) return hit;
    const entry: LabelEntry = this.benign.has(text.toLowerCase())
      ? { label: 0, cls: 'benign', pending: 0 }
      : { label: 1, cls: text, pending: 0 };
    // Bounded: a file with a distinct label on every row must not grow the cache without limit.
    if (this.cache.size < MAX_CACHED) this.cache.set(text, entry);
    else this.uncached.push(entry);
    return entry;
  }
}
