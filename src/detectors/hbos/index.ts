import type { Matrix } from '../../core/matrix.js';
import { detectors } from '../detector.js';
import { TabularDetector, tabularFactory, type TabularSpec } from '../tabular.js';
import { hbosSchema, type HbosParams } from './options.js';
import { fitHbos, scoreHbos, type HbosModel } from './hbos.js';

const state = { lo: 'f64', width: 'f64', logDensity: 'f64', offsets: 'i32', floor: 'f64' } as const;

const spec: TabularSpec<HbosParams, typeof state, HbosModel> = {
  type: 'hbos',
  version: 1,
  description: 'HBOS (Goldstein & Dengel 2012): per-feature histograms, summed -log density; the fastest baseline',
  schema: hbosSchema,
  state,
  fit: (x, p) => fitHbos(x, p.nBins, p.alpha, p.tol),
  score: (m, x: Matrix) => scoreHbos(m, x, new Float64Array(x.rows)),
  restore: (f, p) => ({ ...f, tol: p.tol }),
};

export class HbosDetector extends TabularDetector<HbosParams, typeof state, HbosModel> {
  constructor(params: HbosParams) {
    super(spec, params);
  }
}

export const hbosFactory = tabularFactory(spec, (params) => new HbosDetector(params));
detectors.register(hbosFactory);
