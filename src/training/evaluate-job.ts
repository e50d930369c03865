import type { OnBadRow, ReadStats } from '../ingest/types.js';
import type { TransformCounters } from '../features/pipeline.js';
import { buildEvaluationReport, type EvaluationReport } from '../evaluation/report.js';
import type { LoadedModel, ScoredBatch } from './scorer.js';

/**
 * Scores labelled files with a model and builds the evaluation report. Per-row state kept is only the score,
 * the label and the class index (about 13 bytes a row), so large test sets fit comfortably.
 */

export interface EvaluateJob {
  files: string[];
  onBadRow: OnBadRow;
  format?: string;
  modelFile?: string;
  modelSizeBytes?: number;
  onProgress?: (bytes: number, total: number) => void;
  /** Sees every scored batch (features included), e.g. to sample rows for permutation importance. */
  onBatch?: (b: ScoredBatch) => void;
}

export interface EvaluateResult {
  report: EvaluationReport;
  stats: ReadStats;
  counters: TransformCounters;
  scores: Float64Array;
  labels: Int8Array;
  classes: string[];
}

export async function evaluateModel(loaded: LoadedModel, job: EvaluateJob): Promise<EvaluateResult> {
  const scoreParts: Float64Array[] = [];
  const labelParts: Int8Array[] = [];
  const classParts: string[][] = [];
  const run = await loaded.scoreFiles(job.files, { onBadRow: job.onBadRow, format: job.format, onProgress: job.onProgress }, (b) => {
    const { raw, scores } = b;
    job.onBatch?.(b);
    scoreParts.push(scores);
    labelParts.push(raw.label.slice(0, raw.rows));
    classParts.push(raw.attackClass.slice(0, raw.rows));
  });
  const scores = concatF64(scoreParts);
  const labels = concatI8(labelParts);
  const classes = classParts.flat();
  const m = loaded.model;
  const report = buildEvaluationReport({
    scores,
    labels,
    classes,
    threshold: m.threshold,
    model: {
      detector: m.detector.type,
      file: job.modelFile,
      sizeBytes: job.modelSizeBytes,
      trainedRows: m.training.fitRows,
      features: m.features.names.length,
    },
    timing: { fitSeconds: m.training.fitSeconds, scoreSeconds: run.scoreSeconds, rows: run.rows },
    data: { files: job.files, rowsSkipped: run.stats.rowsSkipped, nonFinite: run.stats.nonFinite },
  });
  return { report, stats: run.stats, counters: run.counters, scores, labels, classes };
}

function concatF64(parts: Float64Array[]): Float64Array {
  const out = new Float64Array(parts.reduce((s, p) => s + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

function concatI8(parts: Int8Array[]): Int8Array {
  const out = new Int8Array(parts.reduce((s, p) => s + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}
