/**
 * `peregrine evaluate --importance`: permutation feature importance (src/evaluation/importance.ts) of a loaded model
 * on the evaluation rows. The labelled rows are sampled while the evaluation streams (seeded reservoir sampling, at
 * most `maxRows`), so no second read of the files and memory bounded by maxRows x features.
 */
import type { Matrix } from '../core/matrix.js';
import { Rng } from '../core/rng.js';
import { permutationImportance, type ImportanceResult } from '../evaluation/importance.js';
import type { ScoredBatch } from './scorer.js';
import type { LoadedModel } from './scorer.js';

/** Seeded reservoir sample (Algorithm R) of the labelled (benign 0 / attack 1) feature rows of a stream. */
export class LabelledRowSampler {
  private data: Float32Array | null = null;
  private readonly labels: Int8Array;
  private cols = 0;
  private names: readonly string[] = [];
  private seen = 0;
  private readonly rng: Rng;

  constructor(
    readonly maxRows: number,
    seed = 0,
  ) {
    this.labels = new Int8Array(maxRows);
    this.rng = new Rng(seed);
  }

  add({ raw, features }: ScoredBatch): void {
    if (!this.data) {
      this.cols = features.cols;
      this.names = features.names;
      this.data = new Float32Array(this.maxRows * this.cols);
    }
    const d = this.cols;
    for (let r = 0; r < features.rows; r++) {
      const l = raw.label[r];
      if (l !== 0 && l !== 1) continue;
      const slot = this.seen < this.maxRows ? this.seen : this.rng.int(this.seen + 1);
      this.seen++;
      if (slot >= this.maxRows) continue;
      this.data.set(features.data.subarray(r * d, (r + 1) * d), slot * d);
      this.labels[slot] = l;
    }
  }

  /** The sampled rows (in reservoir order), their labels and the feature names. */
  sample(): { x: Matrix; labels: Int8Array; names: readonly string[] } {
    const n = Math.min(this.seen, this.maxRows);
    return { x: { rows: n, cols: this.cols, data: (this.data ?? new Float32Array(0)).subarray(0, n * this.cols) }, labels: this.labels.subarray(0, n), names: this.names };
  }
}

export interface ImportanceSummary {
  /** AUROC of the unpermuted sample. */
  baseline: number;
  rows: number;
  nRepeats: number;
  /** The top features by mean AUROC drop. */
  top: { feature: string; mean: number; sd: number }[];
}

export function importanceOf(loaded: LoadedModel, sampler: LabelledRowSampler, opts: { seed?: number; nRepeats?: number; top?: number; onProgress?: (d: number, t: number) => void } = {}): ImportanceSummary {
  const { x, labels, names } = sampler.sample();
  const r: ImportanceResult = permutationImportance(loaded.detector, x, labels, { seed: opts.seed ?? 0, nRepeats: opts.nRepeats ?? 5, names, onProgress: opts.onProgress });
  return {
    baseline: r.baseline,
    rows: r.rows,
    nRepeats: r.nRepeats,
    top: r.importances.slice(0, opts.top ?? 10).map((f) => ({ feature: f.feature, mean: f.mean, sd: f.sd })),
  };
}

export function formatImportance(s: ImportanceSummary): string {
  const w = Math.max(7, ...s.top.map((f) => f.feature.length));
  return [
    `permutation importance (AUROC drop, ${s.nRepeats} repeats on ${s.rows} sampled rows; baseline AUROC ${s.baseline.toFixed(4)}):`,
    ...s.top.map((f, i) => `  ${String(i + 1).padStart(2)}. ${f.feature.padEnd(w)}  ${f.mean >= 0 ? ' ' : ''}${f.mean.toFixed(4)} +/- ${f.sd.toFixed(4)}`),
  ].join('\n');
}
