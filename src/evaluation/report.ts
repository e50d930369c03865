import { PeregrineError } from '../core/errors.js';
import type { ThresholdResult } from '../thresholds/thresholder.js';
import {
  aurocRanked,
  averagePrecisionRanked,
  bestF1Ranked,
  classificationReport,
  confusionMatrix,
  perClassDetection,
  prCurve,
  rank,
  rocCurve,
  scoreHistograms,
  undefinedReason,
  type BenignSummary,
  type BestF1,
  type ClassDetection,
  type ClassificationReport,
  type Confusion,
  type Curve,
  type ScoreHistogram,
} from './metrics.js';

/**
 * The evaluation report: one plain object, so `JSON.stringify(report)` is the `peregrine evaluate --json`
 * output (documented key by key in docs/evaluate-json.md) and the text and HTML views render from it alone.
 * Headline metrics (precision, recall, f1) are for the attack class at the model's own threshold.
 */

export interface EvaluationInput {
  scores: Float64Array;
  /** 1 attack, 0 benign, -1 unlabelled (ignored and counted). */
  labels: Int8Array;
  /** Per-row attack class name ('benign' for benign rows). */
  classes: ArrayLike<string>;
  threshold: ThresholdResult;
  model: { detector: string; file?: string; sizeBytes?: number; trainedRows?: number; features?: number };
  timing: { fitSeconds?: number; scoreSeconds: number; rows: number };
  data: { files: string[]; rowsSkipped: number; nonFinite?: Record<string, number> };
}

export interface EvaluationReport {
  schemaVersion: 1;
  auroc: number | null;
  auprc: number | null;
  /** Why auroc / auprc are null (for example only one class labelled), else null. */
  rankingUndefinedReason: string | null;
  precision: number;
  recall: number;
  f1: number;
  accuracy: number;
  falsePositiveRate: number;
  threshold: number;
  thresholdMethod: string;
  thresholdDetails: {
    params: Record<string, unknown>;
    trainingAlertRate: number;
    impliedFalsePositiveRate: number | null;
    expectedAlertsPerDay: number | null;
    notes: string[];
  };
  bestF1: BestF1 | null;
  confusion: Confusion;
  classificationReport: ClassificationReport;
  perClass: ClassDetection[];
  benign: BenignSummary;
  rows: number;
  positives: number;
  negatives: number;
  prevalence: number;
  rowsIgnored: { unlabelled: number; nanScore: number };
  curves: { roc: Curve | null; pr: Curve | null };
  histogram: ScoreHistogram;
  rowsScored: number;
  scoreSeconds: number;
  scoreRowsPerSecond: number | null;
  fitSeconds: number | null;
  fitRowsPerSecond: number | null;
  modelSizeBytes: number | null;
  model: { detector: string; file: string | null; sizeBytes: number | null; trainedRows: number | null; features: number | null };
  data: { files: string[]; rowsSkipped: number; nonFinite: Record<string, number> };
  notes: string[];
}

const orNull = (v: number | undefined): number | null => (v === undefined || !Number.isFinite(v) ? null : v);
const rate = (rows: number | undefined, seconds: number | undefined): number | null =>
  rows !== undefined && seconds !== undefined && seconds > 0 && Number.isFinite(rows) ? rows / seconds : null;

/** JSON has no Infinity: curve thresholds taken from +-Infinity scores become null. */
function jsonSafe(c: Curve | null): Curve | null {
  if (!c) return null;
  return { ...c, thresholds: c.thresholds.map((t) => (t === null || Number.isFinite(t) ? t : null)) };
}

export function buildEvaluationReport(input: EvaluationInput): EvaluationReport {
  const { scores, labels, classes, threshold: th } = input;
  if (scores.length !== labels.length || classes.length !== scores.length) {
    throw new PeregrineError('PGN_ERR_INTERNAL', `evaluation input lengths differ: ${scores.length} scores, ${labels.length} labels, ${classes.length} classes`);
  }
  const ranked = rank(scores, labels);
  const rows = ranked.positives + ranked.negatives;
  if (rows === 0) {
    throw new PeregrineError('PGN_ERR_NO_LABELS', `none of the ${scores.length} scored rows has a benign/attack label`, {
      where: input.data.files.join(', ') || undefined,
      hint: 'evaluate on labelled data (for example CICFlowMeter CSV with a Label column, or NSL-KDD)',
    });
  }
  const value = th.value;
  const confusion = confusionMatrix(scores, labels, value);
  const report = classificationReport(confusion);
  const { attacks, benign } = perClassDetection(scores, labels, classes, value);
  const reason = undefinedReason(ranked, 'auroc');
  const notes: string[] = [];
  if (reason) notes.push(`AUROC is not defined: ${reason}`);
  if (ranked.ignoredUnlabelled) notes.push(`${ranked.ignoredUnlabelled} unlabelled rows were scored but left out of the metrics`);
  if (ranked.ignoredNaN) notes.push(`${ranked.ignoredNaN} rows with a NaN score were left out of the metrics`);
  if (!Number.isFinite(value)) notes.push(`the threshold is not a finite number (${value})`);

  return {
    schemaVersion: 1,
    auroc: aurocRanked(ranked),
    auprc: averagePrecisionRanked(ranked),
    rankingUndefinedReason: reason,
    precision: report.attack.precision,
    recall: report.attack.recall,
    f1: report.attack['f1-score'],
    accuracy: report.accuracy,
    falsePositiveRate: benign.falsePositiveRate,
    threshold: value,
    thresholdMethod: th.method,
    thresholdDetails: {
      params: th.params,
      trainingAlertRate: th.trainingAlertRate,
      impliedFalsePositiveRate: th.impliedFalsePositiveRate ?? null,
      expectedAlertsPerDay: th.expectedAlertsPerDay ?? null,
      notes: th.notes ?? [],
    },
    bestF1: bestF1Ranked(ranked),
    confusion,
    classificationReport: report,
    perClass: attacks,
    benign,
    rows,
    positives: ranked.positives,
    negatives: ranked.negatives,
    prevalence: ranked.positives / rows,
    rowsIgnored: { unlabelled: ranked.ignoredUnlabelled, nanScore: ranked.ignoredNaN },
    curves: { roc: jsonSafe(rocCurve(ranked)), pr: jsonSafe(prCurve(ranked)) },
    histogram: scoreHistograms(scores, labels, { bins: 50, include: [value] }),
    rowsScored: input.timing.rows,
    scoreSeconds: input.timing.scoreSeconds,
    scoreRowsPerSecond: rate(input.timing.rows, input.timing.scoreSeconds),
    fitSeconds: orNull(input.timing.fitSeconds),
    fitRowsPerSecond: rate(input.model.trainedRows, input.timing.fitSeconds),
    modelSizeBytes: orNull(input.model.sizeBytes),
    model: {
      detector: input.model.detector,
      file: input.model.file ?? null,
      sizeBytes: orNull(input.model.sizeBytes),
      trainedRows: orNull(input.model.trainedRows),
      features: orNull(input.model.features),
    },
    data: { files: input.data.files, rowsSkipped: input.data.rowsSkipped, nonFinite: input.data.nonFinite ?? {} },
    notes,
  };
}
