import { z } from 'zod';
import type { Matrix } from '../../core/matrix.js';
import { base64ToF32, base64ToI32, f32ToBase64, i32ToBase64 } from '../../core/encode.js';
import { checkFitted, detectors, type Detector, type DetectorFactory, type DetectorState, type FitOptions } from '../detector.js';
import { count, readState, requireRows } from '../util.js';
import { iforestSchema, type IForestParams } from './options.js';
import { growForest, scoreForest, type Forest } from './forest.js';

const TYPE = 'iforest';
const VERSION = 1;

const stateSchema = z.object({
  cols: count,
  maxSamples: count,
  maxFeatures: count,
  norm: z.number(),
  roots: z.string(),
  feature: z.string(),
  threshold: z.string(),
  left: z.string(),
  right: z.string(),
  value: z.string(),
});

/** Resolves scikit-learn style "fraction or count" sizes against the data. */
function resolveSize(spec: number, total: number): number {
  const k = spec <= 1 ? Math.floor(spec * total) : Math.floor(spec);
  return Math.max(1, Math.min(total, k));
}

export class IsolationForest implements Detector {
  readonly type = TYPE;
  private forest: Forest | null = null;
  private cols = 0;
  private maxSamples = 0;
  private maxFeatures = 0;

  constructor(readonly params: IForestParams) {}

  fit(x: Matrix, options: FitOptions = {}): this {
    requireRows(TYPE, x);
    const p = this.params;
    this.cols = x.cols;
    this.maxSamples = p.maxSamples === 'auto' ? Math.min(256, x.rows) : resolveSize(p.maxSamples, x.rows);
    this.maxFeatures = resolveSize(p.maxFeatures, Math.max(x.cols, 1));
    this.forest = growForest(x, {
      nEstimators: p.nEstimators,
      maxSamples: this.maxSamples,
      maxFeatures: Math.min(this.maxFeatures, x.cols),
      bootstrap: p.bootstrap,
      seed: options.seed ?? 0,
      onProgress: options.onProgress,
    });
    return this;
  }

  score(x: Matrix): Float64Array {
    checkFitted(TYPE, this.forest !== null, this.cols, x);
    return scoreForest(this.forest as Forest, x, new Float64Array(x.rows));
  }

  toJSON(): DetectorState {
    const f = this.forest;
    return {
      type: TYPE,
      version: VERSION,
      params: { ...this.params },
      state: f && {
        cols: this.cols,
        maxSamples: this.maxSamples,
        maxFeatures: this.maxFeatures,
        norm: f.norm,
        roots: i32ToBase64(f.roots),
        feature: i32ToBase64(f.feature),
        threshold: f32ToBase64(f.threshold),
        left: i32ToBase64(f.left),
        right: i32ToBase64(f.right),
        value: f32ToBase64(f.value),
      },
    };
  }

  static fromJSON(saved: DetectorState): IsolationForest {
    const { params, state: s } = readState(saved, TYPE, VERSION, iforestSchema, stateSchema);
    const det = new IsolationForest(params);
    det.cols = s.cols;
    det.maxSamples = s.maxSamples;
    det.maxFeatures = s.maxFeatures;
    det.forest = {
      norm: s.norm,
      roots: base64ToI32(s.roots),
      feature: base64ToI32(s.feature),
      threshold: base64ToF32(s.threshold),
      left: base64ToI32(s.left),
      right: base64ToI32(s.right),
      value: base64ToF32(s.value),
    };
    return det;
  }
}

export const iforestFactory: DetectorFactory<IForestParams> = {
  type: TYPE,
  description: 'Isolation Forest (Liu et al. 2008), scikit-learn semantics; fast, no scaling needed',
  schema: iforestSchema,
  create: (params) => new IsolationForest(params),
  fromJSON: (state) => IsolationForest.fromJSON(state),
};

detectors.register(iforestFactory);
