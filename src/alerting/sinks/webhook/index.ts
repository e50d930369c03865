import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { parseRetryAfter } from '../../../publish/backoff.js';
import {
  baseSinkFields,
  redactor,
  registerSink,
  resolveSecret,
  safeOrigin,
  secretSchema,
  sendHttp,
  type AlertSink,
  type HealthStatus,
  type HttpRequest,
  type Notification,
  type SendOutcome,
  type SinkContext,
} from '../sink.js';

/**
 * Generic webhook: a JSON body with the alerts as they are (the `Alert` contract), signed with HMAC-SHA256 over
 * `timestamp + "." + body` (the Stripe / Slack-signing scheme: the timestamp in the signed text stops replays).
 * Headers: `X-Peregrine-Timestamp` (unix seconds), `X-Peregrine-Signature: v1=<hex>`, and
 * `X-Peregrine-Delivery` (the delivery id, the same on every retry: receivers dedup on it).
 */

export const webhookSchema = z
  .object({
    type: z.literal('webhook'),
    ...baseSinkFields,
    url: z.url(),
    /** HMAC key; when absent the request is sent unsigned. */
    secret: secretSchema.optional(),
    /** Extra static headers (no secrets here: use `secret` or a reverse proxy). */
    headers: z.record(z.string(), z.string()).default({}),
    maxBatch: z.number().int().min(1).max(500).default(50),
    /** Probed by `healthcheck` with GET when set (the webhook URL itself is never probed: GET may have effects). */
    healthUrl: z.url().optional(),
  })
  .strict();
export type WebhookOptions = z.infer<typeof webhookSchema>;

export const SIGNATURE_HEADER = 'x-peregrine-signature';
export const TIMESTAMP_HEADER = 'x-peregrine-timestamp';
export const DELIVERY_HEADER = 'x-peregrine-delivery';

/** `v1=` + hex HMAC-SHA256(secret, `${timestamp}.${body}`). */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * The receiver's check (also the recipe in docs/alerting.md): recompute, compare in constant time, and refuse
 * timestamps older than `toleranceSeconds`.
 */
export function verifyWebhook(secret: string, headers: Record<string, string | undefined>, body: string, nowMs: number, toleranceSeconds = 300): boolean {
  const ts = Number(headers[TIMESTAMP_HEADER]);
  const sig = headers[SIGNATURE_HEADER] ?? '';
  if (!Number.isInteger(ts) || Math.abs(nowMs / 1000 - ts) > toleranceSeconds) return false;
  const want = Buffer.from(signWebhook(secret, ts, body));
  const got = Buffer.from(sig);
  return got.length === want.length && timingSafeEqual(got, want);
}

export class WebhookSink implements AlertSink<HttpRequest> {
  readonly type = 'webhook';
  readonly maxBatch: number;
  readonly resendIntervalMs = 0;
  private readonly secret: string;
  private readonly redact: (s: string) => string;

  constructor(
    readonly name: string,
    private readonly options: WebhookOptions,
    private readonly ctx: SinkContext,
  ) {
    this.maxBatch = options.maxBatch;
    this.secret = options.secret ? resolveSecret(options.secret, `${ctx.where}.secret`) : '';
    this.redact = redactor([this.secret]);
  }

  /** Pure: body `{version, sender, deliveries: [{key, change, alert}]}`, signed at `nowMs`. */
  toPayload(batch: readonly Notification[], nowMs: number): HttpRequest {
    const body = JSON.stringify({ version: 1, sender: 'peregrine', deliveries: batch.map((n) => ({ key: n.key, change: n.change, alert: n.alert })) });
    const timestamp = Math.floor(nowMs / 1000);
    const headers: Record<string, string> = { ...this.options.headers, 'content-type': 'application/json', [TIMESTAMP_HEADER]: String(timestamp) };
    headers[DELIVERY_HEADER] = batch.map((n) => n.key).join(',');
    if (this.secret) headers[SIGNATURE_HEADER] = signWebhook(this.secret, timestamp, body);
    return { method: 'POST', url: this.options.url, headers, body };
  }

  send(batch: readonly Notification[], nowMs: number): Promise<SendOutcome> {
    return sendHttp(this.ctx.fetch, this.toPayload(batch, nowMs), this.options.timeoutMs ?? this.ctx.requestTimeoutMs, `webhook ${safeOrigin(this.options.url)}`, this.redact, (v) =>
      parseRetryAfter(v, nowMs),
    );
  }

  async healthcheck(): Promise<HealthStatus> {
    if (!this.options.healthUrl) return { ok: true, detail: `${safeOrigin(this.options.url)} (no healthUrl configured; see outbox stats)` };
    try {
      const res = await this.ctx.fetch(this.options.healthUrl, { signal: AbortSignal.timeout(this.ctx.requestTimeoutMs) });
      await res.text().catch(() => '');
      return { ok: res.ok, detail: `${safeOrigin(this.options.healthUrl)}: HTTP ${res.status}` };
    } catch (e) {
      return { ok: false, detail: this.redact(`${safeOrigin(this.options.healthUrl)}: ${e instanceof Error ? e.message : String(e)}`) };
    }
  }

  async close(): Promise<void> {}
}

export const webhookFactory = registerSink<WebhookOptions>({
  type: 'webhook',
  description: 'generic JSON webhook, HMAC-SHA256 signed (X-Peregrine-Signature over timestamp.body)',
  schema: webhookSchema,
  create: (options, ctx) => [new WebhookSink(options.name ?? 'webhook', options, ctx)],
});
