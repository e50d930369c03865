import { createHash } from 'node:crypto';
import type { EventReason, EventRecord, IntervalVerdict, PublishCounters, RawEvent, SummaryRecord, ForensicRecord } from './types.js';

/**
 * Building forensic records: deterministic ids, a fixed key order (so serialized records are byte-stable and golden
 * tests can compare them), and the byte accounting the benchmark reads.
 */

/** Container ids longer than this are hashed in document ids (Elasticsearch ids are limited to 512 bytes). */
const MAX_ID_PART = 128;

function idPart(containerId: string): string {
  if (containerId.length <= MAX_ID_PART && !containerId.includes(':')) return containerId;
  return 'h' + createHash('sha256').update(containerId).digest('hex').slice(0, 32);
}

/** `CONTAINER:INTERVALSTART:s`: one summary per container and interval. */
export function summaryId(containerId: string, intervalStart: number): string {
  return `${idPart(containerId)}:${intervalStart}:s`;
}

/** `CONTAINER:INTERVALSTART:OFFSET`: one event per position in a container's interval. */
export function eventId(containerId: string, intervalStart: number, offset: number): string {
  return `${idPart(containerId)}:${intervalStart}:${offset}`;
}

/** Significant digits of a summary's score and threshold (the verdict keeps the exact values). */
export const SCORE_DIGITS = 4;

const finiteOrNull = (x: number): number | null => (Number.isFinite(x) ? Number(x.toPrecision(SCORE_DIGITS)) : null);

export interface SummaryExtras {
  fullLog: boolean;
  contextIntervals: number;
  droppedEvents: number;
}

export function buildSummary(v: IntervalVerdict, extras: SummaryExtras): SummaryRecord {
  const r: SummaryRecord = {
    kind: 'summary',
    id: summaryId(v.containerId, v.intervalStart),
    containerId: v.containerId,
    group: v.group,
    intervalStart: v.intervalStart,
    intervalEnd: v.intervalEnd,
    score: finiteOrNull(v.score),
    threshold: finiteOrNull(v.threshold),
    unstable: v.unstable,
    eventCount: v.eventCount,
    fullLog: extras.fullLog,
    contextIntervals: extras.contextIntervals,
    droppedEvents: extras.droppedEvents,
    counts: v.counts,
  };
  if (v.latentMean) r.latentMean = v.latentMean;
  if (v.latentVar) r.latentVar = v.latentVar;
  if (v.modelVersion !== undefined) r.modelVersion = v.modelVersion;
  return r;
}

export interface IntervalRef {
  containerId: string;
  group: string;
  intervalStart: number;
  intervalEnd: number;
}

export function buildEvent(ref: IntervalRef, offset: number, ev: RawEvent, reason: EventReason): EventRecord {
  return {
    kind: 'event',
    id: eventId(ref.containerId, ref.intervalStart, offset),
    containerId: ref.containerId,
    group: ref.group,
    intervalStart: ref.intervalStart,
    intervalEnd: ref.intervalEnd,
    offset,
    timeNs: ev.timeNs,
    reason,
    line: ev.line,
  };
}

/** Summary keys left out of the serialized form at their default value (restored by `parseRecord`). */
function omitDefaults(key: string, value: unknown): unknown {
  if (key === 'fullLog') return value === false ? undefined : value;
  if (key === 'contextIntervals' || key === 'droppedEvents') return value === 0 ? undefined : value;
  return value;
}

/**
 * One NDJSON line (no newline). Records are built with a fixed key order, so this is byte-stable. A summary leaves
 * out `fullLog: false`, `contextIntervals: 0` and `droppedEvents: 0` (the common stable case; ~55 bytes of ~450).
 */
export function serializeRecord(r: ForensicRecord): string {
  return r.kind === 'event' ? JSON.stringify(r) : JSON.stringify(r, omitDefaults);
}

/** The inverse of `serializeRecord`: one NDJSON line back to a record, defaults restored. */
export function parseRecord(line: string): ForensicRecord {
  const r = JSON.parse(line) as ForensicRecord | (Omit<SummaryRecord, 'fullLog' | 'contextIntervals' | 'droppedEvents'> & Partial<SummaryRecord>);
  if (r.kind === 'summary') {
    r.fullLog ??= false;
    r.contextIntervals ??= 0;
    r.droppedEvents ??= 0;
  }
  return r as ForensicRecord;
}

/**
 * The bytes a record counts as published: a summary's JSON bytes; an event's raw line bytes (what a conventional
 * forensic publisher ships per event). Sink framing (bulk action lines, SQLite pages) is counted by the sinks.
 */
export function publishedBytes(r: ForensicRecord): number {
  return r.kind === 'event' ? Buffer.byteLength(r.line) : Buffer.byteLength(serializeRecord(r));
}

export function emptyCounters(): PublishCounters {
  return {
    intervals: 0,
    fullLogIntervals: 0,
    records: 0,
    bytes: 0,
    summaries: 0,
    summaryBytes: 0,
    events: 0,
    eventBytes: 0,
    droppedEvents: 0,
    droppedBytes: 0,
  };
}

/** Adds a summary to counters. */
export function countSummary(c: PublishCounters, bytes: number): void {
  c.records++;
  c.summaries++;
  c.summaryBytes += bytes;
  c.bytes += bytes;
}

/** Adds `n` events of `bytes` raw bytes to counters. */
export function countEvents(c: PublishCounters, n: number, bytes: number): void {
  c.records += n;
  c.events += n;
  c.eventBytes += bytes;
  c.bytes += bytes;
}

export function addCounters(into: PublishCounters, from: PublishCounters): void {
  for (const k of Object.keys(into) as (keyof PublishCounters)[]) into[k] += from[k];
}
