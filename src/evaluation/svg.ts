import { extent, makeScale, type Scale } from './scale.js';

/**
 * Dependency-free SVG charts (line chart, overlaid histogram, horizontal bars) for self-contained HTML
 * reports: evaluation now, training curves and score timelines later. Every string is escaped; colours come
 * from the Okabe-Ito palette, which stays distinguishable under the common colour-vision deficiencies.
 */

export const PALETTE = ['#0072B2', '#D55E00', '#009E73', '#E69F00', '#CC79A7', '#56B4E9', '#000000', '#F0E442'];

export function escapeXml(s: unknown): string {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

export interface Point {
  x: number;
  y: number;
}
export interface Series {
  name: string;
  points: Point[];
  color?: string;
  dashed?: boolean;
  /** Stroke width in px (default 2). */
  width?: number;
  /** Draw as a step function (value holds until the next x), like a PR curve. */
  step?: boolean;
}
export interface AxisOptions {
  label?: string;
  log?: boolean;
  min?: number;
  max?: number;
  format?: (v: number) => string;
}
export interface ChartOptions {
  title?: string;
  width?: number;
  height?: number;
  x?: AxisOptions;
  y?: AxisOptions;
  /** Vertical (x) or horizontal (y) reference lines, e.g. a threshold or a baseline. */
  refLines?: { x?: number; y?: number; label?: string; color?: string; dashed?: boolean }[];
  /** Labelled points, e.g. the operating point. */
  markers?: { x: number; y: number; label?: string; color?: string }[];
}

const M = { left: 64, right: 20, top: 44, bottom: 50 };
const FONT = 'font-family="system-ui,-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif"';
const fmt = (v: number): string => (Math.round(v * 10) / 10).toString();
let clipCounter = 0;

interface Frame {
  w: number;
  h: number;
  sx: Scale;
  sy: Scale;
  clip: string;
}

function frame(o: ChartOptions, xs: number[], ys: number[], yFloor?: number): Frame {
  const w = o.width ?? 560;
  const h = o.height ?? 360;
  const ax = o.x ?? {};
  const ay = o.y ?? {};
  const ex = extent(xs, ax.log) ?? [0, 1];
  const ey = extent(ys, ay.log) ?? [0, 1];
  if (yFloor !== undefined && !ay.log) ey[0] = Math.min(ey[0], yFloor);
  const nice = (a: AxisOptions) => a.min === undefined && a.max === undefined;
  // About one tick per 90 px across and 45 px up: wide charts get finer ticks, small ones stay uncluttered.
  const xTicks = Math.max(3, Math.round((w - M.left - M.right) / 90));
  const yTicks = Math.max(3, Math.round((h - M.top - M.bottom) / 45));
  const sx = makeScale([ax.min ?? ex[0], ax.max ?? ex[1]], [M.left, w - M.right], { log: ax.log, nice: nice(ax), format: ax.format, ticks: xTicks });
  const sy = makeScale([ay.min ?? ey[0], ay.max ?? ey[1]], [h - M.bottom, M.top], { log: ay.log, nice: nice(ay), format: ay.format, ticks: yTicks });
  return { w, h, sx, sy, clip: `pgn-clip-${++clipCounter}` };
}

/** Frame, grid, ticks, axis labels and title; `body` is drawn clipped to the plot area. */
function wrap(f: Frame, o: ChartOptions, body: string, legend: { name: string; color: string; dashed?: boolean }[]): string {
  const { w, h, sx, sy } = f;
  const [x0, x1] = [M.left, w - M.right];
  const [y0, y1] = [h - M.bottom, M.top];
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img" aria-label="${escapeXml(o.title ?? 'chart')}" ${FONT} font-size="12">`);
  parts.push(`<defs><clipPath id="${f.clip}"><rect x="${x0}" y="${y1}" width="${x1 - x0}" height="${y0 - y1}"/></clipPath></defs>`);
  parts.push(`<rect x="${x0}" y="${y1}" width="${x1 - x0}" height="${y0 - y1}" fill="#fff" stroke="#bbb"/>`);
  for (const t of sx.ticks) {
    const px = fmt(sx(t));
    parts.push(`<line x1="${px}" x2="${px}" y1="${y1}" y2="${y0}" stroke="#e6e6e6"/>`);
    parts.push(`<text x="${px}" y="${y0 + 16}" text-anchor="middle" fill="#333">${escapeXml(sx.format(t))}</text>`);
  }
  for (const t of sy.ticks) {
    const py = fmt(sy(t));
    parts.push(`<line x1="${x0}" x2="${x1}" y1="${py}" y2="${py}" stroke="#e6e6e6"/>`);
    parts.push(`<text x="${x0 - 6}" y="${py}" dy="0.32em" text-anchor="end" fill="#333">${escapeXml(sy.format(t))}</text>`);
  }
  parts.push(`<g clip-path="url(#${f.clip})">${body}</g>`);
  if (o.x?.label) parts.push(`<text x="${(x0 + x1) / 2}" y="${h - 12}" text-anchor="middle" font-size="13" fill="#222">${escapeXml(o.x.label)}</text>`);
  if (o.y?.label) {
    parts.push(`<text transform="translate(16 ${(y0 + y1) / 2}) rotate(-90)" text-anchor="middle" font-size="13" fill="#222">${escapeXml(o.y.label)}</text>`);
  }
  if (o.title) parts.push(`<text x="${x0}" y="18" font-size="14" font-weight="600" fill="#111">${escapeXml(o.title)}</text>`);
  // Legend in one row above the plot, right-aligned, so it never covers data.
  let lx = x1;
  const items: string[] = [];
  for (const item of [...legend].reverse()) {
    const tw = item.name.length * 7 + 40; // ~7 px per character at 12 px, plus the swatch and a gap
    lx -= tw;
    const dash = item.dashed ? ' stroke-dasharray="5 4"' : '';
    items.push(
      `<line x1="${fmt(lx)}" x2="${fmt(lx + 18)}" y1="34" y2="34" stroke="${item.color}" stroke-width="3"${dash}/>` +
        `<text x="${fmt(lx + 22)}" y="34" dy="0.32em" fill="#222">${escapeXml(item.name)}</text>`,
    );
  }
  parts.push(...items, '</svg>');
  return parts.join('');
}

function refLinesAndMarkers(f: Frame, o: ChartOptions): string {
  const { sx, sy } = f;
  const out: string[] = [];
  for (const r of o.refLines ?? []) {
    const color = r.color ?? '#444';
    const dash = r.dashed === false ? '' : ' stroke-dasharray="6 4"';
    if (r.x !== undefined && Number.isFinite(r.x)) {
      // A line beyond the axis is pinned to the edge, so a far-out threshold is still shown (and labelled).
      const px = Math.min(Math.max(sx(r.x), M.left + 1), f.w - M.right - 1);
      out.push(`<line x1="${fmt(px)}" x2="${fmt(px)}" y1="${M.top}" y2="${f.h - M.bottom}" stroke="${color}" stroke-width="2"${dash}/>`);
      if (r.label) {
        const right = px > (M.left + f.w - M.right) / 2;
        out.push(`<text x="${fmt(px + (right ? -5 : 5))}" y="${M.top + 14}" text-anchor="${right ? 'end' : 'start'}" fill="${color}" font-weight="600" paint-order="stroke" stroke="#fff" stroke-width="3">${escapeXml(r.label)}</text>`);
      }
    } else if (r.y !== undefined && Number.isFinite(r.y)) {
      const py = sy(r.y);
      out.push(`<line x1="${M.left}" x2="${f.w - M.right}" y1="${fmt(py)}" y2="${fmt(py)}" stroke="${color}" stroke-width="1.5"${dash}/>`);
      if (r.label) out.push(`<text x="${f.w - M.right - 5}" y="${fmt(py - 5)}" text-anchor="end" fill="${color}" paint-order="stroke" stroke="#fff" stroke-width="3">${escapeXml(r.label)}</text>`);
    }
  }
  for (const m of o.markers ?? []) {
    if (!Number.isFinite(m.x) || !Number.isFinite(m.y)) continue;
    const [px, py] = [sx(m.x), sy(m.y)];
    const color = m.color ?? '#000';
    out.push(`<circle cx="${fmt(px)}" cy="${fmt(py)}" r="6" fill="${color}" stroke="#fff" stroke-width="2"/>`);
    if (m.label) {
      const right = px > (M.left + f.w - M.right) * 0.6;
      const below = py < M.top + 30;
      out.push(
        `<text x="${fmt(px + (right ? -10 : 10))}" y="${fmt(py + (below ? 18 : -10))}" text-anchor="${right ? 'end' : 'start'}" fill="#111" font-weight="600" paint-order="stroke" stroke="#fff" stroke-width="4">${escapeXml(m.label)}</text>`,
      );
    }
  }
  return out.join('');
}

function pathOf(points: Point[], sx: Scale, sy: Scale, step: boolean): string {
  const d: string[] = [];
  let prev: Point | null = null;
  for (const p of points) {
    if (!Number.isFinite(p.x) || !Number.isFinite(p.y) || (sx.log && p.x <= 0) || (sy.log && p.y <= 0)) {
      prev = null; // a gap, not a line through a missing value
      continue;
    }
    if (prev && step) d.push(`L${fmt(sx(p.x))} ${fmt(sy(prev.y))}`);
    d.push(`${prev ? 'L' : 'M'}${fmt(sx(p.x))} ${fmt(sy(p.y))}`);
    prev = p;
  }
  return d.join('');
}

/** Lines for named {x,y} series with optional log axes, reference lines and labelled markers. */
export function lineChart(series: Series[], options: ChartOptions = {}): string {
  const f = frame(options, series.flatMap((s) => s.points.map((p) => p.x)), series.flatMap((s) => s.points.map((p) => p.y)));
  const colors = series.map((s, i) => s.color ?? PALETTE[i % PALETTE.length]);
  const body = series
    .map((s, i) => {
      const dash = s.dashed ? ' stroke-dasharray="6 5"' : '';
      return `<path d="${pathOf(s.points, f.sx, f.sy, s.step ?? false)}" fill="none" stroke="${colors[i]}" stroke-width="${s.width ?? 2}" stroke-linejoin="round"${dash}/>`;
    })
    .join('');
  const legend = series.map((s, i) => ({ name: s.name, color: colors[i], dashed: s.dashed }));
  return wrap(f, options, body + refLinesAndMarkers(f, options), legend);
}

/** Overlaid histograms on shared bin edges: translucent fills with solid outlines, optional log counts. */
export function histogram(data: { edges: number[]; series: { name: string; counts: number[]; color?: string }[] }, options: ChartOptions = {}): string {
  const logY = options.y?.log ?? false;
  const counts = data.series.flatMap((s) => s.counts);
  const maxCount = Math.max(1, ...counts);
  const o: ChartOptions = { ...options, y: { ...options.y, min: options.y?.min ?? (logY ? 0.5 : 0), max: options.y?.max ?? (logY ? maxCount * 2 : maxCount * 1.05) } };
  const f = frame(o, data.edges, counts, 0);
  const base = f.sy(f.sy.domain[0]);
  const body = data.series
    .map((s, i) => {
      const color = s.color ?? PALETTE[i % PALETTE.length];
      const d: string[] = [`M${fmt(f.sx(data.edges[0]))} ${fmt(base)}`];
      for (let b = 0; b < s.counts.length; b++) {
        const c = s.counts[b];
        const y = c > 0 && (!logY || c >= f.sy.domain[0]) ? f.sy(c) : base;
        d.push(`L${fmt(f.sx(data.edges[b]))} ${fmt(y)}L${fmt(f.sx(data.edges[b + 1]))} ${fmt(y)}`);
      }
      d.push(`L${fmt(f.sx(data.edges[data.edges.length - 1]))} ${fmt(base)}Z`);
      return `<path d="${d.join('')}" fill="${color}" fill-opacity="0.3" stroke="${color}" stroke-width="1.5"/>`;
    })
    .join('');
  const legend = data.series.map((s, i) => ({ name: s.name, color: s.color ?? PALETTE[i % PALETTE.length] }));
  return wrap(f, o, body + refLinesAndMarkers(f, o), legend);
}

export interface Bar {
  label: string;
  value: number;
  color?: string;
  /** Text after the bar (default: the formatted value). */
  text?: string;
}

/** Horizontal bars, one per row (labels on the left stay readable however long the list). */
export function barChart(bars: Bar[], options: { title?: string; width?: number; max?: number; xLabel?: string; format?: (v: number) => string } = {}): string {
  const w = options.width ?? 720;
  const rowH = 24;
  const labelW = Math.min(260, Math.max(80, ...bars.map((b) => Math.min(b.label.length, 36) * 7 + 12)));
  const textW = 150;
  const top = options.title ? 30 : 8;
  const h = top + bars.length * rowH + 44;
  const sx = makeScale([0, options.max ?? Math.max(1e-12, ...bars.map((b) => b.value))], [labelW, w - textW], { nice: options.max === undefined, format: options.format });
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img" aria-label="${escapeXml(options.title ?? 'bar chart')}" ${FONT} font-size="12">`];
  if (options.title) parts.push(`<text x="4" y="18" font-size="14" font-weight="600" fill="#111">${escapeXml(options.title)}</text>`);
  const y0 = top + bars.length * rowH;
  for (const t of sx.ticks) {
    parts.push(`<line x1="${fmt(sx(t))}" x2="${fmt(sx(t))}" y1="${top}" y2="${y0}" stroke="#e6e6e6"/>`);
    parts.push(`<text x="${fmt(sx(t))}" y="${y0 + 16}" text-anchor="middle" fill="#333">${escapeXml(sx.format(t))}</text>`);
  }
  bars.forEach((b, i) => {
    const y = top + i * rowH;
    const label = b.label.length > 36 ? `${b.label.slice(0, 35)}…` : b.label;
    const bw = Math.max(0, sx(Math.max(0, Math.min(b.value, sx.domain[1]))) - labelW);
    parts.push(`<g><title>${escapeXml(`${b.label}: ${b.text ?? sx.format(b.value)}`)}</title>`);
    parts.push(`<text x="${labelW - 8}" y="${y + rowH / 2}" dy="0.32em" text-anchor="end" fill="#222">${escapeXml(label)}</text>`);
    parts.push(`<rect x="${labelW}" y="${y + 4}" width="${fmt(bw)}" height="${rowH - 8}" fill="${b.color ?? PALETTE[0]}"/>`);
    parts.push(`<text x="${fmt(labelW + bw + 6)}" y="${y + rowH / 2}" dy="0.32em" fill="#222">${escapeXml(b.text ?? sx.format(b.value))}</text></g>`);
  });
  parts.push(`<line x1="${labelW}" x2="${labelW}" y1="${top}" y2="${y0}" stroke="#888"/>`);
  if (options.xLabel) parts.push(`<text x="${(labelW + w - textW) / 2}" y="${h - 8}" text-anchor="middle" font-size="13" fill="#222">${escapeXml(options.xLabel)}</text>`);
  parts.push('</svg>');
  return parts.join('');
}
