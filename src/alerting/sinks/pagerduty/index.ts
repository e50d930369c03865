import { z } from 'zod';
import { parseRetryAfter } from '../../../publish/backoff.js';
import { cap, featureLine } from '../format.js';
import {
  alertUrl,
  baseSinkFields,
  iso,
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
 * PagerDuty Events API v2: `trigger` while firing (opened and updated: PagerDuty folds triggers with the same
 * `dedup_key` into the open incident) and `resolve` when resolved; `dedup_key` is the Peregrine incident id, so
 * at-least-once delivery never opens a second PagerDuty incident. The routing (integration) key is a secret.
 */

export const pagerdutySchema = z
  .object({
    type: z.literal('pagerduty'),
    ...baseSinkFields,
    routingKey: secretSchema,
    /** Events API endpoint (change for the EU service region or a proxy). */
    url: z.url().default('https://events.pagerduty.com/v2/enqueue'),
  })
  .strict();
export type PagerdutyOptions = z.infer<typeof pagerdutySchema>;

export class PagerdutySink implements AlertSink<HttpRequest> {
  readonly type = 'pagerduty';
  readonly maxBatch = 1;
  readonly resendIntervalMs = 0;
  private readonly routingKey: string;
  private readonly redact: (s: string) => string;

  constructor(
    readonly name: string,
    private readonly options: PagerdutyOptions,
    private readonly ctx: SinkContext,
  ) {
    this.routingKey = resolveSecret(options.routingKey, `${ctx.where}.routingKey`);
    this.redact = redactor([this.routingKey]);
  }

  /** Pure: the Events v2 request for the last notification of the batch (batches are of one). */
  toPayload(batch: readonly Notification[]): HttpRequest {
    const { alert, change } = batch[batch.length - 1];
    const resolve = change === 'resolved' || alert.status === 'resolved';
    const link = alertUrl(this.ctx.externalUrl, alert);
    const body = resolve
      ? { routing_key: this.routingKey, event_action: 'resolve', dedup_key: alert.id }
      : {
          routing_key: this.routingKey,
          event_action: 'trigger',
          dedup_key: alert.id,
          payload: {
            summary: cap(`${alert.title}: ${alert.summary}`, 1024),
            source: subjectOf(alert),
            severity: alert.severity,
            timestamp: iso(alert.updatedAt),
            component: alert.entity.workload || alert.entity.pod || alert.entity.container || undefined,
            group: alert.entity.namespace || undefined,
            class: alert.title,
            custom_details: {
              incident_id: alert.id,
              findings: alert.findings,
              started: iso(alert.startsAt),
              max_score: alert.maxScore,
              pods: alert.pods,
              nodes: alert.nodes,
              modalities: alert.modalities,
              model_versions: alert.modelVersions,
              top_features: alert.evidence.topFeatures.map(featureLine),
              key_events: alert.evidence.keyEvents,
              process_lineage: alert.evidence.processLineage.join(' > '),
              forensics: alert.evidence.forensicsRef,
              labels: alert.labels,
            },
          },
          client: 'Peregrine',
          ...(link ? { client_url: link, links: [{ href: link, text: 'Incident in Peregrine' }] } : {}),
        };
    return { method: 'POST', url: this.options.url, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
  }

  send(batch: readonly Notification[], nowMs: number): Promise<SendOutcome> {
    return sendHttp(this.ctx.fetch, this.toPayload(batch), this.options.timeoutMs ?? this.ctx.requestTimeoutMs, `pagerduty ${safeOrigin(this.options.url)}`, this.redact, (v) =>
      parseRetryAfter(v, nowMs),
    );
  }

  /** The Events API has no read-only probe; report the configuration. */
  async healthcheck(): Promise<HealthStatus> {
    return { ok: this.routingKey.length > 0, detail: `events to ${safeOrigin(this.options.url)} (no read-only probe; see outbox stats)` };
  }

  async close(): Promise<void> {}
}

export const pagerdutyFactory = registerSink<PagerdutyOptions>({
  type: 'pagerduty',
  description: 'PagerDuty Events API v2: trigger / resolve with dedup_key = incident id',
  schema: pagerdutySchema,
  create: (options, ctx) => [new PagerdutySink(options.name ?? 'pagerduty', options, ctx)],
});
