// Peregrine dashboard: polls the hub's /api with the bearer token (from #token=... in demo mode, or pasted).
// Everything shown comes from telemetry, so it is inserted as text nodes only (never innerHTML).
'use strict';

const state = { token: '', open: new Set(), timer: null };

function readToken() {
  const m = /(?:^|[#&])token=([^&]+)/.exec(location.hash);
  if (m) {
    sessionStorage.setItem('peregrine-token', decodeURIComponent(m[1]));
    history.replaceState(null, '', location.pathname + location.search);
  }
  return sessionStorage.getItem('peregrine-token') || '';
}

async function api(path) {
  const res = await fetch(path, { headers: { Authorization: 'Bearer ' + state.token } });
  if (res.status === 401) throw Object.assign(new Error('unauthorized'), { status: 401 });
  if (!res.ok) throw new Error(path + ': HTTP ' + res.status);
  return res.json();
}

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') e.className = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

const fmtTime = (ms) => new Date(ms).toLocaleTimeString();
const fmtNum = (x) => (x === null || x === undefined || !Number.isFinite(x) ? '–' : Math.abs(x) >= 1000 || (Math.abs(x) < 0.01 && x !== 0) ? x.toExponential(2) : x.toFixed(3));

function renderStatus(s) {
  const st = document.getElementById('status');
  const q = Object.entries(s.queues || {}).map(([k, v]) => k + ' ' + v.depth).join(', ');
  const resp = s.response ? 'response engine on' : 'response engine off';
  st.textContent = 'v' + s.version + ' · ' + (s.degraded ? 'DEGRADED' : 'ok') + ' · up ' + s.uptimeSeconds + ' s · queued: ' + q + ' · ' + resp + (s.runtimeError ? ' · runtime detection stopped: ' + s.runtimeError : '');
  st.classList.toggle('degraded', !!s.degraded);
}

function evidenceView(a) {
  const ev = a.evidence || {};
  const feats = el('div', {}, el('h3', { title: 'share of the reconstruction error per feature (largest over the incident)' }, 'Top features'));
  for (const f of (ev.topFeatures || []).slice(0, 8)) {
    const fill = el('div', { class: 'fill', style: 'width:' + Math.max(2, Math.round(f.share * 100)) + '%' });
    feats.append(el('div', { class: 'bar' }, el('span', { class: 'name', title: f.name }, f.name), el('div', {}, fill), el('span', {}, Math.round(f.share * 100) + ' %')));
  }
  if (!(ev.topFeatures || []).length) feats.append(el('p', { class: 'muted' }, 'no per-feature attribution for this detector'));
  const events = el('div', {}, el('h3', {}, 'Key events'));
  const ul = el('ul', { class: 'events' });
  for (const k of (ev.keyEvents || []).slice(-20)) ul.append(el('li', {}, k));
  events.append(ul);
  if ((ev.processLineage || []).length) events.append(el('h3', {}, 'Process lineage'), el('div', { class: 'lineage' }, ev.processLineage.join(' → ')));
  const box = el('div', { class: 'evidence' }, feats, events);
  if (ev.forensicsRef) box.append(el('div', { class: 'forensics' }, 'forensics: ' + ev.forensicsRef));
  return box;
}

function renderAlerts(alerts) {
  const ul = document.getElementById('alerts');
  document.getElementById('no-alerts').hidden = alerts.length > 0;
  document.getElementById('alert-count').textContent = alerts.length ? alerts.filter((a) => a.status === 'firing').length + ' firing, ' + alerts.length + ' shown' : '';
  ul.replaceChildren();
  for (const a of alerts) {
    const sev = a.status === 'resolved' ? 'resolved' : a.severity;
    const where = [a.entity.namespace, a.entity.workload || a.entity.endpoint].filter(Boolean).join('/');
    const li = el(
      'li',
      { class: 'alert ' + a.severity + (a.status === 'resolved' ? ' resolved' : ''), 'data-alert-id': a.id },
      el('div', { class: 'head' }, el('span', { class: 'sev ' + sev }, sev), el('span', { class: 'title' }, a.title), el('span', { class: 'muted' }, where)),
      el('div', { class: 'summary' }, a.summary),
      el('div', { class: 'meta' }, 'since ' + fmtTime(a.startsAt) + ' · last ' + fmtTime(a.updatedAt) + ' · max score ' + fmtNum(a.maxScore) + ' · models ' + (a.modelVersions || []).join(', ') + ' · pods ' + (a.pods || []).join(', ')),
    );
    li.append(evidenceView(a));
    ul.append(li);
  }
}

const SVG = 'http://www.w3.org/2000/svg';
function svg(tag, attrs) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

function timelineSvg(t) {
  const W = 600, H = 110, L = 44, R = 6, T = 6, B = 16;
  const pts = t.points.filter((p) => p.score !== null && p.score > 0);
  const all = t.points;
  const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, preserveAspectRatio: 'none', role: 'img' });
  root.append(svg('rect', { x: L, y: T, width: W - L - R, height: H - T - B, fill: '#fafbfc', stroke: '#d8dde3' }));
  if (all.length === 0) return root;
  const t0 = all[0].start, t1 = all[all.length - 1].end;
  const vals = pts.map((p) => p.score).concat(pts.map((p) => p.threshold).filter((x) => x !== null && x > 0));
  let lo = vals.length ? Math.log10(Math.min(...vals)) : -1, hi = vals.length ? Math.log10(Math.max(...vals)) : 1;
  if (hi - lo < 1) { lo -= 0.5; hi += 0.5; }
  const x = (ms) => L + ((ms - t0) / Math.max(1, t1 - t0)) * (W - L - R);
  const y = (v) => T + (1 - (Math.log10(v) - lo) / (hi - lo)) * (H - T - B);
  for (const d of [Math.ceil(lo), Math.floor(hi)]) {
    const ty = y(10 ** d);
    const label = svg('text', { x: L - 4, y: ty + 3, 'text-anchor': 'end', 'font-size': 9, fill: '#6b7480' });
    label.textContent = '1e' + d;
    root.append(label);
  }
  const learning = all.filter((p) => p.phase === 'learning');
  if (learning.length) root.append(svg('rect', { x: x(learning[0].start), y: T, width: Math.max(1, x(learning[learning.length - 1].end) - x(learning[0].start)), height: H - T - B, fill: '#eceff3' }));
  if (pts.length) {
    root.append(svg('polyline', { points: pts.map((p) => x((p.start + p.end) / 2) + ',' + y(p.score)).join(' '), fill: 'none', stroke: '#3b5bdb', 'stroke-width': 1.5 }));
    const thr = pts.filter((p) => p.threshold !== null && p.threshold > 0);
    if (thr.length) root.append(svg('polyline', { class: 'threshold', points: thr.map((p) => x(p.start) + ',' + y(p.threshold) + ' ' + x(p.end) + ',' + y(p.threshold)).join(' '), fill: 'none', stroke: '#c62828', 'stroke-dasharray': '5 3', 'stroke-width': 1.2 }));
    for (const p of pts) if (p.unstable) root.append(svg('circle', { cx: x((p.start + p.end) / 2), cy: y(p.score), r: 3, fill: '#c62828' }));
  }
  const tl = svg('text', { x: L, y: H - 3, 'font-size': 9, fill: '#6b7480' });
  tl.textContent = fmtTime(t0);
  const tr = svg('text', { x: W - R, y: H - 3, 'font-size': 9, fill: '#6b7480', 'text-anchor': 'end' });
  tr.textContent = fmtTime(t1);
  root.append(tl, tr);
  return root;
}

