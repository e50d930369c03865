/** Classification metrics for the experiment tables (scikit-learn's definitions). */
import { auroc } from '../../src/evaluation/metrics.js';

export function accuracy(yTrue: Int32Array, yPred: Int32Array): number {
  let ok = 0;
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] === yPred[i]) ok++;
  return yTrue.length ? ok / yTrue.length : NaN;
}

/**
 * Macro F1 over the classes present in y_true or y_pred (scikit-learn's `f1_score(average='macro')`, zero_division 0).
 * Labels < 0 (test classes the model was never trained on) count as their own class that can never be predicted.
 */
export function macroF1(yTrue: Int32Array, yPred: Int32Array): number {
  const classes = new Set<number>([...yTrue, ...yPred]);
  let sum = 0;
  for (const c of classes) {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (let i = 0; i < yTrue.length; i++) {
      const t = yTrue[i] === c;
      const p = yPred[i] === c;
      if (t && p) tp++;
      else if (p) fp++;
      else if (t) fn++;
    }
    sum += tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
  }
  return classes.size ? sum / classes.size : NaN;
}

/** Binary AUROC of `score` for attack (yTrue > 0 or < 0: any non-benign row) against benign (0). */
export function detectionAuroc(yTrue: Int32Array, score: Float64Array): number | null {
  return auroc(score, Int8Array.from(yTrue, (y) => (y === 0 ? 0 : 1)));
}

/** Macro one-vs-rest AUROC from class probabilities (rows x K), over classes with positives and negatives in y_true. */
export function macroOvrAuroc(yTrue: Int32Array, proba: Float64Array, K: number): number | null {
  let sum = 0;
  let n = 0;
  for (let c = 0; c < K; c++) {
    const s = Float64Array.from({ length: yTrue.length }, (_, i) => proba[i * K + c]);
    const a = auroc(s, Int8Array.from(yTrue, (y) => (y === c ? 1 : 0)));
    if (a !== null) {
      sum += a;
      n++;
    }
  }
  return n ? sum / n : null;
}

/** Per-class recall (rows of class c predicted c), for the held-out-class notes. */
export function recallOf(yTrue: Int32Array, yPred: Int32Array, isPositive: (y: number) => boolean, predictedPositive: (p: number) => boolean): number {
  let pos = 0;
  let hit = 0;
  for (let i = 0; i < yTrue.length; i++) {
    if (!isPositive(yTrue[i])) continue;
    pos++;
    if (predictedPositive(yPred[i])) hit++;
  }
  return pos ? hit / pos : NaN;
}
