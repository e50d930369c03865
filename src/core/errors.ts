/**
 * The error catalogue. Every user-facing failure is a PeregrineError with a stable code (documented in
 * docs/errors.md) and an exit code, so scripts can branch on either and people get one clear line.
 */

export const ExitCode = {
  OK: 0,
  INTERNAL: 1,
  USAGE: 2,
  DATA: 3,
  MODEL: 4,
  IO: 5,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export const ERROR_CATALOGUE = {
  PGN_ERR_USAGE: { exit: ExitCode.USAGE, summary: 'A command-line option is missing or has an invalid value.' },
  PGN_ERR_UNKNOWN_COMPONENT: { exit: ExitCode.USAGE, summary: 'No detector, thresholder or format is registered under that name.' },
  PGN_ERR_BAD_PARAM: { exit: ExitCode.USAGE, summary: 'A component parameter failed validation.' },
  PGN_ERR_FILE_NOT_FOUND: { exit: ExitCode.IO, summary: 'An input file or folder does not exist or cannot be read.' },
  PGN_ERR_IO: { exit: ExitCode.IO, summary: 'Reading or writing a file failed.' },
  PGN_ERR_EMPTY_INPUT: { exit: ExitCode.DATA, summary: 'An input file is empty or holds only a header.' },
  PGN_ERR_MISSING_COLUMN: { exit: ExitCode.DATA, summary: 'A required column (for example the label) is not in the header.' },
  PGN_ERR_SCHEMA_MISMATCH: { exit: ExitCode.DATA, summary: 'Input files disagree on their columns.' },
  PGN_ERR_BAD_ROW: { exit: ExitCode.DATA, summary: 'A data row is malformed (wrong column count, non-numeric cell, bad quoting).' },
  PGN_ERR_FIELD_TOO_LONG: { exit: ExitCode.DATA, summary: 'A field or line exceeds the reader size limit.' },
  PGN_ERR_NO_TRAINING_ROWS: { exit: ExitCode.DATA, summary: 'No usable training rows remain (for example no benign rows with --normal-only).' },
  PGN_ERR_NO_LABELS: { exit: ExitCode.DATA, summary: 'Evaluation needs labelled rows with both classes for AUROC/AUPRC.' },
  PGN_ERR_MODEL_FORMAT: { exit: ExitCode.MODEL, summary: 'The file is not a Peregrine model or its format version is not supported.' },
  PGN_ERR_MODEL_CHECKSUM: { exit: ExitCode.MODEL, summary: 'The model file checksum does not match its content (corrupted or edited).' },
  PGN_ERR_MODEL_SCHEMA: { exit: ExitCode.MODEL, summary: 'The input columns do not match the columns the model was trained on.' },
  PGN_ERR_UNAUTHORIZED: { exit: ExitCode.USAGE, summary: 'A service route was called without a valid bearer token.' },
  PGN_ERR_OVERLOADED: { exit: ExitCode.IO, summary: 'The service ingest queue is full; nothing of the request was taken (retry after Retry-After).' },
  PGN_ERR_UNAVAILABLE: { exit: ExitCode.IO, summary: 'The service is shutting down or not ready; retry after Retry-After.' },
  PGN_ERR_BAD_REQUEST: { exit: ExitCode.USAGE, summary: 'A service request is malformed as a whole (bad parameter, unsupported body).' },
  PGN_ERR_NOT_FOUND: { exit: ExitCode.USAGE, summary: 'No such service route or resource.' },
  PGN_ERR_BODY_TOO_LARGE: { exit: ExitCode.DATA, summary: 'A request body exceeds server.bodyLimitBytes.' },
  PGN_ERR_JSON_DEPTH: { exit: ExitCode.DATA, summary: 'A JSON record is nested deeper than server.maxJsonDepth.' },
  PGN_ERR_UNSAFE_KEY: { exit: ExitCode.DATA, summary: 'A JSON record holds a __proto__, constructor or prototype key (refused: prototype pollution).' },
  PGN_ERR_INTERNAL: { exit: ExitCode.INTERNAL, summary: 'An unexpected internal error (a bug: please report it with the command line).' },
} as const;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

export interface ErrorDetails {
  /** Where: `file:line`, `file`, or a field/option name. */
  where?: string;
  /** What the user can do about it. */
  hint?: string;
  cause?: unknown;
}

export class PeregrineError extends Error {
  readonly code: ErrorCode;
  readonly exitCode: ExitCodeValue;
  readonly where?: string;
  readonly hint?: string;

  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'PeregrineError';
    this.code = code;
    this.exitCode = ERROR_CATALOGUE[code].exit;
    this.where = details.where;
    this.hint = details.hint;
  }

  /** One line: `CODE: where: message (hint)`. Never contains a stack trace. */
  oneLine(): string {
    const where = this.where ? `${this.where}: ` : '';
    const hint = this.hint ? ` (${this.hint})` : '';
    return `${this.code}: ${where}${this.message}${hint}`.replace(/[\r\n]+/g, ' ');
  }
}

export function isPeregrineError(e: unknown): e is PeregrineError {
  return e instanceof PeregrineError;
}
