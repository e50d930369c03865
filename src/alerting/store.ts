import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PeregrineError } from '../core/errors.js';
import type { IncidentState } from './incident.js';
import type { DeliveryChange } from './sinks/sink.js';
import type { Alert, AlertStatus } from './types.js';

/**
 * The alert store (better-sqlite3, `alerts.db` under the data dir, or `:memory:`): incidents (open ones with their
 * pipeline state, resolved ones as history), the finding ids and content keys seen (dedup survives a restart), the
 * outbox (one row per alert change and sink target) and the dead letters. Every change of an incident and its
 * outbox rows are written in one transaction, so a crash leaves either both or neither.
 */

export interface OutboxRow {
  seq: number;
  sink: string;
  key: string;
  alertId: string;
  change: DeliveryChange;
  alert: Alert;
  createdAt: number;
  attempts: number;
  nextAt: number;
  lastError: string | null;
}

/** What a caller gives for a new outbox row; the store assigns the rest. */
export type NewOutboxRow = Pick<OutboxRow, 'sink' | 'key' | 'alertId' | 'change' | 'alert'>;

/** An outbox row that could not be delivered, with why and when. */
export interface DeadLetterRow extends Pick<OutboxRow, 'seq' | 'sink' | 'key' | 'alertId' | 'change' | 'alert' | 'attempts' | 'createdAt'> {
  reason: string;
  httpStatus: number | null;
  deadAt: number;
}

const DDL = `
CREATE TABLE IF NOT EXISTS alerting_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS incidents (id TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, status TEXT NOT NULL, updated_at INTEGER NOT NULL, state TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS incidents_status_time ON incidents (status, updated_at);
CREATE INDEX IF NOT EXISTS incidents_time ON incidents (updated_at);
CREATE TABLE IF NOT EXISTS seen (key TEXT PRIMARY KEY, at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS seen_at ON seen (at);
CREATE TABLE IF NOT EXISTS outbox (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, sink TEXT NOT NULL, key TEXT NOT NULL, alert_id TEXT NOT NULL, change TEXT NOT NULL,
  alert TEXT NOT NULL, created_at INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, next_at INTEGER NOT NULL DEFAULT 0, last_error TEXT);
CREATE INDEX IF NOT EXISTS outbox_sink_seq ON outbox (sink, seq);
CREATE TABLE IF NOT EXISTS dead_letters (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, sink TEXT NOT NULL, key TEXT NOT NULL, alert_id TEXT NOT NULL, change TEXT NOT NULL,
  alert TEXT NOT NULL, reason TEXT NOT NULL, http_status INTEGER, attempts INTEGER NOT NULL, created_at INTEGER NOT NULL, dead_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS dead_letters_sink ON dead_letters (sink, seq);
CREATE TABLE IF NOT EXISTS sink_counters (sink TEXT PRIMARY KEY, delivered INTEGER NOT NULL DEFAULT 0, dead INTEGER NOT NULL DEFAULT 0, last_error TEXT);
`;

interface RawOutbox {
  seq: number;
  sink: string;
  key: string;
  alert_id: string;
  change: string;
  alert: string;
  created_at: number;
  attempts: number;
  next_at: number;
  last_error: string | null;
}

const toRow = (r: RawOutbox): OutboxRow => ({
  seq: r.seq,
  sink: r.sink,
  key: r.key,
  alertId: r.alert_id,
  change: r.change as DeliveryChange,
  alert: JSON.parse(r.alert) as Alert,
  createdAt: r.created_at,
  attempts: r.attempts,
  nextAt: r.next_at,
  lastError: r.last_error,
});

export class AlertStore {
  readonly db: Database.Database;
  readonly path: string;
  private closed = false;
  /** Outbox rows per sink, kept in memory (COUNT(*) scans the table: too slow per change during a long outage). */
  private readonly pendingBySink = new Map<string, number>();
  private pendingTotal = 0;

  constructor(dataDir: string | null) {
    this.path = dataDir === null ? ':memory:' : join(dataDir, 'alerts.db');
    try {
      if (dataDir !== null) mkdirSync(dataDir, { recursive: true });
      this.db = new Database(this.path);
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL');
      this.db.pragma('busy_timeout = 5000');
      this.db.exec(DDL);
      this.db.prepare('INSERT OR IGNORE INTO alerting_meta (key, value) VALUES (?, ?)').run('schema_version', '1');
      for (const r of this.db.prepare('SELECT sink, COUNT(*) AS n FROM outbox GROUP BY sink').all() as { sink: string; n: number }[]) this.count(r.sink, r.n);
    } catch (e) {
      throw new PeregrineError('PGN_ERR_IO', `cannot open the alert store: ${(e as Error).message}`, { where: this.path, hint: 'check the data dir permissions and free space' });
    }
  }

