import type { Matrix } from '../../core/matrix.js';
import { detectors } from '../detector.js';
import { TabularDetector, tabularFactory, type TabularSpec } from '../tabular.js';
import { count } from '../util.js';
import { ecodSchema, type EcodParams } from './options.js';
import { fitEcod, scoreEcod, type EcodModel } from './ecod.js';

const state = { referenceRows: count, values: 'f32', cumCount: 'i32', offsets: 'i32', skewSign: 'i32' } as const;

/** Plus how many training rows the reference distribution kept (for reports). */
type Model = EcodModel & { referenceRows: number };

const spec: TabularSpec<EcodParams, typeof state, Model> = {
  type: 'ecod',
  version: 1,
  description: 'ECOD (Li et al. 2022): summed -log empirical tail probabilities per feature; parameter-free, fast',
  schema: ecodSchema,
  state,
  fit: (x, p, o) => ({
    ...fitEcod(x, p.maxReferenceRows, p.aggregation, o.seed ?? 0),
    referenceRows: Math.min(x.rows, p.maxReferenceRows),
  }),
  score: (m, x: Matrix) => scoreEcod(m, x, new Float64Array(x.rows)),
  restore: (f, p) => ({ ...f, aggregation: p.aggregation }),
};

export class EcodDetector extends TabularDetector<EcodParams, typeof state, Model> {
  constructor(params: EcodParams) {
    super(spec, params);
  }
}

export const ecodFactory = tabularFactory(spec, (params) => new EcodDetector(params));
detectors.register(ecodFactory);
