import type { Matrix } from '../../core/matrix.js';
import { detectors } from '../detector.js';
import { TabularDetector, tabularFactory, type TabularSpec } from '../tabular.js';
import { count } from '../util.js';
import { lodaSchema, type LodaParams } from './options.js';
import { fitLoda, scoreLoda, type LodaModel } from './loda.js';

const state = {
  nnz: count,
  index: 'i32',
  weight: 'f32',
  lo: 'f64',
  width: 'f64',
  negLogP: 'f64',
  offsets: 'i32',
  outside: 'f64',
} as const;

const spec: TabularSpec<LodaParams, typeof state, LodaModel> = {
  type: 'loda',
  version: 1,
  description: 'LODA (Pevný 2016): sparse random projections with 1-D histograms; linear time, sees interactions',
  schema: lodaSchema,
  state,
  fit: (x, p, o) => fitLoda(x, p.nProjections, p.nBins, p.alpha, p.tol, o.seed ?? 0),
  score: (m, x: Matrix) => scoreLoda(m, x, new Float64Array(x.rows)),
  restore: (f, p) => ({ ...f, tol: p.tol }),
};

export class LodaDetector extends TabularDetector<LodaParams, typeof state, LodaModel> {
  constructor(params: LodaParams) {
    super(spec, params);
  }
}

export const lodaFactory = tabularFactory(spec, (params) => new LodaDetector(params));
detectors.register(lodaFactory);
