import { z } from 'zod';
import type { Matrix } from '../../core/matrix.js';
import { detectors } from '../detector.js';
import { TabularDetector, tabularFactory, type TabularSpec } from '../tabular.js';
import { count } from '../util.js';
import { ocsvmSchema, type OcsvmParams } from './options.js';
import { decisionFunction, fitOcsvm, type OcsvmFitInfo, type OcsvmModel } from './ocsvm.js';

const solver = z.enum(['exact', 'nystroem', 'rff']);

const state = {
  solver,
  gamma: z.number(),
  rho: z.number(),
  centers: 'f32',
  coef: 'f64',
  W: 'f32',
  b: 'f64',
  /** How the model was trained (rows used, subsampling, solver iterations): kept for reports. */
  info: z.object({
    solver,
    trainRows: count,
    subsampledFrom: count.nullable(),
    iterations: count,
    converged: z.boolean(),
    nSupport: count,
  }),
} as const;

type Model = OcsvmModel & { info: OcsvmFitInfo };

const spec: TabularSpec<OcsvmParams, typeof state, Model> = {
  type: 'ocsvm',
  version: 1,
  description: 'One-Class SVM, RBF kernel (Schölkopf et al.): exact SMO up to maxExactRows, Nystroem or RFF above',
  schema: ocsvmSchema,
  state,
  fit: (x, p, o) => {
    const { model, info } = fitOcsvm(x, p, o.seed ?? 0);
    return { ...model, info };
  },
  score: (m, x: Matrix) => {
    const f = decisionFunction(m, x);
    for (let i = 0; i < f.length; i++) f[i] = -f[i];
    return f;
  },
};

export class OneClassSvm extends TabularDetector<OcsvmParams, typeof state, Model> {
  constructor(params: OcsvmParams) {
    super(spec, params);
  }

  /** f(x): positive inside the learned support, negative outside. */
  decision(x: Matrix): Float64Array {
    return decisionFunction(this.fittedModel(x), x);
  }

  /** Training summary (solver, rows used, subsampling, iterations, support size); null before fit. */
  get fitInfo(): Readonly<OcsvmFitInfo> | null {
    return this.model && this.model.info;
  }

  /** The dual coefficients (exact: per support vector, sum 1) and rho; for tests and reports. */
  get coefficients(): { coef: Float64Array; rho: number } | null {
    return this.model && { coef: this.model.coef, rho: this.model.rho };
  }
}

export const ocsvmFactory = tabularFactory(spec, (params) => new OneClassSvm(params));
detectors.register(ocsvmFactory);
