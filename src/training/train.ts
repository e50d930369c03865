import { statSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { PeregrineError } from '../core/errors.js';
import type { Matrix } from '../core/matrix.js';
import { Rng } from '../core/rng.js';
import { PEREGRINE_VERSION } from '../core/version.js';
import { createDetector, detectors, type FitOptions } from '../detectors/index.js';
import { FeaturePipeline, emptyCounters, type PipelineOptions } from '../features/pipeline.js';
import { smote } from '../features/smote/index.js';
import { concatBatches, takeRows } from '../features/table.js';
import { openInput } from '../ingest/input.js';
import type { OnBadRow, RawBatch, ReadStats } from '../ingest/types.js';
import { createThresholder } from '../thresholds/index.js';
import { sealModel, MODEL_FORMAT, MODEL_FORMAT_VERSION, type ModelFile, type ReaderSettings } from './model-file.js';

/**
 * The offline training job: read -> (normal rows) -> fit the feature pipeline -> fit the detector -> calibrate the
 * threshold on held-out normal rows -> one sealed model. Training rows are held in memory (they have to be, to fit);
 * scoring streams.
 *
 * Supervised detectors (factory kind 'supervised', e.g. gbdt) are fitted on every labelled row, benign and attack,
 * with FitOptions.labels (0 = benign) and classNames (['benign', 'attack'], or with `multiClass` ['benign', ...attack
 * classes sorted by name]); the class names are kept in the detector state. Their threshold is still calibrated the
 * same way, on held-out BENIGN training rows only (the calibration fraction of the benign rows is left out of the fit),
 * so a thresholder's contamination / budget keeps meaning "false alerts on normal traffic". Optional SMOTE
 * oversampling applies to the supervised fit rows only, after the feature pipeline (which is fitted on real rows).
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
  /** Supervised detectors: one class per attack type instead of benign/attack (default false). */
  multiClass?: boolean;
  /** Supervised detectors: SMOTE-oversample the minority classes of the fit rows (ignored, with a note, otherwise). */
  smote?: boolean;
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
  const supervised = detectors.get(job.detector).kind === 'supervised';
  if (supervised && job.normalOnly) {
    throw new PeregrineError('PGN_ERR_USAGE', `${job.detector} is a supervised detector: it learns from benign and attack rows, so --normal-only does not apply`, {
      where: '--normal-only',
      hint: 'drop --normal-only, or choose a one-class detector (see `peregrine detectors`)',
    });
  }
  const t0 = performance.now();
  const reader = await openInput(job.format, job.files, {
    intervalSeconds: job.reader.intervalSeconds,
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
  /** Supervised training only: the attack rows (always fitted on; `rows` then holds the benign rows). */
  let attackRows: Int32Array = new Int32Array(0);
  if (supervised) {
    if (schema.labelName === null) {
      throw new PeregrineError('PGN_ERR_MISSING_COLUMN', `${job.detector} is a supervised detector and needs labelled rows; the data has no label column`, {
        where: job.files[0],
        hint: 'name the label column with --label-column, or choose a one-class detector',
      });
    }
    rows = indicesWhere(all.label, (l) => l === 0);
    attackRows = indicesWhere(all.label, (l) => l === 1);
    if (attackRows.length === 0 || rows.length === 0) {
      throw new PeregrineError('PGN_ERR_NO_TRAINING_ROWS', `${job.detector} is supervised and needs both benign and attack rows; the files hold ${rows.length} benign and ${attackRows.length} attack rows`, {
        where: job.files.join(', '),
        hint: 'add labelled rows of the missing class, or train a one-class detector with --normal-only',
      });
    }
  } else if (job.normalOnly) {
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
  if (rows.length + attackRows.length < 2) {
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
    notes.push(`only ${rows.length} ${supervised ? 'benign ' : ''}training rows: threshold calibrated in-sample (optimistic)`);
  }
  // Supervised: the benign rows not held out plus every attack row. The threshold is calibrated on benign rows only.
  const benignFit = rows.subarray(nCal).slice().sort();
  const fitIdx = supervised ? Int32Array.from([...benignFit, ...attackRows]).sort() : benignFit;
  const calIdx = nCal > 0 ? rows.subarray(0, nCal).slice().sort() : benignFit;
  const fitTable = takeRows(all, fitIdx);
  const calTable = calIdx === fitIdx ? fitTable : takeRows(all, calIdx);

  const t1 = performance.now();
  const pipeline = new FeaturePipeline(job.pipeline).fit(fitTable, schema, { seed: job.seed });
  const aeStep = pipeline.toJSON().ae;
  if (aeStep) notes.push(`autoencoder feature reduction: ${aeStep.inputDim} -> ${aeStep.options.bottleneck} features (training reconstruction MSE ${aeStep.trainingReconstructionMse.toPrecision(4)}, ${aeStep.fitInfo.epochsRun} epochs on ${aeStep.fitInfo.backend})`);
  const counters = emptyCounters();
  const xFit = pipeline.transform(fitTable, counters);
  const fitOptions: FitOptions = { seed: job.seed, onProgress: job.onFitProgress };
  let xTrain: Matrix = xFit;
  if (supervised) {
    const { labels, classNames } = classLabels(fitTable, job.multiClass === true);
    fitOptions.labels = labels;
    fitOptions.classNames = classNames;
    notes.push(`supervised training on ${benignFit.length} benign + ${attackRows.length} attack rows, classes: ${classNames.join(', ')}`);
    if (job.smote) {
      const r = smote(xFit, labels, { seed: job.seed });
      xTrain = r.x;
      fitOptions.labels = r.labels;
      const added = r.added.map((n, c) => (n > 0 ? `${classNames[c]} +${n}` : '')).filter(Boolean);
      notes.push(`SMOTE: ${added.length ? added.join(', ') : 'no class needed synthetic rows'} (${r.x.rows} fit rows)`);
      if (r.skipped.length) notes.push(`SMOTE: class(es) ${r.skipped.map((c) => classNames[c]).join(', ')} have a single row and were not oversampled`);
    }
  } else {
    if (job.smote) notes.push(`--smote ignored: ${job.detector} is a one-class detector (SMOTE applies to supervised detectors only)`);
    if (job.multiClass) notes.push(`--multiclass ignored: ${job.detector} is a one-class detector`);
  }
  detector.fit(xTrain, fitOptions);
  const fitSeconds = (performance.now() - t1) / 1000;
  const calScores = detector.score(calIdx === fitIdx ? xFit : pipeline.transform(calTable));
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

/**
 * Class index per row for supervised training: binary (benign 0, attack 1) or, with multiClass, one class per attack
 * class name: classNames = ['benign', ...attack class names sorted by name].
 */
function classLabels(t: RawBatch, multiClass: boolean): { labels: Int32Array; classNames: string[] } {
  if (!multiClass) return { labels: Int32Array.from(t.label, (l) => (l === 1 ? 1 : 0)), classNames: ['benign', 'attack'] };
  const names = new Set<string>();
  for (let i = 0; i < t.rows; i++) if (t.label[i] === 1) names.add(t.attackClass[i]);
  const attack = [...names].sort();
  const index = new Map(attack.map((c, i) => [c, i + 1]));
  const labels = Int32Array.from(t.label, (l, i) => (l === 1 ? (index.get(t.attackClass[i]) as number) : 0));
  return { labels, classNames: ['benign', ...attack] };
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
