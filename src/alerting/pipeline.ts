import { createHash } from 'node:crypto';
import type { Registry } from 'prom-client';
import { PeregrineError } from '../core/errors.js';
import { Backoff } from '../publish/backoff.js';
import { contentKey, fingerprintOf, fold, groupKey, newIncident, resolveIncident, severityAbove, snapshot, type IncidentState } from './incident.js';
import { alertingMetrics, type AlertingMetrics } from './metrics.js';
import { alertingConfigSchema, type AlertingConfig, type AlertingConfigInput } from './options.js';
import { SinkWorker, type AlertLogger } from './outbox.js';
import { alertSinks, type AlertChange, type AlertSink, type DeliveryChange, type HealthStatus } from './sinks/index.js';
import { AlertStore, type DeadLetterRow, type NewOutboxRow } from './store.js';
import type { Alert, AlertStatus, Finding } from './types.js';

/**
 * The alert pipeline: findings in, incidents out (dedup, grouping, aggregation, severity, evidence), every
 * notification through the durable outbox to every sink. `submit` is synchronous (the caller's hot path); time
 * moves through `tick`, which the service calls every second or so. See docs/alerting.md.
 */

export interface AlertPipelineOptions {
  config: AlertingConfigInput | AlertingConfig;
  /** Directory for `alerts.db`; null = in-memory (nothing survives a restart). */
  dataDir: string | null;
  registry?: Registry;
  /** A pino logger (or Fastify's `app.log`); secrets never reach it. */
  logger?: AlertLogger;
  now?: () => number;
  fetch?: typeof fetch;
}

export type AlertListener = (alert: Alert, change: AlertChange) => void;

export interface SinkOutboxStats {
  pending: number;
  delivered: number;
  retrying: number;
  dead: number;
  lastError: string | null;
}

export interface OutboxStats {
  pending: number;
  delivered: number;
  deadLettered: number;
  bySink: Record<string, SinkOutboxStats>;
}

/** Parses the config; the error names the field (`alerting.sinks.0.url`). */
export function parseAlertingConfig(input: unknown): AlertingConfig {
  const r = alertingConfigSchema.safeParse(input ?? {});
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  throw new PeregrineError('PGN_ERR_BAD_PARAM', issue.message, { where: ['alerting', ...issue.path].join('.'), hint: 'see docs/alerting.md' });
}

const PRUNE_EVERY_MS = 60_000;

export class AlertPipeline {
  readonly config: AlertingConfig;
  private readonly now: () => number;
  private readonly metrics: AlertingMetrics;
  private readonly listeners: AlertListener[] = [];
  private readonly open = new Map<string, IncidentState>();
  private readonly sinks: AlertSink[] = [];
  private readonly workers = new Map<string, SinkWorker>();
  private readonly lastResend = new Map<string, number>();
  private store: AlertStore | null = null;
  private lastPrune = 0;
  private closing = false;

  constructor(private readonly options: AlertPipelineOptions) {
    this.config = parseAlertingConfig(options.config);
    this.now = options.now ?? Date.now;
    this.metrics = alertingMetrics(options.registry);
  }

  /** Opens the store, restores open incidents and pending deliveries, creates the sinks and starts delivering. */
  async start(): Promise<void> {
    if (this.store) return;
    const cfg = this.config;
    const f = this.options.fetch ?? globalThis.fetch;
    cfg.sinks.forEach((sc, i) => {
      const where = `alerting.sinks.${i}`;
      for (const s of alertSinks.get(sc.type).create(sc, { fetch: f, externalUrl: cfg.externalUrl, requestTimeoutMs: cfg.outbox.requestTimeoutMs, where })) {
        if (this.sinks.some((o) => o.name === s.name)) throw new PeregrineError('PGN_ERR_BAD_PARAM', `two sinks are named "${s.name}"`, { where: `${where}.name`, hint: 'give each sink a unique name' });
        this.sinks.push(s);
      }
    });
    const store = new AlertStore(this.options.dataDir);
    this.store = store;
    for (const st of store.loadOpen()) this.open.set(st.alert.fingerprint, st);
    this.sinks.forEach((sink, i) => {
      const backoff = new Backoff({ initialMs: cfg.retry.baseMs, maxMs: cfg.retry.maxMs, maxRetryAfterMs: cfg.retry.maxRetryAfterMs, seed: cfg.retry.seed + i });
      const w = new SinkWorker({ store, sink, backoff, retry: cfg.retry, metrics: this.metrics, logger: this.options.logger, now: this.now, onOutcome: () => this.refreshGauges() });
      this.workers.set(sink.name, w);
      w.start();
    });
    this.refreshGauges();
    this.options.logger?.info({ sinks: this.sinks.map((s) => s.name), restoredIncidents: this.open.size, store: store.path === ':memory:' ? 'memory' : store.path }, 'alert pipeline started');
  }

  on(event: 'alert', listener: AlertListener): this {
    if (event !== 'alert') throw new Error(`AlertPipeline: unknown event "${String(event)}"`);
    this.listeners.push(listener);
    return this;
  }

