/**
 * The forensic publishing contracts: what the publishers take in (raw events, interval verdicts), what they emit
 * (summary and event records), and the one interface every forensic sink implements.
 *
 * The inputs are deliberately small interfaces of this folder's own, so the publisher does not depend on the event
 * decoders, the summarizer or the VAE; the runtime wiring maps their records onto these.
 */

/** One raw system-call event of a container, as it was received. */
export interface RawEvent {
  containerId: string;
  /** Event time, epoch nanoseconds. */
  timeNs: number;
  /** The original serialized event line (no trailing newline). Its UTF-8 byte length is what a standard publisher ships. */
  line: string;
}

/** The two fields of a decoded event the publishers need (a SyscallEvent has them): no per-event object is made. */
export interface ObservedEvent {
  containerId: string;
  /** Event time, epoch microseconds. */
  timeUs: number;
}

/** The stability verdict on one container's activity over one interval. */
export interface IntervalVerdict {
  containerId: string;
  /** The workload/image group whose model judged the container. */
  group: string;
  /** Interval start, epoch milliseconds (inclusive). */
  intervalStart: number;
  /** Interval end, epoch milliseconds (exclusive): events with `timeNs < intervalEnd * 1e6` belong to this interval or earlier. */
  intervalEnd: number;
  /** Reconstruction error (higher = more abnormal). */
  score: number;
  threshold: number;
  unstable: boolean;
  latentMean?: number[];
  latentVar?: number[];
  /** Activity counts of the interval (per system call, per class, ...). */
  counts: Record<string, number>;
  eventCount: number;
  modelVersion?: string;
}

/** Why an event record was published. */
export type EventReason = 'unstable' | 'context' | 'cooldown' | 'standard';

/** The activity summary of one interval: a few hundred bytes, published for every interval in adaptive mode. */
export interface SummaryRecord {
  kind: 'summary';
  /** Deterministic document id: the same interval always gets the same id, so a retry never duplicates. */
  id: string;
  containerId: string;
  group: string;
  intervalStart: number;
  intervalEnd: number;
  /** null when the score was not a finite number. */
  score: number | null;
  threshold: number | null;
  unstable: boolean;
  eventCount: number;
  /** Whether this interval's full event log was published with it. */
  fullLog: boolean;
  /** Cached previous intervals published with it as pre-incident context. */
  contextIntervals: number;
  /** Events of this container dropped by the local cache byte cap since the previous summary. */
  droppedEvents: number;
  counts: Record<string, number>;
  latentMean?: number[];
  latentVar?: number[];
  modelVersion?: string;
}

/** One raw event in the forensic log. */
export interface EventRecord {
  kind: 'event';
  /** Deterministic document id from container, interval and the event's offset in that interval. */
  id: string;
  containerId: string;
  group: string;
  /** The interval the event belongs to (epoch ms). */
  intervalStart: number;
  intervalEnd: number;
  /** Position of the event in its interval (0-based, in arrival order; dropped events keep their numbers). */
  offset: number;
  timeNs: number;
  reason: EventReason;
  line: string;
}

export type ForensicRecord = SummaryRecord | EventRecord;

/** Byte and record counters of a publisher (per container and total). */
export interface PublishCounters {
  /** Intervals closed by a verdict. */
  intervals: number;
  /** Intervals whose full log was published. */
  fullLogIntervals: number;
  records: number;
  /** Published bytes: summary JSON bytes + raw event line bytes (sink framing excluded). */
  bytes: number;
  summaries: number;
  summaryBytes: number;
  events: number;
  eventBytes: number;
  /** Events dropped from the local cache by its byte cap (never published). */
  droppedEvents: number;
  /** Their size as the cap counts it: line characters (bytes for ASCII lines). */
  droppedBytes: number;
}

export interface PublishStats {
  total: PublishCounters;
  containers: Record<string, PublishCounters>;
}

/** Where a publisher hands its records (usually `Delivery.enqueue`). */
export type RecordOutput = (records: ForensicRecord[]) => void;

/** The common surface of the adaptive and the standard publishers. */
export interface Publisher {
  readonly mode: 'adaptive' | 'standard';
  /** Takes raw events (any containers, any order of containers; per container in time order). */
  observe(events: readonly RawEvent[]): void;
  /**
   * The same from decoded events and their lines (`lines[i]` belongs to `events[i]`), for `i` in [from, to):
   * what the runtime pipeline calls, without building a RawEvent per event.
   */
  observeEvents?(events: readonly ObservedEvent[], lines: readonly string[], from?: number, to?: number): void;
  /** Closes the verdict's interval for its container and returns the records published for it. */
  onVerdict(verdict: IntervalVerdict): ForensicRecord[];
  /** Forgets a container (it is gone); its cached events are discarded and not counted as dropped. */
  removeContainer(containerId: string): void;
  stats(): PublishStats;
}

// ---------------------------------------------------------------------------------------------------------------
// Sinks

/** The outcome of one `send`: the batch status plus what to retry and what was rejected. */
export type SendStatus = 'delivered' | 'retryable' | 'rejected';

export interface Rejection {
  record: ForensicRecord;
  reason: string;
  /** HTTP or item status when there is one. */
  status?: number;
}

export interface SendResult {
  /** `retryable` when anything must be sent again, else `rejected` when anything was rejected, else `delivered`. */
  status: SendStatus;
  /** Records now in the store (including duplicates the store already held). */
  delivered: number;
  /** Records the store already held (a replay after a lost acknowledgement): delivered, not duplicated. */
  duplicates: number;
  /** Only the records to send again (the rest of the batch is done). */
  retry: ForensicRecord[];
  /** Records the store refused for good: they go to the dead-letter file with the reason. */
  rejected: Rejection[];
  /** The store asked to wait this long (Retry-After) before retrying. */
  retryAfterMs?: number;
  /** The error behind a retry, for logs. */
  error?: string;
}

export interface HealthStatus {
  ok: boolean;
  detail: string;
}

export interface SinkStats {
  /** Requests, transactions or file writes attempted. */
  requests: number;
  /** Bytes handed to the store (request bodies, file bytes; SQLite: the row payload bytes). */
  bytesSent: number;
  delivered: number;
  duplicates: number;
  retryable: number;
  rejected: number;
}

/**
 * A forensic sink (Vector's finalizer model): `toPayload` is pure (the exact wire form of a batch, tested against
 * golden payloads); `send` never throws for store failures, it reports them.
 */
export interface ForensicSink<P = unknown> {
  readonly type: string;
  /** Pure: the exact payload `send` would write for this batch. */
  toPayload(batch: readonly ForensicRecord[]): P;
  /** Opens files, creates tables or index templates. Idempotent; `send` calls it when needed. */
  start(): Promise<void>;
  send(batch: readonly ForensicRecord[]): Promise<SendResult>;
  healthcheck(): Promise<HealthStatus>;
  stats(): SinkStats;
  close(): Promise<void>;
}

/** Time, injectable so retry and rotation tests never sleep for real. */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Resolves after `ms` (or at once when the signal aborts). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}
