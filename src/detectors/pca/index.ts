import { z } from 'zod';
import type { Matrix } from '../../core/matrix.js';
import { detectors } from '../detector.js';
import { TabularDetector, tabularFactory, type TabularSpec } from '../tabular.js';
import { count } from '../util.js';
import { pcaSchema, type PcaParams } from './options.js';
import { fitPca, scorePca, type PcaModel } from './pca.js';

const state = {
  nComponents: count,
  explained: z.number(),
  mode: z.enum(['residual', 'sum']),
  kind: z.enum(['reconstruction', 'minor', 'mahalanobis']),
  mean: 'f64',
  basis: 'f64',
  weights: 'f64',
  eigenvalues: 'f64',
} as const;

const spec: TabularSpec<PcaParams, typeof state, PcaModel> = {
  type: 'pca',
  version: 1,
  description: 'PCA reconstruction error; weighted: Shyu et al. minor-component score; weighted+major: Mahalanobis',
  schema: pcaSchema,
  state,
  fit: (x, p) => fitPca(x, p),
  score: (m, x: Matrix) => scorePca(m, x, new Float64Array(x.rows)),
};

export class PcaDetector extends TabularDetector<PcaParams, typeof state, PcaModel> {
  constructor(params: PcaParams) {
    super(spec, params);
  }

  /** Kept components, explained variance and the spectrum (for reports). */
  get summary(): { nComponents: number; explained: number; kind: PcaModel['kind']; eigenvalues: Float64Array } | null {
    const m = this.model;
    return m && { nComponents: m.nComponents, explained: m.explained, kind: m.kind, eigenvalues: m.eigenvalues };
  }
}

export const pcaFactory = tabularFactory(spec, (params) => new PcaDetector(params));
detectors.register(pcaFactory);
