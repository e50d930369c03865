/**
 * Helpers shared by the classical detectors: state (de)serialisation checks and Float64 column statistics.
 * Kept tiny on purpose: each detector owns its maths, this only removes copy-paste.
 */
import { z } from 'zod';
import type { Matrix } from '../core/matrix.js';
import { PeregrineError } from '../core/errors.js';
import { checkState, type DetectorState } from './detector.js';

/**
 * Checks the discriminator and version, then validates `params` against the factory schema and `state` against a
 * state schema, so a hand-edited or truncated model fails with one clear PGN_ERR_MODEL_FORMAT line, not a TypeError
 * deep inside scoring.
 */
export function readState<P, S>(
  saved: DetectorState,
  type: string,
  version: number,
  paramsSchema: z.ZodType<P>,
  stateSchema: z.ZodType<S>,
): { params: P; state: S } {
  checkState(saved, type, version);
  const p = paramsSchema.safeParse(saved.params ?? {});
  const s = stateSchema.safeParse(saved.state);
  const issue = !p.success ? p.error.issues[0] : !s.success ? s.error.issues[0] : undefined;
  if (issue || !p.success || !s.success) {
    throw new PeregrineError('PGN_ERR_MODEL_FORMAT', `${type} model is malformed: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim(), {
      hint: 'retrain the model or restore the original file',
    });
  }
  return { params: p.data, state: s.data };
}

/** A non-negative integer (column counts, sizes) in persisted state. */
export const count = z.number().int().min(0);

/** Per-column mean and (population) variance in Float64; NaN cells are ignored. */
export function columnMoments(x: Matrix): { mean: Float64Array; variance: Float64Array } {
  const { rows, cols, data } = x;
  const sum = new Float64Array(cols);
  const sum2 = new Float64Array(cols);
  const n = new Float64Array(cols);
  // Shifted sums (shift = first row) keep precision for columns with a large mean and a small spread.
  const shift = new Float64Array(cols);
  for (let j = 0; j < cols && rows > 0; j++) shift[j] = Number.isFinite(data[j]) ? data[j] : 0;
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    for (let j = 0; j < cols; j++) {
      const v = data[o + j];
      if (v !== v) continue;
      const dv = v - shift[j];
      sum[j] += dv;
      sum2[j] += dv * dv;
      n[j]++;
    }
  }
  const mean = new Float64Array(cols);
  const variance = new Float64Array(cols);
  for (let j = 0; j < cols; j++) {
    const m = n[j] > 0 ? sum[j] / n[j] : 0;
    mean[j] = shift[j] + m;
    variance[j] = n[j] > 0 ? Math.max(sum2[j] / n[j] - m * m, 0) : 0;
  }
  return { mean, variance };
}

/** Variance of every cell of the matrix (numpy's `X.var()`, used by gamma='scale'). */
export function overallVariance(x: Matrix): number {
  const { mean, variance } = columnMoments(x);
  let m = 0;
  for (let j = 0; j < x.cols; j++) m += mean[j];
  m /= Math.max(x.cols, 1);
  let v = 0;
  for (let j = 0; j < x.cols; j++) v += variance[j] + (mean[j] - m) * (mean[j] - m);
  return v / Math.max(x.cols, 1);
}

/** Throws PGN_ERR_NO_TRAINING_ROWS for an empty training set (every detector needs at least one row). */
export function requireRows(type: string, x: Matrix, min = 1): void {
  if (x.rows < min) {
    throw new PeregrineError('PGN_ERR_NO_TRAINING_ROWS', `${type} needs at least ${min} training row(s), got ${x.rows}`);
  }
}
