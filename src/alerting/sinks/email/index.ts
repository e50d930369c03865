import nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';
import { z } from 'zod';
import { evidenceText, headline } from '../format.js';
import {
  alertUrl,
  baseSinkFields,
  iso,
  networkError,
  redactor,
  registerSink,
  resolveSecret,
  secretSchema,
  subjectOf,
  type AlertSink,
  type HealthStatus,
  type Notification,
  type SendOutcome,
  type SinkContext,
} from '../sink.js';

/**
 * Email over SMTP (nodemailer): one plain-text mail per alert change. The Message-ID is derived from the delivery
 * id (a retried mail has the same id, so mail clients and most servers show it once) and `References` carries the
 * incident id, so every change of one incident lands in one thread.
 */

export const emailSchema = z
  .object({
    type: z.literal('email'),
    ...baseSinkFields,
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535).default(587),
    /** Implicit TLS (port 465). With false, STARTTLS is used when the server offers it. */
    secure: z.boolean().default(false),
    /** Refuse to send unless STARTTLS succeeds. */
    requireTls: z.boolean().default(false),
    username: z.string().optional(),
    password: secretSchema.optional(),
    from: z.string().min(3),
    to: z.array(z.string().min(3)).min(1),
    subjectPrefix: z.string().default('[peregrine]'),
  })
  .strict();
export type EmailOptions = z.infer<typeof emailSchema>;

/** The message handed to nodemailer (what `toPayload` returns). */
export interface MailPayload {
  from: string;
  to: string[];
  subject: string;
  text: string;
  messageId: string;
  references: string;
  headers: Record<string, string>;
}

export class EmailSink implements AlertSink<MailPayload> {
  readonly type = 'email';
  readonly maxBatch = 1;
  readonly resendIntervalMs = 0;
  private transport: Transporter | null = null;
  private readonly password: string;
  private readonly redact: (s: string) => string;

  constructor(
    readonly name: string,
    private readonly options: EmailOptions,
    private readonly ctx: SinkContext,
  ) {
    this.password = options.password ? resolveSecret(options.password, `${ctx.where}.password`) : '';
    this.redact = redactor([this.password]);
  }

  /** Pure. */
  toPayload(batch: readonly Notification[]): MailPayload {
    const { alert, change, key } = batch[batch.length - 1];
    const link = alertUrl(this.ctx.externalUrl, alert);
    const lines = [
      alert.summary,
      '',
      `Workload:    ${subjectOf(alert)}`,
      `Severity:    ${alert.severity}`,
      `Status:      ${alert.status}${change === 'updated' ? ' (updated)' : ''}`,
      `Started:     ${iso(alert.startsAt)}`,
      ...(alert.endsAt != null ? [`Resolved:    ${iso(alert.endsAt)}`] : []),
      `Findings:    ${alert.findings} (max score ${Math.round(alert.maxScore * 1000) / 1000})`,
      `Pods:        ${alert.pods.join(', ') || '-'}`,
      `Nodes:       ${alert.nodes.join(', ') || '-'}`,
      `Modalities:  ${alert.modalities.join(', ')}`,
      `Models:      ${alert.modelVersions.join(', ')}`,
      `Incident:    ${alert.id}`,
      ...(link ? [`Dashboard:   ${link}`] : []),
      '',
      ...evidenceText(alert),
      '',
      '-- ',
      'Peregrine anomaly detection',
    ];
    return {
      from: this.options.from,
      to: this.options.to,
      subject: `${this.options.subjectPrefix ? `${this.options.subjectPrefix} ` : ''}${headline(alert, change)} on ${subjectOf(alert)}`,
      text: lines.join('\n') + '\n',
      messageId: `<${key}@peregrine.alerts>`,
      references: `<${alert.id}@peregrine.alerts>`,
      headers: { 'X-Peregrine-Incident': alert.id, 'X-Peregrine-Delivery': key, 'X-Peregrine-Severity': alert.severity },
    };
  }

  private transporter(): Transporter {
    if (!this.transport) {
      const o = this.options;
      const timeout = o.timeoutMs ?? this.ctx.requestTimeoutMs;
      this.transport = nodemailer.createTransport({
        host: o.host,
        port: o.port,
        secure: o.secure,
        requireTLS: o.requireTls,
        auth: o.username ? { user: o.username, pass: this.password } : undefined,
        connectionTimeout: timeout,
        greetingTimeout: timeout,
        socketTimeout: timeout,
      });
    }
    return this.transport;
  }

  /** SMTP 5xx is permanent (rejected), 4xx and connection failures are retryable. */
  async send(batch: readonly Notification[]): Promise<SendOutcome> {
    try {
      await this.transporter().sendMail(this.toPayload(batch));
      return { status: 'delivered' };
    } catch (e) {
      const err = e as { responseCode?: number; code?: string; response?: string };
      const text = this.redact(`smtp ${this.options.host}:${this.options.port}: ${err.response ?? networkError(e)}`).slice(0, 300);
      if (typeof err.responseCode === 'number' && err.responseCode >= 500) return { status: 'rejected', reason: text, httpStatus: err.responseCode };
      if (err.responseCode === undefined && (err.code === 'EENVELOPE' || err.code === 'EMESSAGE')) return { status: 'rejected', reason: text };
      return { status: 'retryable', error: text };
    }
  }

  /** Connects, says EHLO and authenticates (nodemailer's verify); sends nothing. */
  async healthcheck(): Promise<HealthStatus> {
    try {
      await this.transporter().verify();
      return { ok: true, detail: `smtp ${this.options.host}:${this.options.port} ready` };
    } catch (e) {
      return { ok: false, detail: this.redact(`smtp ${this.options.host}:${this.options.port}: ${networkError(e)}`) };
    }
  }

  async close(): Promise<void> {
    this.transport?.close();
    this.transport = null;
  }
}

export const emailFactory = registerSink<EmailOptions>({
  type: 'email',
  description: 'email over SMTP (nodemailer), one plain-text mail per alert change, threaded by incident',
  schema: emailSchema,
  create: (options, ctx) => [new EmailSink(options.name ?? 'email', options, ctx)],
});
