import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Backoff, type BackoffOptions } from './backoff.js';
import { realClock } from './clock.js';
import { MemorySpool, type Spool, type SpoolStats } from './spool.js';
import type { Clock, ForensicRecord, ForensicSink, Rejection, SendResult, SinkStats } from './types.js';
import { errorText } from './util.js';

/**
 * Delivery: spool -> sink, in order, with retries. Records are appended to the spool first (so a store outage or a
 * restart loses nothing within the spool bound), then sent in batches. After a send, only the records the sink
 * reports as retryable are sent again, after a capped, jittered backoff that honours Retry-After; rejected records
 * go to the dead-letter output with the reason; the batch is acknowledged (never replayed) once nothing in it is
 * left to retry. One batch is in flight at a time, so the store receives records in spool order.
 */

export interface DeadLetterEntry {
  time: string;
  sink: string;
  status?: number;
  reason: string;
  record: ForensicRecord;
}

export interface DeadLetter {
  write(entries: DeadLetterEntry[]): void;
}

/** Dead letters as NDJSON lines appended to a file. */
export class DeadLetterFile implements DeadLetter {
  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
  }
  write(entries: DeadLetterEntry[]): void {
    if (entries.length === 0) return;
    appendFileSync(this.path, entries.map((e) => JSON.stringify(e) + '\n').join(''));
  }
}

/** Dead letters kept in memory (tests, or when no file is configured: they are still counted). */
export class DeadLetterMemory implements DeadLetter {
  readonly entries: DeadLetterEntry[] = [];
  constructor(private readonly max = 10_000) {}
  write(entries: DeadLetterEntry[]): void {
    for (const e of entries) if (this.entries.length < this.max) this.entries.push(e);
  }
}

export type DeliveryEvent =
  | { type: 'retry'; attempt: number; delayMs: number; records: number; error?: string; retryAfterMs?: number }
  | { type: 'rejected'; records: number; reasons: string[] }
  | { type: 'dropped'; records: number; bytes: number };

export interface DeliveryOptions {
  spool?: Spool;
  /** Records per send (default 500). */
  batchRecords?: number;
  /** Serialized bytes per send (default 5 MiB; a single larger record is sent alone). */
  batchBytes?: number;
  backoff?: Partial<BackoffOptions>;
  clock?: Clock;
  deadLetter?: DeadLetter;
  /** Retry, rejection and spool-drop notices, for logs and metrics. */
  onEvent?: (e: DeliveryEvent) => void;
}

export interface DeliveryStats {
  enqueued: number;
  delivered: number;
  duplicates: number;
  deadLettered: number;
  sends: number;
  retries: number;
  /** Consecutive failed attempts of the batch in flight (0 when healthy). */
  failingAttempts: number;
  lastError?: string;
  spool: SpoolStats;
  sink: SinkStats;
}

export class Delivery {
  private readonly spool: Spool;
  private readonly clock: Clock;
  private readonly backoff: Backoff;
  private readonly deadLetter: DeadLetter;
  private readonly batchRecords: number;
  private readonly batchBytes: number;
  private readonly abort = new AbortController();
  private running: Promise<void> | null = null;
  private closed = false;
  private lastDropped = 0;
  private readonly s = { enqueued: 0, delivered: 0, duplicates: 0, deadLettered: 0, sends: 0, retries: 0, failingAttempts: 0, lastError: undefined as string | undefined };

  constructor(
    readonly sink: ForensicSink,
    private readonly options: DeliveryOptions = {},
  ) {
    this.spool = options.spool ?? new MemorySpool();
    this.clock = options.clock ?? realClock;
    this.backoff = new Backoff(options.backoff);
    this.deadLetter = options.deadLetter ?? new DeadLetterMemory();
    this.batchRecords = options.batchRecords ?? 500;
    this.batchBytes = options.batchBytes ?? 5 * 1024 * 1024;
    this.lastDropped = this.spool.stats().droppedRecords;
  }

