/**
 * SubTab (Ucar, Hajiramezanali and Edwards, "SubTab: Subsetting Features of Tabular Data for Self-Supervised
 * Representation Learning", NeurIPS 2021), supervised detector:
 *
 * 1. features are split into K overlapping contiguous column blocks (default 4 blocks, 75 % overlap);
 * 2. self-supervised stage: a shared encoder maps each subset, corrupted by swap noise (a fraction `maskRatio` of the
 *    cells replaced by the same column's value from another row of the batch, seeded), to an embedding, and a decoder
 *    reconstructs the FULL clean row from it (MSE). The paper's optional contrastive and distance losses are not used;
 * 3. a row's representation is the mean of its K clean subset embeddings;
 * 4. an MLP evaluation head is trained on the representations with the labels (binary or multi-class, softmax
 *    cross-entropy, optional class weights); the encoder is frozen (the paper's linear/MLP evaluation protocol).
 *
 * score = 1 - P(benign); `predictClass` the most likely class; `predictProba` every class probability.
 * Both stages run on the shared trainer's flat fast path (seeded, early stopping, no tensor left behind).
 */
import { z } from 'zod';
import { createMatrix, type Matrix } from '../../core/matrix.js';
import { base64ToF32, f32ToBase64 } from '../../core/encode.js';
import { PeregrineError } from '../../core/errors.js';
import { layoutFrom, topologyOf, type ParamLayout } from '../../training/tf/dense.js';
import { fitFlat } from '../../training/tf/fit.js';
import { checkTopology, fitInfoSchema, topologySchema, type FitInfo } from '../../training/tf/persist.js';
import { denseRun } from '../autoencoder/network.js';
import { checkFitted, detectors, type Detector, type DetectorFactory, type DetectorState, type FitOptions } from '../detector.js';
import { count, readState, requireRows } from '../util.js';
import { HeadTrainable, ReconTrainable, buildHead, buildReconNet, reconNetFromLayout, softmaxInto, subsetLayout, subsetRows, type ReconNet } from './network.js';
import { subtabSchema, type SubtabParams } from './options.js';

const TYPE = 'subtab';
const VERSION = 1;

const stateSchema = z.object({
  cols: count,
  classNames: z.array(z.string()).min(2),
  starts: z.array(count).min(1),
  width: z.number().int().min(1),
  encoderLayers: z.number().int().min(1),
  reconTopology: topologySchema,
  reconWeights: z.string(),
  headTopology: topologySchema,
  headWeights: z.string(),
  /** The self-supervised stage's fit report (null when pretrainEpochs = 0). */
  pretrainFitInfo: fitInfoSchema.nullable(),
  /** The evaluation head's fit report. */
  fitInfo: fitInfoSchema,
});

interface Fitted {
  cols: number;
  classNames: string[];
  starts: number[];
  width: number;
  recon: ReconNet;
  reconWeights: Float32Array;
  head: ParamLayout;
  headWeights: Float32Array;
  pretrainFitInfo: FitInfo | null;
  fitInfo: FitInfo;
}

export class SubtabDetector implements Detector {
  readonly type = TYPE;
  private m: Fitted | null = null;

  constructor(readonly params: SubtabParams) {}

