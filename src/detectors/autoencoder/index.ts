/**
 * Dense autoencoder one-class detector: trained to reconstruct normal rows; score = per-row reconstruction MSE.
 * `explain(x)` gives each feature's share of a row's squared error (for reports and `score --explain`).
 */
import { z } from 'zod';
import { createMatrix, type Matrix } from '../../core/matrix.js';
import { base64ToF32, f32ToBase64 } from '../../core/encode.js';
import { PeregrineError } from '../../core/errors.js';
import { layoutFrom, topologyOf } from '../../training/tf/dense.js';
import { fitFlat } from '../../training/tf/fit.js';
import { checkTopology, fitInfoSchema, topologySchema, type FitInfo } from '../../training/tf/persist.js';
import { checkFitted, detectors, type Detector, type DetectorFactory, type DetectorState, type FitOptions } from '../detector.js';
import { count, readState, requireRows } from '../util.js';
import { aeNetFromLayout, aeTrainable, buildAeNet, denseRun, errorShares, rowMse, type AeNet } from './network.js';
import { autoencoderSchema, type AutoencoderParams } from './options.js';

const TYPE = 'autoencoder';
const VERSION = 1;

const stateSchema = z.object({
  cols: count,
  encoderLayers: count,
  topology: topologySchema,
  weights: z.string(),
  fitInfo: fitInfoSchema,
});

interface Fitted {
  net: AeNet;
  weights: Float32Array;
  cols: number;
  fitInfo: FitInfo;
}

export class AutoencoderDetector implements Detector {
  readonly type = TYPE;
  private model: Fitted | null = null;

  constructor(readonly params: AutoencoderParams) {}

  fit(x: Matrix, options: FitOptions = {}): this {
    requireRows(TYPE, x);
    const p = this.params;
    const seed = options.seed ?? 0;
    const net = buildAeNet({ inputDim: x.cols, hidden: p.hidden, activation: p.activation, bottleneckActivation: p.bottleneckActivation });
    const fit = fitFlat(p.backend, net.layout.init(seed), (v, b) => aeTrainable(net, v, b), { x: x.data, rows: x.rows, cols: x.cols }, { ...p, seed, onProgress: options.onProgress });
    this.model = { net, weights: fit.weights, cols: x.cols, fitInfo: fit.fitInfo };
    return this;
  }

  /** Per-row reconstruction MSE. */
  score(x: Matrix): Float64Array {
    const m = this.fitted(x);
    return rowMse(x, this.reconstruct(x, m));
  }

  /** The reconstruction of each row (rows x cols). */
  reconstruction(x: Matrix): Matrix {
    const m = this.fitted(x);
    return createMatrix(x.rows, x.cols, this.reconstruct(x, m));
  }

  /** Per-row, per-feature share of the squared reconstruction error (rows x cols, each row sums to 1). */
  explain(x: Matrix): Matrix {
    const m = this.fitted(x);
    return createMatrix(x.rows, x.cols, errorShares(x, this.reconstruct(x, m)));
  }

  /** Bottleneck activations (rows x bottleneck width). */
  encode(x: Matrix): Matrix {
    const m = this.fitted(x);
    const k = m.net.layout.layers[m.net.encoder[m.net.encoder.length - 1]].units;
    return createMatrix(x.rows, k, denseRun(this.params.backend, m.net.layout, m.weights, m.net.encoder, x));
  }

  /** Backend used, epochs, training history (loss / validation loss per epoch) of the last fit. */
  get fitInfo(): FitInfo | null {
    return this.model?.fitInfo ?? null;
  }

  toJSON(): DetectorState {
    const m = this.model;
    return {
      type: TYPE,
      version: VERSION,
      params: { ...this.params },
      state: m && {
        cols: m.cols,
        encoderLayers: m.net.encoder.length,
        topology: topologyOf(m.net.layout),
        weights: f32ToBase64(m.weights),
        fitInfo: m.fitInfo,
      },
    };
  }

  static fromJSON(saved: DetectorState): AutoencoderDetector {
    const { params, state: s } = readState(saved, TYPE, VERSION, autoencoderSchema, stateSchema);
    const weights = base64ToF32(s.weights);
    checkTopology(TYPE, s.topology, weights, s.cols);
    const layers = s.topology.layers;
    if (s.encoderLayers < 1 || s.encoderLayers >= layers.length || layers[layers.length - 1].units !== s.cols) {
      throw new PeregrineError('PGN_ERR_MODEL_FORMAT', `${TYPE} model is malformed: encoder/decoder layers do not fit the topology`, {
        hint: 'retrain the model or restore the original file',
      });
    }
    const det = new AutoencoderDetector(params);
    det.model = { net: aeNetFromLayout(layoutFrom(s.topology), s.encoderLayers), weights, cols: s.cols, fitInfo: s.fitInfo };
    return det;
  }

  private fitted(x: Matrix): Fitted {
    checkFitted(TYPE, this.model !== null, this.model?.cols ?? 0, x);
    return this.model as Fitted;
  }

  private reconstruct(x: Matrix, m: Fitted): Float32Array {
    return denseRun(this.params.backend, m.net.layout, m.weights, m.net.all, x);
  }
}

export const autoencoderFactory: DetectorFactory<AutoencoderParams> = {
  type: TYPE,
  description: 'Dense autoencoder (TF.js): reconstruction MSE of rows it learnt to reproduce; hidden 64,32,10 by default',
  schema: autoencoderSchema,
  create: (params) => new AutoencoderDetector(params),
  fromJSON: (state) => AutoencoderDetector.fromJSON(state),
  conformance: { params: { epochs: 10 } },
};

detectors.register(autoencoderFactory);
