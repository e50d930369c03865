/**
 * Axis scales and tick choice for the SVG charts: linear with 1-2-5 "nice" steps, and log10 with ticks at
 * powers of ten. Kept apart from svg.ts so non-SVG views (text sparklines, the dashboard) can reuse them.
 */

export interface Scale {
  /** Data value -> pixel. */
  (v: number): number;
  domain: [number, number];
  ticks: number[];
  log: boolean;
  format(v: number): string;
}

export interface ScaleOptions {
  log?: boolean;
  /** Round the domain out to tick steps (default true when the domain was derived from data). */
  nice?: boolean;
  ticks?: number;
  format?: (v: number) => string;
}

function niceStep(span: number, count: number): number {
  const raw = span / Math.max(1, count);
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const f = raw / mag;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
}

/** Tick label: enough decimals for the step, SI suffixes for big numbers. */
export function formatTick(v: number, step: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e3 || (a < 1e-3 && step < 1e-3)) {
    if (a >= 1e3 && a < 1e12) {
      const [div, suffix] = a >= 1e9 ? [1e9, 'G'] : a >= 1e6 ? [1e6, 'M'] : [1e3, 'k'];
      const decimals = Math.max(0, -Math.floor(Math.log10(step / div) + 1e-9));
      return `${Number((v / div).toFixed(Math.min(decimals, 3)))}${suffix}`;
    }
    return v.toExponential(0).replace('e+', 'e');
  }
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  return v.toFixed(Math.min(decimals, 8));
}

export function makeScale(domain: [number, number], range: [number, number], options: ScaleOptions = {}): Scale {
  let [d0, d1] = domain;
  const log = options.log ?? false;
  if (log) {
    d0 = d0 > 0 ? d0 : 1e-12;
    d1 = d1 > d0 ? d1 : d0 * 10;
    if (options.nice ?? true) {
      d0 = Math.pow(10, Math.floor(Math.log10(d0) + 1e-9));
      d1 = Math.pow(10, Math.ceil(Math.log10(d1) - 1e-9));
      if (d1 <= d0) d1 = d0 * 10;
    }
    const l0 = Math.log10(d0);
    const l1 = Math.log10(d1);
    const decades = Math.ceil(l1 - 1e-9) - Math.floor(l0 + 1e-9);
    const every = Math.max(1, Math.ceil(decades / (options.ticks ?? 7)));
    const ticks: number[] = [];
    for (let e = Math.ceil(l0 - 1e-9); e <= Math.floor(l1 + 1e-9); e += every) ticks.push(Math.pow(10, e));
    const s = ((v: number) => range[0] + ((Math.log10(Math.max(v, d0 * 1e-3)) - l0) / (l1 - l0)) * (range[1] - range[0])) as Scale;
    s.domain = [d0, d1];
    s.ticks = ticks;
    s.log = true;
    s.format = options.format ?? ((v) => formatTick(v, v));
    return s;
  }
  if (!(d1 > d0)) {
    const pad = d0 === 0 ? 1 : Math.abs(d0) * 0.1;
    d0 -= pad;
    d1 += pad;
  }
  const step = niceStep(d1 - d0, options.ticks ?? 6);
  if (options.nice ?? true) {
    d0 = Math.floor(d0 / step + 1e-9) * step;
    d1 = Math.ceil(d1 / step - 1e-9) * step;
  }
  const ticks: number[] = [];
  for (let t = Math.ceil(d0 / step - 1e-9) * step; t <= d1 + step * 1e-9; t += step) ticks.push(Math.abs(t) < step * 1e-9 ? 0 : t);
  const s = ((v: number) => range[0] + ((v - d0) / (d1 - d0)) * (range[1] - range[0])) as Scale;
  s.domain = [d0, d1];
  s.ticks = ticks;
  s.log = false;
  s.format = options.format ?? ((v) => formatTick(v, step));
  return s;
}

/** Min and max of finite values (positive only for log axes); null when there are none. */
export function extent(values: Iterable<number>, positiveOnly = false): [number, number] | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v) || (positiveOnly && v <= 0)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : null;
}
