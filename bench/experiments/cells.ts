/**
 * One experiment cell = one model on one split and task, through the library: FeaturePipeline (fitted on the
 * cell's training rows only) -> createDetector(...).fit -> score / predictClass on the test rows. Times are wall
 * clock on this machine: `prep` = fitting the feature pipeline (incl. the AE reducer), `fit` = the detector's fit,
 * inference = test rows / seconds of `score`.
 */
import { performance } from 'node:perf_hooks';
import type { Matrix } from '../../src/core/matrix.js';
import { Rng } from '../../src/core/rng.js';
import { createDetector, type Detector } from '../../src/detectors/index.js';
import type { HybridDetector } from '../../src/detectors/hybrid/index.js';
import { FeaturePipeline, type PipelineOptions } from '../../src/features/pipeline.js';
import { takeRows } from '../../src/features/table.js';
import { createThresholder } from '../../src/thresholds/index.js';
import type { Split, SplitId } from './data.js';
import { accuracy, detectionAuroc, macroF1, macroOvrAuroc } from './metrics.js';

export type Task = 'binary' | 'multi';

export interface CellResult {
  dataset: string;
  split: SplitId;
  task: Task;
  model: string;
  features: string;
  trainer: string;
  trainRows: number;
  testRows: number;
  accuracy: number;
  macroF1: number;
  /** Attack-vs-benign AUROC of the score (1 - P(benign) for classifiers). */
  auroc: number | null;
  /** Multi-class: macro one-vs-rest AUROC from class probabilities, when the model gives them. */
  macroAuroc: number | null;
  prepSeconds: number;
  fitSeconds: number;
  inferRowsPerSec: number;
  /** Share of test attack rows flagged (predicted non-benign) whose attack class occurs in training / never does. */
  recallSeen: number | null;
  recallUnseen: number | null;
  /** Hybrid + MAML: the meta-training part of fitSeconds. */
  mamlMetaSeconds?: number;
  seed: number;
  note?: string;
}

/** A split seen as a task: class index per row (multi: classes of the training rows; unseen test classes = -1). */
export interface TaskView {
  split: Split;
  task: Task;
  classNames: string[];
  /** Class index per table row. */
  y: Int32Array;
  /** Per table row: 0 benign, 1 attack of a class (attack type / capture) present in the training rows, 2 absent. */
  kind: Int8Array;
}

export function taskView(split: Split, task: Task): TaskView {
  const t = split.dataset.table;
  const names = new Set<string>();
  for (const r of split.train) if (t.label[r] === 1) names.add(t.attackClass[r]);
  const kind = Int8Array.from(t.label, (l, r) => (l !== 1 ? 0 : names.has(t.attackClass[r]) ? 1 : 2));
  if (task === 'binary') return { split, task, classNames: ['benign', 'attack'], y: Int32Array.from(t.label, (l) => (l === 1 ? 1 : 0)), kind };
  const attack = [...names].sort();
  const index = new Map(attack.map((c, i) => [c, i + 1]));
  return { split, task, classNames: ['benign', ...attack], y: Int32Array.from(t.label, (l, r) => (l === 1 ? (index.get(t.attackClass[r]) ?? -1) : 0)), kind };
}

/** Attack recall on test rows of seen / unseen attack classes (null when the test set has none of that kind). */
export function recalls(view: TaskView, flagged: (i: number) => boolean): { recallSeen: number | null; recallUnseen: number | null } {
  const n = [0, 0, 0];
  const hit = [0, 0, 0];
  view.split.test.forEach((r, i) => {
    const k = view.kind[r];
    n[k]++;
    if (flagged(i)) hit[k]++;
  });
  return { recallSeen: n[1] ? hit[1] / n[1] : null, recallUnseen: n[2] ? hit[2] / n[2] : null };
}

export interface Features {
  label: string;
  xTrain: Matrix;
  xTest: Matrix;
  yTrain: Int32Array;
  yTest: Int32Array;
  trainIdx: Int32Array;
  prepSeconds: number;
  dims: number;
  pipeline: FeaturePipeline;
}