  fit(x: Matrix, options: FitOptions = {}): this {
    requireRows(TYPE, x);
    const p = this.params;
    const labels = options.labels;
    if (!labels) {
      throw new PeregrineError('PGN_ERR_USAGE', 'subtab is supervised: fit() needs labels (0 = benign)', { hint: 'train it with `peregrine train` on labelled data' });
    }
    if (labels.length !== x.rows) throw new PeregrineError('PGN_ERR_USAGE', `subtab: ${labels.length} labels for ${x.rows} rows`);
    let maxLabel = 0;
    for (const l of labels) {
      if (!Number.isInteger(l) || l < 0) throw new PeregrineError('PGN_ERR_USAGE', `subtab: label ${l} is not a class index`);
      maxLabel = Math.max(maxLabel, l);
    }
    const classNames = options.classNames?.slice() ?? (maxLabel <= 1 ? ['benign', 'attack'] : ['benign', ...Array.from({ length: maxLabel }, (_, i) => `class${i + 1}`)]);
    if (classNames.length < 2 || maxLabel >= classNames.length) {
      throw new PeregrineError('PGN_ERR_USAGE', `subtab: label ${maxLabel} but ${classNames.length} class names (need at least two, benign first)`);
    }
    const seed = options.seed ?? 0;
    const total = p.pretrainEpochs + p.epochs;
    const { starts, width } = subsetLayout(x.cols, p.nSubsets, p.overlap);
    const recon = buildReconNet(width, x.cols, p.encoderHidden, p.embeddingDim, p.decoderHidden, p.activation);
    const trainer = { ...p, seed };
    let reconWeights = recon.layout.init(seed);
    let pretrainFitInfo: FitInfo | null = null;
    if (p.pretrainEpochs > 0) {
      const pre = fitFlat(p.backend, reconWeights, (v) => new ReconTrainable(recon, v, starts, width, p.maskRatio), { x: x.data, rows: x.rows, cols: x.cols }, {
        ...trainer,
        epochs: p.pretrainEpochs,
        classWeights: null,
        onProgress: (d) => options.onProgress?.(d, total),
      });
      reconWeights = pre.weights;
      pretrainFitInfo = pre.fitInfo;
    }
    const z = this.embedWith(recon, reconWeights, starts, width, x);
    const head = buildHead(p.embeddingDim, p.headHidden, classNames.length, p.activation);
    const fit = fitFlat(
      p.backend,
      head.init((seed + 0x5bd1e995) >>> 0),
      (v) => new HeadTrainable(head, v, labels),
      { x: z.data, rows: z.rows, cols: z.cols, labels, classes: classNames.length },
      { ...trainer, onProgress: (d) => options.onProgress?.(p.pretrainEpochs + d, total) },
    );
    this.m = { cols: x.cols, classNames, starts, width, recon, reconWeights, head, headWeights: fit.weights, pretrainFitInfo, fitInfo: fit.fitInfo };
    return this;
  }

  /** 1 - P(benign) per row. */
  score(x: Matrix): Float64Array {
    const c = this.fitted(x).classNames.length;
    const proba = this.predictProba(x);
    const out = new Float64Array(x.rows);
    for (let i = 0; i < x.rows; i++) out[i] = 1 - proba[i * c];
    return out;
  }

  /** Class probabilities, rows x classNames.length, row-major (softmax in Float64). */
  predictProba(x: Matrix): Float64Array {
    const m = this.fitted(x);
    const z = this.embed(x);
    const c = m.classNames.length;
    const logits = denseRun(this.params.backend, m.head, m.headWeights, m.head.layers.map((_, i) => i), z);
    const out = new Float64Array(x.rows * c);
    const p = new Float64Array(c);
    for (let i = 0; i < x.rows; i++) {
      softmaxInto(logits, i * c, c, p);
      out.set(p, i * c);
    }
    return out;
  }

  predictClass(x: Matrix): Int32Array {
    const c = this.fitted(x).classNames.length;
    const proba = this.predictProba(x);
    const out = new Int32Array(x.rows);
    for (let i = 0; i < x.rows; i++) {
      let best = 0;
      for (let j = 1; j < c; j++) if (proba[i * c + j] > proba[i * c + best]) best = j;
      out[i] = best;
    }
    return out;
  }

  /** The aggregated representation: mean of the K clean subset embeddings (rows x embeddingDim). */
  embed(x: Matrix): Matrix {
    const m = this.fitted(x);
    return this.embedWith(m.recon, m.reconWeights, m.starts, m.width, x);
  }

  get classNames(): string[] {
    return this.m?.classNames.slice() ?? [];
  }

  /** The evaluation head's fit report (backend, epochs, history); `pretrainFitInfo` is the self-supervised stage's. */
  get fitInfo(): FitInfo | null {
    return this.m?.fitInfo ?? null;
  }

