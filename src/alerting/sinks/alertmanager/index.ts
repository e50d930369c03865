import { z } from 'zod';
import { parseRetryAfter } from '../../../publish/backoff.js';
import type { Alert, Severity } from '../../types.js';
import {
  alertUrl,
  baseSinkFields,
  iso,
  networkError,
  redactor,
  registerSink,
  resolveSecret,
  safeOrigin,
  secretSchema,
  sendHttp,
  subjectOf,
  type AlertSink,
  type HealthStatus,
  type HttpRequest,
  type Notification,
  type SendOutcome,
  type SinkContext,
} from '../sink.js';

/**
 * Alertmanager, API v2 (`POST /api/v2/alerts`). Alertmanager instances in an HA cluster gossip silences and the
 * notification log, NOT alerts, so a client must send every alert to every instance (as Prometheus does). Peregrine
 * goes further than Prometheus' "success if any instance accepted": each configured URL is its own outbox target
 * (`name-0`, `name-1`, ...) with its own queue and retries, so an instance that is down gets every change once it
 * is back, and the healthy ones neither wait for it nor receive duplicates because of it.
 */

export const alertmanagerSchema = z
  .object({
    type: z.literal('alertmanager'),
    ...baseSinkFields,
    /** Base URL of every Alertmanager instance, e.g. `http://alertmanager-0.alertmanager:9093`. */
    urls: z.array(z.url()).min(1),
    /** Optional bearer token (a proxy in front of Alertmanager). */
    bearerToken: secretSchema.optional(),
    /** Firing alerts are re-sent this often; keep it below Alertmanager's `resolve_timeout` (default 5 m). */
    resendIntervalSeconds: z.number().positive().default(60),
    /** Static labels added to every alert (for routing), e.g. `{team: "sre"}`. */
    extraLabels: z.record(z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/), z.string()).default({}),
  })
  .strict();
export type AlertmanagerOptions = z.infer<typeof alertmanagerSchema>;

/** One element of the API v2 `postableAlerts` array. */
export interface PostableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt?: string;
  generatorURL?: string;
}

const LOWER: Record<Severity, Severity[]> = { info: [], warning: ['info'], critical: ['info', 'warning'] };

export class AlertmanagerSink implements AlertSink<HttpRequest> {
  readonly type = 'alertmanager';
  readonly maxBatch = 64;
  readonly resendIntervalMs: number;
  private readonly token: string;
  private readonly redact: (s: string) => string;

  constructor(
    readonly name: string,
    private readonly url: string,
    private readonly options: AlertmanagerOptions,
    private readonly ctx: SinkContext,
  ) {
    this.resendIntervalMs = options.resendIntervalSeconds * 1000;
    this.token = options.bearerToken ? resolveSecret(options.bearerToken, `${ctx.where}.bearerToken`) : '';
    this.redact = redactor([this.token]);
  }

  /** Labels identify an alert in Alertmanager, so only fields stable for the incident's life go there. */
  labelsOf(alert: Alert, severity: Severity): Record<string, string> {
    const e = alert.entity;
    const labels: Record<string, string> = {
      alertname: 'PeregrineAnomaly',
      incident_id: alert.id,
      severity,
      namespace: e.namespace,
      workload: e.workload || e.pod || e.container,
      title: alert.title,
      source: 'peregrine',
      ...this.options.extraLabels,
    };
    for (const k of Object.keys(labels)) if (labels[k] === '') delete labels[k];
    return labels;
  }

  annotationsOf(alert: Alert): Record<string, string> {
    const ev = alert.evidence;
    const a: Record<string, string> = {
      summary: alert.summary,
      description: `${alert.title} (${subjectOf(alert)}): max score ${round(alert.maxScore)} over ${alert.findings} finding(s)`,
      top_features: ev.topFeatures.map((f) => `${f.name}=${round(f.value)} (${Math.round(f.share * 100)}%)`).join(', '),
      key_events: ev.keyEvents.join('\n'),
      process_lineage: ev.processLineage.join(' > '),
      forensics: ev.forensicsRef,
      pods: alert.pods.join(', '),
      nodes: alert.nodes.join(', '),
      modalities: alert.modalities.join(', '),
      model_versions: alert.modelVersions.join(', '),
      dashboard: alertUrl(this.ctx.externalUrl, alert),
    };
    for (const k of Object.keys(a)) if (a[k] === '') delete a[k];
    return a;
  }

  /**
   * Pure. Several changes of one alert in a batch collapse to the last (Alertmanager keeps state, not events). An
   * escalated alert also resolves its lower-severity label sets, so the earlier severity does not linger in
   * Alertmanager until `resolve_timeout`.
   */
  toPayload(batch: readonly Notification[], nowMs: number): HttpRequest {
    const last = new Map<string, Notification>();
    for (const n of batch) {
      last.delete(n.alert.id);
      last.set(n.alert.id, n);
    }
    const alerts: PostableAlert[] = [];
    for (const { alert, change } of last.values()) {
      const gen = alertUrl(this.ctx.externalUrl, alert);
      const base = { annotations: this.annotationsOf(alert), startsAt: iso(alert.startsAt), ...(gen ? { generatorURL: gen } : {}) };
      const resolved = alert.status === 'resolved';
      alerts.push({ labels: this.labelsOf(alert, alert.severity), ...base, ...(resolved ? { endsAt: iso(alert.endsAt ?? nowMs) } : {}) });
      if (change === 'updated' && !resolved) {
        for (const s of LOWER[alert.severity]) alerts.push({ labels: this.labelsOf(alert, s), annotations: { summary: alert.summary }, startsAt: base.startsAt, endsAt: iso(nowMs) });
      }
    }
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    return { method: 'POST', url: `${this.url.replace(/\/+$/, '')}/api/v2/alerts`, headers, body: JSON.stringify(alerts) };
  }

  send(batch: readonly Notification[], nowMs: number): Promise<SendOutcome> {
    const req = this.toPayload(batch, nowMs);
    return sendHttp(this.ctx.fetch, req, this.options.timeoutMs ?? this.ctx.requestTimeoutMs, `alertmanager ${safeOrigin(this.url)}`, this.redact, (v) =>
      parseRetryAfter(v, nowMs),
    );
  }

  async healthcheck(): Promise<HealthStatus> {
    const url = `${this.url.replace(/\/+$/, '')}/-/ready`;
    try {
      const res = await this.ctx.fetch(url, { signal: AbortSignal.timeout(this.ctx.requestTimeoutMs) });
      await res.text().catch(() => '');
      return { ok: res.ok, detail: `${safeOrigin(this.url)} /-/ready: HTTP ${res.status}` };
    } catch (e) {
      return { ok: false, detail: this.redact(`${safeOrigin(this.url)}: ${networkError(e)}`) };
    }
  }

  async close(): Promise<void> {}
}

const round = (x: number): number => Math.round(x * 1000) / 1000;

export const alertmanagerFactory = registerSink<AlertmanagerOptions>({
  type: 'alertmanager',
  description: 'Prometheus Alertmanager API v2; every configured instance gets every alert (one outbox queue each)',
  schema: alertmanagerSchema,
  create(options, ctx) {
    const name = options.name ?? 'alertmanager';
    return options.urls.map((url, i) => new AlertmanagerSink(options.urls.length === 1 ? name : `${name}-${i}`, url, options, ctx));
  },
});
