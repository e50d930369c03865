import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { PeregrineError } from '../../../core/errors.js';
import type { EventReason, EventRecord, ForensicRecord, SummaryRecord } from '../../types.js';

/**
 * The embedded forensic store (SQLite through better-sqlite3): two tables, `summaries` and `events`, keyed by the
 * records' deterministic ids (so a replay inserts nothing twice) and indexed by container and time. WAL mode, so
 * `peregrine forensics query` reads while the agent writes.
 */

export type StoreDb = Database.Database;

export const SCHEMA_VERSION = 1;

const DDL = `
CREATE TABLE IF NOT EXISTS forensic_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS summaries (
  id TEXT PRIMARY KEY,
  container_id TEXT NOT NULL,
  group_name TEXT NOT NULL,
  interval_start INTEGER NOT NULL,
  interval_end INTEGER NOT NULL,
  score REAL,
  threshold REAL,
  unstable INTEGER NOT NULL,
  event_count INTEGER NOT NULL,
  full_log INTEGER NOT NULL,
  context_intervals INTEGER NOT NULL,
  dropped_events INTEGER NOT NULL,
  model_version TEXT,
  counts TEXT NOT NULL,
  latent_mean TEXT,
  latent_var TEXT
);
CREATE INDEX IF NOT EXISTS summaries_container_time ON summaries (container_id, interval_start);
CREATE INDEX IF NOT EXISTS summaries_time ON summaries (interval_start);
CREATE TABLE IF NOT EXISTS events (
  id TEXT PRIMARY KEY,
  container_id TEXT NOT NULL,
  group_name TEXT NOT NULL,
  interval_start INTEGER NOT NULL,
  interval_end INTEGER NOT NULL,
  event_offset INTEGER NOT NULL,
  time_ns INTEGER NOT NULL,
  time_ms INTEGER NOT NULL,
  reason TEXT NOT NULL,
  line TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_container_time ON events (container_id, time_ms);
CREATE INDEX IF NOT EXISTS events_time ON events (time_ms);
`;

/** A `summaries` row (column -> value), as inserted. */
export interface SummaryRow {
  id: string;
  container_id: string;
  group_name: string;
  interval_start: number;
  interval_end: number;
  score: number | null;
  threshold: number | null;
  unstable: number;
  event_count: number;
  full_log: number;
  context_intervals: number;
  dropped_events: number;
  model_version: string | null;
  counts: string;
  latent_mean: string | null;
  latent_var: string | null;
}

/** An `events` row, as inserted. */
export interface EventRow {
  id: string;
  container_id: string;
  group_name: string;
  interval_start: number;
  interval_end: number;
  event_offset: number;
  time_ns: number;
  time_ms: number;
  reason: string;
  line: string;
}

export function summaryRow(r: SummaryRecord): SummaryRow {
  return {
    id: r.id,
    container_id: r.containerId,
    group_name: r.group,
    interval_start: r.intervalStart,
    interval_end: r.intervalEnd,
    score: r.score,
    threshold: r.threshold,
    unstable: r.unstable ? 1 : 0,
    event_count: r.eventCount,
    full_log: r.fullLog ? 1 : 0,
    context_intervals: r.contextIntervals,
    dropped_events: r.droppedEvents,
    model_version: r.modelVersion ?? null,
    counts: JSON.stringify(r.counts),
    latent_mean: r.latentMean ? JSON.stringify(r.latentMean) : null,
    latent_var: r.latentVar ? JSON.stringify(r.latentVar) : null,
  };
}

export function eventRow(r: EventRecord): EventRow {
  return {
    id: r.id,
    container_id: r.containerId,
    group_name: r.group,
    interval_start: r.intervalStart,
    interval_end: r.intervalEnd,
    event_offset: r.offset,
    time_ns: r.timeNs,
    time_ms: Math.floor(r.timeNs / 1e6),
    reason: r.reason,
    line: r.line,
  };
}

export function recordFromSummaryRow(row: SummaryRow): SummaryRecord {
  const r: SummaryRecord = {
    kind: 'summary',
    id: row.id,
    containerId: row.container_id,
    group: row.group_name,
    intervalStart: row.interval_start,
    intervalEnd: row.interval_end,
    score: row.score,
    threshold: row.threshold,
    unstable: row.unstable === 1,
    eventCount: row.event_count,
    fullLog: row.full_log === 1,
    contextIntervals: row.context_intervals,
    droppedEvents: row.dropped_events,
    counts: JSON.parse(row.counts) as Record<string, number>,
  };
  if (row.latent_mean !== null) r.latentMean = JSON.parse(row.latent_mean) as number[];
  if (row.latent_var !== null) r.latentVar = JSON.parse(row.latent_var) as number[];
  if (row.model_version !== null) r.modelVersion = row.model_version;
  return r;
}

