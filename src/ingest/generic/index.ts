/**
 * Generic CSV with a header: a named label column (`label` by default, any case; `none` for unlabelled), optional
 * identifier columns, numeric features, and categorical columns sniffed from the first data row (a value that is
 * neither a number nor a missing token). A model's schema or the first file's schema overrides the sniffing, so
 * every file of a run and every scored file types its columns the same way.
 */
import { PeregrineError } from '../../core/errors.js';
import { isMissingToken, parseDecimal } from '../csv/number.js';
import type { HeadRow } from '../csv/stream.js';
import { DATA_EXTENSIONS, assertUniqueNames, type Column, type FileLayout, type FormatSpec } from '../table/layout.js';
import type { RawSchema, ReadOptions } from '../types.js';

function looksCategorical(value: string): boolean {
  const b = Buffer.from(value, 'utf8');
  const v = parseDecimal(b, 0, b.length);
  return v !== v && !isMissingToken(b, 0, b.length);
}

function missingColumn(file: string, what: string, name: string, header: string[]): PeregrineError {
  return new PeregrineError('PGN_ERR_MISSING_COLUMN', `${what} column ${JSON.stringify(name)} is not in the header`, {
    where: `${file}:1`,
    hint: `the header has: ${header.slice(0, 12).join(', ')}${header.length > 12 ? ', ...' : ''}`,
  });
}

export function genericLayout(file: string, head: HeadRow[], options: ReadOptions, ref?: RawSchema): FileLayout {
  const header = head[0].fields.map((h, i) => h.trim() || `column ${i + 1}`);
  const lower = header.map((h) => h.toLowerCase());
  const want = options.labelColumn?.trim();
  let labelIndex = -1;
  if (want === undefined || want.toLowerCase() !== 'none') {
    labelIndex = lower.indexOf((want ?? 'label').toLowerCase());
    // The default label column is optional; a label column the user named is not.
    if (labelIndex < 0 && want !== undefined) throw missingColumn(file, 'label', want, header);
  }
  const idIndex = new Set<number>();
  for (const id of options.idColumns ?? []) {
    const i = lower.indexOf(id.trim().toLowerCase());
    if (i < 0) throw missingColumn(file, 'identifier', id, header);
    idIndex.add(i);
  }
  const typing = options.expectSchema ?? ref;
  const categoricalNames = typing ? new Set(typing.categoricalNames) : null;
  const first = head[1]?.fields.length === header.length ? head[1].fields : null;
  const numeric: Column[] = [];
  const categorical: Column[] = [];
  const ids: Column[] = [];
  header.forEach((name, index) => {
    if (index === labelIndex) return;
    const col = { name, index };
    if (idIndex.has(index)) ids.push(col);
    else if (categoricalNames ? categoricalNames.has(name) : first !== null && looksCategorical(first[index])) categorical.push(col);
    else numeric.push(col);
  });
  assertUniqueNames(file, [...numeric, ...categorical, ...ids]);
  const label = labelIndex >= 0 ? { name: header[labelIndex], index: labelIndex } : null;
  return { file, fieldCount: header.length, hasHeader: true, numeric, categorical, ids, label, ignored: [] };
}

export const genericFormat: FormatSpec = {
  type: 'csv',
  hasHeader: true,
  extensions: DATA_EXTENSIONS,
  layout: genericLayout,
};
