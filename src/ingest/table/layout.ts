/**
 * A file's layout (which field holds which canonical column) and the plan that projects it onto the output schema:
 * the first file's schema (every other file must have the same columns, in any order) or a model's expected schema
 * (extra columns ignored, missing feature columns an error).
 */
import { PeregrineError } from '../../core/errors.js';
import type { RawSchema, ReadOptions } from '../types.js';
import type { HeadRow } from '../csv/stream.js';

export interface Column {
  /** Canonical name. */
  name: string;
  /** 0-based field index in the row. */
  index: number;
}

export interface FileLayout {
  file: string;
  /** Fields every data row must have. */
  fieldCount: number;
  /** True when the first row is a header (skipped by the data pass). */
  hasHeader: boolean;
  numeric: Column[];
  categorical: Column[];
  ids: Column[];
  label: Column | null;
  ignored: string[];
}

export const DATA_EXTENSIONS: readonly string[] = ['.csv', '.txt'];

/** Turns the first rows of a file into its layout; throws PeregrineErrors for unusable headers. */
export interface FormatSpec {
  readonly type: string;
  readonly hasHeader: boolean;
  /** Accepted extensions when expanding folders (lower case, with the dot). */
  readonly extensions: readonly string[];
  /** `ref`: the first file's schema, when this is a later file (formats that sniff types follow it). */
  layout(file: string, head: HeadRow[], options: ReadOptions, ref?: RawSchema): FileLayout;
}

/** Field indices feeding each output column (-1: absent, read as an empty id). */
export interface Plan {
  file: string;
  fieldCount: number;
  hasHeader: boolean;
  numSrc: Int32Array;
  catSrc: Int32Array;
  idSrc: Int32Array;
  labelSrc: number;
}

export function schemaOf(format: string, l: FileLayout): RawSchema {
  return {
    format,
    numericNames: l.numeric.map((c) => c.name),
    categoricalNames: l.categorical.map((c) => c.name),
    idNames: l.ids.map((c) => c.name),
    labelName: l.label ? l.label.name : null,
    ignoredNames: [...l.ignored],
  };
}

/** `a, b, c, d, e and 3 more`. */
export function listNames(names: string[], max = 5): string {
  const shown = names.slice(0, max).map((n) => JSON.stringify(n)).join(', ');
  return names.length > max ? `${shown} and ${names.length - max} more` : shown;
}

function diff(want: string[], have: string[]): { missing: string[]; extra: string[] } {
  const h = new Set(have);
  const w = new Set(want);
  return { missing: want.filter((n) => !h.has(n)), extra: have.filter((n) => !w.has(n)) };
}

/** Plan for a file against the first file's schema: same columns (any order), same label presence. */
export function planSameAs(layout: FileLayout, ref: RawSchema, refFile: string): Plan {
  const mine = schemaOf(ref.format, layout);
  const problems: string[] = [];
  for (const kind of ['numericNames', 'categoricalNames', 'idNames'] as const) {
    const d = diff(ref[kind], mine[kind]);
    if (d.missing.length) problems.push(`missing ${listNames(d.missing)}`);
    if (d.extra.length) problems.push(`extra ${listNames(d.extra)}`);
  }
  if ((ref.labelName === null) !== (mine.labelName === null)) {
    problems.push(mine.labelName === null ? 'no label column' : `a label column ${JSON.stringify(mine.labelName)}`);
  }
  if (problems.length) {
    throw new PeregrineError('PGN_ERR_SCHEMA_MISMATCH', `columns differ from ${refFile}: ${problems.join('; ')}`, {
      where: layout.file,
      hint: 'read files with the same columns together, or pass them in separate runs',
    });
  }
  const pick = (cols: Column[], names: string[]): Int32Array => {
    const at = new Map(cols.map((c) => [c.name, c.index]));
    return Int32Array.from(names, (n) => at.get(n) as number);
  };
  return {
    file: layout.file,
    fieldCount: layout.fieldCount,
    hasHeader: layout.hasHeader,
    numSrc: pick(layout.numeric, ref.numericNames),
    catSrc: pick(layout.categorical, ref.categoricalNames),
    idSrc: pick(layout.ids, ref.idNames),
    labelSrc: layout.label ? layout.label.index : -1,
  };
}

/**
 * Plan for a file against a model's schema: every expected feature column is looked up by canonical name whatever
 * role this file's layout gave it (so a port kept as an identifier can still feed a model trained with ports);
 * missing identifiers read as empty strings; extra columns are ignored.
 */
export function planExpected(layout: FileLayout, expected: RawSchema): Plan {
  const at = new Map<string, number>();
  for (const c of [...layout.numeric, ...layout.categorical, ...layout.ids]) at.set(c.name, c.index);
  const missing = [...expected.numericNames, ...expected.categoricalNames].filter((n) => (at.get(n) ?? -1) < 0);
  if (missing.length) {
    throw new PeregrineError(
      'PGN_ERR_MODEL_SCHEMA',
      `input lacks ${missing.length} column(s) the model was trained on: ${listNames(missing)}`,
      {
        where: layout.file,
        hint: 'score data produced by the same tool and feature set as the training data (same format and options), or retrain on it',
      },
    );
  }
  const idx = (names: string[]): Int32Array => Int32Array.from(names, (n) => at.get(n) ?? -1);
  return {
    file: layout.file,
    fieldCount: layout.fieldCount,
    hasHeader: layout.hasHeader,
    numSrc: idx(expected.numericNames),
    catSrc: idx(expected.categoricalNames),
    idSrc: idx(expected.idNames),
    labelSrc: layout.label ? layout.label.index : -1,
  };
}

/** The output schema under a model: the model's columns, this data's label, and what the first file leaves out. */
export function expectedSchema(format: string, first: FileLayout, expected: RawSchema): RawSchema {
  const used = new Set([...expected.numericNames, ...expected.categoricalNames, ...expected.idNames]);
  const unused = [...first.numeric, ...first.categorical, ...first.ids].map((c) => c.name).filter((n) => !used.has(n));
  return {
    format,
    numericNames: [...expected.numericNames],
    categoricalNames: [...expected.categoricalNames],
    idNames: [...expected.idNames],
    labelName: first.label ? first.label.name : null,
    ignoredNames: [...first.ignored, ...unused],
  };
}

/** Throws when two columns of one header map to the same name. */
export function assertUniqueNames(file: string, cols: Column[]): void {
  const seen = new Map<string, number>();
  for (const c of cols) {
    const prev = seen.get(c.name);
    if (prev !== undefined) {
      throw new PeregrineError('PGN_ERR_SCHEMA_MISMATCH', `column ${JSON.stringify(c.name)} appears twice in the header (fields ${prev + 1} and ${c.index + 1})`, {
        where: `${file}:1`,
        hint: 'rename or remove one of the two columns',
      });
    }
    seen.set(c.name, c.index);
  }
}
