import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { PeregrineError } from '../../core/errors.js';
import { Registry } from '../../core/registry.js';
import type { Alert } from '../types.js';

/**
 * The alert sink contract (ARCHITECTURE.md "one interface per extension point"): `toPayload` is pure (the exact
 * request a batch becomes, checked against golden files), `send` never throws for receiver failures, it reports
 * delivered / retryable / rejected, and the outbox decides what happens next. Each sink registers
 * `{type, description, schema, create}` in its own folder; `sinks/index.ts` imports them (one line per sink).
 */

export type AlertChange = 'opened' | 'updated' | 'resolved';
/** What an outbox row carries: a change, or a periodic re-send of the current state (Alertmanager only). */
export type DeliveryChange = AlertChange | 'resend';

/** One outbox row handed to a sink: an alert as it was at the change. */
export interface Notification {
  alert: Alert;
  change: DeliveryChange;
  /** Stable delivery id (same row, same key on every retry and after a restart): receivers dedup on it. */
  key: string;
}

export type SendOutcome =
  | { status: 'delivered' }
  | { status: 'retryable'; error: string; retryAfterMs?: number }
  | { status: 'rejected'; reason: string; httpStatus?: number };

export interface HealthStatus {
  ok: boolean;
  detail: string;
}

/** The wire form of one HTTP delivery (what `toPayload` returns for HTTP sinks). */
export interface HttpRequest {
  method: 'POST';
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface AlertSink<P = unknown> {
  readonly type: string;
  /** Outbox target name (unique; the `sink` metric label). */
  readonly name: string;
  /** Notifications per send (one request). */
  readonly maxBatch: number;
  /** Re-send every firing alert this often (Alertmanager expires alerts that are not re-sent); 0 = never. */
  readonly resendIntervalMs: number;
  /** Pure: the exact request `send` makes for this batch at `nowMs`. */
  toPayload(batch: readonly Notification[], nowMs: number): P;
  send(batch: readonly Notification[], nowMs: number): Promise<SendOutcome>;
  healthcheck(): Promise<HealthStatus>;
  close(): Promise<void>;
}

export interface SinkContext {
  fetch: typeof fetch;
  /** Base URL of the Peregrine dashboard (links in payloads), `` when unknown. */
  externalUrl: string;
  requestTimeoutMs: number;
  /** Config path of this sink (`alerting.sinks[2]`), for error messages. */
  where: string;
}

export interface AlertSinkFactory<O = Record<string, unknown>> {
  readonly type: string;
  /** One line for the docs. */
  readonly description: string;
  /** Options schema (includes `type` and `name`), with defaults. */
  readonly schema: z.ZodType<O>;
  /** Stores options and resolves secrets; no I/O. May return several targets (Alertmanager: one per instance). */
  create(options: O, context: SinkContext): AlertSink[];
}

export const alertSinks = new Registry<AlertSinkFactory>('alert sink');

/** Registers a factory (typed options in, erased in the registry). */
export function registerSink<O>(factory: AlertSinkFactory<O>): AlertSinkFactory<O> {
  alertSinks.register(factory as unknown as AlertSinkFactory);
  return factory;
}

// ------------------------------------------------------------------------------------------------------- secrets

/** A secret in config: inline (tests only), from an environment variable, or from a file (a mounted Secret). */
export const secretSchema = z.union([z.string().min(1), z.object({ env: z.string().min(1) }).strict(), z.object({ file: z.string().min(1) }).strict()]);
export type SecretRef = z.infer<typeof secretSchema>;

/** Resolves a secret reference; the error names the field and the variable or file, never the value. */
export function resolveSecret(ref: SecretRef, where: string): string {
  if (typeof ref === 'string') return ref;
  if ('env' in ref) {
    const v = process.env[ref.env];
    if (!v) throw new PeregrineError('PGN_ERR_BAD_PARAM', `environment variable ${ref.env} is not set`, { where, hint: 'set it or point the field at a file' });
    return v;
  }
  try {
    return readFileSync(ref.file, 'utf8').trim();
  } catch {
    throw new PeregrineError('PGN_ERR_IO', `cannot read secret file ${ref.file}`, { where, hint: 'check the mounted Secret' });
  }
}

/** Replaces every occurrence of the given secrets (and URL query strings) in a message with `[redacted]`. */
export function redactor(secrets: readonly string[]): (text: string) => string {
  const list = secrets.filter((s) => s.length >= 4).sort((a, b) => b.length - a.length);
  return (text: string) => {
    let out = text;
    for (const s of list) out = out.split(s).join('[redacted]');
    return out.replace(/\?[^\s"']*/g, '?[redacted]');
  };
}

/** A URL safe to log: scheme, host and port only. */
export function safeOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '[invalid url]';
  }
}

// ---------------------------------------------------------------------------------------------------------- HTTP

/** Classifies an HTTP status: 2xx delivered; 408, 429, 5xx retryable (Retry-After honoured); other 4xx rejected. */
export function outcomeOf(status: number, bodyText: string, retryAfterMs: number | undefined, what: string): SendOutcome {
  if (status >= 200 && status < 300) return { status: 'delivered' };
  const detail = `${what}: HTTP ${status}${bodyText ? ` ${bodyText.replace(/\s+/g, ' ').trim().slice(0, 200)}` : ''}`;
  if (status === 408 || status === 429 || status >= 500) return { status: 'retryable', error: detail, retryAfterMs };
  return { status: 'rejected', reason: detail, httpStatus: status };
}

/**
 * Sends one request with a timeout and classifies the answer. Network errors and timeouts are retryable. Every
 * message goes through `redact` (webhook URLs and tokens never reach logs or the dead-letter table).
 */
export async function sendHttp(
  f: typeof fetch,
  req: HttpRequest,
  timeoutMs: number,
  what: string,
  redact: (s: string) => string,
  parseRetryAfterMs: (v: string | null) => number | undefined,
): Promise<SendOutcome> {
  try {
    const res = await f(req.url, { method: req.method, headers: req.headers, body: req.body, signal: AbortSignal.timeout(timeoutMs) });
    const text = await res.text().catch(() => '');
    const out = outcomeOf(res.status, text, parseRetryAfterMs(res.headers.get('retry-after')), what);
    if (out.status === 'retryable') return { ...out, error: redact(out.error) };
    if (out.status === 'rejected') return { ...out, reason: redact(out.reason) };
    return out;
  } catch (e) {
    return { status: 'retryable', error: redact(`${what}: ${networkError(e)}`) };
  }
}

/** One line for a fetch failure (`fetch failed` alone says nothing; the cause has the errno). */
export function networkError(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return 'request timed out';
  const cause = (e as { cause?: unknown }).cause;
  const c = cause instanceof Error ? ` (${(cause as NodeJS.ErrnoException).code ?? cause.message})` : '';
  return `${e.message}${c}`.replace(/\s+/g, ' ');
}

// --------------------------------------------------------------------------------------------------- formatting

/** `ns/workload`, falling back to pod, then container (the same fallback as the default group key). */
export function subjectOf(alert: Alert): string {
  const e = alert.entity;
  const w = e.workload || e.pod || e.container || (alert.pods.length > 0 ? `${alert.pods.length} pods` : '');
  return [e.namespace, w].filter(Boolean).join('/') || e.node || 'cluster';
}

/** Link to the incident in the dashboard, `` without an external URL. */
export function alertUrl(externalUrl: string, alert: Alert): string {
  return externalUrl ? `${externalUrl.replace(/\/+$/, '')}/alerts/${encodeURIComponent(alert.id)}` : '';
}

export const iso = (ms: number): string => new Date(ms).toISOString();

/** Fields every sink config has. `name` defaults to the type (the outbox target and metric label). */
export const baseSinkFields = {
  name: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_.-]{0,62}$/i, 'letters, digits, `_`, `.`, `-`')
    .optional(),
  /** Per-sink request timeout (default: the outbox's `requestTimeoutMs`). */
  timeoutMs: z.number().int().positive().optional(),
};
