import type { z } from 'zod';
import type { Matrix } from '../core/matrix.js';
import { PeregrineError } from '../core/errors.js';
import { Registry } from '../core/registry.js';

/**
 * The detector contract (PyOD's): fit on normal data, `score` returns one value per row, higher = more abnormal.
 * Constructors store options and do no work; `fit` does the work. Thresholds live outside the detector
 * (see src/thresholds), so one fitted detector can be judged under several alert budgets.
 */

export interface FitOptions {
  /** Seed for every random choice the detector makes. Same seed, same model. */
  seed?: number;
  /** Progress callback for long fits: `done` of `total` units (trees, epochs, ...). */
  onProgress?: (done: number, total: number) => void;
  /**
   * Supervised detectors only: class index per row of x (0 = benign; 1.. = attack classes named in `classNames`).
   * One-class detectors ignore it. Binary training uses classNames ['benign', 'attack'].
   */
  labels?: Int32Array;
  classNames?: string[];
}

/** What a detector persists: `{type, version, params, state}`; `fromJSON` checks `type` and `version`. */
export interface DetectorState {
  type: string;
  version: number;
  params: Record<string, unknown>;
  state: unknown;
}

export interface Detector {
  readonly type: string;
  fit(x: Matrix, options?: FitOptions): this;
  /** One score per row of x; higher = more abnormal. Must not mutate x. */
  score(x: Matrix): Float64Array;
  toJSON(): DetectorState;
  /** Supervised multi-class detectors: most likely class index per row (into the classNames given to fit). */
  predictClass?(x: Matrix): Int32Array;
}

export interface DetectorFactory<P extends Record<string, unknown> = Record<string, unknown>> {
  readonly type: string;
  /** One line for `peregrine detectors` and the docs. */
  readonly description: string;
  /** Parameter schema with defaults: `schema.parse({})` gives the default parameters. */
  readonly schema: z.ZodType<P>;
  create(params: P): Detector;
  fromJSON(state: DetectorState): Detector;
  /**
   * `one-class` (default): fit on normal rows, no labels. `supervised`: needs FitOptions.labels; its score is the
   * probability that a row is not benign (1 - P(benign)), so higher still means more abnormal.
   */
  readonly kind?: 'one-class' | 'supervised';
  /**
   * Hints for the conformance suite (for example a smaller training set for an O(n^2) detector, or fewer epochs for
   * a neural one: `params` are passed to `schema.parse` instead of `{}`).
   */
  readonly conformance?: { maxTrainRows?: number; params?: Record<string, unknown> };
}

export const detectors = new Registry<DetectorFactory>('detector');

/** Validates params against the factory schema; errors name the field. */
export function createDetector(type: string, params: Record<string, unknown> = {}): Detector {
  const factory = detectors.get(type);
  const parsed = factory.schema.safeParse(params);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    // Unknown keys come back with an empty path and the keys listed: name them (a typo is the usual cause).
    const keys = issue && 'keys' in issue && Array.isArray(issue.keys) ? (issue.keys as string[]).join(', ') : '';
    const field = issue?.path.length ? issue.path.join('.') : keys;
    throw new PeregrineError('PGN_ERR_BAD_PARAM', issue?.message ?? 'invalid parameter', {
      where: field ? `${type}.${field}` : type,
      hint: `see \`peregrine detectors\` for ${type}'s parameters`,
    });
  }
  return factory.create(parsed.data);
}

export function detectorFromJSON(state: DetectorState): Detector {
  return detectors.get(state.type).fromJSON(state);
}

/** Shared check for fromJSON implementations. */
export function checkState(state: DetectorState, type: string, version: number): void {
  if (state.type !== type) throw new PeregrineError('PGN_ERR_MODEL_FORMAT', `detector state is "${state.type}", expected "${type}"`);
  if (state.version !== version) {
    throw new PeregrineError('PGN_ERR_MODEL_FORMAT', `${type} state version ${state.version} is not supported (this build reads ${version})`, {
      hint: 'retrain the model with this version of peregrine',
    });
  }
}

/** Throws a clear error when a detector is used before fit or with the wrong width. */
export function checkFitted(type: string, fitted: boolean, expectedCols: number, x: Matrix): void {
  if (!fitted) throw new Error(`${type}: score() called before fit()`);
  if (x.cols !== expectedCols) {
    throw new PeregrineError('PGN_ERR_MODEL_SCHEMA', `${type} was fitted on ${expectedCols} features, got ${x.cols}`);
  }
}
