import { z } from 'zod';
import type { FeatureBatch } from '../core/matrix.js';
import { PeregrineError } from '../core/errors.js';
import type { RawBatch, RawSchema } from '../ingest/types.js';
import { fitScaler, applyScaler, SCALER_KINDS, type ScalerState } from './scalers/index.js';
import { fitPca, PcaProjector, type PcaState } from './pca/index.js';
import { AeReducer, type AeReducerState } from './reduce/index.js';

/**
 * The feature pipeline: one-hot (categorical) -> impute non-finite -> drop constant columns -> optional signed
 * log1p -> scaler -> optional PCA -> optional autoencoder reduction (AeReducer, 10-d bottleneck). Every step is fitted on training rows only and saved inside the model, so
 * scoring applies exactly what training learnt. Counters (imputed cells, unseen categories) are kept so nothing
 * is changed silently.
 */

export const pipelineOptionsSchema = z.object({
  impute: z.enum(['median', 'mean', 'zero']).default('median'),
  dropConstant: z.boolean().default(true),
  log1p: z.boolean().default(false),
  scaler: z.enum(SCALER_KINDS as [string, ...string[]]).default('standard'),
  /** null = no PCA; a number in (0,1) = variance target; an integer >= 1 = number of components. */
  pca: z.number().positive().nullable().default(null),
  /** Categories seen fewer times than this in training are treated like unseen ones (all-zero group). */
  minCategoryCount: z.number().int().min(1).default(1),
  /**
   * null = no autoencoder step; an object = AeReducer options ({} for the defaults: 10-d bottleneck) for a last step
   * that encodes the scaled (and PCA-projected, if any) rows. Saved in the state as `ae`; states without it load.
   */
  ae: z.record(z.string(), z.unknown()).nullable().default(null),
});
export type PipelineOptions = z.infer<typeof pipelineOptionsSchema>;

export interface PipelineState {
  version: 1;
  options: PipelineOptions;
  numericNames: string[];
  categoricalNames: string[];
  /** Per categorical column, the categories seen in training (sorted); unseen -> all-zero group. */
  categories: string[][];
  /** Imputation value per expanded column (numeric then one-hot). */
  fill: number[];
  /** Indices of expanded columns kept after constant-column removal. */
  kept: number[];
  expandedNames: string[];
  scaler: ScalerState;
  pca: PcaState | null;
  /** The fitted autoencoder reduction (absent in models written before the step existed). */
  ae?: AeReducerState | null;
  outputNames: string[];
}

export interface PipelineFitOptions {
  /** Seed of the autoencoder step (default 0). */
  seed?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface TransformCounters {
  imputedCells: Record<string, number>;
  unseenCategories: Record<string, number>;
}

export function emptyCounters(): TransformCounters {
  return { imputedCells: {}, unseenCategories: {} };
}

export class FeaturePipeline {
  private state: PipelineState | null = null;
  private projector: PcaProjector | null = null;
  private reducer: AeReducer | null = null;
  private catIndex: Map<string, number>[] = [];
  readonly options: PipelineOptions;

  constructor(options: Partial<PipelineOptions> = {}) {
    this.options = pipelineOptionsSchema.parse(options);
    // Validate the autoencoder options now (a typo must not wait for the data to be read).
    if (this.options.ae) new AeReducer(this.options.ae);
  }

  get outputNames(): string[] {
    return this.requireState().outputNames;
  }

  get fitted(): boolean {
    return this.state !== null;
  }

