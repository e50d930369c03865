import type { EvaluationReport } from './report.js';
import { barChart, escapeXml as esc, histogram, lineChart, PALETTE } from './svg.js';
import { fmtBytes, fmtInt, fmtNum, fmtPct, fmtSeconds } from './text.js';

/**
 * One self-contained HTML page for an evaluation: inline CSS and SVG only (no scripts, fonts or CDNs), so it
 * opens offline, survives being mailed or attached to a ticket, and cannot phone home. The log/linear toggle
 * of the histogram is a CSS checkbox, not JavaScript.
 */

export interface HtmlReportOptions {
  title?: string;
  /** Extra sections appended after the standard ones; `html` is inserted as given (the caller escapes it). */
  extraSections?: { title: string; html: string }[];
}

const BENIGN = PALETTE[0];
const ATTACK = PALETTE[1];
const f4 = (v: number | null): string => (v === null ? 'n/a' : v.toFixed(4));

const CSS = `
*{box-sizing:border-box}body{margin:0;background:#f4f5f7;color:#1b1f24;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif}
main{max-width:1240px;margin:0 auto;padding:20px 24px 40px}
header h1{font-size:22px;margin:0 0 6px}header p{margin:2px 0;color:#4a5058}
h2{font-size:16px;margin:0 0 10px}
section{background:#fff;border:1px solid #dde1e6;border-radius:8px;padding:16px 18px;margin-top:16px}
.cards{display:grid;grid-template-columns:repeat(4,1fr);gap:10px;background:none;border:0;padding:0}
.card{background:#fff;border:1px solid #dde1e6;border-radius:8px;padding:10px 14px}
.card .k{color:#5b626b;font-size:12px;text-transform:uppercase;letter-spacing:.04em}
.card .v{font-size:24px;font-weight:650;font-variant-numeric:tabular-nums}.card .s{color:#5b626b;font-size:12px}
.grid2{display:grid;grid-template-columns:repeat(auto-fit,minmax(520px,1fr));gap:16px;background:none;border:0;padding:0}
.grid2{margin-top:16px}.grid2>section{margin-top:0}
svg{max-width:100%;height:auto;display:block}
@media (max-width:760px){.cards{grid-template-columns:repeat(2,1fr)}}
table{border-collapse:collapse;font-variant-numeric:tabular-nums}
th,td{padding:5px 12px;text-align:right;border-bottom:1px solid #eceef1}th:first-child,td:first-child{text-align:left}
th{font-weight:600;color:#3c424a}tr.gap td{border:0;padding:4px}
.cm td.cell{min-width:130px;text-align:center;font-size:15px}
.cm .pct{display:block;font-size:12px;opacity:.85}
.note{color:#6b4e00;background:#fff7e0;border-left:3px solid #e69f00;padding:6px 10px;margin:6px 0}
.toggle-row{margin:0 0 8px}.toggle-row label{cursor:pointer;user-select:none}
#hist-log:checked~.hist-lin{display:none}#hist-log:not(:checked)~.hist-log{display:none}
dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;margin:0}dt{color:#5b626b}dd{margin:0}
`;

function card(label: string, value: string, sub = ''): string {
  return `<div class="card"><div class="k">${esc(label)}</div><div class="v">${esc(value)}</div>${sub ? `<div class="s">${esc(sub)}</div>` : ''}</div>`;
}

function cards(r: EvaluationReport): string {
  const b = r.bestF1;
  return `<section class="cards">${[
    card('AUROC', f4(r.auroc), r.auroc === null ? (r.rankingUndefinedReason ?? '') : 'random = 0.5'),
    card('AUPRC', f4(r.auprc), r.auprc === null ? '' : `random = ${r.prevalence.toFixed(4)}`),
    card('F1 (attack)', r.f1.toFixed(4), `P ${r.precision.toFixed(3)} / R ${r.recall.toFixed(3)}`),
    card('False-positive rate', fmtPct(r.falsePositiveRate, 3), `${fmtInt(r.confusion.fp)} of ${fmtInt(r.negatives)} benign`),
    card('Threshold', fmtNum(r.threshold, 5), r.thresholdMethod),
    card('Best-F1 threshold', b ? fmtNum(b.threshold, 5) : 'n/a', b ? `F1 ${b.f1.toFixed(4)}` : ''),
    card('Rows', fmtInt(r.rows), `${fmtInt(r.positives)} attack, ${fmtInt(r.negatives)} benign`),
    card('Scoring speed', r.scoreRowsPerSecond === null ? 'n/a' : `${fmtInt(r.scoreRowsPerSecond)} rows/s`, `${fmtSeconds(r.scoreSeconds)} total`),
  ].join('')}</section>`;
}

