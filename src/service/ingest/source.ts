/**
 * Pluggable ingest sources. A source turns one HTTP body (or one tailed line) into typed records for one of the
 * detection streams; it knows nothing about queues, auth or HTTP. Adding a source (metric series, Kubernetes audit
 * events) = one file that registers here and names the stream its records feed; nothing else changes.
 */
import type { Finding } from '../../alerting/types.js';
import type { SyscallEvent } from '../../ingest/events/types.js';
import { Registry } from '../../core/registry.js';
import { RecordProblem, safeParse } from './safe-json.js';

/** The detection streams records feed. */
export interface StreamRecords {
  syscalls: { event: SyscallEvent; line: string };
  flows: FlowRecord;
  findings: { finding: Finding; node: string };
}
export type StreamName = keyof StreamRecords;

/** One flow: canonical CICFlowMeter column -> value (numbers for features, strings for identifiers). */
export interface FlowRecord {
  values: Map<string, number>;
  ids: Map<string, string>;
  /** Flow start, epoch ms (Timestamp column; arrival time when absent). */
  timeMs: number;
  line: number;
}

export interface BadRecord {
  /** 1-based line (or array index + 1) in the body. */
  line: number;
  code: string;
  message: string;
}

export interface DecodeLimits {
  maxJsonDepth: number;
  maxRecordBytes: number;
  /** Bad records listed verbatim in the reply (all are counted). */
  maxErrorsListed: number;
}

export interface DecodeResult<S extends StreamName> {
  records: Array<StreamRecords[S]>;
  /** Approximate bytes the records hold in memory (the queue's bound). */
  bytes: number;
  bad: BadRecord[];
  badCount: number;
  /** Well-formed records that carry no event for this stream (non-syscall Falco sources, ...). */
  ignored: number;
}

export interface IngestSource<S extends StreamName = StreamName> {
  readonly type: string;
  readonly description: string;
  /** Route path under /ingest/. */
  readonly route: string;
  readonly stream: S;
  decode(body: string, contentType: string, limits: DecodeLimits): DecodeResult<S>;
}

export const ingestSources = new Registry<IngestSource>('ingest source');

export function emptyResult<S extends StreamName>(): DecodeResult<S> {
  return { records: [], bytes: 0, bad: [], badCount: 0, ignored: 0 };
}

export function addBad(r: DecodeResult<StreamName>, limits: DecodeLimits, line: number, e: unknown): void {
  r.badCount++;
  if (r.bad.length >= limits.maxErrorsListed) return;
  if (e instanceof RecordProblem) r.bad.push({ line, code: e.code, message: e.message });
  else {
    const reason = (e as { reason?: unknown }).reason;
    const code = (e as { code?: unknown }).code;
    r.bad.push({ line, code: typeof code === 'string' && code.startsWith('PGN_ERR_') ? code : 'PGN_ERR_BAD_ROW', message: typeof reason === 'string' ? reason : (e as Error).message });
  }
}

/**
 * Splits a JSON body into records: a JSON array (each element a record), one JSON object (possibly
 * pretty-printed: Falco http_output, falcosidekick webhook), or NDJSON (one object per line). `onRecord` gets the
 * record's text, its parsed value when already parsed, and its line.
 */
export function forEachJsonRecord(
  body: string,
  limits: DecodeLimits,
  result: DecodeResult<StreamName>,
  onRecord: (text: string, value: unknown, line: number) => void,
): void {
  // One JSON value (array, or one object possibly pretty-printed: Falco http_output, falcosidekick) or NDJSON.
  let i = 0;
  while (i < body.length && (body.charCodeAt(i) <= 32)) i++;
  const c0 = body.charCodeAt(i);
  const nl = body.indexOf('\n', i);
  const whole = c0 === 91 || (c0 === 123 && nl >= 0 && body.slice(nl).trim() !== '' && !parsesAlone(body.slice(i, nl)));
  if (whole) {
    let value: unknown;
    try {
      value = safeParse(body, limits.maxJsonDepth + 1, Math.max(limits.maxRecordBytes, body.length));
    } catch (e) {
      addBad(result, limits, 1, e);
      return;
    }
    const items = Array.isArray(value) ? value : [value];
    items.forEach((v, k) => {
      try {
        onRecord(JSON.stringify(v), v, k + 1);
      } catch (e) {
        addBad(result, limits, k + 1, e);
      }
    });
    return;
  }
  let line = 0;
  let start = 0;
  while (start <= body.length) {
    let end = body.indexOf('\n', start);
    if (end < 0) end = body.length;
    line++;
    let text = body.slice(start, end);
    if (text.endsWith('\r')) text = text.slice(0, -1);
    start = end + 1;
    if (text.trim() === '') continue;
    try {
      onRecord(text, undefined, line);
    } catch (e) {
      addBad(result, limits, line, e);
    }
  }
}

/** True when the first line of a body is a complete JSON value on its own (NDJSON, not one pretty-printed object). */
function parsesAlone(line: string): boolean {
  const t = line.trim();
  if (!t.endsWith('}')) return false;
  try {
    JSON.parse(t);
    return true;
  } catch {
    return false;
  }
}