  /** Fits every step on `t` (training rows only). */
  fit(t: RawBatch, schema: RawSchema, fitOptions: PipelineFitOptions = {}): this {
    if (t.rows === 0) throw new PeregrineError('PGN_ERR_NO_TRAINING_ROWS', 'no training rows to fit the feature pipeline on');
    const nNum = schema.numericNames.length;
    const categories = schema.categoricalNames.map((_, c) => {
      const counts = new Map<string, number>();
      for (const v of t.categorical[c]) counts.set(v, (counts.get(v) ?? 0) + 1);
      return [...counts].filter(([, n]) => n >= this.options.minCategoryCount).map(([v]) => v).sort();
    });
    const expandedNames = [
      ...schema.numericNames,
      ...schema.categoricalNames.flatMap((name, c) => categories[c].map((v) => `${name}=${v}`)),
    ];
    this.catIndex = categories.map((cats) => new Map(cats.map((v, i) => [v, i])));
    const dExp = expandedNames.length;
    // Column-major Float64 copy of the expanded training data (before imputation) for per-column statistics.
    const cols = Array.from({ length: dExp }, () => new Float64Array(t.rows));
    for (let r = 0; r < t.rows; r++) for (let j = 0; j < nNum; j++) cols[j][r] = t.numeric[r * nNum + j];
    let base = nNum;
    categories.forEach((cats, c) => {
      const idx = this.catIndex[c];
      for (let r = 0; r < t.rows; r++) {
        const k = idx.get(t.categorical[c][r]);
        if (k !== undefined) cols[base + k][r] = 1;
      }
      base += cats.length;
    });
    const fill = cols.map((col) => imputeValue(col, this.options.impute));
    for (let j = 0; j < dExp; j++) {
      const col = cols[j];
      for (let r = 0; r < t.rows; r++) if (!Number.isFinite(col[r])) col[r] = fill[j];
    }
    const kept: number[] = [];
    for (let j = 0; j < dExp; j++) {
      const col = cols[j];
      let constant = true;
      for (let r = 1; r < t.rows && constant; r++) if (col[r] !== col[0]) constant = false;
      if (!constant || !this.options.dropConstant) kept.push(j);
    }
    if (kept.length === 0) {
      throw new PeregrineError('PGN_ERR_NO_TRAINING_ROWS', 'every feature column is constant in the training rows', {
        hint: 'train on more varied data or pass --keep-constant',
      });
    }
    const keptCols = kept.map((j) => cols[j]);
    if (this.options.log1p) for (const col of keptCols) for (let r = 0; r < col.length; r++) col[r] = slog1p(col[r]);
    const scaler = fitScaler(this.options.scaler as ScalerState['kind'], keptCols);
    let pca: PcaState | null = null;
    let outputNames = kept.map((j) => expandedNames[j]);
    if (this.options.pca !== null) {
      const d = keptCols.length;
      const rowMajor = new Float64Array(t.rows * d);
      for (let j = 0; j < d; j++) for (let r = 0; r < t.rows; r++) rowMajor[r * d + j] = keptCols[j][r];
      applyScaler(scaler, rowMajor, t.rows);
      const p = this.options.pca;
      pca = fitPca(rowMajor, t.rows, d, p < 1 ? { varianceTarget: p } : { nComponents: p });
      outputNames = Array.from({ length: pca.k }, (_, i) => `pc${i + 1}`);
    }
    let ae: AeReducerState | null = null;
    if (this.options.ae) {
      const d = keptCols.length;
      let rowMajor: Float64Array = new Float64Array(t.rows * d);
      for (let j = 0; j < d; j++) for (let r = 0; r < t.rows; r++) rowMajor[r * d + j] = keptCols[j][r];
      applyScaler(scaler, rowMajor, t.rows);
      let width = d;
      if (pca) {
        rowMajor = new PcaProjector(pca).project(rowMajor, t.rows);
        width = pca.k;
      }
      const reducer = new AeReducer(this.options.ae).fit(
        { rows: t.rows, cols: width, data: Float32Array.from(rowMajor) },
        { seed: fitOptions.seed ?? 0, onProgress: fitOptions.onProgress },
      );
      ae = reducer.toJSON();
      outputNames = reducer.outputNames;
    }
    this.setState({
      version: 1,
      options: this.options,
      numericNames: [...schema.numericNames],
      categoricalNames: [...schema.categoricalNames],
      categories,
      fill,
      kept,
      expandedNames,
      scaler,
      pca,
      ...(ae ? { ae } : {}),
      outputNames,
    });
    return this;
  }

