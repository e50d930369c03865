/**
 * Flow records at the HTTP edge: CICFlowMeter CSV (a header line, then one flow per line; any of the spellings
 * src/ingest/cicflowmeter maps onto the V4 names) or NDJSON objects keyed by column name. Identifiers (Flow ID, IPs,
 * ports, Protocol, Timestamp, Label) are kept as strings; every other column must be numeric.
 */
import { ID_COLUMNS, LABEL_COLUMN, PORT_COLUMNS, canonicalName } from '../../ingest/cicflowmeter/aliases.js';
import { checkRecordText, parseJson, RecordProblem } from './safe-json.js';
import { addBad, emptyResult, forEachJsonRecord, type DecodeLimits, type DecodeResult, type FlowRecord } from './source.js';

const STRING_COLUMNS = new Set([...ID_COLUMNS, LABEL_COLUMN]);
/** Identifiers that some models use as numeric features too (`--include-ports`; Protocol always). */
const BOTH_COLUMNS = new Set([...PORT_COLUMNS, 'Protocol']);
const FLOW_OVERHEAD_BYTES = 400;

/** One CSV line into cells (RFC 4180 quotes; a line break inside quotes is not supported at this edge). */
export function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line.charCodeAt(i) === 34) {
      let v = '';
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q < 0) throw new RecordProblem('PGN_ERR_BAD_ROW', 'unterminated quoted field');
        v += line.slice(i, q);
        if (line.charCodeAt(q + 1) === 34) {
          v += '"';
          i = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      out.push(v);
      if (i < line.length && line.charCodeAt(i) !== 44) throw new RecordProblem('PGN_ERR_BAD_ROW', 'text after a closing quote');
      i++;
    } else {
      let c = line.indexOf(',', i);
      if (c < 0) c = line.length;
      out.push(line.slice(i, c));
      i = c + 1;
    }
  }
  return out;
}

/** Parses a flow Timestamp (ISO, `dd/mm/yyyy hh:mm:ss[ AM|PM]` as CICFlowMeter writes, or epoch s/ms). */
export function flowTimeMs(text: string | undefined, fallback: number): number {
  if (!text) return fallback;
  const t = text.trim();
  if (/^\d+(\.\d+)?$/.test(t)) {
    const n = Number(t);
    return n > 1e12 ? n : n * 1000;
  }
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?\s*(AM|PM)?$/i.exec(t);
  if (m) {
    let h = Number(m[4]);
    if (m[7]) h = (h % 12) + (m[7].toUpperCase() === 'PM' ? 12 : 0);
    return Date.UTC(Number(m[3]), Number(m[2]) - 1, Number(m[1]), h, Number(m[5]), Number(m[6] ?? 0));
  }
  // `2024-03-19 15:01:00.039849` (CICFlowMeter-V4): UTC unless a zone is given
  const plain = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(t);
  const iso = Date.parse(plain ? t.replace(' ', 'T').replace(/(\.\d{3})\d+$/, '$1') + 'Z' : t);
  return Number.isFinite(iso) ? iso : fallback;
}

function toRecord(entries: Iterable<[string, unknown]>, line: number, now: number): FlowRecord {
  const values = new Map<string, number>();
  const ids = new Map<string, string>();
  for (const [cell, raw] of entries) {
    const name = canonicalName(cell);
    if (name === null || name === '') continue;
    if (STRING_COLUMNS.has(name) || BOTH_COLUMNS.has(name)) {
      ids.set(name, raw === null || raw === undefined ? '' : String(raw));
      if (!BOTH_COLUMNS.has(name)) continue;
      const n = Number(raw);
      values.set(name, raw === '' || raw === null ? NaN : n);
      continue;
    }
    const n = typeof raw === 'number' ? raw : typeof raw === 'string' ? (raw.trim() === '' ? NaN : Number(raw)) : NaN;
    if (typeof raw === 'string' && raw.trim() !== '' && Number.isNaN(n) && !/^(nan|inf(inity)?|-inf(inity)?)$/i.test(raw.trim())) {
      throw new RecordProblem('PGN_ERR_BAD_ROW', `column "${name}" is not numeric: ${JSON.stringify(raw.slice(0, 40))}`);
    }
    if (typeof raw !== 'number' && typeof raw !== 'string' && raw !== null) {
      throw new RecordProblem('PGN_ERR_BAD_ROW', `column "${name}" is not numeric`);
    }
    values.set(name, n);
  }
  if (!values.has('Flow Duration')) throw new RecordProblem('PGN_ERR_MISSING_COLUMN', 'no "Flow Duration": not a CICFlowMeter flow');
  return { values, ids, timeMs: flowTimeMs(ids.get('Timestamp'), now), line };
}

export function decodeFlows(body: string, contentType: string, limits: DecodeLimits): DecodeResult<'flows'> {
  const r = emptyResult<'flows'>();
  const now = Date.now();
  const first = body.trimStart();
  const json = contentType.includes('json') || first.startsWith('{') || first.startsWith('[');
  if (json) {
    forEachJsonRecord(body, limits, r, (text, value, line) => {
      let v = value;
      if (v === undefined) {
        v = checkRecordText(text, limits.maxJsonDepth, limits.maxRecordBytes);
        if (v === undefined) v = parseJson(text);
      }
      if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new RecordProblem('PGN_ERR_BAD_ROW', 'a flow must be a JSON object');
      r.records.push(toRecord(Object.entries(v), line, now));
      r.bytes += text.length * 2 + FLOW_OVERHEAD_BYTES;
    });
    return r;
  }
  const lines = body.split('\n');
  let header: string[] | null = null;
  for (let i = 0; i < lines.length; i++) {
    let text = lines[i];
    if (text.endsWith('\r')) text = text.slice(0, -1);
    if (text.trim() === '') continue;
    try {
      if (text.length > limits.maxRecordBytes) throw new RecordProblem('PGN_ERR_FIELD_TOO_LONG', `line longer than ${limits.maxRecordBytes} bytes`);
      const cells = splitCsvLine(text);
      if (header === null) {
        if (!cells.some((c) => canonicalName(c) === 'Flow Duration')) {
          throw new RecordProblem('PGN_ERR_MISSING_COLUMN', 'the first line is not a CICFlowMeter header (no "Flow Duration" column)');
        }
        header = cells;
        continue;
      }
      if (cells.length !== header.length) throw new RecordProblem('PGN_ERR_BAD_ROW', `${cells.length} fields, the header has ${header.length}`);
      const h = header;
      r.records.push(toRecord(cells.map((c, k) => [h[k], c] as [string, unknown]), i + 1, now));
      r.bytes += text.length * 2 + FLOW_OVERHEAD_BYTES;
    } catch (e) {
      addBad(r, limits, i + 1, e);
      if (header === null) return r; // nothing after a bad header can be read
    }
  }
  return r;
}
