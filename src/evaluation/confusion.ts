/**
 * Metrics at one operating threshold (score > threshold = attack): the confusion matrix, scikit-learn's
 * classification_report (output_dict shape, zero_division=0) and the detection rate of each attack class.
 * Rows with a label other than 0/1, or a NaN score, are left out here exactly as in the ranking metrics.
 */

export interface Confusion {
  tn: number;
  fp: number;
  fn: number;
  tp: number;
}

export function confusionMatrix(scores: Float64Array, labels: Int8Array, threshold: number): Confusion {
  const c: Confusion = { tn: 0, fp: 0, fn: 0, tp: 0 };
  for (let i = 0; i < scores.length; i++) {
    const l = labels[i];
    const s = scores[i];
    if ((l !== 0 && l !== 1) || Number.isNaN(s)) continue;
    const flagged = s > threshold;
    if (l === 1) {
      if (flagged) c.tp++;
      else c.fn++;
    } else if (flagged) c.fp++;
    else c.tn++;
  }
  return c;
}

/** One row of the report; the key 'f1-score' is sklearn's spelling, so its JSON reads the same. */
export interface ClassMetrics {
  precision: number;
  recall: number;
  'f1-score': number;
  support: number;
}

export interface ClassificationReport {
  benign: ClassMetrics;
  attack: ClassMetrics;
  accuracy: number;
  'macro avg': ClassMetrics;
  'weighted avg': ClassMetrics;
}

const div = (a: number, b: number): number => (b === 0 ? 0 : a / b); // zero_division=0

function classMetrics(tp: number, fp: number, fn: number): ClassMetrics {
  return {
    precision: div(tp, tp + fp),
    recall: div(tp, tp + fn),
    // 2tp / (2tp + fp + fn) equals 2PR / (P + R) and is 0 (not NaN) when tp = 0.
    'f1-score': div(2 * tp, 2 * tp + fp + fn),
    support: tp + fn,
  };
}

export function classificationReport(c: Confusion): ClassificationReport {
  // The benign class sees the same matrix mirrored: its true positives are the true negatives.
  const benign = classMetrics(c.tn, c.fn, c.fp);
  const attack = classMetrics(c.tp, c.fp, c.fn);
  const total = benign.support + attack.support;
  const avg = (key: 'precision' | 'recall' | 'f1-score', weighted: boolean): number =>
    weighted ? div(benign[key] * benign.support + attack[key] * attack.support, total) : (benign[key] + attack[key]) / 2;
  const averaged = (weighted: boolean): ClassMetrics => ({
    precision: avg('precision', weighted),
    recall: avg('recall', weighted),
    'f1-score': avg('f1-score', weighted),
    support: total,
  });
  return {
    benign,
    attack,
    accuracy: div(c.tp + c.tn, total),
    'macro avg': averaged(false),
    'weighted avg': averaged(true),
  };
}

export interface ClassDetection {
  class: string;
  /** Attack rows of this class (label 1, score not NaN). */
  support: number;
  /** Of those, rows with score > threshold. */
  detected: number;
  detectionRate: number;
  /** Mean of the finite scores of the class; null when it has none. */
  meanScore: number | null;
}

export interface BenignSummary {
  support: number;
  flagged: number;
  falsePositiveRate: number;
  meanScore: number | null;
}

/**
 * Per-attack-class detection (label-1 rows grouped by their class name), sorted by support (largest first,
 * then by name), plus the benign rows' false-positive rate.
 */
export function perClassDetection(
  scores: Float64Array,
  labels: Int8Array,
  classes: ArrayLike<string>,
  threshold: number,
): { attacks: ClassDetection[]; benign: BenignSummary } {
  if (classes.length !== scores.length) throw new Error(`classes (${classes.length}) and scores (${scores.length}) differ in length`);
  const groups = new Map<string, { support: number; detected: number; sum: number; finite: number }>();
  const benign = { support: 0, detected: 0, sum: 0, finite: 0 };
  for (let i = 0; i < scores.length; i++) {
    const l = labels[i];
    const s = scores[i];
    if ((l !== 0 && l !== 1) || Number.isNaN(s)) continue;
    let g = benign;
    if (l === 1) {
      const name = classes[i] || 'attack';
      const found = groups.get(name);
      if (found) g = found;
      else groups.set(name, (g = { support: 0, detected: 0, sum: 0, finite: 0 }));
    }
    g.support++;
    if (s > threshold) g.detected++;
    if (Number.isFinite(s)) {
      g.sum += s;
      g.finite++;
    }
  }
  const attacks = [...groups.entries()]
    .map(([name, g]) => ({
      class: name,
      support: g.support,
      detected: g.detected,
      detectionRate: div(g.detected, g.support),
      meanScore: g.finite ? g.sum / g.finite : null,
    }))
    .sort((a, b) => b.support - a.support || (a.class < b.class ? -1 : a.class > b.class ? 1 : 0));
  return {
    attacks,
    benign: {
      support: benign.support,
      flagged: benign.detected,
      falsePositiveRate: div(benign.detected, benign.support),
      meanScore: benign.finite ? benign.sum / benign.finite : null,
    },
  };
}
