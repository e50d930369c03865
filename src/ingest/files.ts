/** Input path expansion: files as given, folders walked recursively in a stable (byte-wise sorted) order. */
import { readdir, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { PeregrineError } from '../core/errors.js';

function notFound(path: string, e: unknown): PeregrineError {
  const code = (e as NodeJS.ErrnoException)?.code ?? 'error';
  return new PeregrineError('PGN_ERR_FILE_NOT_FOUND', `${path} does not exist or cannot be read (${code})`, {
    where: path,
    hint: 'check the path (folders are read recursively for .csv and .txt files)',
    cause: e,
  });
}

const byteOrder = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Data files under dir, depth first, entries sorted by name. Hidden entries are skipped; symbolic links to files are
 * followed, links to folders are not (no cycles).
 */
async function walk(dir: string, extensions: readonly string[], out: string[]): Promise<void> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (e) {
    throw notFound(dir, e);
  }
  entries.sort((a, b) => byteOrder(a.name, b.name));
  for (const ent of entries) {
    if (ent.name.startsWith('.')) continue;
    const full = join(dir, ent.name);
    if (ent.isDirectory()) await walk(full, extensions, out);
    else if (extensions.includes(extname(ent.name).toLowerCase())) {
      if (ent.isFile() || (ent.isSymbolicLink() && (await stat(full).then((s) => s.isFile(), () => false)))) out.push(full);
    }
  }
}

/** Expands files and folders into data files; throws for missing paths and for folders without data files. */
export async function expandPaths(paths: string[], extensions: readonly string[]): Promise<string[]> {
  if (paths.length === 0) {
    throw new PeregrineError('PGN_ERR_USAGE', 'no input files given', { hint: 'pass one or more files or folders' });
  }
  const files: string[] = [];
  for (const p of paths) {
    let info;
    try {
      info = await stat(p);
    } catch (e) {
      throw notFound(p, e);
    }
    if (!info.isDirectory()) {
      files.push(p);
      continue;
    }
    const found: string[] = [];
    await walk(p, extensions, found);
    if (found.length === 0) {
      throw new PeregrineError('PGN_ERR_EMPTY_INPUT', `folder ${p} holds no data files (${extensions.join(', ')})`, {
        where: p,
        hint: 'point at the folder that holds the data files, or name the files',
      });
    }
    files.push(...found);
  }
  return files;
}