function curves(r: EvaluationReport): string {
  const roc = r.curves.roc;
  const pr = r.curves.pr;
  const rocSvg = roc
    ? lineChart(
        [
          { name: `ROC (AUROC ${f4(r.auroc)})`, points: roc.x.map((x, i) => ({ x, y: roc.y[i] })), color: PALETTE[0], width: 2.5 },
          { name: 'random', points: [{ x: 0, y: 0 }, { x: 1, y: 1 }], color: '#888', dashed: true, width: 1.5 },
        ],
        {
          title: 'ROC curve',
          x: { label: 'false-positive rate', min: 0, max: 1 },
          y: { label: 'true-positive rate (recall)', min: 0, max: 1 },
          markers: [{ x: r.falsePositiveRate, y: r.recall, label: `threshold ${fmtNum(r.threshold, 4)}`, color: ATTACK }],
          height: 400,
        },
      )
    : `<p>ROC curve not available: ${esc(r.rankingUndefinedReason ?? '')}</p>`;
  const prSvg = pr
    ? lineChart([{ name: `PR (AUPRC ${f4(r.auprc)})`, points: pr.x.map((x, i) => ({ x, y: pr.y[i] })), color: PALETTE[2], width: 2.5 }], {
        title: 'Precision-recall curve',
        x: { label: 'recall', min: 0, max: 1 },
        y: { label: 'precision', min: 0, max: 1 },
        refLines: [{ y: r.prevalence, label: `random (prevalence ${r.prevalence.toFixed(3)})`, color: '#777' }],
        markers: [{ x: r.recall, y: r.precision, label: `threshold ${fmtNum(r.threshold, 4)}`, color: ATTACK }],
        height: 400,
      })
    : `<p>PR curve not available: ${esc(r.rankingUndefinedReason ?? '')}</p>`;
  return `<div class="grid2"><section>${rocSvg}</section><section>${prSvg}</section></div>`;
}

function histograms(r: EvaluationReport): string {
  const h = r.histogram;
  const series = h.series.map((s) => ({ ...s, color: s.name === 'attack' ? ATTACK : s.name === 'benign' ? BENIGN : undefined }));
  const chart = (logY: boolean): string =>
    histogram(
      { edges: h.edges, series },
      {
        title: `Score distribution by class${logY ? ' (log counts)' : ''}`,
        width: 1160,
        height: 380,
        x: { label: `anomaly score${h.scale === 'log' ? ' (log scale)' : ''}`, log: h.scale === 'log', min: h.edges[0], max: h.edges[h.edges.length - 1] },
        y: { label: 'rows', log: logY },
        refLines: [{ x: r.threshold, label: `threshold ${fmtNum(r.threshold, 4)}`, color: '#000' }],
      },
    );
  const clipped = h.clipped.below + h.clipped.above;
  const note = clipped
    ? `<p class="note">${esc(`${fmtInt(clipped)} rows outside the plotted range are counted in the first / last bin.`)}</p>`
    : '';
  return `<section><h2>Score histograms</h2><input type="checkbox" id="hist-log" checked>
<span class="toggle-row"><label for="hist-log"> log-scaled counts</label></span>
<div class="hist-log">${chart(true)}</div><div class="hist-lin">${chart(false)}</div>${note}</section>`;
}

function classificationTable(r: EvaluationReport): string {
  const cr = r.classificationReport;
  const row = (name: string, m: { precision: number; recall: number; 'f1-score': number; support: number }): string =>
    `<tr><td>${esc(name)}</td><td>${m.precision.toFixed(4)}</td><td>${m.recall.toFixed(4)}</td><td>${m['f1-score'].toFixed(4)}</td><td>${fmtInt(m.support)}</td></tr>`;
  return `<section><h2>Classification report</h2><table><thead><tr><th></th><th>precision</th><th>recall</th><th>f1-score</th><th>support</th></tr></thead><tbody>
${row('benign', cr.benign)}${row('attack', cr.attack)}<tr class="gap"><td colspan="5"></td></tr>
<tr><td>accuracy</td><td></td><td></td><td>${cr.accuracy.toFixed(4)}</td><td>${fmtInt(cr['macro avg'].support)}</td></tr>
${row('macro avg', cr['macro avg'])}${row('weighted avg', cr['weighted avg'])}</tbody></table></section>`;
}

function confusionTable(r: EvaluationReport): string {
  const c = r.confusion;
  // Cells shaded by the share of their true-class row: dark on the diagonal means right.
  const cell = (n: number, rowTotal: number): string => {
    const share = rowTotal ? n / rowTotal : 0;
    const bg = `rgba(0,114,178,${(0.08 + 0.8 * share).toFixed(3)})`;
    const fg = share > 0.55 ? '#fff' : '#111';
    return `<td class="cell" style="background:${bg};color:${fg}">${fmtInt(n)}<span class="pct">${fmtPct(share, 2)} of row</span></td>`;
  };
  return `<section><h2>Confusion matrix</h2><p>Attack = score &gt; ${esc(fmtNum(r.threshold))}. Rows: true class; columns: predicted.</p>
<table class="cm"><thead><tr><th></th><th>predicted benign</th><th>predicted attack</th></tr></thead><tbody>
<tr><th>true benign</th>${cell(c.tn, c.tn + c.fp)}${cell(c.fp, c.tn + c.fp)}</tr>
<tr><th>true attack</th>${cell(c.fn, c.fn + c.tp)}${cell(c.tp, c.fn + c.tp)}</tr></tbody></table></section>`;
}

