/**
 * The scenario evaluation as text (a table per scenario plus the totals), markdown (docs/results.md) and one
 * self-contained HTML page with a timeline per scenario: each modality's highest score/threshold on the
 * scenario's entities, interval by interval, the alert line at 1 and the scenario's start and end marked.
 */
import { PALETTE, escapeXml as esc, lineChart } from '../svg.js';
import { MODALITY_NAMES } from './detectors.js';
import type { ScenarioEvalReport, ScenarioOutcome } from './harness.js';

const ttd = (s: ScenarioOutcome): string => (s.timeToDetectSeconds === null ? '-' : `${Math.round(s.timeToDetectSeconds)} s`);
const mods = (s: ScenarioOutcome): string => MODALITY_NAMES.filter((m) => s.modalities[m].alerted).map((m) => `${m} ${Math.round(s.modalities[m].timeToDetectSeconds ?? 0)} s`).join(', ') || '-';
const verdict = (s: ScenarioOutcome): string => (s.kind === 'chaos' ? (s.detected ? 'ALERTED (false alarm)' : 'no alert (correct)') : s.detected ? (s.withinTwoIntervals ? 'detected' : 'detected late') : 'MISSED');

/** How much benign exposure the false-alert figure rests on (a rate below 1 per 100 pod-days needs ~300 pod-days at zero). */
function exposure(r: ScenarioEvalReport): string {
  const podDays = (r.pods * r.testSeconds) / 86400;
  // rule of three: with no event in n trials, the 95 % upper bound of the rate is 3/n
  const upper = ((Math.max(3, r.falseAlerts + 3 * Math.sqrt(Math.max(1, r.falseAlerts))) / podDays) * 100).toFixed(1);
  return `exposure ${podDays.toFixed(1)} pod-days: the false-alert rate is below ${upper} per day per 100 pods at 95 % confidence (approximate)`;
}

export function totalsLines(r: ScenarioEvalReport): string[] {
  return [
    `detection rate ${(r.detectionRate * 100).toFixed(1)} % (${r.detectedAttacks} / ${r.attackScenarios} attack scenarios; ${r.detectedWithinTwoIntervals} within two ${r.intervalSeconds}-s intervals)`,
    `benign chaos faults without an alert: ${r.chaosNotAlerted} / ${r.chaosFaults}`,
    `false alerts: ${r.falseAlerts} in ${(r.testSeconds / 3600).toFixed(2)} h = ${r.falseAlertsPerDay.toFixed(2)} per day = ${r.falseAlertsPerDayPer100Pods.toFixed(2)} per day per 100 pods (${r.pods} pods, ${r.nodes} nodes)`,
    exposure(r),
  ];
}

export function formatScenarioText(r: ScenarioEvalReport): string {
  const rows = r.scenarios.map((s) => [s.name, s.kind, verdict(s), ttd(s), mods(s)]);
  const head = ['scenario', 'kind', 'outcome', 'time to detect', 'modalities (time to first alert)'];
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((x) => x[i].length)));
  const line = (x: string[]): string => x.map((c, i) => c.padEnd(w[i])).join('  ').trimEnd();
  return [line(head), line(w.map((n) => '-'.repeat(n))), ...rows.map(line), '', ...totalsLines(r), `runtime ${r.runtimeSeconds.toFixed(1)} s (seed ${r.seed})`].join('\n');
}

export function scenarioMarkdown(r: ScenarioEvalReport, command: string): string {
  const rows = r.scenarios.map((s) => `| ${s.name} | ${s.kind} | ${verdict(s)} | ${ttd(s)} | ${mods(s)} |`);
  return [
    '## Scenario evaluation (simulated cluster)',
    '',
    `Command: \`${command}\` (seed ${r.seed}; ${r.nodes} nodes, ${r.pods} pods; detectors trained on ${r.trainSeconds} s and calibrated on ${r.calibrateSeconds} s of benign time of another seed and day; ${(r.testSeconds / 3600).toFixed(2)} h of test time; ${r.intervalSeconds}-s intervals; run took ${r.runtimeSeconds.toFixed(0)} s).`,
    '',
    '| scenario | kind | outcome | time to detect | modalities (time to first alert) |',
    '|---|---|---|---|---|',
    ...rows,
    '',
    ...totalsLines(r).map((l) => `- ${l}`),
    '',
    'Goal (issue 6): every attack detected within two intervals, low-and-slow included, and fewer than one false alert per day per 100 pods.',
  ].join('\n');
}

