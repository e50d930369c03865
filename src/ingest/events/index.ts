/**
 * Event ingest for the container runtime path: Falco JSON, Tetragon JSON, LID-DS `.sc`, ADFA-LD traces and
 * Peregrine's compact NDJSON, streamed from files, folders and stdin (`-`) as EventBatches of SyscallEvents.
 * One folder per format; each registers `{type, description, extensions, traces, decode}` here.
 */
import { stat } from 'node:fs/promises';
import { PeregrineError } from '../../core/errors.js';
import { Registry } from '../../core/registry.js';
import { ioError } from '../csv/stream.js';
import { expandPaths } from '../files.js';
import { decodeAdfa } from './adfa/index.js';
import { decodeFalco } from './falco/index.js';
import { decodeLidds } from './lidds/index.js';
import { decodeNdjson } from './ndjson/index.js';
import { DecodeContext } from './read.js';
import { decodeTetragon } from './tetragon/index.js';
import { emptyEventStats, type EventBatch, type EventReadOptions, type EventSource } from './types.js';

export const EVENT_FORMATS = ['falco', 'tetragon', 'lidds', 'adfa-ld', 'ndjson'] as const;
export type EventFormat = (typeof EVENT_FORMATS)[number];

export interface EventFormatSpec {
  readonly type: EventFormat;
  readonly description: string;
  /** File extensions picked up when a folder is given. */
  readonly extensions: readonly string[];
  /** True when each input file is one trace (one activity vector per file, no time intervals): ADFA-LD. */
  readonly traces: boolean;
  decode(file: string, ctx: DecodeContext): AsyncGenerator<EventBatch>;
}

export const eventFormatRegistry = new Registry<EventFormatSpec>('event format');
eventFormatRegistry.register({
  type: 'falco',
  description: 'Falco JSON output: rule alerts and per-event records (one per line, or a JSON array)',
  extensions: ['.json', '.jsonl', '.ndjson'],
  traces: false,
  decode: decodeFalco,
});
eventFormatRegistry.register({
  type: 'tetragon',
  description: 'Tetragon JSON export: process_exec/exit/kprobe/tracepoint/... (one per line or pretty-printed)',
  extensions: ['.json', '.jsonl', '.ndjson', '.log'],
  traces: false,
  decode: decodeTetragon,
});
eventFormatRegistry.register({
  type: 'lidds',
  description: 'LID-DS 2021 .sc recordings (with the .json metadata and .res resource stats beside them)',
  extensions: ['.sc'],
  traces: false,
  decode: decodeLidds,
});
eventFormatRegistry.register({
  type: 'adfa-ld',
  description: 'ADFA-LD traces: i386 syscall numbers, one trace per file; Attack_Data_Master folders are attacks',
  extensions: ['.txt'],
  traces: true,
  decode: decodeAdfa,
});
eventFormatRegistry.register({
  type: 'ndjson',
  description: "Peregrine's compact event NDJSON (one event per line, short keys)",
  extensions: ['.ndjson', '.jsonl', '.json'],
  traces: false,
  decode: decodeNdjson,
});

/** Expands files and folders (stdin `-` kept as is) into the format's input files. */
export async function eventInputs(format: EventFormat | string, paths: string[]): Promise<string[]> {
  const spec = eventFormatRegistry.get(format);
  if (paths.length === 0) throw new PeregrineError('PGN_ERR_USAGE', 'no input files given', { hint: 'pass one or more files or folders, or - for stdin' });
  const out: string[] = [];
  for (const p of paths) {
    if (p === '-') out.push(p);
    else out.push(...(await expandPaths([p], spec.extensions)));
  }
  if (out.filter((p) => p === '-').length > 1) throw new PeregrineError('PGN_ERR_USAGE', 'stdin (-) given more than once', { where: '--data' });
  return out;
}

/**
 * Opens event inputs of one format. Paths are expanded (and checked) here; `batches()` streams them in order and
 * fills `stats` (bad records, ignored records, events per class).
 */
export async function openEvents(format: EventFormat | string, paths: string[], options: EventReadOptions): Promise<EventSource> {
  const spec = eventFormatRegistry.get(format);
  for (const k of ['batchEvents', 'maxRecordBytes', 'highWaterMark', 'maxBadRowsKept'] as const) {
    const v = options[k];
    const min = k === 'maxBadRowsKept' ? 0 : 1;
    if (v !== undefined && !(Number.isInteger(v) && v >= min)) {
      throw new PeregrineError('PGN_ERR_BAD_PARAM', `${k} must be an integer >= ${min}, got ${v}`, { where: k });
    }
  }
  const files = await eventInputs(format, paths);
  let totalBytes = 0;
  for (const f of files) {
    if (f === '-') continue;
    totalBytes += (
      await stat(f).catch((e: unknown) => {
        throw ioError(e, f);
      })
    ).size;
  }
  const stats = options.stats ?? emptyEventStats();
  return {
    format: spec.type,
    files,
    stats,
    async *batches(signal?: AbortSignal): AsyncGenerator<EventBatch> {
      const ctx = new DecodeContext(options, stats, totalBytes, signal);
      for (const f of files) {
        if (signal?.aborted) return;
        yield* spec.decode(f, ctx);
      }
    },
  };
}

export { DecodeContext } from './read.js';
export { parseFalcoRecord } from './falco/index.js';
export { parseNdjsonEvent, encodeEvent, encodeEvents, NDJSON_KEYS } from './ndjson/index.js';
export { tetragonToEvent } from './tetragon/index.js';
export { functionToSyscall, tracepointToSyscall } from './tetragon/functions.js';
export { parseScLine } from './lidds/sc.js';
export { readLiddsMeta, type LiddsMeta } from './lidds/index.js';
export { adfaLabel, traceId, ATTACK_FOLDER } from './adfa/index.js';
export { I386_SYSCALLS, i386Name } from './adfa/i386.js';
export * from './types.js';
