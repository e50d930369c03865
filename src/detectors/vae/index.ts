/**
 * Variational autoencoder detector, as the SRI paper specifies it (see options.ts for the defaults). The min-max
 * scaler is fitted on the training rows and stored with the model, so the VAE works on raw activity vectors without
 * the feature pipeline. Score: reconstruction MSE of the decoded latent mean (deterministic), or the negative
 * reconstruction probability (Monte Carlo, seeded per row). `threshold(k)` = r_mean + k * r_sd over the last
 * epoch's training reconstruction errors: the stability threshold r_th of the paper.
 */
import { z } from 'zod';
import { createMatrix, type Matrix } from '../../core/matrix.js';
import { base64ToF32, f32ToBase64 } from '../../core/encode.js';
import { PeregrineError } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import { layoutFrom, topologyOf } from '../../training/tf/dense.js';
import { fitFlat } from '../../training/tf/fit.js';
import { checkTopology, fitInfoSchema, topologySchema, type FitInfo } from '../../training/tf/persist.js';
import { resolveBackend, withBackend, type Tf } from '../../training/tf/runtime.js';
import { checkFitted, detectors, type Detector, type DetectorFactory, type DetectorState, type FitOptions } from '../detector.js';
import { count, readState, requireRows } from '../util.js';
import { buildVaeNet, decodeRows, encodeRows, normals, VaeTrainable, vaeNetFromLayout, withVaeParams, type VaeNet } from './network.js';
import { vaeSchema, type VaeParams } from './options.js';
import type { LayerParams } from '../../training/tf/dense.js';

const TYPE = 'vae';
const VERSION = 1;
/** Rows decoded per inference chunk (times `samples` for the probability score). */
const CHUNK = 16384;
/** Floor of the per-feature residual variance used by the reconstruction probability. */
const VARIANCE_FLOOR = 1e-6;

const stateSchema = z.object({
  cols: count,
  encoderLayers: count,
  latent: count,
  topology: topologySchema,
  weights: z.string(),
  scaler: z.object({ min: z.array(z.number()), range: z.array(z.number()) }),
  residualVariance: z.array(z.number()),
  rMean: z.number(),
  rSd: z.number(),
  fitInfo: fitInfoSchema,
});

interface Fitted {
  net: VaeNet;
  weights: Float32Array;
  cols: number;
  min: Float64Array;
  /** x' = (x - min) / range; range 1 for constant training columns. */
  range: Float64Array;
  residualVariance: Float64Array;
  rMean: number;
  rSd: number;
  fitInfo: FitInfo;
}

export interface LatentStats {
  /** Latent mean per row (rows x latent). */
  mean: Matrix;
  /** Latent variance per row (rows x latent). */
  variance: Matrix;
}

export class VaeDetector implements Detector {
  readonly type = TYPE;
  private model: Fitted | null = null;

  constructor(readonly params: VaeParams) {}

  fit(x: Matrix, options: FitOptions = {}): this {
    requireRows(TYPE, x);
    const p = this.params;
    const seed = options.seed ?? 0;
    const { min, range } = fitMinMax(x);
    const xs = scaleRows(x, min, range);
    const net = buildVaeNet(x.cols, p.hidden, p.latentDim, p.activation);
    const fit = fitFlat(
      p.backend,
      net.layout.init(seed),
      (v) => new VaeTrainable(net, v, p.klWeight),
      { x: xs.data, rows: xs.rows, cols: xs.cols },
      { ...p, seed, onProgress: options.onProgress, collectRowLoss: true },
    );
    const errors = fit.result.lastEpochRowLoss ?? new Float64Array(0);
    const { mean: rMean, sd: rSd } = meanSd(errors);
    const model: Fitted = { net, weights: fit.weights, cols: x.cols, min, range, residualVariance: new Float64Array(x.cols), rMean, rSd, fitInfo: fit.fitInfo };
    // Per-feature variance of the training residuals (decoded latent mean): the Gaussian of the reconstruction probability.
    const recon = this.run(model, (tf, params) => meanReconstruction(tf, model.net, params, xs));
    const rv = model.residualVariance;
    for (let i = 0; i < xs.rows; i++) for (let j = 0; j < xs.cols; j++) rv[j] += (xs.data[i * xs.cols + j] - recon[i * xs.cols + j]) ** 2;
    for (let j = 0; j < xs.cols; j++) rv[j] = Math.max(rv[j] / xs.rows, VARIANCE_FLOOR);
    this.model = model;
    return this;
  }

  score(x: Matrix): Float64Array {
    const m = this.fitted(x);
    const xs = scaleRows(x, m.min, m.range);
    if (this.params.score === 'probability') return this.run(m, (tf, params) => negativeLogProbability(tf, m, params, xs, this.params.samples, this.params.sampleSeed));
    const recon = this.run(m, (tf, params) => meanReconstruction(tf, m.net, params, xs));
    const out = new Float64Array(x.rows);
    for (let i = 0; i < xs.rows; i++) {
      let s = 0;
      for (let j = 0; j < xs.cols; j++) s += (xs.data[i * xs.cols + j] - recon[i * xs.cols + j]) ** 2;
      out[i] = s / xs.cols;
    }
    return out;
  }

