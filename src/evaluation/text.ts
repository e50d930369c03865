import type { EvaluationReport } from './report.js';
import type { ClassMetrics } from './confusion.js';

/**
 * Plain-text view of an EvaluationReport for the terminal. The classification report copies scikit-learn's
 * layout (right-aligned columns of width 9, a blank line before the averages) at 4 digits, so people who
 * know sklearn can read it at a glance and diff it against a Python baseline.
 */

const DIGITS = 4;

/** Number with up to 6 significant digits, no trailing zeros, exponent for very small/large magnitudes. */
export function fmtNum(v: number | null | undefined, sig = 6): string {
  if (v === null || v === undefined) return 'n/a';
  if (!Number.isFinite(v)) return String(v);
  if (v !== 0 && (Math.abs(v) < 1e-4 || Math.abs(v) >= 1e7)) return Number(v.toPrecision(sig)).toExponential().replace('e+', 'e');
  return String(Number(v.toPrecision(sig)));
}

export function fmtPct(v: number | null | undefined, digits = 2): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return 'n/a';
  const pct = v * 100;
  // Tiny non-zero rates (1 false positive in millions) keep two significant digits instead of showing 0.000%.
  if (pct > 0 && pct < 0.5 * Math.pow(10, -digits)) return `${Number(pct.toPrecision(2))}%`;
  return `${pct.toFixed(digits)}%`;
}

export function fmtInt(v: number | null | undefined): string {
  return v === null || v === undefined ? 'n/a' : Math.round(v).toLocaleString('en-US');
}

export function fmtBytes(v: number | null | undefined): string {
  if (v === null || v === undefined) return 'n/a';
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let x = v;
  let u = 0;
  while (x >= 1024 && u < units.length - 1) {
    x /= 1024;
    u++;
  }
  return u === 0 ? `${v} B` : `${x.toFixed(1)} ${units[u]}`;
}

export function fmtSeconds(v: number | null | undefined): string {
  if (v === null || v === undefined) return 'n/a';
  return v < 1 ? `${(v * 1000).toFixed(1)} ms` : `${v.toFixed(2)} s`;
}

/** sklearn's classification_report text, from the report's dict form. */
export function formatClassificationReport(report: EvaluationReport['classificationReport']): string {
  const names = ['benign', 'attack', 'macro avg', 'weighted avg'];
  const width = Math.max(...names.map((n) => n.length), DIGITS);
  const col = (s: string): string => ` ${s.padStart(9)}`;
  const row = (name: string, m: ClassMetrics): string =>
    name.padStart(width) + ' ' + col(m.precision.toFixed(DIGITS)) + col(m.recall.toFixed(DIGITS)) + col(m['f1-score'].toFixed(DIGITS)) + col(String(m.support));
  const lines = [
    ''.padStart(width) + ' ' + ['precision', 'recall', 'f1-score', 'support'].map(col).join(''),
    '',
    row('benign', report.benign),
    row('attack', report.attack),
    '',
    'accuracy'.padStart(width) + ' ' + col('') + col('') + col(report.accuracy.toFixed(DIGITS)) + col(String(report['macro avg'].support)),
    row('macro avg', report['macro avg']),
    row('weighted avg', report['weighted avg']),
  ];
  return lines.join('\n');
}

function table(header: string[], rows: string[][], rightAlign: boolean[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]): string =>
    '  ' + r.map((c, i) => (rightAlign[i] ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)];
}

