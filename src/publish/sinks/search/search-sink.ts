import { parseRetryAfter } from '../../backoff.js';
import { realClock } from '../../clock.js';
import type { Clock, ForensicRecord, ForensicSink, HealthStatus, Rejection, SendResult, SinkStats } from '../../types.js';
import { errorText } from '../../util.js';
import { account, emptySinkStats, statusOf } from '../sink.js';
import { indexName, indexTemplates, TEMPLATE_VERSION, type Flavor, type IndexTemplate } from './templates.js';
import type { SearchOptions } from './options.js';

/**
 * The Elasticsearch and OpenSearch sinks: one implementation over the official clients' bulk helpers.
 *
 * - Every record is a `create` action with its deterministic id in a daily index, so a retry or a replay never
 *   duplicates: the store answers 409 for an id it already holds, which counts as delivered (a duplicate).
 * - The helper's own retries are off (`retries: 0`, client `maxRetries: 0`): retrying is the Delivery's job, with
 *   capped jittered backoff on an injectable clock and Retry-After honoured.
 * - Item-level failures: 429, 408 and 5xx items are retried (only those items); 409 is a duplicate; any other
 *   status is rejected with the store's reason (dead-letter). A top-level 400 or 413 rejects the batch; any other
 *   top-level failure (429, 5xx, 401/403 while credentials are fixed, connection refused, timeout) retries it.
 * - Index templates are created on start when absent or older than this version; a current one is left alone.
 */

/** What a bulk helper reports for a document it could not index. */
export interface DroppedDocument {
  status: number;
  error: { type?: string; reason?: string; caused_by?: { type?: string; reason?: string } } | null;
  operation: Record<string, { _index?: string; _id?: string }>;
}

/** The few client calls the sink makes, the same for both official clients. */
export interface SearchClientAdapter {
  bulk(batch: readonly ForensicRecord[], onDocument: (r: ForensicRecord) => [Record<string, unknown>, string], onDrop: (d: DroppedDocument) => void): Promise<void>;
  /** The `_meta.peregrine_template_version` of an installed template; null when absent, 0 when not ours. */
  templateVersion(name: string): Promise<number | null>;
  putTemplate(t: IndexTemplate): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export type AdapterFactory = (options: SearchOptions) => Promise<SearchClientAdapter>;

/** The document of a record: `@timestamp` (for Kibana / Dashboards) then the record without its id. */
export function documentOf(r: ForensicRecord): string {
  const { id: _id, ...rest } = r;
  const ms = r.kind === 'summary' ? r.intervalStart : Math.floor(r.timeNs / 1e6);
  return JSON.stringify({ '@timestamp': new Date(Number.isFinite(ms) ? ms : 0).toISOString(), ...rest });
}

export interface ErrorInfo {
  statusCode?: number;
  headers?: Record<string, string | string[] | undefined>;
  name: string;
}

/** The status and headers of a client error (ResponseError of either client), or just its name. */
export function errorInfo(e: unknown): ErrorInfo {
  const err = e as { name?: string; statusCode?: number; meta?: { statusCode?: number; headers?: Record<string, string> } };
  return { name: err?.name ?? 'Error', statusCode: err?.meta?.statusCode ?? err?.statusCode, headers: err?.meta?.headers ?? undefined };
}

const retryableItem = (status: number) => status === 429 || status === 408 || status >= 500;

export class SearchSink implements ForensicSink<string> {
  private adapter: SearchClientAdapter | null = null;
  private templatesReady = false;
  private templateError: string | null = null;
  private readonly s: SinkStats = emptySinkStats();
  private readonly clock: Clock;

  constructor(
    readonly type: Flavor,
    readonly options: SearchOptions,
    private readonly connect: AdapterFactory,
    clock?: Clock,
  ) {
    this.clock = clock ?? realClock;
  }

  /** The bulk action of a record. */
  action(r: ForensicRecord): { create: { _index: string; _id: string } } {
    return { create: { _index: indexName(this.options.indexPrefix, r.kind, r.intervalStart, this.options.dailyIndices), _id: r.id } };
  }

