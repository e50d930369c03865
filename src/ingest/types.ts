/**
 * Typed records out of every tabular reader. A reader streams `RawBatch`es; the feature pipeline (src/features)
 * turns them into `FeatureBatch`es. Readers never decide what is a model feature beyond dropping identifiers:
 * they report numeric columns, categorical columns and identifier columns separately.
 */

export type OnBadRow = 'skip' | 'fail';

/** Label of a row: 0 benign, 1 attack, -1 unlabelled (no label column). */
export type BinaryLabel = 0 | 1 | -1;

export interface RawSchema {
  /** Reader that produced the batches: `cicflowmeter`, `nslkdd`, `csv`. */
  format: string;
  /** Numeric feature columns, canonical names, in output order. */
  numericNames: string[];
  /** Categorical feature columns (one-hot encoded by the feature pipeline). */
  categoricalNames: string[];
  /** Identifier columns kept for score output (Flow ID, IPs, Timestamp...) and never used as features. */
  idNames: string[];
  /** Label column name as found in the header, or null when the data is unlabelled. */
  labelName: string | null;
  /** Header columns read but not used (duplicates such as CIC-IDS2017 `Fwd Header Length.1`, extras not in `expectSchema`). */
  ignoredNames?: string[];
}

export interface RawBatch {
  /** File the rows came from (as given on the command line). */
  file: string;
  rows: number;
  /** rows x numericNames.length, row-major. Missing or non-finite cells (empty, NaN, Infinity) are NaN. */
  numeric: Float64Array;
  /** categorical[c][r]: value of categorical column c at row r. */
  categorical: string[][];
  /** ids[c][r]: value of identifier column c at row r. */
  ids: string[][];
  /** Per row: 0 benign, 1 attack, -1 unlabelled. */
  label: Int8Array;
  /** Per row: attack class name as in the file (`benign` for benign rows, `` when unlabelled). */
  attackClass: string[];
  /** Per row: 1-based physical line number in `file` (header is line 1 for headed formats). */
  line: Float64Array;
}

/** A bad row, reported (the first ones kept verbatim, all of them counted). */
export interface BadRow {
  file: string;
  line: number;
  reason: string;
}

/** Counters a read fills in; the CLI prints them so nothing is dropped silently. */
export interface ReadStats {
  files: number;
  bytes: number;
  rowsRead: number;
  rowsSkipped: number;
  /** The first `maxBadRowsKept` bad rows. */
  badRows: BadRow[];
  /** Non-finite numeric cells per canonical column name (NaN, Infinity, empty). */
  nonFinite: Record<string, number>;
  /** Rows whose label was mapped per class name (benign included). */
  classCounts: Record<string, number>;
}

export interface ReadOptions {
  onBadRow: OnBadRow;
  /** Rows per batch (default 8192). */
  batchRows?: number;
  /** CICFlowMeter: keep Src/Dst Port as numeric features (default false: ports are identifiers). */
  includePorts?: boolean;
  /** Generic CSV: name of the label column (default `label`, matched case-insensitively); `none` for unlabelled. */
  labelColumn?: string;
  /** Generic CSV: columns to treat as identifiers (never features). */
  idColumns?: string[];
  /** Extra label values that mean benign (case-insensitive), added to 0 / benign / normal. */
  benignLabels?: string[];
  /** Called with bytes read so far and total bytes of all files, for progress bars. */
  onProgress?: (bytesRead: number, totalBytes: number) => void;
  /** Stats object to fill in (created when absent). */
  stats?: ReadStats;
  /** Bad rows kept verbatim in stats.badRows (default 20). */
  maxBadRowsKept?: number;
  /**
   * Expected schema (from a model): when given, readers check the header against it and fail with
   * PGN_ERR_MODEL_SCHEMA naming the missing columns. Extra columns are ignored.
   */
  expectSchema?: RawSchema;
  /** Largest accepted field in bytes (default 1 MiB); longer ones are PGN_ERR_FIELD_TOO_LONG (or skipped). */
  maxFieldBytes?: number;
  /** Largest accepted row in bytes (default max(1 MiB, maxFieldBytes)); bounds memory on a missing newline or quote. */
  maxRowBytes?: number;
  /** Read chunk size in bytes (default 1 MiB); tests use tiny values so rows straddle chunks. */
  highWaterMark?: number;
}

export interface TabularReader {
  /** Available once the first file's header has been read (after the first batch, or from `open`). */
  readonly schema: RawSchema;
  readonly stats: ReadStats;
  batches(): AsyncIterable<RawBatch>;
}

export function emptyStats(): ReadStats {
  return { files: 0, bytes: 0, rowsRead: 0, rowsSkipped: 0, badRows: [], nonFinite: {}, classCounts: {} };
}
