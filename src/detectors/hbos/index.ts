import { z } from 'zod';
import type { Matrix } from '../../core/matrix.js';
import { base64ToF64, base64ToI32, f64ToBase64, i32ToBase64 } from '../../core/encode.js';
import { checkFitted, detectors, type Detector, type DetectorFactory, type DetectorState, type FitOptions } from '../detector.js';
import { count, readState, requireRows } from '../util.js';
import { hbosSchema, type HbosParams } from './options.js';
import { fitHbos, scoreHbos, type HbosModel } from './hbos.js';

const TYPE = 'hbos';
const VERSION = 1;

const stateSchema = z.object({
  cols: count,
  lo: z.string(),
  width: z.string(),
  logDensity: z.string(),
  offsets: z.string(),
  floor: z.string(),
});

export class HbosDetector implements Detector {
  readonly type = TYPE;
  private model: HbosModel | null = null;
  private cols = 0;

  constructor(readonly params: HbosParams) {}

  fit(x: Matrix, _options: FitOptions = {}): this {
    requireRows(TYPE, x);
    this.cols = x.cols;
    this.model = fitHbos(x, this.params.nBins, this.params.alpha, this.params.tol);
    return this;
  }

  score(x: Matrix): Float64Array {
    checkFitted(TYPE, this.model !== null, this.cols, x);
    return scoreHbos(this.model as HbosModel, x, new Float64Array(x.rows));
  }

  toJSON(): DetectorState {
    const m = this.model;
    return {
      type: TYPE,
      version: VERSION,
      params: { ...this.params },
      state: m && {
        cols: this.cols,
        lo: f64ToBase64(m.lo),
        width: f64ToBase64(m.width),
        logDensity: f64ToBase64(m.logDensity),
        offsets: i32ToBase64(m.offsets),
        floor: f64ToBase64(m.floor),
      },
    };
  }

  static fromJSON(saved: DetectorState): HbosDetector {
    const { params, state: s } = readState(saved, TYPE, VERSION, hbosSchema, stateSchema);
    const det = new HbosDetector(params);
    det.cols = s.cols;
    det.model = {
      lo: base64ToF64(s.lo),
      width: base64ToF64(s.width),
      logDensity: base64ToF64(s.logDensity),
      offsets: base64ToI32(s.offsets),
      floor: base64ToF64(s.floor),
      tol: params.tol,
    };
    return det;
  }
}

export const hbosFactory: DetectorFactory<HbosParams> = {
  type: TYPE,
  description: 'HBOS (Goldstein & Dengel 2012): per-feature histograms, summed -log density; the fastest baseline',
  schema: hbosSchema,
  create: (params) => new HbosDetector(params),
  fromJSON: (state) => HbosDetector.fromJSON(state),
};

detectors.register(hbosFactory);
