import { z } from 'zod';
import type { Matrix } from '../../core/matrix.js';
import { base64ToF32, base64ToF64, f32ToBase64, f64ToBase64 } from '../../core/encode.js';
import { checkFitted, detectors, type Detector, type DetectorFactory, type DetectorState, type FitOptions } from '../detector.js';
import { count, readState, requireRows } from '../util.js';
import { ocsvmSchema, type OcsvmParams } from './options.js';
import { decisionFunction, fitOcsvm, type OcsvmFitInfo, type OcsvmModel } from './ocsvm.js';

const TYPE = 'ocsvm';
const VERSION = 1;

const stateSchema = z.object({
  cols: count,
  solver: z.enum(['exact', 'nystroem', 'rff']),
  gamma: z.number(),
  rho: z.number(),
  centers: z.string(),
  coef: z.string(),
  W: z.string(),
  b: z.string(),
  /** How the model was trained (rows used, subsampling, solver iterations): kept for reports. */
  info: z.object({
    solver: z.enum(['exact', 'nystroem', 'rff']),
    trainRows: count,
    subsampledFrom: count.nullable(),
    iterations: count,
    converged: z.boolean(),
    nSupport: count,
  }),
});

export class OneClassSvm implements Detector {
  readonly type = TYPE;
  private model: OcsvmModel | null = null;
  private cols = 0;
  private info: OcsvmFitInfo | null = null;

  constructor(readonly params: OcsvmParams) {}

  fit(x: Matrix, options: FitOptions = {}): this {
    requireRows(TYPE, x);
    this.cols = x.cols;
    const { model, info } = fitOcsvm(x, this.params, options.seed ?? 0);
    this.model = model;
    this.info = info;
    return this;
  }

  /** f(x): positive inside the learned support, negative outside. */
  decision(x: Matrix): Float64Array {
    checkFitted(TYPE, this.model !== null, this.cols, x);
    return decisionFunction(this.model as OcsvmModel, x);
  }

  score(x: Matrix): Float64Array {
    const f = this.decision(x);
    for (let i = 0; i < f.length; i++) f[i] = -f[i];
    return f;
  }

  /** Training summary (solver, rows used, subsampling, iterations, support size); null before fit. */
  get fitInfo(): Readonly<OcsvmFitInfo> | null {
    return this.info;
  }

  /** The dual coefficients (exact: per support vector, sum 1) and rho; for tests and reports. */
  get coefficients(): { coef: Float64Array; rho: number } | null {
    return this.model && { coef: this.model.coef, rho: this.model.rho };
  }

  toJSON(): DetectorState {
    const m = this.model;
    return {
      type: TYPE,
      version: VERSION,
      params: { ...this.params },
      state: m && {
        cols: this.cols,
        solver: m.solver,
        gamma: m.gamma,
        rho: m.rho,
        centers: f32ToBase64(m.centers),
        coef: f64ToBase64(m.coef),
        W: f32ToBase64(m.W),
        b: f64ToBase64(m.b),
        info: this.info,
      },
    };
  }

  static fromJSON(saved: DetectorState): OneClassSvm {
    const { params, state: s } = readState(saved, TYPE, VERSION, ocsvmSchema, stateSchema);
    const det = new OneClassSvm(params);
    det.cols = s.cols;
    det.info = s.info;
    det.model = {
      solver: s.solver,
      gamma: s.gamma,
      rho: s.rho,
      centers: base64ToF32(s.centers),
      coef: base64ToF64(s.coef),
      W: base64ToF32(s.W),
      b: base64ToF64(s.b),
    };
    return det;
  }
}

export const ocsvmFactory: DetectorFactory<OcsvmParams> = {
  type: TYPE,
  description: 'One-Class SVM, RBF kernel (Schölkopf et al.): exact SMO up to maxExactRows, Nystroem or RFF above',
  schema: ocsvmSchema,
  create: (params) => new OneClassSvm(params),
  fromJSON: (state) => OneClassSvm.fromJSON(state),
};

detectors.register(ocsvmFactory);
