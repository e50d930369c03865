/**
 * Feature reduction with an autoencoder (the MSc framework's "AE features"): a dense autoencoder is trained to
 * reconstruct the (scaled) training rows and its encoder output, a 10-d bottleneck by default, becomes the feature
 * vector of any model downstream. A transformer in the scikit-learn sense: fit on training rows only, then
 * transform; persisted as JSON (weights base64 Float32) inside the model file, next to the PCA option.
 *
 * The bottleneck is linear by default (a relu bottleneck can leave dead, always-zero features).
 */
import { z } from 'zod';
import { createMatrix, type FeatureBatch, type Matrix } from '../../core/matrix.js';
import { base64ToF32, f32ToBase64 } from '../../core/encode.js';
import { PeregrineError } from '../../core/errors.js';
import { aeNetFromLayout, aeTrainable, buildAeNet, denseRun, rowMse, type AeNet } from '../../detectors/autoencoder/network.js';
import { layoutFrom, topologyOf } from '../../training/tf/dense.js';
import { fitFlat } from '../../training/tf/fit.js';
import { checkTopology, fitInfoSchema, topologySchema, type FitInfo } from '../../training/tf/persist.js';
import { BACKEND_CHOICES } from '../../training/tf/runtime.js';
import { trainerParamsShape } from '../../training/tf/trainer.js';

export const aeReducerOptionsSchema = z.strictObject({
  /** Encoder hidden widths before the bottleneck (the decoder mirrors them). */
  hidden: z.array(z.number().int().min(1)).default([64, 32]),
  /** Output dimension: the bottleneck width. */
  bottleneck: z.number().int().min(1).default(10),
  activation: z.enum(['relu', 'tanh', 'sigmoid']).default('relu'),
  bottleneckActivation: z.enum(['linear', 'relu', 'tanh', 'sigmoid']).default('linear'),
  ...trainerParamsShape,
  epochs: z.number().int().min(1).max(100000).default(30),
  backend: z.enum(BACKEND_CHOICES).default('auto'),
});
export type AeReducerOptions = z.infer<typeof aeReducerOptionsSchema>;

const stateSchema = z.object({
  kind: z.literal('autoencoder'),
  version: z.literal(1),
  options: aeReducerOptionsSchema,
  inputDim: z.number().int().min(1),
  encoderLayers: z.number().int().min(1),
  topology: topologySchema,
  weights: z.string(),
  /** Mean reconstruction MSE of the training rows (how much the bottleneck loses). */
  trainingReconstructionMse: z.number(),
  fitInfo: fitInfoSchema,
});
export type AeReducerState = z.infer<typeof stateSchema>;

export interface ReducerFitOptions {
  seed?: number;
  onProgress?: (epoch: number, epochs: number) => void;
}

export class AeReducer {
  readonly options: AeReducerOptions;
  private net: AeNet | null = null;
  private weights: Float32Array | null = null;
  private state: AeReducerState | null = null;

  /** Validates options (errors name the field); does no work. */
  constructor(options: Partial<AeReducerOptions> = {}) {
    const parsed = aeReducerOptionsSchema.safeParse(options);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new PeregrineError('PGN_ERR_BAD_PARAM', issue?.message ?? 'invalid option', { where: `reduce.ae.${issue?.path.join('.') ?? ''}` });
    }
    this.options = parsed.data;
  }

  get fitted(): boolean {
    return this.state !== null;
  }

  /** Output width (the bottleneck). */
  get outputDim(): number {
    return this.options.bottleneck;
  }

  /** Names of the output features: ae1..aeK. */
  get outputNames(): string[] {
    return Array.from({ length: this.options.bottleneck }, (_, i) => `ae${i + 1}`);
  }

  get fitInfo(): FitInfo | null {
    return this.state?.fitInfo ?? null;
  }

  fit(x: Matrix, options: ReducerFitOptions = {}): this {
    if (x.rows < 1) throw new PeregrineError('PGN_ERR_NO_TRAINING_ROWS', 'no training rows to fit the autoencoder feature reduction on');
    const o = this.options;
    const seed = options.seed ?? 0;
    const net = buildAeNet({ inputDim: x.cols, hidden: [...o.hidden, o.bottleneck], activation: o.activation, bottleneckActivation: o.bottleneckActivation });
    const fit = fitFlat(o.backend, net.layout.init(seed), (v, b) => aeTrainable(net, v, b), { x: x.data, rows: x.rows, cols: x.cols }, { ...o, seed, onProgress: options.onProgress });
    this.net = net;
    this.weights = fit.weights;
    const recon = denseRun(o.backend, net.layout, fit.weights, net.all, x);
    const errs = rowMse(x, recon);
    let mse = 0;
    for (const e of errs) mse += e;
    this.state = {
      kind: 'autoencoder',
      version: 1,
      options: o,
      inputDim: x.cols,
      encoderLayers: net.encoder.length,
      topology: topologyOf(net.layout),
      weights: f32ToBase64(fit.weights),
      trainingReconstructionMse: mse / x.rows,
      fitInfo: fit.fitInfo,
    };
    return this;
  }

  /** Encodes rows x inputDim into rows x bottleneck features. */
  transform(x: Matrix): FeatureBatch {
    const { net, weights } = this.require();
    if (x.cols !== net.layout.layers[0].inputs) {
      throw new PeregrineError('PGN_ERR_MODEL_SCHEMA', `autoencoder feature reduction was fitted on ${net.layout.layers[0].inputs} features, got ${x.cols}`);
    }
    const z = denseRun(this.options.backend, net.layout, weights, net.encoder, x);
    return { ...createMatrix(x.rows, this.outputDim, z), names: this.outputNames };
  }

  fitTransform(x: Matrix, options: ReducerFitOptions = {}): FeatureBatch {
    return this.fit(x, options).transform(x);
  }

  /**
   * Float64 row-major in and out, like PcaProjector.project, for the feature pipeline (which scales in Float64).
   * Values are rounded to Float32 on the way in: the network computes in Float32.
   */
  project(data: Float64Array, rows: number): Float64Array {
    const d = this.require().net.layout.layers[0].inputs;
    return Float64Array.from(this.transform(createMatrix(rows, d, Float32Array.from(data))).data);
  }

  toJSON(): AeReducerState {
    if (!this.state) throw new Error('autoencoder feature reduction used before fit()');
    return this.state;
  }

  static fromJSON(saved: unknown): AeReducer {
    const parsed = stateSchema.safeParse(saved);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new PeregrineError('PGN_ERR_MODEL_FORMAT', `autoencoder feature reduction state is malformed: ${issue?.path.join('.')} ${issue?.message}`, {
        hint: 'retrain the model',
      });
    }
    const s = parsed.data;
    const weights = base64ToF32(s.weights);
    checkTopology('reduce.ae', s.topology, weights, s.inputDim);
    const r = new AeReducer(s.options);
    r.net = aeNetFromLayout(layoutFrom(s.topology), s.encoderLayers);
    if (r.net.layout.layers[s.encoderLayers - 1]?.units !== s.options.bottleneck) {
      throw new PeregrineError('PGN_ERR_MODEL_FORMAT', 'autoencoder feature reduction state is malformed: bottleneck width disagrees with the topology');
    }
    r.weights = weights;
    r.state = s;
    return r;
  }

  private require(): { net: AeNet; weights: Float32Array } {
    if (!this.net || !this.weights) throw new Error('autoencoder feature reduction used before fit()');
    return { net: this.net, weights: this.weights };
  }
}
