import { performance } from 'node:perf_hooks';
import type { FeatureBatch } from '../core/matrix.js';
import type { Detector } from '../detectors/detector.js';
import { detectorFromJSON } from '../detectors/index.js';
import { FeaturePipeline, emptyCounters, type TransformCounters } from '../features/pipeline.js';
import { openInput } from '../ingest/input.js';
import type { OnBadRow, RawBatch, ReadStats } from '../ingest/types.js';
import type { ModelFile } from './model-file.js';

/**
 * Streams files through a loaded model batch by batch: memory stays flat whatever the input size.
 */

export interface ScoredBatch {
  raw: RawBatch;
  scores: Float64Array;
  /** The model features of the batch (the pipeline's output the detector scored). */
  features: FeatureBatch;
}

export interface ScoreRun {
  stats: ReadStats;
  counters: TransformCounters;
  rows: number;
  /** Seconds spent in feature transform + detector scoring (excludes reading/parsing). */
  scoreSeconds: number;
  /** Wall-clock seconds for the whole run including reading. */
  totalSeconds: number;
}

export class LoadedModel {
  readonly pipeline: FeaturePipeline;
  readonly detector: Detector;

  constructor(readonly model: ModelFile) {
    this.pipeline = FeaturePipeline.fromJSON(model.preprocessing);
    this.detector = detectorFromJSON(model.detector);
  }

  get threshold(): number {
    return this.model.threshold.value;
  }

  scoreBatch(b: RawBatch, counters?: TransformCounters): Float64Array {
    return this.detector.score(this.pipeline.transform(b, counters));
  }

  /** Reads `files` (format and reader settings from the model unless overridden) and calls `onBatch` per batch. */
  async scoreFiles(
    files: string[],
    opts: { onBadRow: OnBadRow; format?: string; onProgress?: (bytes: number, total: number) => void },
    onBatch: (b: ScoredBatch) => void | Promise<void>,
  ): Promise<ScoreRun> {
    const { model } = this;
    const t0 = performance.now();
    const reader = await openInput(opts.format ?? model.input.format, files, {
      intervalSeconds: model.reader.intervalSeconds,
      onBadRow: opts.onBadRow,
      includePorts: model.reader.includePorts,
      labelColumn: model.reader.labelColumn,
      idColumns: model.reader.idColumns,
      benignLabels: model.reader.benignLabels,
      expectSchema: model.input,
      onProgress: opts.onProgress,
    });
    const counters = emptyCounters();
    let scoreMs = 0;
    let rows = 0;
    for await (const raw of reader.batches()) {
      const s0 = performance.now();
      const features = this.pipeline.transform(raw, counters);
      const scores = this.detector.score(features);
      scoreMs += performance.now() - s0;
      rows += raw.rows;
      await onBatch({ raw, scores, features });
    }
    return { stats: reader.stats, counters, rows, scoreSeconds: scoreMs / 1000, totalSeconds: (performance.now() - t0) / 1000 };
  }
}