  /** Transforms a batch into model features, counting imputed cells and unseen categories into `counters`. */
  transform(b: RawBatch, counters?: TransformCounters): FeatureBatch {
    const s = this.requireState();
    const nNum = s.numericNames.length;
    const kept = s.kept;
    const d = kept.length;
    const out = new Float64Array(b.rows * d);
    // Position of each expanded column in the kept list (-1 = dropped).
    const slot = new Int32Array(s.expandedNames.length).fill(-1);
    kept.forEach((j, i) => (slot[j] = i));
    const imputed = new Float64Array(s.expandedNames.length);
    for (let r = 0; r < b.rows; r++) {
      const o = r * d;
      for (let i = 0; i < d; i++) {
        const j = kept[i];
        if (j < nNum) {
          let v = b.numeric[r * nNum + j];
          if (!Number.isFinite(v)) {
            v = s.fill[j];
            imputed[j]++;
          }
          out[o + i] = v;
        }
      }
    }
    let base = nNum;
    s.categories.forEach((cats, c) => {
      const idx = this.catIndex[c];
      const col = b.categorical[c];
      for (let r = 0; r < b.rows; r++) {
        const k = idx.get(col[r]);
        if (k === undefined) {
          if (counters) counters.unseenCategories[s.categoricalNames[c]] = (counters.unseenCategories[s.categoricalNames[c]] ?? 0) + 1;
          continue;
        }
        const i = slot[base + k];
        if (i >= 0) out[r * d + i] = 1;
      }
      base += cats.length;
    });
    if (counters) {
      for (let j = 0; j < nNum; j++) {
        if (imputed[j] > 0) counters.imputedCells[s.expandedNames[j]] = (counters.imputedCells[s.expandedNames[j]] ?? 0) + imputed[j];
      }
    }
    if (s.options.log1p) {
      for (let r = 0; r < b.rows; r++) for (let i = 0; i < d; i++) out[r * d + i] = slog1p(out[r * d + i]);
    }
    applyScaler(s.scaler, out, b.rows);
    let final: Float64Array = out;
    let cols = d;
    if (this.projector) {
      final = this.projector.project(out, b.rows);
      cols = this.projector.k;
    }
    if (this.reducer) {
      final = this.reducer.project(final, b.rows);
      cols = this.reducer.outputDim;
    }
    return { data: Float32Array.from(final), rows: b.rows, cols, names: s.outputNames };
  }

  toJSON(): PipelineState {
    return this.requireState();
  }

  static fromJSON(state: PipelineState): FeaturePipeline {
    if (state?.version !== 1) throw new PeregrineError('PGN_ERR_MODEL_FORMAT', `feature pipeline state version ${String(state?.version)} is not supported`);
    const p = new FeaturePipeline(state.options);
    p.setState(state);
    return p;
  }

  private setState(state: PipelineState): void {
    this.state = state;
    this.catIndex = state.categories.map((cats) => new Map(cats.map((v, i) => [v, i])));
    this.projector = state.pca ? new PcaProjector(state.pca) : null;
    this.reducer = state.ae ? AeReducer.fromJSON(state.ae) : null;
  }

  private requireState(): PipelineState {
    if (!this.state) throw new Error('feature pipeline used before fit()');
    return this.state;
  }
}

/** Signed log1p: keeps the sign so negative values (e.g. -1 IAT sentinels) stay ordered. */
export function slog1p(x: number): number {
  return x < 0 ? -Math.log1p(-x) : Math.log1p(x);
}

function imputeValue(col: Float64Array, policy: PipelineOptions['impute']): number {
  if (policy === 'zero') return 0;
  const finite: number[] = [];
  for (let i = 0; i < col.length; i++) if (Number.isFinite(col[i])) finite.push(col[i]);
  if (finite.length === 0) return 0;
  if (policy === 'mean') return finite.reduce((s, v) => s + v, 0) / finite.length;
  finite.sort((a, b) => a - b);
  const m = finite.length >> 1;
  return finite.length % 2 ? finite[m] : (finite[m - 1] + finite[m]) / 2;
}
