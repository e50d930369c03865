/**
 * The HTML view of the runtime path: reconstruction error over time per container, log scale, with the stability
 * threshold r_th and the unstable intervals marked (the SRI paper's Figure 3), plus a per-container table and,
 * when a run summary is given, the run's processing and byte figures. Inline SVG only (src/evaluation/svg.ts),
 * no scripts: the section can go into renderHtmlReport's `extraSections` or stand alone (`renderRuntimeReport`).
 */
import { escapeXml as esc, lineChart, PALETTE, type Series } from '../evaluation/svg.js';
import { fmtBytes, fmtInt, fmtNum } from '../evaluation/text.js';
import type { ContainerTimeline, RuntimeSummary, TimelinePoint } from './pipeline.js';

export interface RuntimeReportOptions {
  title?: string;
  /** Containers charted, the most anomalous first (largest score / threshold). Default 12. */
  maxCharts?: number;
  /** Containers always charted (ids), ahead of the rest. */
  containers?: string[];
}

const SCORE = PALETTE[0];
const THRESHOLD = '#444444';
const UNSTABLE = PALETTE[1];
const FALSE_ALARM = PALETTE[4];
const MISSED = PALETTE[3];

const judged = (p: TimelinePoint): boolean => p.phase === 'evaluating' && Number.isFinite(p.score);

/** Largest score / threshold of a timeline (0 when nothing was judged). */
function peak(tl: ContainerTimeline): number {
  let m = 0;
  for (const p of tl.points) if (judged(p) && p.threshold > 0) m = Math.max(m, p.score / p.threshold);
  return m;
}

interface Row {
  tl: ContainerTimeline;
  judgedN: number;
  unstable: number;
  maxScore: number;
  peak: number;
  firstUnstable: number | null;
  attacks: number;
  detected: number;
  falseAlarms: number;
  labelled: boolean;
}

function row(tl: ContainerTimeline): Row {
  const r: Row = { tl, judgedN: 0, unstable: 0, maxScore: NaN, peak: peak(tl), firstUnstable: null, attacks: 0, detected: 0, falseAlarms: 0, labelled: false };
  for (const p of tl.points) {
    if (!judged(p)) continue;
    r.judgedN++;
    if (!(r.maxScore >= p.score)) r.maxScore = p.score;
    if (p.label >= 0) r.labelled = true;
    if (p.label === 1) r.attacks++;
    if (p.unstable) {
      r.unstable++;
      if (r.firstUnstable === null) r.firstUnstable = p.start;
      if (p.label === 1) r.detected++;
      if (p.label === 0) r.falseAlarms++;
    }
  }
  return r;
}

function chart(tl: ContainerTimeline, origin: number): string {
  const pts = tl.points.filter(judged);
  const x = (p: TimelinePoint): number => (p.start - origin) / 60_000;
  const series: Series[] = [{ name: 'reconstruction error L_rec', points: pts.map((p) => ({ x: x(p), y: p.score })), color: SCORE, width: 2 }];
  const thresholds = [...new Set(pts.map((p) => p.threshold).filter((t) => Number.isFinite(t) && t > 0))];
  const refLines: { y: number; label: string; color: string }[] = [];
  if (thresholds.length === 1) refLines.push({ y: thresholds[0], label: `r_th ${fmtNum(thresholds[0], 4)}`, color: THRESHOLD });
  else if (thresholds.length > 1) series.push({ name: 'threshold r_th', points: pts.map((p) => ({ x: x(p), y: p.threshold })), color: THRESHOLD, dashed: true, step: true, width: 1.5 });
  // Marked intervals: a thick bar over the interval's extent at its score (runs of them read as one band).
  const band = (name: string, color: string, keep: (p: TimelinePoint) => boolean): void => {
    const points: { x: number; y: number }[] = [];
    for (const p of pts) {
      if (!keep(p)) continue;
      points.push({ x: x(p), y: p.score }, { x: (p.end - origin) / 60_000, y: p.score }, { x: NaN, y: NaN });
    }
    if (points.length > 0) series.push({ name, points, color, width: 6 });
  };
  band('unstable', UNSTABLE, (p) => p.unstable && p.label !== 0);
  band('unstable, labelled benign', FALSE_ALARM, (p) => p.unstable && p.label === 0);
  band('labelled attack, judged stable', MISSED, (p) => !p.unstable && p.label === 1);
  const title = `${tl.pod || tl.containerId} (${tl.group})`;
  if (pts.length === 0) return `<p class="note">${esc(title)}: no judged interval yet (the group's model is still learning).</p>`;
  return lineChart(series, {
    title,
    width: 600,
    height: 300,
    x: { label: 'minutes since the first interval' },
    y: { label: 'L_rec (log scale)', log: true },
    refLines,
  });
}

const CSS = `
.pgn-rt .charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(520px,1fr));gap:12px}
.pgn-rt table{border-collapse:collapse;font-variant-numeric:tabular-nums;margin:8px 0}
.pgn-rt th,.pgn-rt td{padding:4px 10px;text-align:right;border-bottom:1px solid #eceef1}
.pgn-rt th:first-child,.pgn-rt td:first-child,.pgn-rt td.l{text-align:left}
.pgn-rt .note{color:#6b4e00;background:#fff7e0;border-left:3px solid #e69f00;padding:6px 10px;margin:6px 0}
`;

