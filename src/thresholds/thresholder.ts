import type { z } from 'zod';
import { Registry } from '../core/registry.js';

/**
 * A thresholder turns the detector's scores on the training (normal) rows into one alert threshold.
 * Scores strictly greater than the threshold are alerts.
 */

export interface ThresholdResult {
  /** Scores > value are alerts. */
  value: number;
  method: string;
  params: Record<string, unknown>;
  /** Fraction of training scores above the threshold (the false-positive rate on the training normals). */
  trainingAlertRate: number;
  /** For budget-style methods: the false-positive rate the budget implies, and the alerts/day it expects. */
  impliedFalsePositiveRate?: number;
  expectedAlertsPerDay?: number;
  /** Human-readable notes (for example when a budget cannot be met with the available training rows). */
  notes?: string[];
}

export interface Thresholder {
  readonly method: string;
  fit(trainingScores: Float64Array): ThresholdResult;
}

export interface ThresholderFactory<P extends Record<string, unknown> = Record<string, unknown>> {
  readonly type: string;
  readonly description: string;
  readonly schema: z.ZodType<P>;
  create(params: P): Thresholder;
}

export const thresholders = new Registry<ThresholderFactory>('thresholder');
