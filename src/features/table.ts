import type { RawBatch } from '../ingest/types.js';

/** Concatenates reader batches into one in-memory table (training sets only; scoring streams batch by batch). */
export function concatBatches(batches: readonly RawBatch[], nNumeric: number, nCat: number, nIds: number): RawBatch {
  let rows = 0;
  for (const b of batches) rows += b.rows;
  const numeric = new Float64Array(rows * nNumeric);
  const label = new Int8Array(rows);
  const line = new Float64Array(rows);
  const categorical: string[][] = Array.from({ length: nCat }, () => new Array<string>(rows));
  const ids: string[][] = Array.from({ length: nIds }, () => new Array<string>(rows));
  const attackClass = new Array<string>(rows);
  let off = 0;
  for (const b of batches) {
    numeric.set(b.numeric.subarray(0, b.rows * nNumeric), off * nNumeric);
    label.set(b.label.subarray(0, b.rows), off);
    line.set(b.line.subarray(0, b.rows), off);
    for (let c = 0; c < nCat; c++) for (let r = 0; r < b.rows; r++) categorical[c][off + r] = b.categorical[c][r];
    for (let c = 0; c < nIds; c++) for (let r = 0; r < b.rows; r++) ids[c][off + r] = b.ids[c][r];
    for (let r = 0; r < b.rows; r++) attackClass[off + r] = b.attackClass[r];
    off += b.rows;
  }
  return { file: batches.length === 1 ? batches[0].file : '(several files)', rows, numeric, categorical, ids, label, attackClass, line };
}

/** Rows of `t` at the given indices, as a new table. */
export function takeRows(t: RawBatch, idx: ArrayLike<number>): RawBatch {
  const nNum = t.rows ? t.numeric.length / t.rows : 0;
  const n = idx.length;
  const numeric = new Float64Array(n * nNum);
  const label = new Int8Array(n);
  const line = new Float64Array(n);
  const attackClass = new Array<string>(n);
  for (let k = 0; k < n; k++) {
    const i = idx[k];
    numeric.set(t.numeric.subarray(i * nNum, (i + 1) * nNum), k * nNum);
    label[k] = t.label[i];
    line[k] = t.line[i];
    attackClass[k] = t.attackClass[i];
  }
  const pick = (col: string[]) => Array.from({ length: n }, (_, k) => col[idx[k]]);
  return { file: t.file, rows: n, numeric, categorical: t.categorical.map(pick), ids: t.ids.map(pick), label, attackClass, line };
}