function detectionBars(r: EvaluationReport): string {
  if (!r.perClass.length) return '';
  const bars = r.perClass.map((p) => ({
    label: p.class,
    value: p.detectionRate,
    color: ATTACK,
    text: `${fmtPct(p.detectionRate, 1)} (${fmtInt(p.detected)} / ${fmtInt(p.support)})`,
  }));
  bars.push({
    label: 'benign (false positives)',
    value: r.benign.falsePositiveRate,
    color: BENIGN,
    text: `${fmtPct(r.benign.falsePositiveRate, 2)} (${fmtInt(r.benign.flagged)} / ${fmtInt(r.benign.support)})`,
  });
  const svg = barChart(bars, { title: 'Detection rate by class at the threshold (sorted by support)', width: 1160, max: 1, xLabel: 'fraction of rows flagged', format: (v) => `${Math.round(v * 100)}%` });
  return `<section><h2>Per-class detection</h2>${svg}</section>`;
}

function details(r: EvaluationReport): string {
  const td = r.thresholdDetails;
  const params = Object.entries(td.params)
    .map(([k, v]) => `${k}=${typeof v === 'number' ? fmtNum(v) : JSON.stringify(v)}`)
    .join(', ');
  const items: [string, string][] = [
    ['threshold', `${r.thresholdMethod} = ${fmtNum(r.threshold)}`],
    ['threshold params', params || '(none)'],
    ['training alert rate', fmtPct(td.trainingAlertRate, 4)],
  ];
  if (td.impliedFalsePositiveRate !== null) items.push(['budget', `implied FPR ${fmtNum(td.impliedFalsePositiveRate, 4)}, expected ${fmtNum(td.expectedAlertsPerDay, 4)} alerts/day`]);
  if (r.bestF1) items.push(['best-F1 threshold', `${fmtNum(r.bestF1.threshold)} (precision ${r.bestF1.precision.toFixed(4)}, recall ${r.bestF1.recall.toFixed(4)}, F1 ${r.bestF1.f1.toFixed(4)})`]);
  items.push(
    ['fit', r.fitSeconds === null ? 'n/a' : `${fmtSeconds(r.fitSeconds)}${r.fitRowsPerSecond !== null ? ` (${fmtInt(r.fitRowsPerSecond)} rows/s)` : ''}`],
    ['score', `${fmtSeconds(r.scoreSeconds)} for ${fmtInt(r.rowsScored)} rows${r.scoreRowsPerSecond !== null ? ` (${fmtInt(r.scoreRowsPerSecond)} rows/s)` : ''}`],
    ['model size', fmtBytes(r.modelSizeBytes)],
    ['rows skipped on input', fmtInt(r.data.rowsSkipped)],
  );
  const nonFinite = Object.entries(r.data.nonFinite);
  if (nonFinite.length) items.push(['non-finite values', nonFinite.map(([k, v]) => `${k}: ${fmtInt(v)}`).join(', ')]);
  const notes = [...td.notes, ...r.notes].map((n) => `<p class="note">${esc(n)}</p>`).join('');
  return `<section><h2>Threshold, timing and data</h2><dl>${items.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('')}</dl>${notes}</section>`;
}

export function renderHtmlReport(report: EvaluationReport, options: HtmlReportOptions = {}): string {
  const title = options.title ?? `Peregrine evaluation: ${report.model.detector}`;
  const m = report.model;
  const modelLine = [m.detector, m.file, m.features !== null ? `${m.features} features` : null, m.trainedRows !== null ? `trained on ${fmtInt(m.trainedRows)} rows` : null, m.sizeBytes !== null ? fmtBytes(m.sizeBytes) : null]
    .filter(Boolean)
    .join(' · ');
  const extra = (options.extraSections ?? []).map((s) => `<section><h2>${esc(s.title)}</h2>${s.html}</section>`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)}</title><style>${CSS}</style></head>
<body><main>
<header><h1>${esc(title)}</h1><p><b>Model:</b> ${esc(modelLine)}</p><p><b>Data:</b> ${esc(report.data.files.join(', ') || '(none)')} — ${esc(fmtInt(report.rows))} labelled rows</p></header>
${cards(report)}
${curves(report)}
${histograms(report)}
<div class="grid2">${classificationTable(report)}${confusionTable(report)}</div>
${detectionBars(report)}
${details(report)}
${extra}
</main></body></html>
`;
}
