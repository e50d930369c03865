/**
 * The reading side shared by the event decoders: files and stdin as decoded text chunks, the bad-record policy
 * (skip counts and keeps the first few, fail throws one PeregrineError naming file:line), and batching.
 */
import { isAscii } from 'node:buffer';
import { createReadStream, type ReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { PeregrineError } from '../../core/errors.js';
import { closeStream, ioError } from '../csv/stream.js';
import type { BadRowCode } from '../csv/tokenizer.js';
import { RecordError } from './json/cursor.js';
import { JsonRecordSplitter, LineSplitter } from './text.js';
import type { EventBatch, EventReadOptions, EventReadStats, ResourceSample, SyscallEvent } from './types.js';

/**
 * Defaults measured on Falco lines (bench.ts): 64 KiB reads and 1024-event batches keep the read strings and the
 * events young enough to die in the scavenger; 1 MiB reads and 8192-event batches spent ~15 % more time in GC.
 */
export const DEFAULT_BATCH_EVENTS = 1024;
export const DEFAULT_MAX_RECORD_BYTES = 1 << 20;
export const DEFAULT_HIGH_WATER_MARK = 1 << 16;
export const DEFAULT_MAX_BAD_ROWS_KEPT = 20;

export class DecodeContext {
  readonly batchEvents: number;
  readonly maxRecordBytes: number;
  readonly maxKept: number;
  bytesDone = 0;

  constructor(
    readonly options: EventReadOptions,
    readonly stats: EventReadStats,
    readonly totalBytes: number,
    readonly signal?: AbortSignal,
  ) {
    this.batchEvents = Math.max(1, options.batchEvents ?? DEFAULT_BATCH_EVENTS);
    this.maxRecordBytes = Math.max(1, options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES);
    this.maxKept = options.maxBadRowsKept ?? DEFAULT_MAX_BAD_ROWS_KEPT;
  }

  /** A malformed record: throws in fail mode, counts (and keeps the first few) in skip mode. */
  bad(file: string, line: number, reason: string, code: BadRowCode = 'PGN_ERR_BAD_ROW'): void {
    if (this.options.onBadRow === 'fail') {
      const hint =
        code === 'PGN_ERR_FIELD_TOO_LONG'
          ? `look for a missing newline; raise maxRecordBytes (now ${this.maxRecordBytes}) for genuinely long records, or pass --on-bad-row skip`
          : 'fix the record or pass --on-bad-row skip';
      throw new PeregrineError(code, reason, { where: `${file}:${line}`, hint });
    }
    this.stats.rowsSkipped++;
    if (this.stats.badRows.length < this.maxKept) this.stats.badRows.push({ file, line, reason });
  }

  tooLong(file: string, line: number): void {
    this.bad(file, line, `record is longer than the ${this.maxRecordBytes}-byte limit`, 'PGN_ERR_FIELD_TOO_LONG');
  }

  ignore(kind: string): void {
    this.stats.ignored++;
    bump(this.stats.ignoredKinds, kind, 1);
  }
}

/** Adds n to rec[key] as an own property (safe for keys such as `__proto__` that come from the data). */
export function bump(rec: Record<string, number>, key: string, n: number): void {
  if (Object.prototype.hasOwnProperty.call(rec, key)) rec[key] += n;
  else Object.defineProperty(rec, key, { value: n, writable: true, enumerable: true, configurable: true });
}

/** Decoded text of a file (or stdin for `-`), chunk by chunk; the stream is closed however the loop ends. */
export async function* readTextChunks(file: string, ctx: DecodeContext): AsyncGenerator<string> {
  const isStdin = file === '-';
  const stream = isStdin ? (ctx.options.stdin ?? process.stdin) : createReadStream(file, { highWaterMark: ctx.options.highWaterMark ?? DEFAULT_HIGH_WATER_MARK });
  const decoder = new StringDecoder('utf8');
  // ASCII chunks are copied as latin1 (no UTF-8 validation); from the first non-ASCII chunk on, the UTF-8 decoder
  // (which carries split multi-byte characters across chunks) takes over.
  let ascii = true;
  let first = true;
  ctx.stats.files++;
  try {
    try {
      for await (const chunk of stream as AsyncIterable<Buffer | string>) {
        if (ctx.signal?.aborted) return;
        const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
        ctx.stats.bytes += buf.length;
        ctx.bytesDone += buf.length;
        ctx.options.onProgress?.(ctx.bytesDone, ctx.totalBytes);
        if (ascii && !isAscii(buf)) ascii = false;
        let text = ascii ? buf.toString('latin1') : decoder.write(buf);
        if (first && text.length > 0) {
          first = false;
          if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
        }
        if (text.length > 0) yield text;
      }
    } catch (e) {
      throw ioError(e, file);
    }
    const rest = decoder.end();
    if (rest.length > 0) yield rest;
  } finally {
    if (!isStdin) await closeStream(stream as ReadStream);
  }
}

/** Collects events into batches of `batchEvents`. */
export class BatchCollector {
  events: SyscallEvent[] = [];
  private ready: SyscallEvent[][] = [];

  constructor(private readonly size: number) {}

  push(e: SyscallEvent): void {
    this.events.push(e);
    if (this.events.length >= this.size) {
      this.ready.push(this.events);
      this.events = [];
    }
  }

  /** Full batches so far; with `final`, the partial one too. */
  take(final: boolean): SyscallEvent[][] {
    if (final && this.events.length > 0) {
      this.ready.push(this.events);
      this.events = [];
    }
    const out = this.ready;
    this.ready = [];
    return out;
  }
}

/** Per-record decode function: pushes zero or more events; throws RecordError for a malformed record. */
export type RecordDecoder = (text: string, line: number, out: BatchCollector) => void;

export interface TextDecodeOptions {
  framing: 'json' | 'lines';
  /** Resource samples to attach to a batch whose last event is at `uptoUs` (Infinity at the end). */
  resourcesUpTo?: (uptoUs: number) => ResourceSample[];
  /** Called after the last record (flushes decoders that hold state, such as LID-DS entry/exit pairing). */
  finish?: (out: BatchCollector) => void;
}

function countClasses(stats: EventReadStats, events: SyscallEvent[]): void {
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    if (e.label >= 0) bump(stats.classCounts, e.attackClass, 1);
  }
}

