/**
 * CICFlowMeter CSV (V4 names, CIC-IDS2017 and CSE-CIC-IDS2018 spellings). Header cells map to canonical V4 names;
 * identifiers (Flow ID, IPs, Timestamp, and ports unless includePorts) go to `ids`; `Label` is the label; every other
 * column, known or not, is a numeric feature. Files without a Label column are read as unlabelled.
 */
import { PeregrineError } from '../../core/errors.js';
import type { HeadRow } from '../csv/stream.js';
import { DATA_EXTENSIONS, assertUniqueNames, type Column, type FileLayout, type FormatSpec } from '../table/layout.js';
import type { RawSchema, ReadOptions } from '../types.js';
import { DUPLICATE_COLUMNS, ID_COLUMNS, LABEL_COLUMN, PORT_COLUMNS, canonicalName } from './aliases.js';

export { V4_COLUMNS, canonicalName } from './aliases.js';

export function cicflowmeterLayout(file: string, head: HeadRow[], options: ReadOptions, _ref?: RawSchema): FileLayout {
  const header = head[0].fields;
  const numeric: Column[] = [];
  const ids: Column[] = [];
  const ignored: string[] = [];
  const seen = new Set<string>();
  let label: Column | null = null;
  header.forEach((cell, index) => {
    const name = canonicalName(cell);
    if (name === null) {
      ignored.push(cell.trim());
      return;
    }
    const col = { name: name === '' ? `column ${index + 1}` : name, index };
    if (seen.has(col.name) && DUPLICATE_COLUMNS.has(col.name)) {
      ignored.push(`${col.name} (duplicate, field ${index + 1})`);
      return;
    }
    seen.add(col.name);
    if (col.name === LABEL_COLUMN) {
      if (label) throw duplicate(file, label, col);
      label = col;
    } else if (ID_COLUMNS.has(col.name) || (PORT_COLUMNS.has(col.name) && !options.includePorts)) ids.push(col);
    else numeric.push(col);
  });
  if (!seen.has('Flow Duration')) {
    throw new PeregrineError('PGN_ERR_MISSING_COLUMN', 'not a CICFlowMeter header: no "Flow Duration" column', {
      where: `${file}:1`,
      hint: 'check --format: use csv for other CSV files and nslkdd for NSL-KDD',
    });
  }
  assertUniqueNames(file, [...numeric, ...ids]);
  return { file, fieldCount: header.length, hasHeader: true, numeric, categorical: [], ids, label, ignored };
}

function duplicate(file: string, a: Column, b: Column): PeregrineError {
  return new PeregrineError('PGN_ERR_SCHEMA_MISMATCH', `two label columns (fields ${a.index + 1} and ${b.index + 1})`, {
    where: `${file}:1`,
    hint: 'remove one of the two Label columns',
  });
}

export const cicflowmeterFormat: FormatSpec = {
  type: 'cicflowmeter',
  hasHeader: true,
  extensions: DATA_EXTENSIONS,
  layout: cicflowmeterLayout,
};