function runTable(s: RuntimeSummary): string {
  const ivs = s.intervals.filter((m) => m.events > 0);
  const cpu = ivs.map((m) => m.cpuMs).sort((a, b) => a - b);
  const mean = cpu.length ? cpu.reduce((a, b) => a + b, 0) / cpu.length : NaN;
  const p95 = cpu.length ? cpu[Math.min(cpu.length - 1, Math.floor(0.95 * cpu.length))] : NaN;
  const items: [string, string][] = [
    ['publisher mode', s.mode],
    ['interval', `${s.intervalSeconds} s`],
    ['events', fmtInt(s.events)],
    ['activity vectors', `${fmtInt(s.vectors)} (${fmtInt(s.stability.learning)} learning, ${fmtInt(s.stability.evaluated)} judged, ${fmtInt(s.stability.unstable)} unstable)`],
    ['CPU per interval', `mean ${fmtNum(mean, 3)} ms, p95 ${fmtNum(p95, 3)} ms (summarise + score + publish + deliver)`],
    ['published', `${fmtBytes(s.published.bytes)} in ${fmtInt(s.published.records)} records (${fmtInt(s.published.summaries)} summaries, ${fmtInt(s.published.events)} events)`],
    ['stored', `${fmtBytes(s.sink.bytesSent)} in ${fmtInt(s.sink.delivered)} records`],
    ['models', s.models.map((m) => `${m.group} v${m.version} (${m.vectors} vectors, r_th ${fmtNum(m.threshold, 4)})`).join('; ') || 'none yet'],
  ];
  if (s.learningGroups.length > 0) items.push(['still learning', s.learningGroups.map((g) => `${g.group} (${g.remaining} vectors to go)`).join('; ')]);
  return `<table>${items.map(([k, v]) => `<tr><td class="l">${esc(k)}</td><td class="l">${esc(v)}</td></tr>`).join('')}</table>`;
}

/** The runtime section: for `renderHtmlReport(..., { extraSections: [runtimeReportSection(...)] })`. */
export function runtimeReportSection(timelines: readonly ContainerTimeline[], summary?: RuntimeSummary, options: RuntimeReportOptions = {}): { title: string; html: string } {
  const rows = timelines.map(row);
  const pinned = new Set(options.containers ?? []);
  rows.sort((a, b) => Number(pinned.has(b.tl.containerId)) - Number(pinned.has(a.tl.containerId)) || b.peak - a.peak || a.tl.containerId.localeCompare(b.tl.containerId));
  const max = options.maxCharts ?? 12;
  let origin = Infinity;
  for (const tl of timelines) for (const p of tl.points) origin = Math.min(origin, p.start);
  const labelled = rows.some((r) => r.labelled);
  const parts: string[] = [`<div class="pgn-rt"><style>${CSS}</style>`];
  if (summary) parts.push(runTable(summary));
  parts.push(
    `<p>Reconstruction error L_rec per interval (log scale) against the stability threshold r_th = r_mean + k·r_sd of the container's group model; ` +
      `unstable intervals (L_rec &gt; r_th) are drawn as thick bars` +
      (labelled ? ', coloured by the events\' ground-truth labels (false alarms and missed attack intervals apart)' : '') +
      '. Intervals judged while the group was still learning are not plotted.</p>',
  );
  const head = ['container', 'pod', 'group', 'judged', 'unstable', 'max L_rec', 'max L_rec / r_th', 'first unstable (UTC)', ...(labelled ? ['attack intervals', 'detected', 'false alarms'] : [])];
  parts.push(
    `<table><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>` +
      rows
        .map((r) => {
          const cells = [
            r.tl.containerId,
            r.tl.pod,
            r.tl.group,
            fmtInt(r.judgedN),
            fmtInt(r.unstable),
            Number.isFinite(r.maxScore) ? fmtNum(r.maxScore, 4) : 'n/a',
            r.judgedN ? fmtNum(r.peak, 4) : 'n/a',
            r.firstUnstable === null ? '' : new Date(r.firstUnstable).toISOString().replace('.000Z', 'Z'),
            ...(labelled ? [fmtInt(r.attacks), fmtInt(r.detected), fmtInt(r.falseAlarms)] : []),
          ];
          return `<tr>${cells.map((c, i) => `<td${i < 3 ? ' class="l"' : ''}>${esc(c)}</td>`).join('')}</tr>`;
        })
        .join('') +
      `</table>`,
  );
  const charted = rows.slice(0, max);
  parts.push(`<div class="charts">${charted.map((r) => `<div>${chart(r.tl, origin)}</div>`).join('')}</div>`);
  if (rows.length > max) parts.push(`<p class="note">${rows.length - max} more container(s) not charted (the table lists them all).</p>`);
  parts.push('</div>');
  return { title: options.title ?? 'Container stability: reconstruction error over time', html: parts.join('') };
}

/** A standalone page with the runtime section. */
export function renderRuntimeReport(timelines: readonly ContainerTimeline[], summary?: RuntimeSummary, options: RuntimeReportOptions = {}): string {
  const title = options.title ?? 'Peregrine runtime: container stability';
  const section = runtimeReportSection(timelines, summary, { ...options, title });
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)}</title><style>
*{box-sizing:border-box}body{margin:0;background:#f4f5f7;color:#1b1f24;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif}
main{max-width:1280px;margin:0 auto;padding:20px 24px 40px}h1{font-size:22px;margin:0 0 6px}
section{background:#fff;border:1px solid #dde1e6;border-radius:8px;padding:16px 18px;margin-top:16px}svg{max-width:100%;height:auto;display:block}
</style></head>
<body><main><h1>${esc(title)}</h1><section>${section.html}</section></main></body></html>
`;
}
