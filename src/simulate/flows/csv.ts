/**
 * CSV output in the exact text shape of the CICFlowMeter-V4 fork: Java `Double.toString` for floats (`106.0`,
 * `1.17265842E8`, `NaN`, `Infinity`), plain longs for counters, `0` for empty statistic groups, microsecond
 * timestamps. Readers and detectors are tested against the real files, so the simulator must print like them.
 */
import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { CICFLOWMETER_V4_COLUMNS, COLUMN_SPECS, type FlowRecord } from './columns.js';

/** Java `Double.toString`: plain notation in [1e-3, 1e7), computerized scientific notation outside it. */
export function javaDouble(x: number): string {
  if (x !== x) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const a = x < 0 ? -x : x;
  if (a >= 1e-3 && a < 1e7) {
    const s = String(x);
    return s.includes('.') ? s : `${s}.0`;
  }
  const s = x.toExponential(); // shortest round-trip digits, e.g. "1.17265842e+8"
  const e = s.indexOf('e');
  const mantissa = s.slice(0, e);
  const exp = s.charCodeAt(e + 1) === 43 /* + */ ? s.slice(e + 2) : s.slice(e + 1);
  return `${mantissa.includes('.') ? mantissa : `${mantissa}.0`}E${exp}`;
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

let cachedSecond = NaN;
let cachedPrefix = '';

/** `YYYY-MM-DD HH:MM:SS.ffffff` in UTC from epoch microseconds (the second's prefix is cached: rows are in time order). */
export function formatTimestamp(epochUs: number): string {
  const sec = Math.floor(epochUs / 1e6);
  if (sec !== cachedSecond) {
    const d = new Date(sec * 1000);
    cachedPrefix =
      `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} ` +
      `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}.`;
    cachedSecond = sec;
  }
  const micros = epochUs - sec * 1e6;
  return cachedPrefix + String(micros).padStart(6, '0');
}

/** One CSV line (no newline) in column order. None of the string fields can contain a comma or quote. */
export function flowToCsvRow(r: FlowRecord): string {
  const out = new Array<string>(COLUMN_SPECS.length);
  const fwdIatEmpty = r.totalFwdPackets <= 1;
  const bwdIatEmpty = r.totalBwdPackets <= 1;
  const bwdEmpty = r.totalBwdPackets === 0;
  const activeEmpty = r.activeMax === 0;
  const idleEmpty = r.idleMax === 0;
  for (let i = 0; i < COLUMN_SPECS.length; i++) {
    const [, field, kind] = COLUMN_SPECS[i];
    const v = r[field];
    switch (kind) {
      case 'str':
        out[i] = v as string;
        break;
      case 'int':
        out[i] = String(v);
        break;
      case 'timestamp':
        out[i] = formatTimestamp(v as number);
        break;
      case 'float':
        out[i] = javaDouble(v as number);
        break;
      case 'fwdIat':
        out[i] = fwdIatEmpty ? '0' : javaDouble(v as number);
        break;
      case 'bwdIat':
        out[i] = bwdIatEmpty ? '0' : javaDouble(v as number);
        break;
      case 'bwdLen':
        out[i] = bwdEmpty ? '0' : javaDouble(v as number);
        break;
      case 'active':
        out[i] = activeEmpty ? '0' : javaDouble(v as number);
        break;
      case 'idle':
        out[i] = idleEmpty ? '0' : javaDouble(v as number);
        break;
    }
  }
  return out.join(',');
}

export const CSV_HEADER = CICFLOWMETER_V4_COLUMNS.join(',');

export interface WriteCsvResult {
  rows: number;
  /** Rows per label (`0` for benign). */
  counts: Record<string, number>;
}

/**
 * Stream flows to a CSV file or writable, header first. Rows are joined into ~64 KiB chunks and the writer waits
 * for `drain` whenever the stream buffer is full, so memory stays flat however many flows the source yields.
 */
export async function writeFlowsCsv(
  flows: Iterable<FlowRecord> | AsyncIterable<FlowRecord>,
  out: string | Writable,
): Promise<WriteCsvResult> {
  const stream = typeof out === 'string' ? createWriteStream(out, { highWaterMark: 1 << 20 }) : out;
  // A persistent listener: an error between two awaits must not become an uncaught 'error' event.
  let failed: unknown = null;
  const onError = (e: unknown): void => {
    failed ??= e;
  };
  stream.on('error', onError);
  const counts: Record<string, number> = {};
  let rows = 0;
  let chunk = `${CSV_HEADER}\n`;
  const flush = async (): Promise<void> => {
    if (failed) throw failed;
    const ok = stream.write(chunk);
    chunk = '';
    if (!ok) await once(stream, 'drain');
  };
  const add = (r: FlowRecord): boolean => {
    chunk += `${flowToCsvRow(r)}\n`;
    counts[r.label] = (counts[r.label] ?? 0) + 1;
    rows++;
    return chunk.length >= 65536;
  };
  try {
    // Sync sources (the generator) skip the per-row await of `for await`.
    if (Symbol.asyncIterator in flows) {
      for await (const r of flows) if (add(r)) await flush();
    } else {
      for (const r of flows) if (add(r)) await flush();
    }
    if (chunk.length > 0) await flush();
    if (typeof out === 'string') {
      stream.end();
      await finished(stream);
    }
    if (failed) throw failed;
  } catch (e) {
    if (typeof out === 'string') stream.destroy(); // do not leave a half-written file open
    throw e;
  } finally {
    // Our own file stream keeps the listener: a late open error after destroy() must not crash the process.
    if (typeof out !== 'string') stream.off('error', onError);
  }
  return { rows, counts };
}
