import type { Statement } from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { PeregrineError } from '../../../core/errors.js';
import { serializeRecord } from '../../records.js';
import type { ForensicRecord, ForensicSink, HealthStatus, Rejection, SendResult, SinkStats } from '../../types.js';
import { errorText } from '../../util.js';
import { account, emptySinkStats, statusOf } from '../sink.js';
import type { SqliteOptions } from './options.js';
import { eventRow, openStoreForWrite, summaryRow, type EventRow, type StoreDb, type SummaryRow } from './store.js';

/** The rows a batch becomes, per table, in batch order. */
export interface SqlitePayload {
  summaries: SummaryRow[];
  events: EventRow[];
}

/** Errors worth retrying: the database is busy, locked, full, read-only or briefly unreadable (an operator can fix it). */
const TRANSIENT = /^SQLITE_(BUSY|LOCKED|FULL|IOERR|CANTOPEN|PROTOCOL|NOMEM|INTERRUPT|READONLY)/;

/**
 * The embedded default sink: one transaction per batch, `INSERT OR IGNORE` on the deterministic ids (a replayed
 * record is a counted duplicate, never a second row).
 */
export class SqliteSink implements ForensicSink<SqlitePayload> {
  readonly type = 'sqlite';
  private db: StoreDb | null = null;
  private insSummary: Statement | null = null;
  private insEvent: Statement | null = null;
  private readonly s = emptySinkStats();

  constructor(readonly options: SqliteOptions) {}

  toPayload(batch: readonly ForensicRecord[]): SqlitePayload {
    const summaries: SummaryRow[] = [];
    const events: EventRow[] = [];
    for (const r of batch) {
      if (r.kind === 'summary') summaries.push(summaryRow(r));
      else events.push(eventRow(r));
    }
    return { summaries, events };
  }

  async start(): Promise<void> {
    if (this.db) return;
    try {
      mkdirSync(dirname(this.options.path), { recursive: true });
      this.db = openStoreForWrite(this.options.path, this.options.busyTimeoutMs);
    } catch (e) {
      throw new PeregrineError('PGN_ERR_IO', `cannot open the SQLite forensic store: ${(e as Error).message}`, { where: this.options.path, cause: e });
    }
    this.insSummary = this.db.prepare(
      `INSERT OR IGNORE INTO summaries (id, container_id, group_name, interval_start, interval_end, score, threshold, unstable, event_count,
         full_log, context_intervals, dropped_events, model_version, counts, latent_mean, latent_var)
       VALUES (@id, @container_id, @group_name, @interval_start, @interval_end, @score, @threshold, @unstable, @event_count,
         @full_log, @context_intervals, @dropped_events, @model_version, @counts, @latent_mean, @latent_var)`,
    );
    this.insEvent = this.db.prepare(
      `INSERT OR IGNORE INTO events (id, container_id, group_name, interval_start, interval_end, event_offset, time_ns, time_ms, reason, line)
       VALUES (@id, @container_id, @group_name, @interval_start, @interval_end, @event_offset, @time_ns, @time_ms, @reason, @line)`,
    );
  }

  /** The open database (after `start`), for queries in the same process. */
  database(): StoreDb {
    if (!this.db) throw new Error('sqlite sink: not started');
    return this.db;
  }

  async send(batch: readonly ForensicRecord[]): Promise<SendResult> {
    this.s.requests++;
    try {
      await this.start();
    } catch (e) {
      return account(this.s, { status: 'retryable', delivered: 0, duplicates: 0, retry: [...batch], rejected: [], error: errorText(e) });
    }
    const db = this.db as StoreDb;
    const insert = (r: ForensicRecord): number =>
      r.kind === 'summary' ? (this.insSummary as Statement).run(summaryRow(r)).changes : (this.insEvent as Statement).run(eventRow(r)).changes;
    let inserted = 0;
    try {
      db.transaction(() => {
        inserted = 0;
        for (const r of batch) inserted += insert(r);
      })();
      this.countBytes(batch);
      return account(this.s, { status: 'delivered', delivered: batch.length, duplicates: batch.length - inserted, retry: [], rejected: [] });
    } catch (e) {
      const code = (e as { code?: string }).code ?? '';
      if (TRANSIENT.test(code)) {
        return account(this.s, { status: 'retryable', delivered: 0, duplicates: 0, retry: [...batch], rejected: [], error: errorText(e) });
      }
    }
    // A record the database refuses (the transaction rolled back): insert one by one, rejecting only the bad ones.
    const rejected: Rejection[] = [];
    const retry: ForensicRecord[] = [];
    let delivered = 0;
    let duplicates = 0;
    for (const r of batch) {
      try {
        const n = insert(r);
        delivered++;
        if (n === 0) duplicates++;
      } catch (e) {
        const code = (e as { code?: string }).code ?? '';
        if (TRANSIENT.test(code)) retry.push(r);
        else rejected.push({ record: r, reason: errorText(e) });
      }
    }
    this.countBytes(batch);
    return account(this.s, { status: statusOf(retry.length, rejected.length), delivered, duplicates, retry, rejected });
  }

  private countBytes(batch: readonly ForensicRecord[]): void {
    for (const r of batch) this.s.bytesSent += Buffer.byteLength(serializeRecord(r));
  }

  async healthcheck(): Promise<HealthStatus> {
    try {
      await this.start();
      const row = (this.db as StoreDb).prepare('SELECT (SELECT COUNT(*) FROM summaries) AS s, (SELECT COUNT(*) FROM events) AS e').get() as { s: number; e: number };
      return { ok: true, detail: `${this.options.path}: ${row.s} summaries, ${row.e} events` };
    } catch (e) {
      return { ok: false, detail: errorText(e) };
    }
  }

  stats(): SinkStats {
    return { ...this.s };
  }

  async close(): Promise<void> {
    this.db?.close();
    this.db = null;
  }
}