function renderTimelines(data) {
  const box = document.getElementById('timelines');
  box.replaceChildren();
  if (!data.timelines.length) box.append(el('p', { class: 'muted' }, 'No container activity yet.'));
  for (const t of data.timelines.slice(0, 8)) {
    const last = t.points[t.points.length - 1] || {};
    const unstable = t.points.filter((p) => p.unstable).length;
    box.append(
      el('div', { class: 'timeline', 'data-container': t.containerId },
        el('div', { class: 'label' }, (t.namespace ? t.namespace + '/' : '') + (t.pod || t.containerId) + ' ', el('span', { class: 'muted' }, t.group + ' · ' + (last.phase || '') + ' · ' + unstable + ' unstable of ' + t.points.length)),
        timelineSvg(t)),
    );
  }
}

function renderModels(m) {
  const tb = document.querySelector('#models tbody');
  tb.replaceChildren();
  for (const r of m.runtime) tb.append(el('tr', {}, el('td', {}, r.group), el('td', {}, r.version), el('td', {}, r.vectors + ' vectors, ' + r.containers + ' containers'), el('td', {}, fmtNum(r.threshold)), el('td', {}, new Date(r.createdAt).toLocaleString())));
  if (m.flows) tb.append(el('tr', {}, el('td', {}, 'flows (' + m.flows.detector + ')'), el('td', {}, m.flows.version), el('td', {}, m.flows.features + ' features'), el('td', {}, fmtNum(m.flows.threshold)), el('td', {}, new Date(m.flows.createdAt).toLocaleString())));
  document.getElementById('learning').textContent = m.learning.length ? 'learning: ' + m.learning.map((l) => l.group + ' (' + l.remaining + ' vectors to go)').join(', ') : '';
  document.getElementById('flow-model').textContent = m.problems.length ? 'registry problems: ' + m.problems.map((p) => p.file + ': ' + p.reason).join('; ') : '';
}

async function refresh() {
  try {
    const [s, a, t, m] = await Promise.all([api('/api/status'), api('/api/alerts?limit=50'), api('/api/timelines?limit=8&points=120'), api('/api/models')]);
    renderStatus(s);
    renderAlerts(a.alerts);
    renderTimelines(t);
    renderModels(m);
    document.getElementById('token-form').hidden = true;
  } catch (e) {
    const st = document.getElementById('status');
    if (e.status === 401) {
      st.textContent = 'enter the bearer token';
      document.getElementById('token-form').hidden = false;
    } else st.textContent = 'error: ' + e.message;
  }
}

document.getElementById('token-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  state.token = document.getElementById('token').value.trim();
  sessionStorage.setItem('peregrine-token', state.token);
  refresh();
});

state.token = readToken();
refresh();
state.timer = setInterval(refresh, 2000);
