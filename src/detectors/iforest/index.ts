import { z } from 'zod';
import type { Matrix } from '../../core/matrix.js';
import { detectors } from '../detector.js';
import { TabularDetector, tabularFactory, type TabularSpec } from '../tabular.js';
import { count } from '../util.js';
import { iforestSchema, type IForestParams } from './options.js';
import { growForest, scoreForest, type Forest } from './forest.js';

const state = {
  maxSamples: count,
  maxFeatures: count,
  norm: z.number(),
  roots: 'i32',
  feature: 'i32',
  threshold: 'f32',
  left: 'i32',
  right: 'i32',
  value: 'f32',
} as const;

/** The forest plus the resolved subsample size and feature count (kept for reports). */
type Model = Forest & { maxSamples: number; maxFeatures: number };

/** Resolves scikit-learn style "fraction or count" sizes against the data. */
function resolveSize(spec: number, total: number): number {
  const k = spec <= 1 ? Math.floor(spec * total) : Math.floor(spec);
  return Math.max(1, Math.min(total, k));
}

const spec: TabularSpec<IForestParams, typeof state, Model> = {
  type: 'iforest',
  version: 1,
  description: 'Isolation Forest (Liu et al. 2008), scikit-learn semantics; fast, no scaling needed',
  schema: iforestSchema,
  state,
  fit: (x, p, o) => {
    const maxSamples = p.maxSamples === 'auto' ? Math.min(256, x.rows) : resolveSize(p.maxSamples, x.rows);
    const maxFeatures = resolveSize(p.maxFeatures, Math.max(x.cols, 1));
    const forest = growForest(x, {
      nEstimators: p.nEstimators,
      maxSamples,
      maxFeatures: Math.min(maxFeatures, x.cols),
      bootstrap: p.bootstrap,
      seed: o.seed ?? 0,
      onProgress: o.onProgress,
    });
    return { ...forest, maxSamples, maxFeatures };
  },
  score: (m, x: Matrix) => scoreForest(m, x, new Float64Array(x.rows)),
};

export class IsolationForest extends TabularDetector<IForestParams, typeof state, Model> {
  constructor(params: IForestParams) {
    super(spec, params);
  }
}

export const iforestFactory = tabularFactory(spec, (params) => new IsolationForest(params));
detectors.register(iforestFactory);