  /** Prepared statements, compiled once. */
  private readonly cache = new Map<string, Database.Statement>();
  private st(sql: string): Database.Statement {
    let s = this.cache.get(sql);
    if (!s) this.cache.set(sql, (s = this.db.prepare(sql)));
    return s;
  }

  private count(sink: string, delta: number): void {
    this.pendingBySink.set(sink, (this.pendingBySink.get(sink) ?? 0) + delta);
    this.pendingTotal += delta;
  }

  /** Re-reads the per-sink counters (after a rolled-back transaction). */
  recount(): void {
    this.pendingBySink.clear();
    this.pendingTotal = 0;
    for (const r of this.st('SELECT sink, COUNT(*) AS n FROM outbox GROUP BY sink').all() as { sink: string; n: number }[]) this.count(r.sink, r.n);
  }

  /** Rows waiting for one sink target (from the in-memory counter). */
  pending(sink: string): number {
    return this.pendingBySink.get(sink) ?? 0;
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  tx<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  // ---------------------------------------------------------------------------------------------------- dedup

  seenSince(key: string, sinceMs: number): boolean {
    return this.st('SELECT 1 FROM seen WHERE key = ? AND at >= ?').get(key, sinceMs) !== undefined;
  }

  markSeen(keys: readonly string[], at: number): void {
    const st = this.st('INSERT INTO seen (key, at) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET at = excluded.at');
    for (const k of keys) st.run(k, at);
  }

  /** Forgets finding ids older than `idsBefore` and content keys older than `contentBefore`. */
  pruneSeen(idsBefore: number, contentBefore: number): void {
    this.st("DELETE FROM seen WHERE key NOT LIKE 'c:%' AND at < ?").run(idsBefore);
    this.st("DELETE FROM seen WHERE key LIKE 'c:%' AND at < ?").run(contentBefore);
  }

  // ------------------------------------------------------------------------------------------------ incidents

  saveIncident(st: IncidentState): void {
    const a = st.alert;
    this.db
      .prepare('INSERT INTO incidents (id, fingerprint, status, updated_at, state) VALUES (?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET status = excluded.status, updated_at = excluded.updated_at, state = excluded.state')
      .run(a.id, a.fingerprint, a.status, a.updatedAt, JSON.stringify(st));
  }

  loadOpen(): IncidentState[] {
    const rows = this.st("SELECT state FROM incidents WHERE status = 'firing' ORDER BY updated_at").all() as { state: string }[];
    return rows.map((r) => JSON.parse(r.state) as IncidentState);
  }

  list(status: AlertStatus | undefined, limit: number): Alert[] {
    const rows = (
      status
        ? this.st('SELECT state FROM incidents WHERE status = ? ORDER BY updated_at DESC LIMIT ?').all(status, limit)
        : this.st('SELECT state FROM incidents ORDER BY updated_at DESC LIMIT ?').all(limit)
    ) as { state: string }[];
    return rows.map((r) => (JSON.parse(r.state) as IncidentState).alert);
  }

  get(id: string): Alert | undefined {
    const r = this.st('SELECT state FROM incidents WHERE id = ?').get(id) as { state: string } | undefined;
    return r ? (JSON.parse(r.state) as IncidentState).alert : undefined;
  }

  /** Keeps the newest `limit` resolved incidents. */
  pruneHistory(limit: number): void {
    this.st("DELETE FROM incidents WHERE status = 'resolved' AND id NOT IN (SELECT id FROM incidents WHERE status = 'resolved' ORDER BY updated_at DESC LIMIT ?)").run(limit);
  }

  // --------------------------------------------------------------------------------------------------- outbox

  /** Appends rows; beyond `maxPending` the oldest rows are dead-lettered (`outbox full`). Returns how many were. */
  enqueue(rows: readonly NewOutboxRow[], nowMs: number, maxPending: number): number {
    const ins = this.st('INSERT INTO outbox (sink, key, alert_id, change, alert, created_at) VALUES (?, ?, ?, ?, ?, ?)');
    for (const r of rows) {
      ins.run(r.sink, r.key, r.alertId, r.change, JSON.stringify(r.alert), nowMs);
      this.count(r.sink, 1);
    }
    const total = this.pendingTotal;
    if (total <= maxPending) return 0;
    const over = this.st('SELECT seq, sink FROM outbox ORDER BY seq LIMIT ?').all(total - maxPending) as { seq: number; sink: string }[];
    for (const o of over) this.deadLetter([o.seq], o.sink, `outbox full (maxPending=${maxPending})`, null, nowMs);
    return over.length;
  }

  /** The next rows of one sink target, in order. */
  head(sink: string, limit: number): OutboxRow[] {
    return (this.st('SELECT * FROM outbox WHERE sink = ? ORDER BY seq LIMIT ?').all(sink, limit) as RawOutbox[]).map(toRow);
  }

  delivered(seqs: readonly number[], sink: string): void {
    this.tx(() => {
      const del = this.st('DELETE FROM outbox WHERE seq = ?');
      let n = 0;
      for (const s of seqs) n += del.run(s).changes;
      this.count(sink, -n);
      this.bump(sink, n, 0, null);
      this.st('UPDATE sink_counters SET last_error = NULL WHERE sink = ?').run(sink);
    });
  }

  retryLater(seqs: readonly number[], sink: string, nextAt: number, error: string): void {
    this.tx(() => {
      const up = this.st('UPDATE outbox SET attempts = attempts + 1, next_at = ?, last_error = ? WHERE seq = ?');
      for (const s of seqs) up.run(nextAt, error, s);
      this.st('INSERT INTO sink_counters (sink, last_error) VALUES (?, ?) ON CONFLICT(sink) DO UPDATE SET last_error = excluded.last_error').run(sink, error);
    });
  }

  /** Moves rows to the dead-letter table with the reason. */
  deadLetter(seqs: readonly number[], sink: string, reason: string, httpStatus: number | null, nowMs: number): void {
    this.tx(() => {
      const move = this.st(
        'INSERT INTO dead_letters (sink, key, alert_id, change, alert, reason, http_status, attempts, created_at, dead_at) SELECT sink, key, alert_id, change, alert, ?, ?, attempts + 1, created_at, ? FROM outbox WHERE seq = ?',
      );
      const del = this.st('DELETE FROM outbox WHERE seq = ?');
      let n = 0;
      for (const s of seqs) {
        n += move.run(reason, httpStatus, nowMs, s).changes;
        del.run(s);
      }
      this.count(sink, -n);
      this.bump(sink, 0, n, reason);
    });
  }

  pruneDeadLetters(keep: number): void {
    this.st('DELETE FROM dead_letters WHERE seq NOT IN (SELECT seq FROM dead_letters ORDER BY seq DESC LIMIT ?)').run(keep);
  }

  deadLetters(sink: string | undefined, limit: number): DeadLetterRow[] {
    const rows = (
      sink
        ? this.st('SELECT * FROM dead_letters WHERE sink = ? ORDER BY seq DESC LIMIT ?').all(sink, limit)
        : this.st('SELECT * FROM dead_letters ORDER BY seq DESC LIMIT ?').all(limit)
    ) as (RawOutbox & { reason: string; http_status: number | null; dead_at: number })[];
    return rows.map((r) => ({ ...toRow(r), reason: r.reason, httpStatus: r.http_status, deadAt: r.dead_at }));
  }

  /** Puts dead letters back into the outbox (after fixing a sink's config); returns how many. */
  requeueDeadLetters(seqs: readonly number[], nowMs: number): number {
    return this.tx(() => {
      const copy = this.st('INSERT INTO outbox (sink, key, alert_id, change, alert, created_at) SELECT sink, key, alert_id, change, alert, ? FROM dead_letters WHERE seq = ?');
      const sinkOf = this.st('SELECT sink FROM dead_letters WHERE seq = ?');
      const del = this.st('DELETE FROM dead_letters WHERE seq = ?');
      let n = 0;
      for (const s of seqs) {
        const row = sinkOf.get(s) as { sink: string } | undefined;
        if (!row) continue;
        n += copy.run(nowMs, s).changes;
        this.count(row.sink, 1);
        del.run(s);
      }
      return n;
    });
  }

  private bump(sink: string, delivered: number, dead: number, lastError: string | null): void {
    this.db
      .prepare(
        'INSERT INTO sink_counters (sink, delivered, dead, last_error) VALUES (?, ?, ?, ?) ON CONFLICT(sink) DO UPDATE SET delivered = delivered + excluded.delivered, dead = dead + excluded.dead, last_error = COALESCE(excluded.last_error, last_error)',
      )
      .run(sink, delivered, dead, lastError);
  }

  /** Per sink: pending rows, rows already retried, delivered and dead-lettered counts, the last error. */
  sinkStats(): Map<string, { pending: number; retrying: number; delivered: number; dead: number; lastError: string | null }> {
    const out = new Map<string, { pending: number; retrying: number; delivered: number; dead: number; lastError: string | null }>();
    const get = (s: string) => {
      let v = out.get(s);
      if (!v) out.set(s, (v = { pending: 0, retrying: 0, delivered: 0, dead: 0, lastError: null }));
      return v;
    };
    for (const r of this.st('SELECT sink, COUNT(*) AS n, SUM(attempts > 0) AS r FROM outbox GROUP BY sink').all() as { sink: string; n: number; r: number }[]) {
      Object.assign(get(r.sink), { pending: r.n, retrying: r.r ?? 0 });
    }
    for (const r of this.st('SELECT sink, delivered, dead, last_error FROM sink_counters').all() as { sink: string; delivered: number; dead: number; last_error: string | null }[]) {
      Object.assign(get(r.sink), { delivered: r.delivered, dead: r.dead, lastError: r.last_error });
    }
    return out;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }
}