export function formatEvaluationText(r: EvaluationReport): string {
  const out: string[] = [];
  const m = r.model;
  const modelBits = [m.file, m.features !== null ? `${m.features} features` : null, m.trainedRows !== null ? `trained on ${fmtInt(m.trainedRows)} rows` : null];
  out.push(`Model: ${m.detector}${modelBits.some(Boolean) ? ` (${modelBits.filter(Boolean).join(', ')})` : ''}`);
  out.push(`Data: ${r.data.files.join(', ') || '(none)'}`);
  out.push(
    `Rows: ${fmtInt(r.rows)} evaluated (${fmtInt(r.negatives)} benign, ${fmtInt(r.positives)} attack, prevalence ${fmtPct(r.prevalence)})` +
      (r.data.rowsSkipped ? `; ${fmtInt(r.data.rowsSkipped)} input rows skipped` : ''),
  );
  out.push('', formatClassificationReport(r.classificationReport), '');

  out.push('Confusion matrix (rows: true class; columns: predicted; attack = score > threshold)');
  const c = r.confusion;
  out.push(
    ...table(
      ['', 'predicted benign', 'predicted attack'],
      [
        ['true benign', fmtInt(c.tn), fmtInt(c.fp)],
        ['true attack', fmtInt(c.fn), fmtInt(c.tp)],
      ],
      [false, true, true],
    ),
    '',
  );

  out.push(
    r.auroc === null
      ? `AUROC n/a   AUPRC ${r.auprc === null ? 'n/a' : r.auprc.toFixed(DIGITS)}   (${r.rankingUndefinedReason ?? 'not defined'})`
      : `AUROC ${r.auroc.toFixed(DIGITS)}   AUPRC ${r.auprc === null ? 'n/a' : r.auprc.toFixed(DIGITS)}   (a random detector scores AUROC 0.5, AUPRC ${r.prevalence.toFixed(DIGITS)})`,
  );
  const td = r.thresholdDetails;
  out.push(
    `Threshold: ${r.thresholdMethod} = ${fmtNum(r.threshold)} (training alert rate ${fmtPct(td.trainingAlertRate, 3)}; ` +
      `false-positive rate on these benign rows ${fmtPct(r.falsePositiveRate, 3)})`,
  );
  const params = Object.entries(td.params).map(([k, v]) => `${k}=${typeof v === 'number' ? fmtNum(v, 4) : String(v)}`);
  if (params.length) out.push(`  params: ${params.join(', ')}`);
  if (td.impliedFalsePositiveRate !== null) {
    out.push(`  budget: implied false-positive rate ${fmtNum(td.impliedFalsePositiveRate, 4)}, expected ${fmtNum(td.expectedAlertsPerDay, 4)} alerts/day`);
  }
  for (const note of td.notes) out.push(`  note: ${note}`);
  const b = r.bestF1;
  out.push(
    b
      ? `Best-F1 threshold: ${fmtNum(b.threshold)} (precision ${b.precision.toFixed(DIGITS)}, recall ${b.recall.toFixed(DIGITS)}, F1 ${b.f1.toFixed(DIGITS)})`
      : 'Best-F1 threshold: n/a (no attack rows)',
    '',
  );

  if (r.perClass.length) {
    out.push('Detection by attack class (score > threshold)');
    const rows = r.perClass.map((p) => [p.class, fmtInt(p.support), fmtInt(p.detected), fmtPct(p.detectionRate), fmtNum(p.meanScore, 4)]);
    rows.push(['benign (false positives)', fmtInt(r.benign.support), fmtInt(r.benign.flagged), fmtPct(r.benign.falsePositiveRate), fmtNum(r.benign.meanScore, 4)]);
    out.push(...table(['class', 'support', 'detected', 'rate', 'mean score'], rows, [false, true, true, true, true]), '');
  }

  const fit = r.fitSeconds === null ? 'fit n/a' : `fit ${fmtSeconds(r.fitSeconds)}${r.fitRowsPerSecond !== null ? ` (${fmtInt(r.fitRowsPerSecond)} rows/s)` : ''}`;
  const score = `score ${fmtSeconds(r.scoreSeconds)} for ${fmtInt(r.rowsScored)} rows${r.scoreRowsPerSecond !== null ? ` (${fmtInt(r.scoreRowsPerSecond)} rows/s)` : ''}`;
  out.push(`Timing: ${fit}; ${score}`);
  out.push(`Model size: ${fmtBytes(r.modelSizeBytes)}`);
  for (const note of r.notes) out.push(`note: ${note}`);
  return out.join('\n');
}