  /** Latent mean and variance of each row (for forensic summaries). */
  encode(x: Matrix): LatentStats {
    const m = this.fitted(x);
    const xs = scaleRows(x, m.min, m.range);
    const L = m.net.latent;
    const mean = new Float32Array(x.rows * L);
    const variance = new Float32Array(x.rows * L);
    this.run(m, (tf, params) => {
      for (let from = 0; from < x.rows; from += CHUNK) {
        const to = Math.min(x.rows, from + CHUNK);
        const e = encodeRows(tf, m.net, params, xs, from, to);
        mean.set(e.mu, from * L);
        for (let k = 0; k < e.logvar.length; k++) variance[from * L + k] = Math.exp(e.logvar[k]);
      }
    });
    return { mean: createMatrix(x.rows, L, mean), variance: createMatrix(x.rows, L, variance) };
  }

  /** Per-row, per-feature share of the squared reconstruction error (in the scaled space; rows sum to 1). */
  explain(x: Matrix): Matrix {
    const m = this.fitted(x);
    const xs = scaleRows(x, m.min, m.range);
    const recon = this.run(m, (tf, params) => meanReconstruction(tf, m.net, params, xs));
    const out = new Float32Array(x.rows * x.cols);
    for (let i = 0; i < xs.rows; i++) {
      const o = i * xs.cols;
      let s = 0;
      for (let j = 0; j < xs.cols; j++) s += (xs.data[o + j] - recon[o + j]) ** 2;
      if (s > 0) for (let j = 0; j < xs.cols; j++) out[o + j] = (xs.data[o + j] - recon[o + j]) ** 2 / s;
    }
    return createMatrix(x.rows, x.cols, out);
  }

  /** r_mean and r_sd of the last epoch's training reconstruction errors (per-row MSE, population sd). */
  get thresholdStats(): { rMean: number; rSd: number; k: number } | null {
    const m = this.model;
    return m && { rMean: m.rMean, rSd: m.rSd, k: this.params.k };
  }

  /** The stability threshold r_th = r_mean + k * r_sd (k defaults to the `k` parameter). Compare with score 'mse'. */
  threshold(k: number = this.params.k): number {
    if (!this.model) throw new Error(`${TYPE}: threshold() called before fit()`);
    return this.model.rMean + k * this.model.rSd;
  }

  get fitInfo(): FitInfo | null {
    return this.model?.fitInfo ?? null;
  }

  /** The stored min-max scaler (x' = (x - min) / range). */
  get scaler(): { min: number[]; range: number[] } | null {
    return this.model && { min: [...this.model.min], range: [...this.model.range] };
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
        latent: m.net.latent,
        topology: topologyOf(m.net.layout),
        weights: f32ToBase64(m.weights),
        scaler: { min: [...m.min], range: [...m.range] },
        residualVariance: [...m.residualVariance],
        rMean: m.rMean,
        rSd: m.rSd,
        fitInfo: m.fitInfo,
      },
    };
  }

  static fromJSON(saved: DetectorState): VaeDetector {
    const { params, state: s } = readState(saved, TYPE, VERSION, vaeSchema, stateSchema);
    const weights = base64ToF32(s.weights);
    checkTopology(TYPE, s.topology, weights, s.cols);
    const layers = s.topology.layers;
    const bad =
      s.encoderLayers < 1 ||
      s.encoderLayers + 1 >= layers.length ||
      layers[s.encoderLayers].units !== 2 * s.latent ||
      layers[layers.length - 1].units !== s.cols ||
      s.scaler.min.length !== s.cols ||
      s.scaler.range.length !== s.cols ||
      s.residualVariance.length !== s.cols;
    if (bad) throw new PeregrineError('PGN_ERR_MODEL_FORMAT', `${TYPE} model is malformed: layers, scaler or latent size disagree`, { hint: 'retrain the model' });
    const det = new VaeDetector(params);
    det.model = {
      net: vaeNetFromLayout(layoutFrom(s.topology), s.encoderLayers, s.latent),
      weights,
      cols: s.cols,
      min: Float64Array.from(s.scaler.min),
      range: Float64Array.from(s.scaler.range),
      residualVariance: Float64Array.from(s.residualVariance),
      rMean: s.rMean,
      rSd: s.rSd,
      fitInfo: s.fitInfo,
    };
    return det;
  }

  private fitted(x: Matrix): Fitted {
    checkFitted(TYPE, this.model !== null, this.model?.cols ?? 0, x);
    return this.model as Fitted;
  }

  private run<T>(m: Fitted, fn: (tf: Tf, params: LayerParams[]) => T): T {
    const { backend } = resolveBackend(this.params.backend);
    return withBackend(backend, (tf) => withVaeParams(tf, m.net, m.weights, (params) => fn(tf, params)));
  }
}

