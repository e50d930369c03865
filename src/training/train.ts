import { statSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { PeregrineError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import { PEREGRINE_VERSION } from '../core/version.js';
import { createDetector } from '../detectors/index.js';
import { FeaturePipeline, emptyCounters, type PipelineOptions } from '../features/pipeline.js';
import { concatBatches, takeRows } from '../features/table.js';
import { openTabular } from '../ingest/index.js';
import type { OnBadRow, RawBatch, ReadStats } from '../ingest/types.js';
import { createThresholder } from '../thresholds/index.js';
import { sealModel, MODEL_FORMAT, MODEL_FORMAT_VERSION, type ModelFile, type ReaderSettings } from './model-file.js';

/**
 * The offline training job: read -> (normal rows) -> fit the feature pipeline -> fit the detector -> calibrate the
 * threshold on held-out normal rows -> one sealed model. Training rows are held in memory (they have to be, to fit);
 * scoring streams.
 */

export interface TrainJob {
  format: string;
  files: string[];
  detector: string;
  detectorParams?: Record<string, unknown>;
  normalOnly: boolean;
  seed: number;
  pipeline?: Partial<PipelineOptions>;
  threshold: { method: string; params?: Record<string, unknown> };
  /** Fraction of normal training rows held out to calibrate the threshold (0 = calibrate in-sample). */
  calibrationFraction: number;
  onBadRow: OnBadRow;
  reader: ReaderSettings;
  /** Progress hooks for the CLI (bytes read; detector units done). */
  onReadProgress?: (bytes: number, total: number) => void;
  onFitProgress?: (done: number, total: number) => void;
  command?: string;
}

export interface TrainResult {
  model: ModelFile;
  stats: ReadStats;
  fitSeconds: number;
  readSeconds: number;
  notes: string[];
}

/** Below this many normal rows the threshold is calibrated in-sample (a hold-out would be too small to trust). */
const MIN_ROWS_FOR_HOLDOUT = 1000;

export async function runTraining(job: TrainJob): Promise<TrainResult> {
  const startedAt = new Date();
  const notes: string[] = [];
  // Validate the detector and threshold parameters before reading: a typo must not cost a long read first.
  const detector = createDetector(job.detector, job.detectorParams ?? {});
  const thresholder = createThresholder(job.threshold.method, job.threshold.params ?? {});
  const t0 = performance.now();
  const reader = await openTabular(job.format as 'cicflowmeter', job.files, {
    onBadRow: job.onBadRow,
    includePorts: job.reader.includePorts,
    labelColumn: job.reader.labelColumn,
    idColumns: job.reader.idColumns,
    benignLabels: job.reader.benignLabels,
    onProgress: job.onReadProgress,
  });
  const batches: RawBatch[] = [];
  for await (const b of reader.batches()) batches.push(b);
  const schema = reader.schema;
  const all = concatBatches(batches, schema.numericNames.length, schema.categoricalNames.length, schema.idNames.length);
  batches.length = 0;
  const readSeconds = (performance.now() - t0) / 1000;

  let rows: Int32Array;
  if (job.normalOnly) {
    if (schema.labelName === null) {
      throw new PeregrineError('PGN_ERR_MISSING_COLUMN', '--normal-only needs a label column to find the normal rows', {
        where: job.files[0],
        hint: 'drop --normal-only to train on every row (assumed mostly normal), or name the column with --label-column',
      });
    }
    rows = indicesWhere(all.label, (l) => l === 0);
  } else {
    rows = indicesWhere(all.label, () => true);
    if (schema.labelName !== null && all.label.some((l) => l === 1)) {
      notes.push('training on all rows including attack-labelled ones; pass --normal-only for one-class training on benign rows');
    }
  }
  if (rows.length < 2) {
    throw new PeregrineError('PGN_ERR_NO_TRAINING_ROWS', `only ${rows.length} usable training row(s)`, {
      where: job.files.join(', '),
      hint: job.normalOnly ? 'the files hold no benign rows: check the label column and values' : 'pass more data',
    });
  }
  const rng = new Rng(job.seed);
  rng.shuffle(rows);
  let nCal = 0;
  if (job.calibrationFraction > 0 && rows.length >= MIN_ROWS_FOR_HOLDOUT) {
    nCal = Math.round(rows.length * job.calibrationFraction);
  } else if (job.calibrationFraction > 0) {
    notes.push(`only ${rows.length} training rows: threshold calibrated in-sample (optimistic)`);
  }
  const fitIdx = rows.subarray(nCal).slice().sort();
  const calIdx = nCal > 0 ? rows.subarray(0, nCal).slice().sort() : fitIdx;
  const fitTable = takeRows(all, fitIdx);
  const calTable = nCal > 0 ? takeRows(all, calIdx) : fitTable;

  const t1 = performance.now();
  const pipeline = new FeaturePipeline(job.pipeline).fit(fitTable, schema);
  const counters = emptyCounters();
  const xFit = pipeline.transform(fitTable, counters);
  detector.fit(xFit, { seed: job.seed, onProgress: job.onFitProgress });
  const fitSeconds = (performance.now() - t1) / 1000;
  const calScores = detector.score(nCal > 0 ? pipeline.transform(calTable) : xFit);
  const threshold = thresholder.fit(calScores);
  const finishedAt = new Date();

  const model = sealModel({
    format: MODEL_FORMAT,
    formatVersion: MODEL_FORMAT_VERSION,
    peregrineVersion: PEREGRINE_VERSION,
    createdAt: finishedAt.toISOString(),
    input: schema,
    reader: job.reader,
    features: { names: pipeline.outputNames },
    preprocessing: pipeline.toJSON(),
    detector: detector.toJSON(),
    threshold,
    training: {
      files: job.files.map((path) => ({ path, bytes: safeSize(path) })),
      rowsRead: reader.stats.rowsRead,
      rowsSkipped: reader.stats.rowsSkipped,
      fitRows: fitIdx.length,
      calibrationRows: nCal,
      normalOnly: job.normalOnly,
      classCounts: reader.stats.classCounts,
      seed: job.seed,
      fitSeconds,
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      imputedCells: counters.imputedCells,
      command: job.command,
    },
  });
  return { model, stats: reader.stats, fitSeconds, readSeconds, notes: [...notes, ...(threshold.notes ?? [])] };
}

function indicesWhere(labels: Int8Array, keep: (l: number) => boolean): Int32Array {
  const out: number[] = [];
  for (let i = 0; i < labels.length; i++) if (keep(labels[i])) out.push(i);
  return Int32Array.from(out);
}

function safeSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