  /** The exact `_bulk` request body: an action line and a document line per record. */
  toPayload(batch: readonly ForensicRecord[]): string {
    let out = '';
    for (const r of batch) out += JSON.stringify(this.action(r)) + '\n' + documentOf(r) + '\n';
    return out;
  }

  templates(): IndexTemplate[] {
    return indexTemplates(this.type, this.options);
  }

  async start(): Promise<void> {
    if (!this.adapter) this.adapter = await this.connect(this.options);
    if (this.templatesReady || !this.options.manageTemplates) return;
    this.templateError = null;
    for (const t of this.templates()) {
      try {
        const v = await this.adapter.templateVersion(t.name);
        if (v === null || v < TEMPLATE_VERSION) await this.adapter.putTemplate(t);
      } catch (e) {
        const { statusCode } = errorInfo(e);
        // the store is away or busy: fail this start, the next send tries again
        if (statusCode === undefined || statusCode === 429 || statusCode >= 500) throw e;
        // refused (for example no privilege on templates): index anyway with the server's mappings, and say so
        const msg = `template ${t.name}: ${errorText(e)}`;
        this.templateError = this.templateError ? `${this.templateError}; ${msg}` : msg;
      }
    }
    this.templatesReady = true;
  }

  async send(batch: readonly ForensicRecord[]): Promise<SendResult> {
    this.s.requests++;
    try {
      await this.start();
    } catch (e) {
      return account(this.s, this.topLevel(e, batch));
    }
    const byId = new Map<string, ForensicRecord>();
    for (const r of batch) byId.set(r.id, r);
    const retry: ForensicRecord[] = [];
    const rejected: Rejection[] = [];
    let duplicates = 0;
    const onDrop = (d: DroppedDocument) => {
      const op = Object.values(d.operation)[0];
      const r = op?._id !== undefined ? byId.get(op._id) : undefined;
      if (!r) return;
      if (d.status === 409) duplicates++;
      else if (retryableItem(d.status)) retry.push(r);
      else {
        const reason = d.error ? `${d.error.type ?? 'error'}: ${d.error.reason ?? ''}${d.error.caused_by?.reason ? ` (${d.error.caused_by.reason})` : ''}` : `status ${d.status}`;
        rejected.push({ record: r, reason, status: d.status });
      }
    };
    try {
      await (this.adapter as SearchClientAdapter).bulk(batch, (r) => [this.action(r), documentOf(r)], onDrop);
    } catch (e) {
      return account(this.s, this.topLevel(e, batch));
    } finally {
      this.s.bytesSent += Buffer.byteLength(this.toPayload(batch));
    }
    const delivered = batch.length - retry.length - rejected.length;
    return account(this.s, {
      status: statusOf(retry.length, rejected.length),
      delivered,
      duplicates,
      retry,
      rejected,
      ...(retry.length > 0 ? { error: `${retry.length} item(s) throttled or unavailable` } : {}),
    });
  }

  /** A failure of the whole request. */
  private topLevel(e: unknown, batch: readonly ForensicRecord[]): SendResult {
    const info = errorInfo(e);
    const error = errorText(e);
    if (info.statusCode === 400 || info.statusCode === 413) {
      const reason = `${info.statusCode === 413 ? 'request too large (lower batchBytes)' : 'bad request'}: ${error}`;
      return { status: 'rejected', delivered: 0, duplicates: 0, retry: [], rejected: batch.map((record) => ({ record, reason, status: info.statusCode })), error };
    }
    const retryAfterMs = parseRetryAfter(info.headers?.['retry-after'], this.clock.now());
    return { status: 'retryable', delivered: 0, duplicates: 0, retry: [...batch], rejected: [], error, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
  }

  async healthcheck(): Promise<HealthStatus> {
    try {
      if (!this.adapter) this.adapter = await this.connect(this.options);
      await this.adapter.ping();
      return { ok: true, detail: `${this.type} at ${this.options.node} answers${this.templateError ? `; ${this.templateError}` : ''}` };
    } catch (e) {
      return { ok: false, detail: `${this.type} at ${this.options.node}: ${errorText(e)}` };
    }
  }

  stats(): SinkStats {
    return { ...this.s };
  }

  async close(): Promise<void> {
    await this.adapter?.close();
    this.adapter = null;
    this.templatesReady = false;
  }
}
