/**
 * The response engine: alert -> ladder steps that apply -> safety rules (names first, then the live objects) ->
 * plan -> idempotency, circuit breaker, rate limit -> forensics -> execute -> audit. One alert at a time (calls
 * are queued), so two updates of the same incident cannot race past the idempotency check.
 */
import type { Registry } from 'prom-client';
import type { Alert, Severity } from '../alerting/types.js';
import { PeregrineError } from '../core/errors.js';
import { LADDER } from './actions/index.js';
import { defaultAuditLog, type AuditLog } from './audit.js';
import { ClientKubeApi, toKubeError, type KubeApi } from './kube.js';
import { createResponseMetrics, type ResponseMetrics } from './metrics.js';
import { parseResponseConfig, type ResponseConfig, type ResponseConfigInput } from './options.js';
import { ACT, checkNamespace, checkNamespaceName, checkPod, CircuitBreaker, RateLimiter } from './safety.js';
import { readNamespaceFacts, readPodFacts } from './target.js';
import type { ActionRecord, ActionState, AuditRecord, ExecResult, NamespaceFacts, ResponseAction, Verdict } from './types.js';

export interface LoggerLike {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface ResponseEngineOptions {
  config: ResponseConfigInput;
  /** Default: @kubernetes/client-node from ~/.kube/config, $KUBECONFIG or the in-cluster service account. */
  kube?: KubeApi;
  /** Default: SQLite (or NDJSON, per config.audit) under dataDir; in memory without a dataDir. */
  audit?: AuditLog;
  dataDir?: string;
  registry?: Registry;
  logger?: LoggerLike;
  now?: () => number;
  /** Called once per alert before its first action; returns where the evidence went (stored on every record). */
  captureForensics?: (alert: Alert) => Promise<string>;
}

const RANK: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };
const quiet: LoggerLike = { info() {}, warn() {}, error() {} };
/** States that mean "this action is done for this key": a repeat is a no-op. */
const HOLDS: ActionState[] = ['active', 'noop'];
/** Verdicts that may change on their own: an update of the same alert is evaluated again after one. */
const TRANSIENT = ['rate-limit', 'circuit-open', 'read-failed', 'forensics-failed'];
/** Incidents remembered for the repeat check (oldest forgotten first). */
const MAX_SEEN = 10_000;

export class ResponseEngine {
  readonly config: ResponseConfig;
  private kubeApi: KubeApi | null;
  private auditLog: AuditLog | null;
  private readonly records = new Map<string, ActionRecord>();
  private readonly forensics = new Map<string, string>();
  private readonly metrics: ResponseMetrics | null;
  private readonly logger: LoggerLike;
  private readonly now: () => number;
  private readonly limiter: RateLimiter;
  private readonly breaker: CircuitBreaker;
  private tail: Promise<unknown> = Promise.resolve();
  private closed = false;
  private sweeper: NodeJS.Timeout | null = null;
  /** Persisted action records read (on first use, not in the constructor). */
  private loaded = false;
  /** Per incident: the ladder steps it reached when last evaluated, and whether that evaluation should be retried. */
  private readonly seen = new Map<string, { sig: string; retry: boolean }>();
  private transient = false;

  constructor(private readonly opts: ResponseEngineOptions) {
    this.config = parseResponseConfig(opts.config);
    this.kubeApi = opts.kube ?? null;
    this.auditLog = opts.audit ?? null;
    this.metrics = createResponseMetrics(opts.registry);
    this.logger = opts.logger ?? quiet;
    this.now = opts.now ?? Date.now;
    this.limiter = new RateLimiter(this.config.rateLimit.actionsPerMinute, this.config.rateLimit.burst, this.now());
    this.breaker = new CircuitBreaker(this.config.circuitBreaker.failureThreshold, this.config.circuitBreaker.openSeconds * 1000, (open) => {
      this.metrics?.circuitOpen.set(open ? 1 : 0);
      this.logger.warn({ open }, open ? 'response circuit breaker opened: actions paused' : 'response circuit breaker closed');
    });
    this.metrics?.circuitOpen.set(0);
  }

  // Created on first use, so a disabled engine never reads a kubeconfig or opens a database.
  private get kube(): KubeApi {
    return (this.kubeApi ??= new ClientKubeApi());
  }

  private get audit(): AuditLog {
    if (!this.loaded) {
      this.loaded = true;
      this.auditLog ??= defaultAuditLog(this.config.audit, this.opts.dataDir);
      for (const r of this.auditLog.loadActions()) this.records.set(r.id, r);
      if ([...this.records.values()].some((r) => r.expiresAt !== null && r.revertedAt === null)) this.armSweeper();
    }
    return this.auditLog!;
  }

