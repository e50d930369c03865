/**
 * An in-memory forensic sink for measurement and tests: counts what a store would hold (records, serialized bytes,
 * summaries and events) and keeps the records themselves up to a cap. Idempotent like the SQLite sink (a record id
 * seen before is a duplicate, not stored twice) when ids are kept (`keepIds`, on by default). It lives here rather
 * than in the sink registry: it stores nothing durable, so `peregrine replay --sink memory` is the only way in.
 */
import { serializeRecord } from '../publish/records.js';
import type { ForensicRecord, ForensicSink, HealthStatus, SendResult, SinkStats } from '../publish/types.js';

export interface MemorySinkOptions {
  /** Records kept for inspection (oldest first); counting goes on past the cap. Default 100,000; 0 keeps none. */
  maxRecords?: number;
  /** Remember ids to recognise duplicates (memory grows with the records stored). Default true. */
  keepIds?: boolean;
}

export interface MemorySinkStats extends SinkStats {
  /** Records stored (duplicates excluded). */
  stored: number;
  summaries: number;
  events: number;
  /** Serialized bytes of the stored records (as the SQLite sink counts them). */
  storedBytes: number;
  summaryBytes: number;
  eventBytes: number;
}

export class MemorySink implements ForensicSink<string[]> {
  readonly type = 'memory';
  readonly records: ForensicRecord[] = [];
  private readonly ids = new Set<string>();
  private readonly max: number;
  private readonly keepIds: boolean;
  private readonly s: MemorySinkStats = {
    requests: 0,
    bytesSent: 0,
    delivered: 0,
    duplicates: 0,
    retryable: 0,
    rejected: 0,
    stored: 0,
    summaries: 0,
    events: 0,
    storedBytes: 0,
    summaryBytes: 0,
    eventBytes: 0,
  };

  constructor(options: MemorySinkOptions = {}) {
    this.max = options.maxRecords ?? 100_000;
    this.keepIds = options.keepIds ?? true;
  }

  toPayload(batch: readonly ForensicRecord[]): string[] {
    return batch.map(serializeRecord);
  }

  async start(): Promise<void> {}

  async send(batch: readonly ForensicRecord[]): Promise<SendResult> {
    const s = this.s;
    s.requests++;
    let duplicates = 0;
    for (const r of batch) {
      const bytes = Buffer.byteLength(serializeRecord(r));
      s.bytesSent += bytes;
      if (this.keepIds) {
        if (this.ids.has(r.id)) {
          duplicates++;
          continue;
        }
        this.ids.add(r.id);
      }
      s.stored++;
      s.storedBytes += bytes;
      if (r.kind === 'summary') {
        s.summaries++;
        s.summaryBytes += bytes;
      } else {
        s.events++;
        s.eventBytes += bytes;
      }
      if (this.records.length < this.max) this.records.push(r);
    }
    s.delivered += batch.length;
    s.duplicates += duplicates;
    return { status: 'delivered', delivered: batch.length, duplicates, retry: [], rejected: [] };
  }

  async healthcheck(): Promise<HealthStatus> {
    return { ok: true, detail: `memory: ${this.s.stored} records` };
  }

  stats(): MemorySinkStats {
    return { ...this.s };
  }

  async close(): Promise<void> {}
}
