import { z } from 'zod';
import type { Matrix } from '../../core/matrix.js';
import { base64ToF32, base64ToI32, f32ToBase64, i32ToBase64 } from '../../core/encode.js';
import { checkFitted, detectors, type Detector, type DetectorFactory, type DetectorState, type FitOptions } from '../detector.js';
import { count, readState, requireRows } from '../util.js';
import { ecodSchema, type EcodParams } from './options.js';
import { fitEcod, scoreEcod, type EcodModel } from './ecod.js';

const TYPE = 'ecod';
const VERSION = 1;

const stateSchema = z.object({
  cols: count,
  referenceRows: count,
  values: z.string(),
  cumCount: z.string(),
  offsets: z.string(),
  skewSign: z.string(),
});

export class EcodDetector implements Detector {
  readonly type = TYPE;
  private model: EcodModel | null = null;
  private cols = 0;
  private referenceRows = 0;

  constructor(readonly params: EcodParams) {}

  fit(x: Matrix, options: FitOptions = {}): this {
    requireRows(TYPE, x);
    this.cols = x.cols;
    this.referenceRows = Math.min(x.rows, this.params.maxReferenceRows);
    this.model = fitEcod(x, this.params.maxReferenceRows, this.params.aggregation, options.seed ?? 0);
    return this;
  }

  score(x: Matrix): Float64Array {
    checkFitted(TYPE, this.model !== null, this.cols, x);
    return scoreEcod(this.model as EcodModel, x, new Float64Array(x.rows));
  }

  toJSON(): DetectorState {
    const m = this.model;
    return {
      type: TYPE,
      version: VERSION,
      params: { ...this.params },
      state: m && {
        cols: this.cols,
        referenceRows: this.referenceRows,
        values: f32ToBase64(m.values),
        cumCount: i32ToBase64(m.cumCount),
        offsets: i32ToBase64(m.offsets),
        skewSign: i32ToBase64(m.skewSign),
      },
    };
  }

  static fromJSON(saved: DetectorState): EcodDetector {
    const { params, state: s } = readState(saved, TYPE, VERSION, ecodSchema, stateSchema);
    const det = new EcodDetector(params);
    det.cols = s.cols;
    det.referenceRows = s.referenceRows;
    det.model = {
      values: base64ToF32(s.values),
      cumCount: base64ToI32(s.cumCount),
      offsets: base64ToI32(s.offsets),
      skewSign: base64ToI32(s.skewSign),
      aggregation: params.aggregation,
    };
    return det;
  }
}

export const ecodFactory: DetectorFactory<EcodParams> = {
  type: TYPE,
  description: 'ECOD (Li et al. 2022): summed -log empirical tail probabilities per feature; parameter-free, fast',
  schema: ecodSchema,
  create: (params) => new EcodDetector(params),
  fromJSON: (state) => EcodDetector.fromJSON(state),
};

detectors.register(ecodFactory);
