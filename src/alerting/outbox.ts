import type { Logger } from 'pino';
import type { Backoff } from '../publish/backoff.js';
import type { AlertingMetrics } from './metrics.js';
import type { AlertingConfig } from './options.js';
import type { AlertSink, Notification, SendOutcome } from './sinks/sink.js';
import type { AlertStore, OutboxRow } from './store.js';

/**
 * One delivery loop per sink target: takes the oldest rows of its queue (FIFO, so `resolved` never overtakes
 * `opened`), sends them as one request and records the outcome in the store before looking at the next rows:
 * delivered rows are deleted, rejected ones (and ones that exhausted `retry.maxAttempts`) move to the dead-letter
 * table with the reason, retryable ones wait a capped, jittered backoff that honours Retry-After. The queue lives in
 * SQLite, so a restart resumes where it stopped; a batch whose answer was lost (crash, timeout) is sent again:
 * at-least-once, with stable delivery keys for receivers to dedup.
 */

/** What the pipeline logs through: any pino logger, or Fastify's `app.log`. */
export type AlertLogger = Pick<Logger, 'info' | 'warn' | 'error'>;

export interface WorkerDeps {
  store: AlertStore;
  sink: AlertSink;
  backoff: Backoff;
  retry: AlertingConfig['retry'];
  metrics: AlertingMetrics;
  logger: AlertLogger | undefined;
  now: () => number;
  /** After each outcome (the pipeline refreshes its gauges). */
  onOutcome: () => void;
}

export class SinkWorker {
  private wakeUp: (() => void) | null = null;
  private readonly abort = new AbortController();
  private loop: Promise<void> | null = null;
  private draining = false;
  private stopped = false;

  constructor(private readonly d: WorkerDeps) {}

  get name(): string {
    return this.d.sink.name;
  }

  start(): void {
    this.loop ??= this.run().catch((e: unknown) => {
      this.d.logger?.error({ sink: this.name, err: e instanceof Error ? e.message : String(e) }, 'alert outbox worker stopped on an error');
    });
  }

  /** New rows were queued. */
  wake(): void {
    const w = this.wakeUp;
    this.wakeUp = null;
    w?.();
  }

  /** Delivers what is due without waiting on backoff; resolves when the queue is empty or a send fails. */
  drain(): Promise<void> {
    this.draining = true;
    this.abort.abort();
    this.wake();
    return this.loop ?? Promise.resolve();
  }

  stop(): void {
    this.stopped = true;
    this.abort.abort();
    this.wake();
  }

  private idle(): Promise<void> {
    return new Promise((resolve) => {
      this.wakeUp = resolve;
    });
  }

  private sleep(ms: number): Promise<void> {
    if (ms <= 0 || this.abort.signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      const signal = this.abort.signal;
      function done(): void {
        clearTimeout(t);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done);
    });
  }

  private async run(): Promise<void> {
    const { store, sink, retry } = this.d;
    let first = true;
    while (!this.stopped && store.isOpen) {
      const rows = store.head(sink.name, sink.maxBatch);
      if (rows.length === 0) {
        if (this.draining) return;
        await this.idle();
        continue;
      }
      if (first) {
        // After a restart, honour the backoff the previous process had scheduled (bounded, in case the clock moved).
        first = false;
        const wait = Math.min(rows[0].nextAt - this.d.now(), retry.maxMs, retry.maxRetryAfterMs);
        if (wait > 0 && !this.draining) await this.sleep(wait);
        continue;
      }
      const outcome = await this.sendSafe(rows);
      if (!store.isOpen) return; // closed while the request was in flight: the rows stay queued (at-least-once)
      const retryAgain = this.record(rows, outcome);
      this.d.onOutcome();
      if (retryAgain !== null) {
        if (this.draining || this.stopped) return;
        await this.sleep(retryAgain);
        if (this.draining) return;
      }
    }
  }

  private async sendSafe(rows: OutboxRow[]): Promise<SendOutcome> {
    const batch: Notification[] = rows.map((r) => ({ alert: r.alert, change: r.change, key: r.key }));
    try {
      return await this.d.sink.send(batch, this.d.now());
    } catch (e) {
      // Sinks report failures; a throw is a bug. Retry rather than lose the rows (the message is not echoed: it could hold a secret).
      return { status: 'retryable', error: `${this.name}: unexpected ${e instanceof Error ? e.name : 'error'}` };
    }
  }

  /** Applies an outcome; returns the delay before the next attempt when the rows must be retried. */
  private record(rows: OutboxRow[], outcome: SendOutcome): number | null {
    const { store, sink, metrics, logger, retry } = this.d;
    const seqs = rows.map((r) => r.seq);
    const now = this.d.now();
    if (outcome.status === 'delivered') {
      store.delivered(seqs, sink.name);
      metrics.deliveries.inc({ sink: sink.name, status: 'delivered' }, rows.length);
      if (rows.some((r) => r.attempts > 0)) logger?.info({ sink: sink.name, rows: rows.length }, 'alert sink recovered');
      return null;
    }
    if (outcome.status === 'rejected') {
      store.deadLetter(seqs, sink.name, outcome.reason, outcome.httpStatus ?? null, now);
      metrics.deliveries.inc({ sink: sink.name, status: 'rejected' }, rows.length);
      metrics.deadLetters.inc({ sink: sink.name }, rows.length);
      logger?.warn({ sink: sink.name, rows: rows.length, reason: outcome.reason }, 'alert notifications rejected: moved to dead letters');
      return null;
    }
    const attempt = Math.max(...rows.map((r) => r.attempts)) + 1;
    if (retry.maxAttempts > 0 && attempt >= retry.maxAttempts) {
      store.deadLetter(seqs, sink.name, `gave up after ${attempt} attempts: ${outcome.error}`, null, now);
      metrics.deliveries.inc({ sink: sink.name, status: 'gave_up' }, rows.length);
      metrics.deadLetters.inc({ sink: sink.name }, rows.length);
      logger?.error({ sink: sink.name, rows: rows.length, attempts: attempt, error: outcome.error }, 'alert notifications dead-lettered after retries');
      return null;
    }
    const delay = this.d.backoff.delay(attempt, outcome.retryAfterMs);
    store.retryLater(seqs, sink.name, now + delay, outcome.error);
    metrics.deliveries.inc({ sink: sink.name, status: 'retryable' }, rows.length);
    logger?.warn({ sink: sink.name, rows: rows.length, attempt, delayMs: delay, retryAfterMs: outcome.retryAfterMs, error: outcome.error }, 'alert delivery failed; retrying');
    return delay;
  }
}
