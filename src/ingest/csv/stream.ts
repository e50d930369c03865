/** File streaming around the tokenizer: chunked reads, guaranteed close, I/O errors mapped to the catalogue. */
import { createReadStream, type ReadStream } from 'node:fs';
import { PeregrineError, isPeregrineError } from '../../core/errors.js';
import { CsvTokenizer, rowTexts, type BadRowCode, type TokenizerOptions } from './tokenizer.js';

export const DEFAULT_HIGH_WATER_MARK = 1 << 20;

export function openFileStream(path: string, highWaterMark = DEFAULT_HIGH_WATER_MARK): ReadStream {
  return createReadStream(path, { highWaterMark });
}

/** Destroys a stream and waits until its file descriptor is closed, so early exits never leak handles. */
export async function closeStream(stream: ReadStream): Promise<void> {
  if (stream.closed) return;
  await new Promise<void>((resolve) => {
    stream.once('close', () => resolve());
    stream.destroy();
  });
}

/** Maps a Node I/O error to PGN_ERR_FILE_NOT_FOUND / PGN_ERR_IO; PeregrineErrors pass through. */
export function ioError(e: unknown, path: string): Error {
  if (isPeregrineError(e)) return e;
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR' || code === 'EPERM') {
    return new PeregrineError('PGN_ERR_FILE_NOT_FOUND', `cannot read ${path} (${code})`, {
      where: path,
      hint: 'check the path and its permissions',
      cause: e,
    });
  }
  return new PeregrineError('PGN_ERR_IO', `reading ${path} failed: ${(e as Error)?.message ?? String(e)}`, {
    where: path,
    hint: 'check the disk and the file, then retry',
    cause: e,
  });
}

export interface HeadRow {
  line: number;
  fields: string[];
}

export interface Head {
  rows: HeadRow[];
  /** Malformed rows met before the last returned row (a broken header must not be mistaken for data). */
  bad: { line: number; reason: string; code: BadRowCode }[];
}

/**
 * The first `maxRows` rows of a file as text (header sniffing). Malformed rows are passed over here: the full read
 * reports them with their line numbers. Reads at most a few chunks.
 */
export async function readHead(
  path: string,
  maxRows: number,
  opts: Pick<TokenizerOptions, 'maxFieldBytes' | 'maxRowBytes'> & { highWaterMark?: number } = {},
): Promise<Head> {
  const rows: HeadRow[] = [];
  const bad: Head['bad'] = [];
  const tok = new CsvTokenizer({
    ...opts,
    onRow: (row) => {
      rows.push({ line: row.line, fields: rowTexts(row) });
      if (rows.length >= maxRows) tok.stop();
    },
    onBad: (line, reason, code) => {
      bad.push({ line, reason, code });
    },
  });
  const stream = openFileStream(path, Math.min(opts.highWaterMark ?? 1 << 16, 1 << 16));
  try {
    for await (const chunk of stream) {
      tok.push(chunk as Buffer);
      if (rows.length >= maxRows) break;
    }
    tok.end();
  } catch (e) {
    throw ioError(e, path);
  } finally {
    await closeStream(stream);
  }
  return { rows, bad };
}