/** Fits the pipeline on `trainIdx` only, transforms those rows and the split's test rows. */
export function features(view: TaskView, trainIdx: Int32Array, label: string, options: Partial<PipelineOptions>, seed: number): Features {
  const { table, schema } = view.split.dataset;
  const t0 = performance.now();
  const trainTable = takeRows(table, trainIdx);
  const pipeline = new FeaturePipeline(options).fit(trainTable, schema, { seed });
  const xTrain = pipeline.transform(trainTable);
  const prepSeconds = (performance.now() - t0) / 1000;
  const xTest = pipeline.transform(takeRows(table, view.split.test));
  return {
    label,
    xTrain,
    xTest,
    yTrain: Int32Array.from(trainIdx, (r) => view.y[r]),
    yTest: Int32Array.from(view.split.test, (r) => view.y[r]),
    trainIdx,
    prepSeconds,
    dims: xTrain.cols,
    pipeline,
  };
}

function base(view: TaskView, f: Features, model: string, trainer: string, seed: number) {
  return { dataset: view.split.dataset.name, split: view.split.id, task: view.task, model, features: f.label, trainer, trainRows: f.xTrain.rows, testRows: f.xTest.rows, seed };
}

/** A supervised detector (hybrid, subtab, gbdt) fitted on every training row with its class labels. */
export function supervisedCell(view: TaskView, f: Features, model: string, type: string, params: Record<string, unknown>, seed: number): CellResult {
  const det = createDetector(type, params);
  const t0 = performance.now();
  det.fit(f.xTrain, { seed, labels: f.yTrain, classNames: view.classNames });
  const fitSeconds = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  const score = det.score(f.xTest);
  const inferSeconds = (performance.now() - t1) / 1000;
  const pred = (det.predictClass as NonNullable<Detector['predictClass']>).call(det, f.xTest);
  const proba = view.task === 'multi' ? probaOf(det, f.xTest) : null;
  const maml = type === 'hybrid' ? (det as HybridDetector).training?.maml : undefined;
  return {
    ...base(view, f, model, String(params.trainer ?? '-'), seed),
    accuracy: accuracy(f.yTest, pred),
    macroF1: macroF1(f.yTest, pred),
    auroc: detectionAuroc(f.yTest, score),
    macroAuroc: proba ? macroOvrAuroc(f.yTest, proba, view.classNames.length) : null,
    ...recalls(view, (i) => pred[i] !== 0),
    prepSeconds: f.prepSeconds,
    fitSeconds,
    inferRowsPerSec: f.xTest.rows / Math.max(inferSeconds, 1e-9),
    ...(maml ? { mamlMetaSeconds: maml.seconds } : {}),
  };
}

function probaOf(det: Detector, x: Matrix): Float64Array | null {
  const p = (det as { predictProba?: (x: Matrix) => Float64Array }).predictProba;
  return p ? p.call(det, x) : null;
}

/**
 * A one-class detector: fitted on the split's benign training rows only (80 %; the other 20 % set the threshold at
 * 1 % false alerts), binary task. Predicted attack = score above that threshold.
 */
export function oneClassCell(view: TaskView, benignTrain: Int32Array, model: string, type: string, params: Record<string, unknown>, pipeline: Partial<PipelineOptions>, seed: number): CellResult {
  const rows = benignTrain.slice();
  new Rng(seed).shuffle(rows);
  const nCal = Math.round(rows.length * 0.2);
  const fitIdx = rows.subarray(nCal).slice().sort();
  const calIdx = rows.subarray(0, nCal).slice().sort();
  const f = features(view, fitIdx, 'scaled', pipeline, seed);
  const det = createDetector(type, params);
  const t0 = performance.now();
  det.fit(f.xTrain, { seed });
  const fitSeconds = (performance.now() - t0) / 1000;
  const calX = f.pipeline.transform(takeRows(view.split.dataset.table, calIdx));
  const threshold = createThresholder('contamination', { contamination: 0.01 }).fit(det.score(calX)).value;
  const t1 = performance.now();
  const score = det.score(f.xTest);
  const inferSeconds = (performance.now() - t1) / 1000;
  const yBin = Int32Array.from(f.yTest, (y) => (y === 0 ? 0 : 1));
  const pred = Int32Array.from(score, (s) => (s > threshold ? 1 : 0));
  return {
    ...base(view, f, model, 'one-class', seed),
    trainRows: fitIdx.length,
    accuracy: accuracy(yBin, pred),
    macroF1: macroF1(yBin, pred),
    auroc: detectionAuroc(f.yTest, score),
    macroAuroc: null,
    ...recalls(view, (i) => pred[i] === 1),
    prepSeconds: f.prepSeconds,
    fitSeconds,
    inferRowsPerSec: f.xTest.rows / Math.max(inferSeconds, 1e-9),
    note: 'fitted on benign training rows only; threshold = 1 % of held-out benign training rows',
  };
}
