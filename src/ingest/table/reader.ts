/**
 * The hot loop shared by every tabular format: stream one file through the tokenizer, parse numeric cells in place,
 * map labels, and fill fixed-size RawBatches. A row is validated completely before anything of it is committed, so a
 * bad row never leaves half a row behind.
 */
import { PeregrineError } from '../../core/errors.js';
import { isMissingToken, parseDecimal } from '../csv/number.js';
import { closeStream, ioError, openFileStream } from '../csv/stream.js';
import { CsvTokenizer, FIELD_ESCAPED, fieldText, type BadRowCode, type CsvRow } from '../csv/tokenizer.js';
import type { RawBatch, RawSchema, ReadOptions, ReadStats } from '../types.js';
import type { LabelMapper } from './labels.js';
import type { Plan } from './layout.js';

export const DEFAULT_BATCH_ROWS = 8192;
export const DEFAULT_MAX_BAD_ROWS_KEPT = 20;

export interface ReadContext {
  options: ReadOptions;
  schema: RawSchema;
  stats: ReadStats;
  labels: LabelMapper;
  totalBytes: number;
  /** Bytes of all files read so far (progress across files). */
  bytesDone: { value: number };
}

class BatchBuilder {
  rows = 0;
  readonly numeric: Float64Array;
  readonly categorical: string[][];
  readonly ids: string[][];
  readonly label: Int8Array;
  readonly attackClass: string[] = [];
  readonly line: Float64Array;

  constructor(
    readonly file: string,
    readonly cap: number,
    nNum: number,
    nCat: number,
    nId: number,
  ) {
    this.numeric = new Float64Array(cap * nNum);
    this.categorical = Array.from({ length: nCat }, () => []);
    this.ids = Array.from({ length: nId }, () => []);
    this.label = new Int8Array(cap);
    this.line = new Float64Array(cap);
  }

  take(nNum: number): RawBatch {
    const full = this.rows === this.cap;
    return {
      file: this.file,
      rows: this.rows,
      // A partial (last) batch is copied so it does not pin a full-size buffer.
      numeric: full ? this.numeric : this.numeric.slice(0, this.rows * nNum),
      categorical: this.categorical,
      ids: this.ids,
      label: full ? this.label : this.label.slice(0, this.rows),
      attackClass: this.attackClass,
      line: full ? this.line : this.line.slice(0, this.rows),
    };
  }
}

function clip(text: string, max = 40): string {
  return JSON.stringify(text.length > max ? `${text.slice(0, max)}...` : text);
}

export async function* readFileBatches(plan: Plan, ctx: ReadContext): AsyncGenerator<RawBatch> {
  const { options, schema, stats, labels } = ctx;
  const file = plan.file;
  const batchRows = Math.max(1, options.batchRows ?? DEFAULT_BATCH_ROWS);
  const maxKept = options.maxBadRowsKept ?? DEFAULT_MAX_BAD_ROWS_KEPT;
  const fail = options.onBadRow === 'fail';
  const { numSrc, catSrc, idSrc, labelSrc, fieldCount } = plan;
  const nNum = numSrc.length;
  const nCat = catSrc.length;
  const nId = idSrc.length;
  const numNames = schema.numericNames;
  const nfRow = new Int32Array(nNum);
  const nfFile = new Float64Array(nNum);
  const ready: RawBatch[] = [];
  let batch = new BatchBuilder(file, batchRows, nNum, nCat, nId);
  let headerPending = plan.hasHeader;

  const bad = (line: number, reason: string, code: BadRowCode = 'PGN_ERR_BAD_ROW'): void => {
    if (fail) {
      const hint =
        code === 'PGN_ERR_FIELD_TOO_LONG'
          ? 'look for an unclosed quote or a missing newline; raise maxFieldBytes/maxRowBytes for genuinely long fields, or pass --on-bad-row skip'
          : 'fix the row or pass --on-bad-row skip';
      throw new PeregrineError(code, reason, { where: `${file}:${line}`, hint });
    }
    stats.rowsSkipped++;
    if (stats.badRows.length < maxKept) stats.badRows.push({ file, line, reason });
  };

  const onRow = (row: CsvRow): void => {
    if (headerPending) {
      headerPending = false;
      return;
    }
    const line = row.line;
    if (row.count !== fieldCount) return bad(line, `expected ${fieldCount} fields, found ${row.count}`);
    const b = row.buf;
    const st = row.starts;
    const en = row.ends;
    const r = batch.rows;
    const out = batch.numeric;
    const base = r * nNum;
    let k = 0;
    for (let j = 0; j < nNum; j++) {
      const c = numSrc[j];
      const v = parseDecimal(b, st[c], en[c]);
      if (v - v !== 0) {
        // NaN or +-Infinity: a missing/non-finite token (stored as NaN, counted) or a bad cell.
        if (v !== v && !isMissingToken(b, st[c], en[c])) {
          return bad(line, `column ${JSON.stringify(numNames[j])} has non-numeric value ${clip(fieldText(row, c))}`);
        }
        nfRow[k++] = j;
        out[base + j] = NaN;
      } else out[base + j] = v;
    }
    let label = -1;
    let cls = '';
    if (labelSrc >= 0) {
      const m = labels.map(b, st[labelSrc], en[labelSrc], (row.flags[labelSrc] & FIELD_ESCAPED) !== 0);
      if (m === null) return bad(line, 'empty label');
      label = m.label;
      cls = m.cls;
    }
    for (let j = 0; j < nCat; j++) batch.categorical[j].push(fieldText(row, catSrc[j]).trim());
    for (let j = 0; j < nId; j++) batch.ids[j].push(idSrc[j] < 0 ? '' : fieldText(row, idSrc[j]));
    for (let i = 0; i < k; i++) nfFile[nfRow[i]]++;
    batch.label[r] = label;
    batch.attackClass.push(cls);
    batch.line[r] = line;
    batch.rows = r + 1;
    stats.rowsRead++;
    if (batch.rows === batchRows) {
      ready.push(batch.take(nNum));
      batch = new BatchBuilder(file, batchRows, nNum, nCat, nId);
    }
  };

  const tok = new CsvTokenizer({ maxFieldBytes: options.maxFieldBytes, maxRowBytes: options.maxRowBytes, onRow, onBad: bad });
  const stream = openFileStream(file, options.highWaterMark);
  stats.files++;
  try {
    try {
      for await (const chunk of stream) {
        const n = (chunk as Buffer).length;
        stats.bytes += n;
        ctx.bytesDone.value += n;
        options.onProgress?.(ctx.bytesDone.value, ctx.totalBytes);
        tok.push(chunk as Buffer);
        while (ready.length > 0) yield ready.shift() as RawBatch;
      }
    } catch (e) {
      throw ioError(e, file);
    }
    tok.end();
    if (batch.rows > 0) ready.push(batch.take(nNum));
    while (ready.length > 0) yield ready.shift() as RawBatch;
  } finally {
    await closeStream(stream);
    labels.flushCounts(stats.classCounts);
    for (let j = 0; j < nNum; j++) {
      if (nfFile[j] > 0) stats.nonFinite[numNames[j]] = (stats.nonFinite[numNames[j]] ?? 0) + nfFile[j];
    }
  }
}
