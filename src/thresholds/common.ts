import { PeregrineError } from '../core/errors.js';
import { sortedFinite } from '../core/stats.js';
import type { ThresholdResult } from './thresholder.js';

/**
 * Shared plumbing for thresholders: every method works on the sorted finite training scores, and every result
 * reports the fraction of training scores above the chosen value, so the methods are comparable.
 */

export interface PreparedScores {
  /** Finite training scores, ascending. */
  sorted: Float64Array;
  /** NaN / +-Infinity scores that were left out. */
  dropped: number;
}

export function prepareScores(trainingScores: ArrayLike<number>, method: string): PreparedScores {
  const sorted = sortedFinite(trainingScores);
  if (sorted.length === 0) {
    throw new PeregrineError('PGN_ERR_NO_TRAINING_ROWS', `${method}: no finite training scores to fit a threshold on`, {
      hint: 'check that the detector scored the training rows (NaN or Infinity scores are ignored)',
    });
  }
  return { sorted, dropped: trainingScores.length - sorted.length };
}

/** Number of values in an ascending array that are strictly greater than x (binary search, O(log n)). */
export function countAbove(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return sorted.length - lo;
}

/** Fraction of training scores strictly above the threshold: the training false-positive rate. */
export function alertRate(sorted: Float64Array, value: number): number {
  return sorted.length === 0 ? 0 : countAbove(sorted, value) / sorted.length;
}

/** Assembles a complete ThresholdResult, adding a note when non-finite training scores were ignored. */
export function makeResult(
  method: string,
  value: number,
  params: Record<string, unknown>,
  prepared: PreparedScores,
  extra: { notes?: string[]; impliedFalsePositiveRate?: number; expectedAlertsPerDay?: number } = {},
): ThresholdResult {
  const notes = [...(extra.notes ?? [])];
  if (prepared.dropped > 0) notes.push(`${prepared.dropped} non-finite training scores were ignored`);
  const result: ThresholdResult = {
    value,
    method,
    params: { ...params, trainingRows: prepared.sorted.length },
    trainingAlertRate: alertRate(prepared.sorted, value),
    notes,
  };
  if (extra.impliedFalsePositiveRate !== undefined) result.impliedFalsePositiveRate = extra.impliedFalsePositiveRate;
  if (extra.expectedAlertsPerDay !== undefined) result.expectedAlertsPerDay = extra.expectedAlertsPerDay;
  return result;
}