  off(event: 'alert', listener: AlertListener): this {
    const i = this.listeners.indexOf(listener);
    if (event === 'alert' && i >= 0) this.listeners.splice(i, 1);
    return this;
  }

  private db(): AlertStore {
    if (!this.store || !this.store.isOpen) throw new Error('AlertPipeline: call start() first (or the pipeline is closed)');
    return this.store;
  }

  /**
   * Folds a finding into its incident. Returns the incident as it now is, or null when the finding is a duplicate
   * (same id seen before, or the same content inside `dedupWindowSeconds`).
   */
  submit(finding: Finding): Alert | null {
    const store = this.db();
    if (!finding || typeof finding.id !== 'string' || finding.id === '' || !finding.entity || !finding.evidence) {
      throw new PeregrineError('PGN_ERR_BAD_PARAM', 'a finding needs an id, an entity and evidence', { where: 'finding', hint: 'see src/alerting/types.ts' });
    }
    const cfg = this.config;
    const now = this.now();
    const id = `f:${finding.id}`;
    if (store.seenSince(id, now - cfg.seenRetentionSeconds * 1000)) return null;
    const fp = fingerprintOf(groupKey(finding, cfg.groupBy));
    const ck = contentKey(finding, fp);
    if (cfg.dedupWindowSeconds > 0 && store.seenSince(ck, now - cfg.dedupWindowSeconds * 1000)) {
      store.markSeen([id], now);
      return null;
    }
    const emits: [Alert, AlertChange][] = [];
    const alert = this.guarded(() => {
      let st = this.open.get(fp);
      if (st) fold(st, finding, now, cfg);
      else this.open.set(fp, (st = newIncident(finding, fp, now, cfg)));
      store.markSeen([id, ck], now);
      // A critical incident, or an escalation, is news the on-call needs now: it skips group wait and the repeat throttle.
      if (!st.opened && (cfg.groupWaitSeconds === 0 || st.alert.severity === 'critical')) emits.push(this.notify(st, 'opened', now));
      else if (st.opened && severityAbove(st.alert.severity, st.notifiedSeverity)) emits.push(this.notify(st, 'updated', now));
      store.saveIncident(st);
      return snapshot(st.alert);
    });
    this.afterNotify(emits);
    return alert;
  }

  /** Group-wait flush, throttled updates, resolution of idle incidents, Alertmanager re-sends, housekeeping. */
  tick(nowMs?: number): void {
    if (this.closing) return; // a timer firing during shutdown is harmless
    const store = this.db();
    const cfg = this.config;
    const now = nowMs ?? this.now();
    const emits: [Alert, AlertChange][] = [];
    this.guarded(() => {
      for (const [fp, st] of this.open) {
        let changed = false;
        if (!st.opened && now - st.createdAtMs >= cfg.groupWaitSeconds * 1000) {
          emits.push(this.notify(st, 'opened', now));
          changed = true;
        } else if (st.opened && st.dirty && now - st.notifiedAtMs >= cfg.repeatIntervalSeconds * 1000) {
          emits.push(this.notify(st, 'updated', now));
          changed = true;
        }
        if (now - st.lastFindingAtMs >= cfg.resolveAfterSeconds * 1000) {
          if (!st.opened) emits.push(this.notify(st, 'opened', now));
          resolveIncident(st, now);
          emits.push(this.notify(st, 'resolved', now));
          this.open.delete(fp);
          changed = true;
        }
        if (changed) store.saveIncident(st);
      }
      this.resend(now);
      if (now - this.lastPrune >= PRUNE_EVERY_MS) {
        this.lastPrune = now;
        store.pruneSeen(now - cfg.seenRetentionSeconds * 1000, now - cfg.dedupWindowSeconds * 1000);
        store.pruneHistory(cfg.historyLimit);
        store.pruneDeadLetters(cfg.outbox.maxDeadLetters);
      }
    });
    this.afterNotify(emits);
  }

  /**
   * Runs a store transaction. If it fails (disk full, I/O error) the in-memory incidents are reloaded from the last
   * committed state, so a notification whose outbox rows were rolled back is not marked as sent.
   */
  private guarded<T>(fn: () => T): T {
    const store = this.db();
    try {
      return store.tx(fn);
    } catch (e) {
      this.open.clear();
      for (const st of store.loadOpen()) this.open.set(st.alert.fingerprint, st);
      store.recount();
      if (e instanceof PeregrineError) throw e;
      throw new PeregrineError('PGN_ERR_IO', `alert store write failed: ${(e as Error).message}`, { where: store.path, hint: 'check free space on the data dir' });
    }
  }

  /** Marks a notification, queues it for every sink (same transaction as the caller's), returns what to emit. */
  private notify(st: IncidentState, change: AlertChange, now: number): [Alert, AlertChange] {
    if (change === 'opened') st.opened = true;
    st.notifiedAtMs = now;
    st.notifiedSeverity = st.alert.severity;
    st.dirty = false;
    const alert = snapshot(st.alert);
    this.enqueue(alert, change, now, this.sinks);
    this.metrics.alerts.inc({ severity: alert.severity, change });
    return [alert, change];
  }

