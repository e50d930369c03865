import { z } from 'zod';
import type { Matrix } from '../../core/matrix.js';
import { base64ToF64, f64ToBase64 } from '../../core/encode.js';
import { checkFitted, detectors, type Detector, type DetectorFactory, type DetectorState, type FitOptions } from '../detector.js';
import { count, readState, requireRows } from '../util.js';
import { pcaSchema, type PcaParams } from './options.js';
import { fitPca, scorePca, type PcaModel } from './pca.js';

const TYPE = 'pca';
const VERSION = 1;

const stateSchema = z.object({
  cols: count,
  nComponents: count,
  explained: z.number(),
  mode: z.enum(['residual', 'sum']),
  kind: z.enum(['reconstruction', 'minor', 'mahalanobis']),
  mean: z.string(),
  basis: z.string(),
  weights: z.string(),
  eigenvalues: z.string(),
});

export class PcaDetector implements Detector {
  readonly type = TYPE;
  private model: PcaModel | null = null;
  private cols = 0;

  constructor(readonly params: PcaParams) {}

  fit(x: Matrix, _options: FitOptions = {}): this {
    requireRows(TYPE, x);
    this.cols = x.cols;
    this.model = fitPca(x, this.params);
    return this;
  }

  score(x: Matrix): Float64Array {
    checkFitted(TYPE, this.model !== null, this.cols, x);
    return scorePca(this.model as PcaModel, x, new Float64Array(x.rows));
  }

  /** Kept components, explained variance and the spectrum (for reports). */
  get summary(): { nComponents: number; explained: number; kind: PcaModel['kind']; eigenvalues: Float64Array } | null {
    const m = this.model;
    return m && { nComponents: m.nComponents, explained: m.explained, kind: m.kind, eigenvalues: m.eigenvalues };
  }

  toJSON(): DetectorState {
    const m = this.model;
    return {
      type: TYPE,
      version: VERSION,
      params: { ...this.params },
      state: m && {
        cols: this.cols,
        nComponents: m.nComponents,
        explained: m.explained,
        mode: m.mode,
        kind: m.kind,
        mean: f64ToBase64(m.mean),
        basis: f64ToBase64(m.basis),
        weights: f64ToBase64(m.weights),
        eigenvalues: f64ToBase64(m.eigenvalues),
      },
    };
  }

  static fromJSON(saved: DetectorState): PcaDetector {
    const { params, state: s } = readState(saved, TYPE, VERSION, pcaSchema, stateSchema);
    const det = new PcaDetector(params);
    det.cols = s.cols;
    det.model = {
      nComponents: s.nComponents,
      explained: s.explained,
      mode: s.mode,
      kind: s.kind,
      mean: base64ToF64(s.mean),
      basis: base64ToF64(s.basis),
      weights: base64ToF64(s.weights),
      eigenvalues: base64ToF64(s.eigenvalues),
    };
    return det;
  }
}

export const pcaFactory: DetectorFactory<PcaParams> = {
  type: TYPE,
  description: 'PCA reconstruction error; weighted: Shyu et al. minor-component score; weighted+major: Mahalanobis',
  schema: pcaSchema,
  create: (params) => new PcaDetector(params),
  fromJSON: (state) => PcaDetector.fromJSON(state),
};

detectors.register(pcaFactory);
