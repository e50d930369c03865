/**
 * Forensic publishing: the adaptive publisher (summaries while stable, full logs around instability), the standard
 * publisher (every event), delivery through a bounded spool with retries, and the sinks (NDJSON files, SQLite,
 * Elasticsearch, OpenSearch). See docs/publish.md.
 */
export type * from './types.js';
export { AdaptivePublisher, type AdaptivePublisherConfig } from './adaptive.js';
export { StandardPublisher, type StandardPublisherConfig } from './standard.js';
export { adaptiveOptionsSchema, type AdaptiveOptions } from './options.js';
export { Delivery, DeadLetterFile, DeadLetterMemory, type DeliveryOptions, type DeliveryStats, type DeliveryEvent, type DeadLetter, type DeadLetterEntry } from './delivery.js';
export { DiskSpool, MemorySpool, type Spool, type SpoolStats, type DiskSpoolOptions, type Lease } from './spool.js';
export { Backoff, parseRetryAfter, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
export { realClock, ManualClock } from './clock.js';
export { summaryId, eventId, serializeRecord, parseRecord, publishedBytes, SCORE_DIGITS } from './records.js';
export { sinks, createSink, type SinkFactory, type SinkContext } from './sinks/index.js';
