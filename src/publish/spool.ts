import { closeSync, existsSync, ftruncateSync, mkdirSync, openSync, readFileSync, readSync, readdirSync, renameSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { PeregrineError } from '../core/errors.js';
import { parseRecord, serializeRecord } from './records.js';
import type { ForensicRecord } from './types.js';

/**
 * The delivery spool: records wait here, in order, until the sink has them. Bounded in bytes; when full, the oldest
 * segments are dropped and COUNTED (records and bytes), never silently.
 *
 * `DiskSpool` survives a restart and a store outage: append-only NDJSON segment files
 * (`spool-0000000000000001.ndjson`, ...) plus `cursor.json` (how far the head segment has been delivered). It is
 * at-least-once: a batch in flight when the process dies is sent again, and the sinks' deterministic ids make that
 * harmless. `MemorySpool` has the same contract without the files.
 */

export interface SpoolStats {
  /** Records waiting (not yet delivered or dead-lettered), including a batch in flight. */
  records: number;
  /** Bytes held (DiskSpool: segment file bytes, including the delivered part of the head segment). */
  bytes: number;
  maxBytes: number;
  segments: number;
  appendedRecords: number;
  /** Records and bytes dropped because the spool was full (oldest first). */
  droppedRecords: number;
  droppedBytes: number;
  droppedSegments: number;
  /** Unreadable lines skipped on replay (a torn write at a crash). */
  corruptLines: number;
}

export interface Lease {
  readonly records: ForensicRecord[];
}

export interface Spool {
  append(records: readonly ForensicRecord[]): void;
  /** The next records in order (at most one lease at a time); null when nothing waits. */
  lease(maxRecords: number, maxBytes: number): Lease | null;
  /** The leased records are done (delivered or dead-lettered): they are never replayed. */
  ack(lease: Lease): void;
  stats(): SpoolStats;
  close(): void;
}

function emptyStats(maxBytes: number): SpoolStats {
  return { records: 0, bytes: 0, maxBytes, segments: 0, appendedRecords: 0, droppedRecords: 0, droppedBytes: 0, droppedSegments: 0, corruptLines: 0 };
}

// ---------------------------------------------------------------------------------------------------------------

interface MemEntry {
  record: ForensicRecord;
  bytes: number;
}

/** An in-memory spool: bounded by the serialized size of the records it holds. */
export class MemorySpool implements Spool {
  private queue: MemEntry[] = [];
  private head = 0;
  private leased = 0;
  private readonly s: SpoolStats;

  constructor(readonly maxBytes = 64 * 1024 * 1024) {
    this.s = emptyStats(maxBytes);
  }

  append(records: readonly ForensicRecord[]): void {
    for (const record of records) {
      const bytes = Buffer.byteLength(serializeRecord(record)) + 1;
      this.queue.push({ record, bytes });
      this.s.bytes += bytes;
      this.s.records++;
      this.s.appendedRecords++;
    }
    // Drop the oldest records not in flight until within the bound.
    let i = this.head + this.leased;
    while (this.s.bytes > this.maxBytes && i < this.queue.length) {
      const e = this.queue[i];
      this.s.bytes -= e.bytes;
      this.s.records--;
      this.s.droppedRecords++;
      this.s.droppedBytes += e.bytes;
      i++;
    }
    if (i > this.head + this.leased) this.queue.splice(this.head + this.leased, i - this.head - this.leased);
  }

  lease(maxRecords: number, maxBytes: number): Lease | null {
    if (this.leased > 0) throw new Error('spool: a lease is already out');
    const out: ForensicRecord[] = [];
    let bytes = 0;
    for (let i = this.head; i < this.queue.length && out.length < maxRecords; i++) {
      if (out.length > 0 && bytes + this.queue[i].bytes > maxBytes) break;
      out.push(this.queue[i].record);
      bytes += this.queue[i].bytes;
    }
    if (out.length === 0) return null;
    this.leased = out.length;
    return { records: out };
  }

  ack(lease: Lease): void {
    const n = Math.min(lease.records.length, this.leased);
    for (let i = 0; i < n; i++) {
      this.s.bytes -= this.queue[this.head + i].bytes;
      this.s.records--;
    }
    this.head += n;
    this.leased = 0;
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }

  stats(): SpoolStats {
    return { ...this.s, segments: this.s.records > 0 ? 1 : 0 };
  }

  close(): void {}
}

// ---------------------------------------------------------------------------------------------------------------

interface Segment {
  seq: number;
  path: string;
  size: number;
  /** Complete lines (records) in the file. */
  lines: number;
}

interface Cursor {
  seq: number;
  offset: number;
  line: number;
}

interface DiskLease extends Lease {
  seq: number;
  endOffset: number;
  endLine: number;
  stale: boolean;
}

export interface DiskSpoolOptions {
  /** Bound on the spool's disk bytes (default 256 MiB). */
  maxBytes?: number;
  /** A segment file is closed and a new one started past this size (default 8 MiB). */
  segmentBytes?: number;
}

const SEGMENT_RE = /^spool-(\d{16})\.ndjson$/;

export class DiskSpool implements Spool {
  readonly maxBytes: number;
  readonly segmentBytes: number;
  private segments: Segment[] = [];
  private cursor: Cursor = { seq: 0, offset: 0, line: 0 };
  private tailFd: number | null = null;
  private nextSeq = 1;
  private current: DiskLease | null = null;
  private readonly s: SpoolStats;

  constructor(
    readonly dir: string,
    options: DiskSpoolOptions = {},
  ) {
    this.maxBytes = options.maxBytes ?? 256 * 1024 * 1024;
    this.segmentBytes = Math.min(options.segmentBytes ?? 8 * 1024 * 1024, this.maxBytes);
    this.s = emptyStats(this.maxBytes);
    try {
      mkdirSync(dir, { recursive: true });
      this.load();
    } catch (e) {
      if (e instanceof PeregrineError) throw e;
      throw new PeregrineError('PGN_ERR_IO', `cannot open the spool: ${(e as Error).message}`, { where: dir, cause: e });
    }
  }

  private get cursorPath(): string {
    return join(this.dir, 'cursor.json');
  }

  private load(): void {
    const names = readdirSync(this.dir).filter((n) => SEGMENT_RE.test(n)).sort();
    if (existsSync(this.cursorPath)) {
      try {
        const c = JSON.parse(readFileSync(this.cursorPath, 'utf8')) as Cursor;
        if (Number.isInteger(c.seq) && Number.isInteger(c.offset) && Number.isInteger(c.line)) this.cursor = c;
      } catch {
        // unreadable cursor: replay everything (at-least-once)
      }
    }
    for (const name of names) {
      const seq = Number(SEGMENT_RE.exec(name)?.[1]);
      const path = join(this.dir, name);
      if (seq < this.cursor.seq) {
        unlinkSync(path); // fully delivered before the restart
        continue;
      }
      const buf = readFileSync(path);
      let end = buf.length;
      while (end > 0 && buf[end - 1] !== 0x0a) end--;
      if (end < buf.length) {
        // a torn last write: cut it off so appends start on a clean line
        const fd = openSync(path, 'r+');
        ftruncateSync(fd, end);
        closeSync(fd);
        this.s.corruptLines++;
      }
      let lines = 0;
      for (let i = 0; i < end; i++) if (buf[i] === 0x0a) lines++;
      this.segments.push({ seq, path, size: end, lines });
      this.nextSeq = Math.max(this.nextSeq, seq + 1);
    }
    const head = this.segments[0];
    if (!head || head.seq !== this.cursor.seq || this.cursor.offset > head.size) this.cursor = { seq: head?.seq ?? 0, offset: 0, line: 0 };
    this.recount();
  }

  private recount(): void {
    let records = 0;
    let bytes = 0;
    for (const seg of this.segments) {
      records += seg.lines - (seg.seq === this.cursor.seq ? this.cursor.line : 0);
      bytes += seg.size;
    }
    if (this.current?.stale) records += this.current.records.length; // dropped from disk but in flight
    this.s.records = records;
    this.s.bytes = bytes;
    this.s.segments = this.segments.length;
  }

  append(records: readonly ForensicRecord[]): void {
    if (records.length === 0) return;
    let text = '';
    for (const r of records) text += serializeRecord(r) + '\n';
    const buf = Buffer.from(text);
    let tail = this.segments[this.segments.length - 1];
    if (!tail || this.tailFd === null || (tail.size > 0 && tail.size + buf.length > this.segmentBytes)) tail = this.openTail(tail);
    writeSync(this.tailFd as number, buf);
    tail.size += buf.length;
    tail.lines += records.length;
    this.s.appendedRecords += records.length;
    this.recount();
    this.enforceBound();
  }

  /** Continues the last segment after a restart if it has room, else starts a new one. */
  private openTail(tail: Segment | undefined): Segment {
    if (this.tailFd !== null) {
      closeSync(this.tailFd);
      this.tailFd = null;
    }
    if (tail && tail.size < this.segmentBytes && existsSync(tail.path)) {
      this.tailFd = openSync(tail.path, 'a');
      return tail;
    }
    const seq = this.nextSeq++;
    const seg: Segment = { seq, path: join(this.dir, `spool-${String(seq).padStart(16, '0')}.ndjson`), size: 0, lines: 0 };
    this.tailFd = openSync(seg.path, 'a');
    this.segments.push(seg);
    if (this.segments.length === 1) this.cursor = { seq, offset: 0, line: 0 };
    return seg;
  }

  private enforceBound(): void {
    while (this.s.bytes > this.maxBytes && this.segments.length > 0) {
      const seg = this.segments.shift() as Segment;
      let undelivered = seg.lines;
      if (seg.seq === this.cursor.seq) {
        undelivered -= this.cursor.line;
        if (this.current && !this.current.stale && this.current.seq === seg.seq) {
          undelivered -= this.current.records.length; // in memory, in flight: still delivered or dead-lettered
          this.current.stale = true;
        }
      }
      const undeliveredBytes = seg.seq === this.cursor.seq ? seg.size - this.cursor.offset : seg.size;
      if (this.segments.length === 0 && this.tailFd !== null) {
        closeSync(this.tailFd);
        this.tailFd = null;
      }
      unlinkSync(seg.path);
      if (undelivered > 0) {
        this.s.droppedSegments++;
        this.s.droppedRecords += undelivered;
        this.s.droppedBytes += undeliveredBytes;
      }
      const next = this.segments[0];
      this.cursor = { seq: next?.seq ?? 0, offset: 0, line: 0 };
      this.saveCursor();
      this.recount();
    }
  }

  lease(maxRecords: number, maxBytes: number): Lease | null {
    if (this.current) throw new Error('spool: a lease is already out');
    for (;;) {
      const head = this.segments[0];
      if (!head) return null;
      if (head.seq !== this.cursor.seq) this.cursor = { seq: head.seq, offset: 0, line: 0 };
      if (this.cursor.offset >= head.size) {
        if (this.segments.length === 1) return null;
        this.removeHead();
        continue;
      }
      const { records, bytes, lines, corrupt } = readLines(head.path, this.cursor.offset, head.size, maxRecords, maxBytes);
      this.s.corruptLines += corrupt;
      const lease: DiskLease = { records, seq: head.seq, endOffset: this.cursor.offset + bytes, endLine: this.cursor.line + lines, stale: false };
      if (records.length === 0) {
        // only unreadable lines: skip them
        this.cursor = { seq: head.seq, offset: lease.endOffset, line: lease.endLine };
        this.saveCursor();
        this.recount();
        continue;
      }
      this.current = lease;
      return lease;
    }
  }

  ack(lease: Lease): void {
    const l = lease as DiskLease;
    if (l !== this.current) return;
    this.current = null;
    if (l.stale || l.seq !== this.cursor.seq) {
      this.recount();
      return;
    }
    this.cursor = { seq: l.seq, offset: l.endOffset, line: l.endLine };
    const head = this.segments[0];
    if (head && this.cursor.offset >= head.size) {
      // fully delivered: delete it (the tail too: the next append starts a new segment)
      if (this.segments.length === 1 && this.tailFd !== null) {
        closeSync(this.tailFd);
        this.tailFd = null;
      }
      this.removeHead();
    }
    this.saveCursor();
    this.recount();
  }

  private removeHead(): void {
    const head = this.segments.shift() as Segment;
    unlinkSync(head.path);
    const next = this.segments[0];
    this.cursor = { seq: next?.seq ?? 0, offset: 0, line: 0 };
  }

  private saveCursor(): void {
    const tmp = this.cursorPath + '.tmp';
    writeFileSync(tmp, JSON.stringify(this.cursor));
    renameSync(tmp, this.cursorPath);
  }

  stats(): SpoolStats {
    return { ...this.s };
  }

  close(): void {
    if (this.tailFd !== null) closeSync(this.tailFd);
    this.tailFd = null;
  }
}

/** Reads whole lines from `offset` (never past `size`): up to maxRecords, and past maxBytes only for the first line. */
function readLines(path: string, offset: number, size: number, maxRecords: number, maxBytes: number) {
  const fd = openSync(path, 'r');
  try {
    const records: ForensicRecord[] = [];
    let consumed = 0;
    let lines = 0;
    let corrupt = 0;
    let chunk = Math.min(Math.max(maxBytes, 64 * 1024), size - offset);
    for (;;) {
      const buf = Buffer.allocUnsafe(chunk);
      const n = readSync(fd, buf, 0, chunk, offset + consumed);
      let start = 0;
      for (let i = 0; i < n && records.length < maxRecords; i++) {
        if (buf[i] !== 0x0a) continue;
        const lineBytes = i + 1 - start;
        if (records.length > 0 && consumed + lineBytes > maxBytes) break;
        try {
          records.push(parseRecord(buf.toString('utf8', start, i)));
        } catch {
          corrupt++;
        }
        consumed += lineBytes;
        lines++;
        start = i + 1;
      }
      const done = records.length >= maxRecords || consumed >= maxBytes || offset + consumed >= size || (start > 0 && start < n);
      if (done || n === 0) break;
      if (start === 0) {
        // a line longer than the chunk: read more of it
        chunk = Math.min(chunk * 2, size - offset - consumed);
        continue;
      }
    }
    return { records, bytes: consumed, lines, corrupt };
  } finally {
    closeSync(fd);
  }
}