export function recordFromEventRow(row: EventRow): EventRecord {
  return {
    kind: 'event',
    id: row.id,
    containerId: row.container_id,
    group: row.group_name,
    intervalStart: row.interval_start,
    intervalEnd: row.interval_end,
    offset: row.event_offset,
    timeNs: row.time_ns,
    reason: row.reason as EventReason,
    line: row.line,
  };
}

/** Opens (creating when missing) a store for writing: WAL, NORMAL sync, the schema. */
export function openStoreForWrite(path: string, busyTimeoutMs = 5000): StoreDb {
  const db = new Database(path);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
    db.exec(DDL);
    db.prepare('INSERT OR IGNORE INTO forensic_meta (key, value) VALUES (?, ?)').run('schema_version', String(SCHEMA_VERSION));
    return db;
  } catch (e) {
    db.close();
    throw e;
  }
}

/** Opens an existing store read-only; one clear error when the file is missing or not a Peregrine forensic store. */
export function openStoreForRead(path: string): StoreDb {
  if (!existsSync(path)) {
    throw new PeregrineError('PGN_ERR_FILE_NOT_FOUND', 'no such forensic store', { where: path, hint: 'pass the SQLite file the sqlite sink writes: its `path` option' });
  }
  let db: StoreDb;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('summaries', 'events', 'forensic_meta')").all() as { name: string }[];
    if (tables.length < 3) throw new Error('missing tables');
  } catch (e) {
    throw new PeregrineError('PGN_ERR_IO', 'not a Peregrine forensic store (no summaries/events tables, or not SQLite)', {
      where: path,
      hint: 'pass the SQLite file the sqlite sink writes',
      cause: e,
    });
  }
  return db;
}

export interface ForensicQuery {
  containerId?: string;
  /** Inclusive, epoch ms: summaries by interval start, events by event time. */
  sinceMs?: number;
  /** Exclusive, epoch ms. */
  untilMs?: number;
  kind?: 'summary' | 'event';
  limit: number;
}

export interface ForensicQueryResult {
  records: ForensicRecord[];
  /** More records match than the limit returned. */
  truncated: boolean;
}

/** Time of a record for ordering and filtering: a summary's interval start, an event's own time (ms). */
export function recordTimeMs(r: ForensicRecord): number {
  return r.kind === 'summary' ? r.intervalStart : Math.floor(r.timeNs / 1e6);
}

/** Records matching the filters, oldest first (a summary before the events of its interval), at most `limit`. */
export function queryForensics(db: StoreDb, q: ForensicQuery): ForensicQueryResult {
  const take = q.limit + 1;
  const out: ForensicRecord[] = [];
  const where = (timeCol: string) => {
    const clauses: string[] = [];
    const params: (string | number)[] = [];
    if (q.containerId !== undefined) {
      clauses.push('container_id = ?');
      params.push(q.containerId);
    }
    if (q.sinceMs !== undefined) {
      clauses.push(`${timeCol} >= ?`);
      params.push(q.sinceMs);
    }
    if (q.untilMs !== undefined) {
      clauses.push(`${timeCol} < ?`);
      params.push(q.untilMs);
    }
    return { sql: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
  };
  if (q.kind !== 'event') {
    const w = where('interval_start');
    const rows = db.prepare(`SELECT * FROM summaries ${w.sql} ORDER BY interval_start, container_id LIMIT ?`).all(...w.params, take) as SummaryRow[];
    for (const row of rows) out.push(recordFromSummaryRow(row));
  }
  if (q.kind !== 'summary') {
    const w = where('time_ms');
    const rows = db.prepare(`SELECT * FROM events ${w.sql} ORDER BY time_ms, container_id, interval_start, event_offset LIMIT ?`).all(...w.params, take) as EventRow[];
    for (const row of rows) out.push(recordFromEventRow(row));
  }
  out.sort((a, b) => recordTimeMs(a) - recordTimeMs(b) || (a.kind === b.kind ? 0 : a.kind === 'summary' ? -1 : 1));
  return { records: out.slice(0, q.limit), truncated: out.length > q.limit };
}
