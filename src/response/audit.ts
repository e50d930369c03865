/**
 * The audit log: one append-only record per decision (act / skip / deny) and per execution or revert, plus the
 * current state of every action (so TTLs and reverts survive a restart). SQLite by default (query it with SQL or
 * `query()`), NDJSON when asked (one JSON object per line, greppable), in memory without a data dir.
 */
import Database from 'better-sqlite3';
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ActionRecord, AuditRecord } from './types.js';

export interface AuditQuery {
  alertId?: string;
  action?: string;
  namespace?: string;
  decision?: AuditRecord['decision'];
  /** Epoch ms, inclusive. */
  since?: number;
  /** Newest first; default 1000. */
  limit?: number;
}

export interface AuditLog {
  append(rec: AuditRecord): void;
  query(q?: AuditQuery): AuditRecord[];
  saveAction(rec: ActionRecord): void;
  loadActions(): ActionRecord[];
  close(): void;
}

function matches(r: AuditRecord, q: AuditQuery): boolean {
  return (
    (q.alertId === undefined || r.alertId === q.alertId) &&
    (q.action === undefined || r.action === q.action) &&
    (q.namespace === undefined || r.namespace === q.namespace) &&
    (q.decision === undefined || r.decision === q.decision) &&
    (q.since === undefined || r.at >= q.since)
  );
}

function newestFirst(rows: AuditRecord[], q: AuditQuery): AuditRecord[] {
  return rows.filter((r) => matches(r, q)).reverse().slice(0, q.limit ?? 1000);
}

export class MemoryAuditLog implements AuditLog {
  protected readonly records: AuditRecord[] = [];
  protected readonly actions = new Map<string, ActionRecord>();
  append(rec: AuditRecord): void {
    this.records.push(structuredClone(rec));
  }
  query(q: AuditQuery = {}): AuditRecord[] {
    return newestFirst(this.records, q);
  }
  saveAction(rec: ActionRecord): void {
    this.actions.set(rec.id, structuredClone(rec));
  }
  loadActions(): ActionRecord[] {
    return [...this.actions.values()].map((a) => structuredClone(a));
  }
  close(): void {}
}

/** `response-audit.ndjson` (append-only) + `response-actions.json` (rewritten atomically on every change). */
export class NdjsonAuditLog extends MemoryAuditLog {
  private readonly logFile: string;
  private readonly stateFile: string;

  constructor(dir: string) {
    super();
    mkdirSync(dir, { recursive: true });
    this.logFile = join(dir, 'response-audit.ndjson');
    this.stateFile = join(dir, 'response-actions.json');
    if (existsSync(this.logFile)) {
      for (const line of readFileSync(this.logFile, 'utf8').split('\n')) if (line.trim()) this.records.push(JSON.parse(line) as AuditRecord);
    }
    if (existsSync(this.stateFile)) for (const a of JSON.parse(readFileSync(this.stateFile, 'utf8')) as ActionRecord[]) this.actions.set(a.id, a);
  }
  override append(rec: AuditRecord): void {
    appendFileSync(this.logFile, JSON.stringify(rec) + '\n');
    super.append(rec);
  }
  override saveAction(rec: ActionRecord): void {
    super.saveAction(rec);
    const tmp = this.stateFile + '.tmp';
    writeFileSync(tmp, JSON.stringify([...this.actions.values()]));
    renameSync(tmp, this.stateFile);
  }
}

const DDL = `
CREATE TABLE IF NOT EXISTS response_audit (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  at INTEGER NOT NULL, actor TEXT NOT NULL, trigger TEXT NOT NULL, alert_id TEXT NOT NULL, action TEXT NOT NULL,
  namespace TEXT NOT NULL, target TEXT NOT NULL, decision TEXT NOT NULL, rule TEXT NOT NULL, reason TEXT NOT NULL,
  dry_run INTEGER NOT NULL, result TEXT NOT NULL, requests TEXT NOT NULL, action_id TEXT NOT NULL, error TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS response_audit_alert ON response_audit (alert_id, at);
CREATE INDEX IF NOT EXISTS response_audit_at ON response_audit (at);
CREATE TABLE IF NOT EXISTS response_actions (id TEXT PRIMARY KEY, key TEXT NOT NULL, state TEXT NOT NULL, body TEXT NOT NULL);
`;

/** `response.db` in the data dir; WAL so an operator can read it while the hub writes. */
export class SqliteAuditLog implements AuditLog {
  private readonly db: Database.Database;
  private readonly ins: Database.Statement;
  private readonly save: Database.Statement;

  constructor(file: string) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.exec(DDL);
    this.ins = this.db.prepare(
      `INSERT INTO response_audit (at, actor, trigger, alert_id, action, namespace, target, decision, rule, reason, dry_run, result, requests, action_id, error)
       VALUES (@at, @actor, @trigger, @alertId, @action, @namespace, @target, @decision, @rule, @reason, @dryRun, @result, @requests, @actionId, @error)`,
    );
    this.save = this.db.prepare('INSERT OR REPLACE INTO response_actions (id, key, state, body) VALUES (?, ?, ?, ?)');
  }

  append(rec: AuditRecord): void {
    this.ins.run({ ...rec, dryRun: rec.dryRun ? 1 : 0, requests: JSON.stringify(rec.requests) });
  }

  query(q: AuditQuery = {}): AuditRecord[] {
    const where: string[] = [];
    const args: Record<string, unknown> = { limit: q.limit ?? 1000 };
    const add = (col: string, key: keyof AuditQuery, op = '=') => {
      if (q[key] === undefined) return;
      where.push(`${col} ${op} @${key}`);
      args[key] = q[key];
    };
    add('alert_id', 'alertId');
    add('action', 'action');
    add('namespace', 'namespace');
    add('decision', 'decision');
    add('at', 'since', '>=');
    const rows = this.db
      .prepare(`SELECT * FROM response_audit ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY seq DESC LIMIT @limit`)
      .all(args) as Array<Record<string, unknown>>;
    return rows.map((r) => ({
      at: Number(r.at),
      actor: String(r.actor),
      trigger: r.trigger as AuditRecord['trigger'],
      alertId: String(r.alert_id),
      action: String(r.action),
      namespace: String(r.namespace),
      target: String(r.target),
      decision: r.decision as AuditRecord['decision'],
      rule: String(r.rule),
      reason: String(r.reason),
      dryRun: r.dry_run === 1,
      result: String(r.result),
      requests: JSON.parse(String(r.requests)) as string[],
      actionId: String(r.action_id),
      error: String(r.error),
    }));
  }

  saveAction(rec: ActionRecord): void {
    this.save.run(rec.id, rec.key, rec.state, JSON.stringify(rec));
  }

  loadActions(): ActionRecord[] {
    return (this.db.prepare('SELECT body FROM response_actions ORDER BY rowid').all() as Array<{ body: string }>).map((r) => JSON.parse(r.body) as ActionRecord);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

export function defaultAuditLog(kind: 'sqlite' | 'ndjson', dataDir: string | undefined): AuditLog {
  if (!dataDir) return new MemoryAuditLog();
  mkdirSync(dataDir, { recursive: true });
  return kind === 'ndjson' ? new NdjsonAuditLog(dataDir) : new SqliteAuditLog(join(dataDir, 'response.db'));
}