  /** Plans and (dry-)runs every ladder step the alert reaches; returns the records of what was executed. */
  onAlert(alert: Alert): Promise<ActionRecord[]> {
    // An alert arriving during shutdown is not an error of the caller's: nothing is done, nothing thrown.
    if (this.closed) return Promise.resolve([]);
    return this.serial(() => this.handle(alert));
  }

  /** Reverts every applied action whose TTL has passed. */
  revertExpired(nowMs?: number): Promise<ActionRecord[]> {
    return this.serial(async () => {
      const t = nowMs ?? this.now();
      const due = [...this.live()].filter((r) => (r.state === 'active' || r.state === 'failed') && r.expiresAt !== null && r.expiresAt <= t);
      const out: ActionRecord[] = [];
      for (const r of due) out.push(await this.undo(r, 'ttl'));
      this.prune(t);
      return out;
    });
  }

  /** Finished records leave memory after a week (the audit log keeps them); live ones never do. */
  private prune(t: number): void {
    const keep = 7 * 24 * 3600 * 1000;
    for (const [id, r] of this.records) {
      const done = r.state !== 'active' && !(r.state === 'failed' && r.expiresAt !== null);
      if (done && (r.revertedAt ?? r.createdAt) < t - keep) this.records.delete(id);
    }
  }

  /** TTLs fire even when the caller never calls revertExpired: a timer starts with the first expiring action. */
  private armSweeper(): void {
    const every = this.config.ttlSweepSeconds;
    if (this.sweeper || this.closed || every === 0) return;
    this.sweeper = setInterval(() => {
      this.revertExpired().catch((e: unknown) => this.logger.error({ err: e instanceof Error ? e.message : String(e) }, 'response TTL sweep failed'));
    }, every * 1000);
    this.sweeper.unref();
  }

  /** Reverts one action by id (see list()). Throws PGN_ERR_BAD_PARAM for an unknown or irreversible action. */
  revert(actionId: string): Promise<ActionRecord> {
    return this.serial(async () => {
      this.live();
      const r = this.records.get(actionId);
      if (!r) throw new PeregrineError('PGN_ERR_BAD_PARAM', `no response action "${actionId}"`, { where: 'actionId', hint: 'list() or the audit log shows action ids' });
      if (!r.plan.reversible) throw new PeregrineError('PGN_ERR_BAD_PARAM', `action "${actionId}" (${r.action}) cannot be reverted`, { where: 'actionId' });
      if (r.state === 'reverted' || r.state === 'expired') return structuredClone(r);
      return this.undo(r, 'manual');
    });
  }

  /** Every action record, newest first. */
  list(): ActionRecord[] {
    return [...this.live()].sort((a, b) => b.createdAt - a.createdAt).map((r) => structuredClone(r));
  }

