import { z } from 'zod';
import type { Matrix } from '../../core/matrix.js';
import { base64ToF32, base64ToF64, base64ToI32, f32ToBase64, f64ToBase64, i32ToBase64 } from '../../core/encode.js';
import { checkFitted, detectors, type Detector, type DetectorFactory, type DetectorState, type FitOptions } from '../detector.js';
import { count, readState, requireRows } from '../util.js';
import { lodaSchema, type LodaParams } from './options.js';
import { fitLoda, scoreLoda, type LodaModel } from './loda.js';

const TYPE = 'loda';
const VERSION = 1;

const stateSchema = z.object({
  cols: count,
  nnz: count,
  index: z.string(),
  weight: z.string(),
  lo: z.string(),
  width: z.string(),
  negLogP: z.string(),
  offsets: z.string(),
  outside: z.string(),
});

export class LodaDetector implements Detector {
  readonly type = TYPE;
  private model: LodaModel | null = null;
  private cols = 0;

  constructor(readonly params: LodaParams) {}

  fit(x: Matrix, options: FitOptions = {}): this {
    requireRows(TYPE, x);
    const p = this.params;
    this.cols = x.cols;
    this.model = fitLoda(x, p.nProjections, p.nBins, p.alpha, p.tol, options.seed ?? 0);
    return this;
  }

  score(x: Matrix): Float64Array {
    checkFitted(TYPE, this.model !== null, this.cols, x);
    return scoreLoda(this.model as LodaModel, x, new Float64Array(x.rows));
  }

  toJSON(): DetectorState {
    const m = this.model;
    return {
      type: TYPE,
      version: VERSION,
      params: { ...this.params },
      state: m && {
        cols: this.cols,
        nnz: m.nnz,
        index: i32ToBase64(m.index),
        weight: f32ToBase64(m.weight),
        lo: f64ToBase64(m.lo),
        width: f64ToBase64(m.width),
        negLogP: f64ToBase64(m.negLogP),
        offsets: i32ToBase64(m.offsets),
        outside: f64ToBase64(m.outside),
      },
    };
  }

  static fromJSON(saved: DetectorState): LodaDetector {
    const { params, state: s } = readState(saved, TYPE, VERSION, lodaSchema, stateSchema);
    const det = new LodaDetector(params);
    det.cols = s.cols;
    det.model = {
      nnz: s.nnz,
      index: base64ToI32(s.index),
      weight: base64ToF32(s.weight),
      lo: base64ToF64(s.lo),
      width: base64ToF64(s.width),
      negLogP: base64ToF64(s.negLogP),
      offsets: base64ToI32(s.offsets),
      outside: base64ToF64(s.outside),
      tol: params.tol,
    };
    return det;
  }
}

export const lodaFactory: DetectorFactory<LodaParams> = {
  type: TYPE,
  description: 'LODA (Pevný 2016): sparse random projections with 1-D histograms; linear time, sees interactions',
  schema: lodaSchema,
  create: (params) => new LodaDetector(params),
  fromJSON: (state) => LodaDetector.fromJSON(state),
};

detectors.register(lodaFactory);