  get pretrainFitInfo(): FitInfo | null {
    return this.m?.pretrainFitInfo ?? null;
  }

  toJSON(): DetectorState {
    const m = this.m;
    return {
      type: TYPE,
      version: VERSION,
      params: { ...this.params },
      state: m && {
        cols: m.cols,
        classNames: m.classNames,
        starts: m.starts,
        width: m.width,
        encoderLayers: m.recon.encoder.length,
        reconTopology: topologyOf(m.recon.layout),
        reconWeights: f32ToBase64(m.reconWeights),
        headTopology: topologyOf(m.head),
        headWeights: f32ToBase64(m.headWeights),
        pretrainFitInfo: m.pretrainFitInfo,
        fitInfo: m.fitInfo,
      },
    };
  }

  static fromJSON(saved: DetectorState): SubtabDetector {
    const { params, state: s } = readState(saved, TYPE, VERSION, subtabSchema, stateSchema);
    const reconWeights = base64ToF32(s.reconWeights);
    const headWeights = base64ToF32(s.headWeights);
    checkTopology(TYPE, s.reconTopology, reconWeights, s.width);
    const recon = reconNetFromLayout(layoutFrom(s.reconTopology), s.encoderLayers);
    const embDim = recon.layout.layers[s.encoderLayers - 1]?.units ?? -1;
    checkTopology(TYPE, s.headTopology, headWeights, embDim);
    const head = layoutFrom(s.headTopology);
    const ok =
      s.encoderLayers < recon.layout.layers.length &&
      recon.layout.layers[recon.layout.layers.length - 1].units === s.cols &&
      head.layers[head.layers.length - 1].units === s.classNames.length &&
      s.width <= s.cols &&
      s.starts.every((st) => st + s.width <= s.cols);
    if (!ok) throw new PeregrineError('PGN_ERR_MODEL_FORMAT', `${TYPE} model is malformed: subsets, encoder and head do not fit together`, { hint: 'retrain the model or restore the original file' });
    const det = new SubtabDetector(params);
    det.m = { cols: s.cols, classNames: s.classNames, starts: s.starts, width: s.width, recon, reconWeights, head, headWeights, pretrainFitInfo: s.pretrainFitInfo, fitInfo: s.fitInfo };
    return det;
  }

  private embedWith(recon: ReconNet, weights: Float32Array, starts: readonly number[], width: number, x: Matrix): Matrix {
    const n = x.rows;
    const k = starts.length;
    const e = recon.layout.layers[recon.encoder[recon.encoder.length - 1]].units;
    const xs = createMatrix(k * n, width, subsetRows(x.data, n, x.cols, starts, width, 0, null));
    const all = denseRun(this.params.backend, recon.layout, weights, recon.encoder, xs);
    const out = new Float32Array(n * e);
    const acc = new Float64Array(e);
    for (let i = 0; i < n; i++) {
      acc.fill(0);
      for (let s = 0; s < k; s++) {
        const o = (s * n + i) * e;
        for (let j = 0; j < e; j++) acc[j] += all[o + j];
      }
      for (let j = 0; j < e; j++) out[i * e + j] = acc[j] / k;
    }
    return createMatrix(n, e, out);
  }

  private fitted(x: Matrix): Fitted {
    checkFitted(TYPE, this.m !== null, this.m?.cols ?? 0, x);
    return this.m as Fitted;
  }
}

export const subtabFactory: DetectorFactory<SubtabParams> = {
  type: TYPE,
  description: 'SubTab (TF.js): overlapping feature subsets, shared encoder pretrained to reconstruct the row under swap noise, MLP head on the mean embedding; supervised, score = 1 - P(benign)',
  schema: subtabSchema,
  kind: 'supervised',
  create: (params) => new SubtabDetector(params),
  fromJSON: (state) => SubtabDetector.fromJSON(state),
  conformance: { params: { pretrainEpochs: 3, epochs: 10, encoderHidden: [32], embeddingDim: 16, headHidden: [16] } },
};

detectors.register(subtabFactory);
