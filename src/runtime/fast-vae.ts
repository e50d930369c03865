/**
 * VAE inference for the runtime path in plain JavaScript: the reconstruction MSE of the decoded latent mean (the
 * VAE's score 'mse') and the latent mean and variance, in ONE pass over the rows, from the detector's own persisted
 * state (weights, layer topology, min-max scaler).
 *
 * Why: the network is tiny (about 7,000 multiply-adds per row) and an interval brings a few dozen vectors per
 * group, so through TF.js each score or encode call costs far more in fixed overhead (uploading the weights as
 * tensors, kernel dispatch, tidy scopes, reading results back) than in arithmetic, and the monitor needs two calls
 * per group (score, encode), 2 x 50 with one model per container. Here the cost is the arithmetic only.
 *
 * Same maths as VaeDetector.score/encode (x' = (x - min) / range; dense layers y = act(x W + b) with W stored
 * row-major inputs x units; head = [mu | logvar]; decode mu), computed in double precision from the float32
 * weights: scores agree with TF.js to about 1e-6 relative (TF.js computes in float32, in another summation order).
 */
import { base64ToF32 } from '../core/encode.js';
import type { VaeDetector } from '../detectors/vae/index.js';

interface Layer {
  inputs: number;
  units: number;
  activation: 'linear' | 'relu' | 'sigmoid' | 'tanh';
  /** Offset of W (then b) in the weights. */
  offset: number;
}

interface VaeState {
  cols: number;
  encoderLayers: number;
  latent: number;
  topology: { layers: { inputs: number; units: number; activation: Layer['activation'] }[] };
  weights: string;
  scaler: { min: number[]; range: number[] };
}

export interface FastScores {
  scores: Float64Array;
  /** rows x latent */
  mean: Float32Array;
  variance: Float32Array;
}

export class FastVae {
  private readonly layers: Layer[];
  private readonly w: Float32Array;
  private readonly min: Float64Array;
  private readonly range: Float64Array;
  private readonly encoderLayers: number;
  readonly latent: number;
  readonly cols: number;
  private readonly width: number;

  private constructor(s: VaeState) {
    this.w = base64ToF32(s.weights);
    let offset = 0;
    this.layers = s.topology.layers.map((l) => {
      const layer: Layer = { inputs: l.inputs, units: l.units, activation: l.activation, offset };
      offset += l.inputs * l.units + l.units;
      return layer;
    });
    this.min = Float64Array.from(s.scaler.min);
    this.range = Float64Array.from(s.scaler.range);
    this.encoderLayers = s.encoderLayers;
    this.latent = s.latent;
    this.cols = s.cols;
    this.width = Math.max(s.cols, ...this.layers.map((l) => l.units));
  }

  /** The fast path for a fitted VAE that scores by 'mse'; null otherwise (the caller keeps the detector's own). */
  static from(det: VaeDetector): FastVae | null {
    if (det.params.score !== 'mse') return null;
    const saved = det.toJSON();
    if (saved.state === null || typeof saved.state !== 'object') return null;
    return new FastVae(saved.state as unknown as VaeState);
  }

  /** One dense layer on one row: out[0..units) = act(inp[0..inputs) W + b). */
  private dense(l: Layer, inp: Float64Array, out: Float64Array): void {
    const w = this.w;
    const { inputs, units, offset } = l;
    const b = offset + inputs * units;
    for (let u = 0; u < units; u++) out[u] = w[b + u];
    for (let i = 0; i < inputs; i++) {
      const x = inp[i];
      if (x === 0) continue; // relu outputs and count vectors are sparse
      const row = offset + i * units;
      for (let u = 0; u < units; u++) out[u] += x * w[row + u];
    }
    switch (l.activation) {
      case 'relu':
        for (let u = 0; u < units; u++) if (out[u] < 0) out[u] = 0;
        break;
      case 'sigmoid':
        for (let u = 0; u < units; u++) out[u] = 1 / (1 + Math.exp(-out[u]));
        break;
      case 'tanh':
        for (let u = 0; u < units; u++) out[u] = Math.tanh(out[u]);
        break;
      default:
        break;
    }
  }

  /** Scores and latent statistics of `rows` raw (unscaled) vectors stored row by row in `data`. */
  run(data: Float32Array, rows: number): FastScores {
    const d = this.cols;
    const L = this.latent;
    const scores = new Float64Array(rows);
    const mean = new Float32Array(rows * L);
    const variance = new Float32Array(rows * L);
    const xs = new Float64Array(d);
    let a = new Float64Array(this.width);
    let b = new Float64Array(this.width);
    const head = this.layers[this.encoderLayers];
    const stats = new Float64Array(head.units);
    for (let r = 0; r < rows; r++) {
      const o = r * d;
      for (let j = 0; j < d; j++) xs[j] = (data[o + j] - this.min[j]) / this.range[j];
      a.set(xs);
      for (let k = 0; k < this.encoderLayers; k++) {
        this.dense(this.layers[k], a, b);
        [a, b] = [b, a];
      }
      this.dense(head, a, stats);
      for (let k = 0; k < L; k++) {
        mean[r * L + k] = stats[k];
        variance[r * L + k] = Math.exp(stats[L + k]);
        a[k] = stats[k];
      }
      for (let k = this.encoderLayers + 1; k < this.layers.length; k++) {
        this.dense(this.layers[k], a, b);
        [a, b] = [b, a];
      }
      let s = 0;
      for (let j = 0; j < d; j++) s += (xs[j] - a[j]) ** 2;
      scores[r] = s / d;
    }
    return { scores, mean, variance };
  }
}