/** Streams one text input through a framing and a record decoder, yielding EventBatches. */
export async function* decodeText(file: string, ctx: DecodeContext, decode: RecordDecoder, opts: TextDecodeOptions): AsyncGenerator<EventBatch> {
  const out = new BatchCollector(ctx.batchEvents);
  const stats = ctx.stats;
  const onRecord = (text: string, line: number): void => {
    if (text.length === 0) return;
    try {
      decode(text, line, out);
      stats.rowsRead++;
    } catch (e) {
      if (e instanceof RecordError) ctx.bad(file, line, e.reason);
      else throw e;
    }
  };
  const onTooLong = (line: number): void => ctx.tooLong(file, line);
  const splitter =
    opts.framing === 'json'
      ? new JsonRecordSplitter(ctx.maxRecordBytes, onRecord, (line, reason) => ctx.bad(file, line, reason), onTooLong)
      : new LineSplitter(ctx.maxRecordBytes, onRecord, onTooLong);
  const batch = (events: SyscallEvent[], final: boolean): EventBatch => {
    stats.events += events.length;
    countClasses(stats, events);
    const upto = final ? Infinity : events.length > 0 ? events[events.length - 1].timeUs : -Infinity;
    return { file, events, resources: opts.resourcesUpTo ? opts.resourcesUpTo(upto) : [] };
  };
  for await (const chunk of readTextChunks(file, ctx)) {
    splitter.push(chunk);
    for (const events of out.take(false)) yield batch(events, false);
  }
  if (ctx.signal?.aborted) return;
  splitter.end();
  opts.finish?.(out);
  const rest = out.take(true);
  for (let i = 0; i < rest.length; i++) yield batch(rest[i], i === rest.length - 1);
  if (rest.length === 0 && opts.resourcesUpTo) {
    const resources = opts.resourcesUpTo(Infinity);
    if (resources.length > 0) yield { file, events: [], resources };
  }
}
