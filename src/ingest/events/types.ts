/**
 * Typed records of the container runtime path: every event decoder (Falco, Tetragon, LID-DS, ADFA-LD, compact
 * NDJSON) turns its input into `SyscallEvent`s, streamed as `EventBatch`es; the syscall summarizer
 * (src/features/summarizers/syscall) turns them into per-container activity vectors.
 *
 * Time: `timeUs` is epoch MICROSECONDS as a JS number (double). Nanosecond inputs (Falco `time`, LID-DS
 * timestamps) are converted exactly to whole microseconds plus the sub-microsecond fraction, which a double keeps
 * to about 0.25 us for present-day dates (2^53 us is the year 2255). Microseconds, not nanoseconds: epoch
 * nanoseconds (1.7e18) are beyond 2^53 and would need BigInt on the hot path. ADFA-LD traces have no timestamps:
 * their `timeUs` is the 0-based position of the call in the trace.
 *
 * Unknown values use sentinels so every record has the same shape (one hidden class on the hot path):
 * strings `''`, `pid`/`tid`/ports `-1`, `ret` `NaN`, `label` `-1`.
 */
import type { BadRow, BinaryLabel, OnBadRow, ReadStats } from '../types.js';

/** `>` call entry, `<` call exit, `` a complete call (or a format without directions). */
export type EventDirection = '>' | '<' | '';

export interface EventSourceRef {
  /** File the event came from (as given; `-` for stdin). */
  file: string;
  /** 1-based line of the record in that file (first line of a multi-line JSON record). */
  line: number;
}

export interface SyscallEvent {
  /** Epoch microseconds (see the module comment); for ADFA-LD the position in the trace. */
  timeUs: number;
  /** Node or host name (`hostname` in Falco, `node_name` in Tetragon), `` when unknown. */
  node: string;
  /** Container id (runtime prefix such as `containerd://` removed); `host` for events outside containers. */
  containerId: string;
  /** Image as reported (repository, or repository:tag@digest); `` when unknown. */
  image: string;
  pod: string;
  namespace: string;
  /** Process name (comm). */
  process: string;
  /** Executable path; `` when the format does not carry it. */
  exe: string;
  /** Parent process name. */
  parent: string;
  pid: number;
  tid: number;
  /**
   * Normalised event type: the syscall name without architecture prefixes (`openat`, `execve`, `connect`);
   * non-syscall kernel hooks keep their own name (`security_file_permission`, `sched/sched_process_exec`).
   * `` when the record names no event type (some Falco rule alerts).
   */
  syscall: string;
  dir: EventDirection;
  /** Return value (negative = failed call, `-errno`); `NaN` when unknown. */
  ret: number;
  /** File descriptor name or path argument (`/etc/passwd`, `10.0.0.1:3456->10.0.0.2:443`); `` when none. */
  fd: string;
  /** Connection endpoints when the event has them: destination = the server side (`connect` target, `accept`ing port). */
  srcAddr: string;
  srcPort: number;
  dstAddr: string;
  dstPort: number;
  /** 1 attack, 0 benign, -1 unknown (LID-DS by exploit time, ADFA-LD by folder, NDJSON `l`). */
  label: BinaryLabel;
  /** Attack class name when label is 1, `benign` when 0, `` when unknown. */
  attackClass: string;
  source: EventSourceRef;
}

/** Per-interval resource figures of a container (LID-DS `.res`): NaN when a column is missing or `NULL`. */
export interface ResourceSample {
  timeUs: number;
  containerId: string;
  /** Image of the container when known (so a sample that opens an interval already has the container's group). */
  image: string;
  /** CPU usage as reported (LID-DS: fraction of one core). */
  cpu: number;
  memoryBytes: number;
  netRxBytes: number;
  netTxBytes: number;
  storageReadBytes: number;
  storageWrittenBytes: number;
}

export interface EventBatch {
  /** File the events came from (`-` for stdin). */
  file: string;
  /** Events in input order. */
  events: SyscallEvent[];
  /**
   * Resource samples, sorted by time. A decoder puts each sample in the batch whose events it precedes or falls
   * among (so a consumer can merge the two by time), and the samples after the last event in a final batch.
   */
  resources: ResourceSample[];
}

/** Counters a read fills in; `ReadStats` fields keep their tabular meaning (a row = one input record). */
export interface EventReadStats extends ReadStats {
  /** Events emitted (a record can yield zero events, LID-DS merges an entry and its exit into one). */
  events: number;
  /** Well-formed records that describe no event (non-syscall Falco sources, unhandled Tetragon kinds). */
  ignored: number;
  /** `ignored` per kind (`falco:k8s_audit`, `tetragon:process_loader`). */
  ignoredKinds: Record<string, number>;
}

export interface EventReadOptions {
  onBadRow: OnBadRow;
  /** Events per batch (default 1024). */
  batchEvents?: number;
  /** Bad records kept verbatim in stats.badRows (default 20). */
  maxBadRowsKept?: number;
  /** Largest accepted line or JSON record in bytes (default 1 MiB); longer ones are PGN_ERR_FIELD_TOO_LONG. */
  maxRecordBytes?: number;
  /** Read chunk size in bytes (default 64 KiB); tests use tiny values so records straddle chunks. */
  highWaterMark?: number;
  /**
   * Falco and NDJSON: `json` (default) JSON.parse, then the known keys read by name; `scan` a hand-written scanner
   * that reads the known keys without building objects. Same events either way; JSON.parse measured faster
   * (src/features/summarizers/syscall/bench.ts).
   */
  parser?: 'json' | 'scan';
  /** Stream read for the path `-` (default process.stdin). */
  stdin?: NodeJS.ReadableStream;
  /** Stats object to fill in (created when absent). */
  stats?: EventReadStats;
  /** Called with bytes read so far and total bytes of all files (0 for stdin), for progress bars. */
  onProgress?: (bytesRead: number, totalBytes: number) => void;
}

export interface EventSource {
  readonly format: string;
  readonly files: readonly string[];
  readonly stats: EventReadStats;
  /** Streams the inputs in order; an aborted signal stops the read at the next chunk. */
  batches(signal?: AbortSignal): AsyncIterable<EventBatch>;
}

export function emptyEventStats(): EventReadStats {
  return { files: 0, bytes: 0, rowsRead: 0, rowsSkipped: 0, badRows: [], nonFinite: {}, classCounts: {}, events: 0, ignored: 0, ignoredKinds: {} };
}

export type { BadRow, BinaryLabel, OnBadRow };

/** A new event with every field unknown (the decoders fill in what their format has). */
export function blankEvent(file: string, line: number): SyscallEvent {
  return {
    timeUs: NaN,
    node: '',
    containerId: 'host',
    image: '',
    pod: '',
    namespace: '',
    process: '',
    exe: '',
    parent: '',
    pid: -1,
    tid: -1,
    syscall: '',
    dir: '',
    ret: NaN,
    fd: '',
    srcAddr: '',
    srcPort: -1,
    dstAddr: '',
    dstPort: -1,
    label: -1,
    attackClass: '',
    source: { file, line },
  };
}
