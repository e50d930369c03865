/** Helpers for the ingest tests (temporary files, collecting reads, an RFC 4180 writer). Not used at run time. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isPeregrineError, type ErrorCode } from '../core/errors.js';
import { CsvTokenizer, rowTexts, type BadRowCode } from './csv/tokenizer.js';
import { openTabular, type TabularFormat } from './open.js';
import type { RawBatch, ReadOptions, TabularReader } from './types.js';

export interface TmpDir {
  path: string;
  file(name: string, content: string | Buffer): Promise<string>;
  remove(): Promise<void>;
}

export async function tmpDir(): Promise<TmpDir> {
  const path = await mkdtemp(join(tmpdir(), 'pgn-ingest-'));
  return {
    path,
    async file(name, content) {
      const p = join(path, name);
      await writeFile(p, content);
      return p;
    },
    remove: () => rm(path, { recursive: true, force: true }),
  };
}

export interface Collected {
  reader: TabularReader;
  batches: RawBatch[];
  rows: number;
  /** Numeric rows as plain arrays (row-major), for deep equality. */
  numeric: number[][];
  labels: number[];
  classes: string[];
  lines: number[];
}

export async function collect(format: TabularFormat, paths: string[], options: Partial<ReadOptions> = {}): Promise<Collected> {
  const reader = await openTabular(format, paths, { onBadRow: 'fail', ...options });
  const batches: RawBatch[] = [];
  for await (const b of reader.batches()) batches.push(b);
  const n = reader.schema.numericNames.length;
  const out: Collected = { reader, batches, rows: 0, numeric: [], labels: [], classes: [], lines: [] };
  for (const b of batches) {
    out.rows += b.rows;
    for (let r = 0; r < b.rows; r++) {
      out.numeric.push(Array.from(b.numeric.subarray(r * n, (r + 1) * n)));
      out.labels.push(b.label[r]);
      out.classes.push(b.attackClass[r]);
      out.lines.push(b.line[r]);
    }
  }
  return out;
}

/** Column `name` of every row. */
export function column(c: Collected, name: string): number[] {
  const j = c.reader.schema.numericNames.indexOf(name);
  if (j < 0) throw new Error(`no numeric column ${name}`);
  return c.numeric.map((row) => row[j]);
}

/** A predicate for assert.rejects / assert.throws matching a PeregrineError code (and optionally `where`). */
export function peregrine(code: ErrorCode, where?: string | RegExp, message?: RegExp): (e: unknown) => boolean {
  return (e) => {
    if (!isPeregrineError(e) || e.code !== code) throw e;
    if (typeof where === 'string' && e.where !== where) throw new Error(`where ${e.where} !== ${where} (${e.message})`);
    if (where instanceof RegExp && !where.test(e.where ?? '')) throw new Error(`where ${e.where} !~ ${where}`);
    if (message && !message.test(e.message)) throw new Error(`message ${JSON.stringify(e.message)} !~ ${message}`);
    return true;
  };
}

/** RFC 4180 writer: quotes fields holding a comma, quote, CR or LF (and a lone empty field, and a leading BOM). */
export function writeCsv(table: string[][], eol = '\n'): string {
  const q = (f: string, only: boolean): string =>
    /[",\r\n]/.test(f) || (only && f === '') || f.startsWith('\uFEFF') ? `"${f.replaceAll('"', '""')}"` : f;
  return table.map((row) => row.map((f) => q(f, row.length === 1)).join(',') + eol).join('');
}

export interface Tokenized {
  rows: string[][];
  lines: number[];
  bad: { line: number; reason: string; code: BadRowCode }[];
}

/** Tokenizes bytes fed in chunks of `chunk` bytes (skip mode: bad rows are collected). */
export function tokenize(bytes: Uint8Array, chunk: number, opts: { maxFieldBytes?: number; maxRowBytes?: number } = {}): Tokenized {
  const out: Tokenized = { rows: [], lines: [], bad: [] };
  const tok = new CsvTokenizer({
    ...opts,
    onRow: (row) => {
      out.rows.push(rowTexts(row));
      out.lines.push(row.line);
    },
    onBad: (line, reason, code) => {
      out.bad.push({ line, reason, code });
    },
  });
  const buf = Buffer.from(bytes);
  for (let i = 0; i < buf.length; i += chunk) tok.push(buf.subarray(i, Math.min(buf.length, i + chunk)));
  tok.end();
  return out;
}