  private enqueue(alert: Alert, change: DeliveryChange, now: number, sinks: readonly AlertSink[]): void {
    if (sinks.length === 0) return;
    // The delivery key is stable for this change of this alert: receivers dedup retries on it.
    const key = createHash('sha256').update(`${alert.id}|${change}|${alert.updatedAt}|${alert.findings}|${now}`).digest('hex').slice(0, 32);
    const rows: NewOutboxRow[] = sinks.map((s) => ({ sink: s.name, key, alertId: alert.id, change, alert }));
    const dropped = this.db().enqueue(rows, now, this.config.outbox.maxPending);
    // Waking is safe inside the caller's transaction: the worker resumes only after this synchronous code (and the commit).
    for (const s of sinks) this.workers.get(s.name)?.wake();
    if (dropped > 0) this.options.logger?.error({ rows: dropped, maxPending: this.config.outbox.maxPending }, 'alert outbox full: oldest notifications dead-lettered');
  }

  /** Alertmanager forgets alerts that are not re-sent: queue every open incident again for sinks that ask for it. */
  private resend(now: number): void {
    const store = this.db();
    for (const s of this.sinks) {
      if (s.resendIntervalMs <= 0) continue;
      const last = this.lastResend.get(s.name) ?? now;
      if (!this.lastResend.has(s.name)) this.lastResend.set(s.name, now);
      if (now - last < s.resendIntervalMs) continue;
      this.lastResend.set(s.name, now);
      if (store.pending(s.name) > 0) continue; // queued rows carry the state already
      for (const st of this.open.values()) if (st.opened) this.enqueue(snapshot(st.alert), 'resend', now, [s]);
    }
  }

  private afterNotify(emits: [Alert, AlertChange][]): void {
    if (emits.length === 0) return;
    this.refreshGauges();
    for (const [alert, change] of emits) {
      for (const l of this.listeners) {
        try {
          l(structuredClone(alert), change);
        } catch (e) {
          this.options.logger?.error({ alert: alert.id, err: e instanceof Error ? e.message : String(e) }, 'alert listener threw');
        }
      }
    }
  }

  private refreshGauges(): void {
    if (!this.store?.isOpen) return;
    for (const s of this.sinks) this.metrics.pending.set({ sink: s.name }, this.store.pending(s.name));
  }

  list(opts: { status?: AlertStatus; limit?: number } = {}): Alert[] {
    return this.db().list(opts.status, Math.max(1, Math.min(opts.limit ?? 100, 10_000)));
  }

  get(id: string): Alert | undefined {
    return this.db().get(id);
  }

  outboxStats(): OutboxStats {
    const stats = this.db().sinkStats();
    const out: OutboxStats = { pending: 0, delivered: 0, deadLettered: 0, bySink: {} };
    for (const name of new Set([...this.sinks.map((s) => s.name), ...stats.keys()])) {
      const s = stats.get(name) ?? { pending: 0, retrying: 0, delivered: 0, dead: 0, lastError: null };
      out.bySink[name] = { ...s };
      out.pending += s.pending;
      out.delivered += s.delivered;
      out.deadLettered += s.dead;
    }
    return out;
  }

  /** Newest dead letters first (what failed, where, why). */
  deadLetters(opts: { sink?: string; limit?: number } = {}): DeadLetterRow[] {
    return this.db().deadLetters(opts.sink, Math.max(1, Math.min(opts.limit ?? 100, 10_000)));
  }

  /** Queues dead letters again (after fixing a sink); returns how many. */
  redeliver(seqs: readonly number[]): number {
    const n = this.db().requeueDeadLetters(seqs, this.now());
    for (const w of this.workers.values()) w.wake();
    this.refreshGauges();
    return n;
  }

  async healthcheck(): Promise<Record<string, HealthStatus>> {
    const out: Record<string, HealthStatus> = {};
    await Promise.all(this.sinks.map(async (s) => (out[s.name] = await s.healthcheck().catch(() => ({ ok: false, detail: 'healthcheck failed' })))));
    return out;
  }

  /**
   * Opens incidents still in group wait, delivers what is due for up to `outbox.closeTimeoutMs` (a failing sink is
   * not retried), then stops; undelivered rows stay in `alerts.db` for the next start.
   */
  async close(): Promise<void> {
    if (this.closing || !this.store) return;
    this.closing = true;
    const store = this.store;
    if (store.isOpen) {
      const emits: [Alert, AlertChange][] = [];
      const now = this.now();
      store.tx(() => {
        for (const st of this.open.values()) {
          if (st.opened) continue;
          emits.push(this.notify(st, 'opened', now));
          store.saveIncident(st);
        }
      });
      this.afterNotify(emits);
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all([...this.workers.values()].map((w) => w.drain())),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, this.config.outbox.closeTimeoutMs))),
    ]);
    clearTimeout(timer);
    for (const w of this.workers.values()) w.stop();
    await Promise.all(this.sinks.map((s) => s.close().catch(() => undefined)));
    this.refreshGauges();
    store.close();
  }
}