  /** The audit log (query it for decisions: act / skip / deny). */
  get auditTrail(): AuditLog {
    return this.audit;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.sweeper) clearInterval(this.sweeper);
    await this.tail.catch(() => {});
    // A log the caller passed in is the caller's to close.
    if (!this.opts.audit) this.auditLog?.close();
  }

  private live(): Iterable<ActionRecord> {
    void this.audit; // loads persisted records on first use
    return this.records.values();
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new PeregrineError('PGN_ERR_USAGE', 'the response engine is closed'));
    const run = this.tail.then(fn, fn);
    this.tail = run.catch(() => {});
    return run;
  }

  private applies(a: ResponseAction, alert: Alert): boolean {
    const s = this.config.ladder[a.step];
    return s.enabled && RANK[alert.severity] >= RANK[s.minSeverity] && alert.findings >= s.minFindings;
  }

  private record(partial: Partial<AuditRecord> & Pick<AuditRecord, 'decision' | 'rule' | 'reason'>): void {
    const rec: AuditRecord = {
      at: this.now(),
      actor: this.config.actor,
      trigger: 'alert',
      alertId: '',
      action: '',
      namespace: '',
      target: '',
      dryRun: this.config.dryRun,
      result: partial.decision === 'deny' ? 'denied' : partial.decision === 'skip' ? 'skipped' : '',
      requests: [],
      actionId: '',
      error: '',
      ...partial,
    };
    this.audit.append(rec);
    this.metrics?.decisions.inc({ decision: rec.decision, rule: rec.rule });
    if (TRANSIENT.includes(rec.rule)) this.transient = true;
  }

  /**
   * The pipeline sends every update of an incident. One whose steps are the same as last time, when last time's
   * verdicts were final, is not evaluated again: no reads, no audit line (the decision was already recorded).
   * Transient verdicts (rate limit, breaker, failed reads or actions) and reverts make the next update count.
   */
  private async handle(alert: Alert): Promise<ActionRecord[]> {
    if (!this.config.enabled) return [];
    if (alert.status === 'resolved') this.seen.delete(alert.id);
    const sig = alert.status + ':' + LADDER.filter((a) => this.applies(a, alert)).map((a) => a.type).join(',');
    const prev = this.seen.get(alert.id);
    if (prev && prev.sig === sig && !prev.retry) return [];
    this.transient = false;
    const out = await this.evaluate(alert);
    if (alert.status !== 'resolved') {
      this.seen.delete(alert.id);
      this.seen.set(alert.id, { sig, retry: this.transient || out.some((r) => r.state === 'failed') });
      if (this.seen.size > MAX_SEEN) this.seen.delete(this.seen.keys().next().value!);
    }
    return out;
  }

  private async evaluate(alert: Alert): Promise<ActionRecord[]> {
    const ns = alert.entity.namespace;
    const steps = LADDER.filter((a) => this.applies(a, alert));
    const base = { alertId: alert.id, namespace: ns };
    const decideAll = (v: Verdict, target: string) => {
      for (const a of steps.length ? steps : [{ type: '-' }]) this.record({ ...base, action: a.type, target, ...v });
    };
    if (alert.status === 'resolved') {
      decideAll({ decision: 'skip', rule: 'alert-resolved', reason: 'resolved alerts start no action (TTL or a human reverts)' }, '');
      return [];
    }
    if (!steps.length) {
      decideAll({ decision: 'skip', rule: 'below-threshold', reason: `${alert.severity} with ${alert.findings} findings reaches no ladder step` }, '');
      return [];
    }
    const byName = checkNamespaceName(ns, this.config);
    if (byName.decision !== 'act') {
      decideAll(byName, `Namespace/${ns}`);
      return [];
    }
    // While the breaker is open not even the reads go out: a failing API server gets a rest.
    const open = this.breaker.peek(this.now());
    if (open.decision !== 'act') {
      decideAll(open, `Namespace/${ns}`);
      return [];
    }
    const pods = [...new Set([alert.entity.pod, ...alert.pods].filter(Boolean))].slice(0, this.config.maxPodsPerAlert);
    if (!pods.length) {
      decideAll({ decision: 'skip', rule: 'no-target', reason: 'the alert names no pod' }, `Namespace/${ns}`);
      return [];
    }

    let nsFacts: NamespaceFacts;
    try {
      nsFacts = await readNamespaceFacts(this.kube, ns);
    } catch (e) {
      decideAll(this.readFailed(e, `namespace ${ns}`), `Namespace/${ns}`);
      return [];
    }
    const nsVerdict = checkNamespace(nsFacts, this.config);
    if (nsVerdict.decision !== 'act') {
      decideAll(nsVerdict, `Namespace/${ns}`);
      return [];
    }

    const out: ActionRecord[] = [];
    for (const podName of pods) {
      const target = `Pod/${podName}`;
      let pod;
      try {
        pod = await readPodFacts(this.kube, ns, podName);
      } catch (e) {
        decideAll(this.readFailed(e, `pod ${ns}/${podName}`), target);
        continue;
      }
      const podVerdict = checkPod(pod, this.config);
      if (podVerdict.decision !== 'act') {
        decideAll(podVerdict, target);
        continue;
      }
      const ctx = { config: this.config, namespace: nsFacts, pod };
      for (const action of steps) {
        const own = action.check(alert, ctx) ?? ACT;
        if (own.decision !== 'act') {
          this.record({ ...base, action: action.type, target, ...own });
          continue;
        }
        const plan = action.plan(alert, ctx);
        const at = { ...base, action: action.type, target: plan.target };
        const held = this.holding(plan.key, alert.id);
        if (held) {
          this.record({ ...at, ...held });
          continue;
        }
        const gate = this.breaker.check(this.now());
        const limited = gate.decision === 'act' ? this.limiter.take(this.now()) : gate;
        if (limited.decision !== 'act') {
          if (gate.decision === 'act') this.breaker.release();
          this.record({ ...at, ...limited });
          continue;
        }
        const ref = await this.forensicsFor(alert);
        if (ref === null) {
          this.breaker.release();
          this.record({ ...at, decision: 'deny', rule: 'forensics-failed', reason: 'captureForensics failed and response.requireForensics is true: not acting on evidence that was not saved' });
          return out;
        }
        const rec = await this.execute(action, plan, ref);
        out.push(rec);
        if (rec.state === 'failed') break; // Do not climb the ladder past a failed step.
      }
    }
    return out;
  }

  private readFailed(e: unknown, what: string): Verdict {
    const err = toKubeError(e);
    if (err.status === 404) return { decision: 'skip', rule: 'not-found', reason: `${what} not found` };
    this.breaker.failure(this.now());
    return { decision: 'skip', rule: 'read-failed', reason: `reading ${what} failed: ${err.status || 'no answer'} ${err.reason} ${err.message}`.trim() };
  }

  /** Idempotency: is this key already done (or reverted for this very alert, which a human or the TTL decided)? */
  private holding(key: string, alertId: string): Verdict | null {
    for (const r of this.live()) {
      if (r.key !== key) continue;
      // A dry run changed nothing, so it only stops repeats of the same alert (a new incident shows its own plan).
      if (HOLDS.includes(r.state) || (r.state === 'dry-run' && this.config.dryRun && r.alertId === alertId)) {
        return { decision: 'skip', rule: 'idempotent', reason: `already done by action ${r.id} (${r.state})` };
      }
      if ((r.state === 'reverted' || r.state === 'expired') && r.alertId === alertId) {
        return { decision: 'skip', rule: 'reverted-for-alert', reason: `action ${r.id} was ${r.state} for this alert; only a new incident acts again` };
      }
    }
    return null;
  }

  /** The forensics ref ('' without a capture function), or null when capture failed and is required. */
  private async forensicsFor(alert: Alert): Promise<string | null> {
    const cached = this.forensics.get(alert.id);
    if (cached !== undefined) return cached;
    if (!this.opts.captureForensics) return '';
    try {
      const ref = await this.opts.captureForensics(alert);
      this.forensics.set(alert.id, ref);
      return ref;
    } catch (e) {
      this.logger.warn({ alertId: alert.id, err: e instanceof Error ? e.message : String(e) }, 'forensics capture failed');
      return this.config.requireForensics ? null : '';
    }
  }

  private async execute(action: ResponseAction, plan: ActionRecord['plan'], forensicsRef: string): Promise<ActionRecord> {
    const dryRun = this.config.dryRun;
    const res = await action.execute(plan, { kube: this.kube, dryRun, fieldManager: this.config.actor });
    const now = this.now();
    const state: ActionState = res.result === 'applied' ? 'active' : res.result === 'dry-run' ? 'dry-run' : res.result === 'noop' ? 'noop' : 'failed';
    const ttl = this.config.ttlSeconds;
    const rec: ActionRecord = {
      id: `${plan.key}@${now}`,
      key: plan.key,
      action: plan.action,
      alertId: plan.alertId,
      namespace: plan.namespace,
      target: plan.target,
      dryRun,
      state,
      createdAt: now,
      expiresAt: !dryRun && plan.reversible && ttl > 0 && (state === 'active' || state === 'failed') ? now + ttl * 1000 : null,
      revertedAt: null,
      forensicsRef,
      error: res.error,
      plan,
    };
    this.records.set(rec.id, rec);
    this.audit.saveAction(rec);
    if (rec.expiresAt !== null) this.armSweeper();
    this.finish(rec, res, 'alert', plan.reason + (plan.warnings.length ? ` [${plan.warnings.join('; ')}]` : ''));
    return structuredClone(rec);
  }

  private async undo(r: ActionRecord, trigger: 'ttl' | 'manual'): Promise<ActionRecord> {
    const action = LADDER.find((a) => a.type === r.action);
    const dryRun = r.state === 'dry-run';
    const res: ExecResult = action
      ? await action.revert(r.plan, { kube: this.kube, dryRun, fieldManager: this.config.actor })
      : { result: 'failed', requests: [], error: `unknown action type ${r.action}`, status: 0 };
    if (res.result !== 'failed' && !dryRun) {
      r.state = trigger === 'ttl' ? 'expired' : 'reverted';
      r.revertedAt = this.now();
      this.seen.delete(r.alertId); // the next update is evaluated (and audited) again
    }
    r.error = res.error;
    this.audit.saveAction(r);
    this.finish(r, res, trigger, `${trigger === 'ttl' ? 'TTL passed' : 'reverted on request'}: undo ${r.plan.reason}`);
    return structuredClone(r);
  }

  private finish(r: ActionRecord, res: ExecResult, trigger: AuditRecord['trigger'], reason: string): void {
    const dryRun = r.dryRun && (trigger === 'alert' || r.state === 'dry-run');
    this.record({
      trigger,
      alertId: r.alertId,
      action: r.action,
      namespace: r.namespace,
      target: r.target,
      decision: 'act',
      rule: trigger === 'alert' ? 'allowed' : trigger,
      reason,
      dryRun,
      result: res.result,
      requests: res.requests,
      actionId: r.id,
      error: res.error,
    });
    this.metrics?.actions.inc({ action: r.action, result: res.result, dry_run: String(dryRun) });
    if (trigger === 'alert') {
      if (res.result === 'failed') this.breaker.failure(this.now());
      else this.breaker.success();
    }
    const log = res.result === 'failed' ? this.logger.warn.bind(this.logger) : this.logger.info.bind(this.logger);
    log({ actionId: r.id, action: r.action, target: `${r.namespace}/${r.target}`, result: res.result, dryRun, error: res.error || undefined }, `response ${trigger}`);
  }
}
