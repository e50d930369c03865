/**
 * Syscall events to bytes without per-event JSON.stringify: each (template, class) is encoded once by Peregrine's
 * own encoders (encodeEvent for the compact NDJSON, encodeFalcoEvent for Falco JSON) with a sentinel time, split
 * around the time, and kept as byte pieces; an event is then the pieces copied into a preallocated buffer with its
 * time written digit by digit. The output is byte-identical to the encoders' (a test checks it).
 */
import { encodeFalcoEvent, usToNs } from '../../ingest/events/falco/encode.js';
import { encodeEvent } from '../../ingest/events/ndjson/index.js';
import type { SyscallEvent } from '../../ingest/events/types.js';
import type { SyscallColumns } from './syscalls.js';

export type FastFormat = 'ndjson' | 'falco';

/** 2100-01-01T00:00:00.123456Z: a time no simulated field contains. */
const SENTINEL_US = 4102444800123456;
const S = usToNs(SENTINEL_US);
const ISO = 1;
const NS = 2;
const US = 3;

interface Pieces {
  bufs: Buffer[];
  /** Slot after bufs[i] (0 = none). */
  slots: Uint8Array;
}

function split(text: string, format: FastFormat): Pieces {
  const marks: [string, number][] = format === 'falco' ? [[S.iso, ISO], [S.ns, NS]] : [[String(SENTINEL_US), US]];
  const bufs: Buffer[] = [];
  const slots: number[] = [];
  let p = 0;
  for (;;) {
    let best = -1;
    let kind = 0;
    let len = 0;
    for (const [m, k] of marks) {
      const i = text.indexOf(m, p);
      if (i >= 0 && (best < 0 || i < best)) {
        best = i;
        kind = k;
        len = m.length;
      }
    }
    if (best < 0) break;
    bufs.push(Buffer.from(text.slice(p, best), 'utf8'));
    slots.push(kind);
    p = best + len;
  }
  bufs.push(Buffer.from(text.slice(p) + '\n', 'utf8'));
  slots.push(0);
  return { bufs, slots: Uint8Array.from(slots) };
}

export class FastEventWriter {
  private readonly cache: (Pieces | undefined)[] = [];
  private readonly attackCache = new Map<number, Pieces>();
  private buf: Buffer = Buffer.allocUnsafe(1 << 22);
  private secCache = -1;
  private readonly secPrefix = Buffer.alloc(20);
  private readonly secDigits = Buffer.alloc(10);

  constructor(
    readonly format: FastFormat,
    private readonly templates: readonly SyscallEvent[],
    private readonly classes: readonly string[],
  ) {}

  private encode(e: SyscallEvent): string {
    return this.format === 'falco' ? encodeFalcoEvent(e) : encodeEvent(e);
  }

  private pieces(tpl: number, cls: number): Pieces {
    if (cls === 0) {
      let p = this.cache[tpl];
      if (!p) this.cache[tpl] = p = split(this.encode({ ...this.templates[tpl], timeUs: SENTINEL_US }), this.format);
      return p;
    }
    const key = tpl * 65536 + cls;
    let p = this.attackCache.get(key);
    if (!p) {
      p = split(this.encode({ ...this.templates[tpl], timeUs: SENTINEL_US, label: 1, attackClass: this.classes[cls] }), this.format);
      this.attackCache.set(key, p);
    }
    return p;
  }

  private setSecond(sec: number): void {
    this.secCache = sec;
    const iso = new Date(sec * 1000).toISOString().slice(0, 19) + '.';
    this.secPrefix.write(iso, 0, 'latin1');
    this.secDigits.write(String(sec).padStart(10, '0'), 0, 'latin1');
  }

  /** Encodes the columns (and `extra` events, appended) into one buffer; valid until the next call. */
  encodeColumns(cols: SyscallColumns, extra: readonly SyscallEvent[] = []): Buffer {
    let off = 0;
    for (let i = 0; i < cols.n; i++) {
      const p = this.pieces(cols.tpl[i], cols.cls[i]);
      if (this.buf.length - off < 4096) this.buf = grow(this.buf, off);
      off = this.emit(p, cols.times[i], off);
    }
    for (const e of extra) {
      const line = Buffer.from(this.encode(e) + '\n', 'utf8');
      if (this.buf.length - off < line.length + 16) this.buf = grow(this.buf, off, line.length);
      off += line.copy(this.buf, off);
    }
    return this.buf.subarray(0, off);
  }

  private emit(p: Pieces, t: number, off: number): number {
    const buf = this.buf;
    const bufs = p.bufs;
    const slots = p.slots;
    const us = Math.round(t);
    const sec = Math.floor(us / 1e6);
    const frac = us - sec * 1e6;
    if (sec !== this.secCache) this.setSecond(sec);
    for (let k = 0; k < bufs.length; k++) {
      const b = bufs[k];
      const len = b.length;
      if (len < 24) for (let j = 0; j < len; j++) buf[off++] = b[j];
      else {
        buf.set(b, off);
        off += len;
      }
      const slot = slots[k];
      if (slot === US) {
        off = writeUint(buf, off, us);
      } else if (slot === ISO) {
        off += this.secPrefix.copy(buf, off);
        off = writeFixed(buf, off, frac, 6);
        buf[off++] = 48;
        buf[off++] = 48;
        buf[off++] = 48;
        buf[off++] = 90; // Z
      } else if (slot === NS) {
        off += this.secDigits.copy(buf, off);
        off = writeFixed(buf, off, frac, 6);
        buf[off++] = 48;
        buf[off++] = 48;
        buf[off++] = 48;
      }
    }
    return off;
  }
}

function grow(buf: Buffer, used: number, need = 0): Buffer {
  const next = Buffer.allocUnsafe(Math.max(buf.length * 2, used + need + 4096));
  buf.copy(next, 0, 0, used);
  return next;
}

/** Writes v (a non-negative integer below 2^53) in decimal. */
function writeUint(buf: Buffer, off: number, v: number): number {
  if (v < 1e8) return writeDigits(buf, off, v);
  const hi = Math.floor(v / 1e8);
  off = writeDigits(buf, off, hi);
  return writeFixed(buf, off, v - hi * 1e8, 8);
}

function writeDigits(buf: Buffer, off: number, v: number): number {
  let n = 1;
  for (let x = v; x >= 10; x = Math.floor(x / 10)) n++;
  return writeFixed(buf, off, v, n);
}

/** v zero-padded to `width` digits. */
function writeFixed(buf: Buffer, off: number, v: number, width: number): number {
  for (let i = width - 1; i >= 0; i--) {
    const q = Math.floor(v / 10);
    buf[off + i] = 48 + (v - q * 10);
    v = q;
  }
  return off + width;
}