  /** Spools the records and starts sending in the background. */
  enqueue(records: readonly ForensicRecord[]): void {
    if (this.closed) throw new Error('delivery: closed');
    if (records.length === 0) return;
    this.spool.append(records);
    this.s.enqueued += records.length;
    this.reportDrops();
    this.kick();
  }

  /** Starts sending what the spool holds (for example after a restart). */
  kick(): void {
    if (this.running || this.closed) return;
    this.running = this.run().finally(() => {
      this.running = null;
    });
  }

  /**
   * Waits until the spool is empty (everything delivered or dead-lettered). Resolves true, or false when `timeoutMs`
   * passes first (the store is still down: the records stay spooled).
   */
  async flush(timeoutMs = Infinity): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    this.kick();
    while (this.running) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([
        this.running.then(() => false),
        Number.isFinite(left) ? new Promise<boolean>((r) => (timer = setTimeout(() => r(true), left))) : new Promise<boolean>(() => {}),
      ]);
      if (timer) clearTimeout(timer);
      if (timedOut) return false;
      if (this.spool.stats().records > 0) this.kick();
    }
    return this.spool.stats().records === 0;
  }

  private async run(): Promise<void> {
    while (!this.closed) {
      const lease = this.spool.lease(this.batchRecords, this.batchBytes);
      if (!lease) return;
      let pending: ForensicRecord[] = lease.records;
      let attempt = 0;
      while (pending.length > 0 && !this.closed) {
        const res = await this.sendOnce(pending);
        this.s.delivered += res.delivered;
        this.s.duplicates += res.duplicates;
        if (res.rejected.length > 0) this.reject(res.rejected);
        if (res.retry.length === 0) break;
        attempt++;
        this.s.retries++;
        this.s.failingAttempts = attempt;
        this.s.lastError = res.error;
        const delayMs = this.backoff.delay(attempt, res.retryAfterMs);
        this.options.onEvent?.({ type: 'retry', attempt, delayMs, records: res.retry.length, error: res.error, retryAfterMs: res.retryAfterMs });
        await this.clock.sleep(delayMs, this.abort.signal);
        pending = res.retry;
      }
      if (this.closed) return; // not acknowledged: a disk spool replays it on the next start
      this.s.failingAttempts = 0;
      this.spool.ack(lease);
    }
  }

  private async sendOnce(batch: ForensicRecord[]): Promise<SendResult> {
    this.s.sends++;
    try {
      return await this.sink.send(batch);
    } catch (e) {
      // sinks report failures; a throw is unexpected: retry the whole batch rather than lose it
      return { status: 'retryable', delivered: 0, duplicates: 0, retry: batch, rejected: [], error: errorText(e) };
    }
  }

  private reject(rejected: Rejection[]): void {
    const time = new Date(this.clock.now()).toISOString();
    this.deadLetter.write(rejected.map((r) => ({ time, sink: this.sink.type, status: r.status, reason: r.reason, record: r.record })));
    this.s.deadLettered += rejected.length;
    this.options.onEvent?.({ type: 'rejected', records: rejected.length, reasons: [...new Set(rejected.map((r) => r.reason))].slice(0, 5) });
  }

  private reportDrops(): void {
    const st = this.spool.stats();
    if (st.droppedRecords > this.lastDropped) {
      this.options.onEvent?.({ type: 'dropped', records: st.droppedRecords - this.lastDropped, bytes: st.droppedBytes });
      this.lastDropped = st.droppedRecords;
    }
  }

  stats(): DeliveryStats {
    return { ...this.s, spool: this.spool.stats(), sink: this.sink.stats() };
  }

  /** Stops sending (a sleeping retry ends at once); unacknowledged records stay in a disk spool. Does not close the sink. */
  async close(): Promise<void> {
    this.closed = true;
    this.abort.abort();
    await this.running;
    this.spool.close();
  }
}