function fitMinMax(x: Matrix): { min: Float64Array; range: Float64Array } {
  const min = new Float64Array(x.cols).fill(Infinity);
  const max = new Float64Array(x.cols).fill(-Infinity);
  for (let i = 0; i < x.rows; i++) {
    for (let j = 0; j < x.cols; j++) {
      const v = x.data[i * x.cols + j];
      if (v < min[j]) min[j] = v;
      if (v > max[j]) max[j] = v;
    }
  }
  const range = new Float64Array(x.cols);
  for (let j = 0; j < x.cols; j++) {
    if (!Number.isFinite(min[j])) min[j] = 0;
    const r = max[j] - min[j];
    range[j] = r > 0 && Number.isFinite(r) ? r : 1;
  }
  return { min, range };
}

function scaleRows(x: Matrix, min: Float64Array, range: Float64Array): Matrix {
  const out = new Float32Array(x.rows * x.cols);
  for (let i = 0; i < x.rows; i++) for (let j = 0; j < x.cols; j++) out[i * x.cols + j] = (x.data[i * x.cols + j] - min[j]) / range[j];
  return createMatrix(x.rows, x.cols, out);
}

function meanSd(a: Float64Array): { mean: number; sd: number } {
  if (a.length === 0) return { mean: 0, sd: 0 };
  let s = 0;
  for (const v of a) s += v;
  const mean = s / a.length;
  let v2 = 0;
  for (const v of a) v2 += (v - mean) ** 2;
  return { mean, sd: Math.sqrt(v2 / a.length) };
}

/** Decoded latent mean of each (scaled) row: deterministic, so the same input always gets the same score. */
function meanReconstruction(tf: Tf, net: VaeNet, params: LayerParams[], xs: Matrix): Float32Array {
  const out = new Float32Array(xs.rows * xs.cols);
  for (let from = 0; from < xs.rows; from += CHUNK) {
    const to = Math.min(xs.rows, from + CHUNK);
    const e = encodeRows(tf, net, params, xs, from, to);
    out.set(decodeRows(tf, net, params, e.mu, to - from), from * xs.cols);
  }
  return out;
}

/** FNV-1a over a row's float bits: the per-row seed of the Monte Carlo draws (independent of batch composition). */
function rowHash(bits: Uint32Array, from: number, to: number): number {
  let h = 0x811c9dc5;
  for (let k = from; k < to; k++) {
    h = Math.imul(h ^ bits[k], 0x01000193) >>> 0;
  }
  return h;
}

/**
 * -(1/L) sum_l log N(x; decoder(z_l), diag(residualVariance)), z_l = mu + sigma * eps_l: the negative reconstruction
 * probability of An and Cho (2015), with the per-feature variance of the training residuals.
 */
function negativeLogProbability(tf: Tf, m: Fitted, params: LayerParams[], xs: Matrix, samples: number, seed: number): Float64Array {
  const { net } = m;
  const L = net.latent;
  const d = xs.cols;
  const out = new Float64Array(xs.rows);
  const bits = new Uint32Array(xs.data.buffer, xs.data.byteOffset, xs.data.length);
  const inv = m.residualVariance.map((v) => 1 / (2 * v));
  let logNorm = 0;
  for (const v of m.residualVariance) logNorm += 0.5 * Math.log(2 * Math.PI * v);
  const chunk = Math.max(1, Math.floor(CHUNK / samples));
  for (let from = 0; from < xs.rows; from += chunk) {
    const to = Math.min(xs.rows, from + chunk);
    const n = to - from;
    const e = encodeRows(tf, net, params, xs, from, to);
    const zs = new Float32Array(n * samples * L);
    for (let i = 0; i < n; i++) {
      const eps = normals(new Rng((seed ^ rowHash(bits, (from + i) * d, (from + i + 1) * d)) >>> 0), samples * L);
      for (let s = 0; s < samples; s++) {
        for (let k = 0; k < L; k++) {
          const mu = e.mu[i * L + k];
          const sd = Math.exp(0.5 * e.logvar[i * L + k]);
          zs[(i * samples + s) * L + k] = mu + sd * eps[s * L + k];
        }
      }
    }
    const rec = decodeRows(tf, net, params, zs, n * samples);
    for (let i = 0; i < n; i++) {
      const o = (from + i) * d;
      let total = 0;
      for (let s = 0; s < samples; s++) {
        const r = (i * samples + s) * d;
        let nll = logNorm;
        for (let j = 0; j < d; j++) nll += (xs.data[o + j] - rec[r + j]) ** 2 * inv[j];
        total += nll;
      }
      out[from + i] = total / samples;
    }
  }
  return out;
}

export const vaeFactory: DetectorFactory<VaeParams> = {
  type: TYPE,
  description: 'Variational autoencoder (SRI paper: 3x16 encoder/decoder, latent 10, min-max scaler stored); reconstruction MSE or probability',
  schema: vaeSchema,
  create: (params) => new VaeDetector(params),
  fromJSON: (state) => VaeDetector.fromJSON(state),
  conformance: { params: { epochs: 20 } },
};

detectors.register(vaeFactory);
