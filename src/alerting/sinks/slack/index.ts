import { z } from 'zod';
import { parseRetryAfter } from '../../../publish/backoff.js';
import { cap, featureLine, headline, round3 } from '../format.js';
import {
  alertUrl,
  baseSinkFields,
  iso,
  redactor,
  registerSink,
  resolveSecret,
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
 * Slack incoming webhook: one message per alert change, Block Kit with the evidence. The whole webhook URL is the
 * secret (anyone holding it can post), so it is read from an env var or a file and never logged.
 */

export const slackSchema = z
  .object({
    type: z.literal('slack'),
    ...baseSinkFields,
    webhookUrl: secretSchema,
    /** Shown as the sender (only honoured by legacy webhooks; modern ones post as the app). */
    username: z.string().default('Peregrine'),
  })
  .strict();
export type SlackOptions = z.infer<typeof slackSchema>;

const EMOJI = { critical: ':rotating_light:', warning: ':warning:', info: ':information_source:', resolved: ':white_check_mark:' } as const;

/** Slack mrkdwn needs only these three escaped. */
const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export class SlackSink implements AlertSink<HttpRequest> {
  readonly type = 'slack';
  readonly maxBatch = 1;
  readonly resendIntervalMs = 0;
  private readonly url: string;
  private readonly redact: (s: string) => string;

  constructor(
    readonly name: string,
    private readonly options: SlackOptions,
    private readonly ctx: SinkContext,
  ) {
    this.url = resolveSecret(options.webhookUrl, `${ctx.where}.webhookUrl`);
    let parts: string[] = [];
    try {
      const path = new URL(this.url).pathname;
      // The token is the last path segment; an error body may echo any part of the path.
      parts = [path, ...path.split('/').filter((p) => p.length >= 8 && p !== 'services')];
    } catch {
      // validated when sending; the whole string is redacted anyway
    }
    this.redact = redactor([this.url, ...parts]);
  }

  /** Block Kit blocks for one alert (Slack limits: header 150 chars, section text 3000, 10 fields). */
  blocks(n: Notification): unknown[] {
    const { alert, change } = n;
    const resolved = change === 'resolved' || alert.status === 'resolved';
    const ev = alert.evidence;
    const blocks: unknown[] = [
      { type: 'header', text: { type: 'plain_text', text: cap(`${resolved ? EMOJI.resolved : EMOJI[alert.severity]} ${headline(alert, change)}`, 150), emoji: true } },
      {
        type: 'section',
        text: { type: 'mrkdwn', text: cap(`*${esc(alert.summary)}*`, 3000) },
        fields: [
          ['Workload', subjectOf(alert)],
          ['Severity', alert.severity],
          ['Started', iso(alert.startsAt)],
          [resolved ? 'Resolved' : 'Updated', iso(resolved ? (alert.endsAt ?? alert.updatedAt) : alert.updatedAt)],
          ['Max score', round3(alert.maxScore)],
          ['Modalities', alert.modalities.join(', ')],
          ['Pods', alert.pods.slice(0, 10).join(', ') + (alert.pods.length > 10 ? ` (+${alert.pods.length - 10})` : '')],
          ['Nodes', alert.nodes.join(', ')],
        ]
          .filter(([, v]) => v !== '')
          .map(([k, v]) => ({ type: 'mrkdwn', text: cap(`*${k}*\n${esc(v)}`, 2000) })),
      },
    ];
    if (ev.topFeatures.length > 0) {
      blocks.push({ type: 'section', text: { type: 'mrkdwn', text: cap(`*Top contributing features*\n${ev.topFeatures.map((f) => `• ${esc(featureLine(f))}`).join('\n')}`, 3000) } });
    }
    if (ev.keyEvents.length > 0) {
      blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `*Key events*\n\`\`\`${cap(esc(ev.keyEvents.join('\n')), 2900)}\`\`\`` } });
    }
    const context: string[] = [];
    if (ev.processLineage.length > 0) context.push(`Lineage: ${esc(ev.processLineage.join(' > '))}`);
    if (ev.forensicsRef) context.push(`Forensics: ${esc(ev.forensicsRef)}`);
    const link = alertUrl(this.ctx.externalUrl, alert);
    if (link) context.push(`<${link}|Open in Peregrine>`);
    context.push(`Incident \`${alert.id}\``);
    blocks.push({ type: 'context', elements: context.map((text) => ({ type: 'mrkdwn', text: cap(text, 3000) })) });
    return blocks;
  }

  /** Pure. `text` is the notification fallback (phones, screen readers). */
  toPayload(batch: readonly Notification[]): HttpRequest {
    const n = batch[batch.length - 1];
    const body = { username: this.options.username, text: cap(`${headline(n.alert, n.change)}: ${n.alert.summary}`, 3000), blocks: this.blocks(n) };
    return { method: 'POST', url: this.url, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
  }

  send(batch: readonly Notification[], nowMs: number): Promise<SendOutcome> {
    return sendHttp(this.ctx.fetch, this.toPayload(batch), this.options.timeoutMs ?? this.ctx.requestTimeoutMs, 'slack webhook', this.redact, (v) => parseRetryAfter(v, nowMs));
  }

  /** An incoming webhook has no read-only probe (any request posts or errors); check the URL's shape only. */
  async healthcheck(): Promise<HealthStatus> {
    try {
      const u = new URL(this.url);
      return { ok: u.protocol === 'https:' || u.protocol === 'http:', detail: `webhook on ${u.host} (no read-only probe; see outbox stats)` };
    } catch {
      return { ok: false, detail: 'webhook URL is not a URL' };
    }
  }

  async close(): Promise<void> {}
}

export const slackFactory = registerSink<SlackOptions>({
  type: 'slack',
  description: 'Slack incoming webhook, Block Kit message with the evidence, one per alert change',
  schema: slackSchema,
  create: (options, ctx) => [new SlackSink(options.name ?? 'slack', options, ctx)],
});