const CSS = `body{margin:0;background:#f4f5f7;color:#1b1f24;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif}
main{max-width:1240px;margin:0 auto;padding:20px 24px 40px}h1{font-size:22px}h2{font-size:16px;margin:0 0 8px}
section{background:#fff;border:1px solid #dde1e6;border-radius:8px;padding:14px 18px;margin-top:14px}
table{border-collapse:collapse}th,td{padding:4px 10px;border-bottom:1px solid #eceef1;text-align:left}
.ok{color:#0a7a3a}.bad{color:#b3261e;font-weight:600}svg{max-width:100%;height:auto}`;

export function renderScenarioHtml(r: ScenarioEvalReport): string {
  const table = `<table><tr><th>scenario</th><th>kind</th><th>outcome</th><th>time to detect</th><th>modalities</th><th>first reason</th></tr>${r.scenarios
    .map((s) => {
      const good = s.kind === 'chaos' ? !s.detected : s.withinTwoIntervals;
      return `<tr><td><a href="#${esc(s.name)}">${esc(s.name)}</a></td><td>${s.kind}</td><td class="${good ? 'ok' : 'bad'}">${esc(verdict(s))}</td><td>${esc(ttd(s))}</td><td>${esc(mods(s))}</td><td>${esc(s.firstReason)}</td></tr>`;
    })
    .join('')}</table>`;
  const timelines = r.scenarios
    .map((s) => {
      const tl = r.timelines[s.name];
      const series = MODALITY_NAMES.filter((m) => tl[m].length > 0).map((m, i) => ({ name: m, color: PALETTE[i], points: tl[m].map(([x, y]) => ({ x, y: Math.max(1e-3, y) })) }));
      const chart = series.length === 0
        ? '<p>no judged interval on this scenario\'s entities</p>'
        : lineChart(series, {
            width: 1160, height: 300, title: `${s.name}: score / threshold on ${s.pods.slice(0, 3).join(', ')}${s.pods.length > 3 ? ', ...' : ''}`,
            x: { label: 'seconds from the scenario start' }, y: { label: 'score / threshold (log)', log: true },
            refLines: [{ y: 1, label: 'alert', color: '#b3261e', dashed: true }, { x: 0, label: 'start' }, { x: s.durationSeconds, label: 'end' }],
          });
      return `<section id="${esc(s.name)}"><h2>${esc(s.name)} (${s.kind}): ${esc(verdict(s))}, ${esc(ttd(s))}</h2>${chart}</section>`;
    })
    .join('\n');
  const falseAlerts = r.alerts.filter((a) => a.scenario === null);
  const fa = falseAlerts.length === 0 ? '<p>none</p>' : `<table><tr><th>time</th><th>entity</th><th>modalities</th><th>reason</th></tr>${falseAlerts.map((a) => `<tr><td>${new Date(a.timeUs / 1000).toISOString()}</td><td>${esc(a.entity)}</td><td>${esc(a.modalities.join(', '))}</td><td>${esc(a.reason)}</td></tr>`).join('')}</table>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>Peregrine scenario evaluation</title><style>${CSS}</style></head>
<body><main><h1>Peregrine scenario evaluation (seed ${r.seed})</h1>
<section><h2>Totals</h2>${totalsLines(r).map((l) => `<p>${esc(l)}</p>`).join('')}</section>
<section><h2>Scenarios</h2>${table}</section>
<section><h2>False alerts</h2>${fa}</section>
${timelines}
</main></body></html>
`;
}
