/**
 * The Siamese few-shot cell: one twin CNN trained on pairs of training rows, then the test rows classified against
 * k labelled support rows per class for k = 1, 5, 10, 20, 50. The CNN embeds every test row once
 * (SiameseDetector.embedRows); each k draws its own seeded support set from the training rows and only those rows
 * are embedded, the head compares embeddings (similaritiesFrom). Prediction = class with the highest mean P(same);
 * score = 1 - P(benign) with P normalised over the classes, as the detector's own score().
 */
import { performance } from 'node:perf_hooks';
import { createMatrix, type Matrix } from '../../src/core/matrix.js';
import { Rng } from '../../src/core/rng.js';
import { createDetector } from '../../src/detectors/index.js';
import type { SiameseDetector } from '../../src/detectors/siamese/siamese.js';
import { recalls, type CellResult, type Features, type TaskView } from './cells.js';
import { accuracy, detectionAuroc, macroF1, macroOvrAuroc } from './metrics.js';

export interface ShotPoint {
  shots: number;
  accuracy: number;
  macroF1: number;
  auroc: number | null;
  macroAuroc: number | null;
}

export interface FewShotResult {
  cell: CellResult;
  curve: ShotPoint[];
  /** The same sweep with a network after a single training step (the untrained embedding's distances). */
  baselineCurve: ShotPoint[];
  pairs: number;
  epochs: number;
  trainPairAccuracy: number | null;
  valPairAccuracy: number | null;
  testRowsUsed: number;
}

function rowsOf(x: Matrix, idx: ArrayLike<number>): Matrix {
  const m = createMatrix(idx.length, x.cols);
  for (let k = 0; k < idx.length; k++) m.data.set(x.data.subarray(idx[k] * x.cols, (idx[k] + 1) * x.cols), k * x.cols);
  return m;
}

export function fewShotCell(
  view: TaskView,
  f: Features,
  params: Record<string, unknown>,
  shots: number[],
  maxTestRows: number,
  seed: number,
): FewShotResult {
  const det = createDetector('siamese', { ...params, shots: Math.max(...shots) }) as unknown as SiameseDetector;
  const t0 = performance.now();
  det.fit(f.xTrain, { seed, labels: f.yTrain, classNames: view.classNames });
  const fitSeconds = (performance.now() - t0) / 1000;
  const rng = new Rng(seed ^ 0x5eed);
  const testPick = f.xTest.rows > maxTestRows ? Array.from(rng.sampleIndices(f.xTest.rows, maxTestRows)).sort((a, b) => a - b) : Array.from({ length: f.xTest.rows }, (_, i) => i);
  const xTest = rowsOf(f.xTest, testPick);
  const yTest = Int32Array.from(testPick, (i) => f.yTest[i]);
  const t1 = performance.now();
  const eTest = det.embedRows(xTest);
  const embedSeconds = (performance.now() - t1) / 1000;
  const K = view.classNames.length;
  const byClass: number[][] = view.classNames.map(() => []);
  f.yTrain.forEach((y, i) => byClass[y].push(i));
  const sweep = (model: SiameseDetector, eRows: Float32Array) => {
    const curve: ShotPoint[] = [];
    let headSeconds = 0;
    let predAt5: Int32Array | null = null;
    for (const k of shots) {
      const srng = new Rng(seed + 1000 * k);
      const idx: number[] = [];
      const labels: number[] = [];
      byClass.forEach((rows, c) => {
        for (const j of srng.sampleIndices(rows.length, k)) {
          idx.push(rows[j]);
          labels.push(c);
        }
      });
      const eSupport = model.embedRows(rowsOf(f.xTrain, idx));
      const th = performance.now();
      const sims = model.similaritiesFrom(eRows, xTest.rows, eSupport, labels);
      if (k === 5) headSeconds = (performance.now() - th) / 1000;
      const present = byClass.map((r) => r.length > 0);
      const pred = new Int32Array(xTest.rows);
      const score = new Float64Array(xTest.rows);
      const proba = new Float64Array(xTest.rows * K);
      for (let i = 0; i < xTest.rows; i++) {
        let best = -1;
        let total = 0;
        for (let c = 0; c < K; c++) {
          if (!present[c]) continue;
          total += sims[i * K + c];
          if (best < 0 || sims[i * K + c] > sims[i * K + best]) best = c;
        }
        pred[i] = best;
        for (let c = 0; c < K; c++) proba[i * K + c] = total > 0 ? sims[i * K + c] / total : 1 / K;
        score[i] = 1 - proba[i * K];
      }
      if (k === 5 || predAt5 === null) predAt5 = pred;
      curve.push({
        shots: k,
        accuracy: accuracy(yTest, pred),
        macroF1: macroF1(yTest, pred),
        auroc: detectionAuroc(yTest, score),
        macroAuroc: view.task === 'multi' ? macroOvrAuroc(yTest, proba, K) : null,
      });
    }
    return { curve, headSeconds, predAt5: predAt5 as unknown as Int32Array };
  };
  const { curve, headSeconds: headSecondsAt5, predAt5 } = sweep(det, eTest);
  // The same sweep through a network that took a single Adam step: what pair training adds over the initial,
  // untrained embedding (whose L1 distances already act like a nearest-neighbour classifier).
  const init = createDetector('siamese', { ...params, pairs: 2, epochs: 1, validationSplit: 0, shots: Math.max(...shots) }) as unknown as SiameseDetector;
  init.fit(f.xTrain, { seed, labels: f.yTrain, classNames: view.classNames });
  const baselineCurve = sweep(init, init.embedRows(xTest)).curve;
  const at5 = curve.find((p) => p.shots === 5) ?? curve[0];
  const info = det.fitInfo;
  const last = <T>(xs: readonly T[] | undefined): T | null => (xs && xs.length ? xs[xs.length - 1] : null);
  const hist = info?.history as { accuracy?: number[]; valAccuracy?: number[] } | undefined;
  return {
    cell: {
      dataset: view.split.dataset.name,
      split: view.split.id,
      task: view.task,
      model: 'siamese CNN (5 shots)',
      features: f.label,
      trainer: 'standard',
      trainRows: f.xTrain.rows,
      testRows: xTest.rows,
      accuracy: at5.accuracy,
      macroF1: at5.macroF1,
      auroc: at5.auroc,
      macroAuroc: at5.macroAuroc,
      ...recalls({ ...view, split: { ...view.split, test: Int32Array.from(testPick, (i) => view.split.test[i]) } }, (i) => predAt5[i] !== 0),
      prepSeconds: f.prepSeconds,
      fitSeconds,
      inferRowsPerSec: xTest.rows / Math.max(embedSeconds + headSecondsAt5, 1e-9),
      seed,
      note: `test rows: a seeded sample of ${xTest.rows}; ${String(params.pairs)} training pairs x ${String(params.epochs)} epoch(s)`,
    },
    curve,
    baselineCurve,
    pairs: Number(params.pairs),
    epochs: Number(params.epochs),
    trainPairAccuracy: last(hist?.accuracy),
    valPairAccuracy: last(hist?.valAccuracy),
    testRowsUsed: xTest.rows,
  };
}
