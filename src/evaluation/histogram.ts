import { quantileSorted } from '../core/stats.js';

/**
 * Score histograms per class on shared bins, so the classes can be overlaid. Detector scores are often heavy
 * tailed (reconstruction errors span decades), where equal-width bins put nearly every row in the first bin:
 * positive scores spanning more than three decades get log-spaced bins, and when a few extreme rows would
 * squeeze the rest, the range is cut at the 0.1% / 99.9% quantiles and the outliers land in the edge bins
 * (counted in `clipped`, so nothing disappears silently).
 */

export interface ScoreHistogram {
  /** bins + 1 ascending edges. */
  edges: number[];
  /** 'log' = log-spaced edges (plot with a log x axis). */
  scale: 'linear' | 'log';
  /** Rows outside [edges[0], edges[bins]] (including +-Infinity), counted into the first / last bin. */
  clipped: { below: number; above: number };
  series: { name: string; counts: number[]; total: number }[];
}

export interface HistogramOptions {
  bins?: number;
  /** Group rows by these per-row names instead of benign / attack. */
  classes?: ArrayLike<string>;
  /** Values the range should cover when that costs at most doubling it (for example the threshold). */
  include?: number[];
}

const SAMPLE = 200_000;

export function scoreHistograms(scores: Float64Array, labels: Int8Array, options: HistogramOptions = {}): ScoreHistogram {
  const bins = Math.max(1, Math.floor(options.bins ?? 50));
  const keep = (i: number): boolean => (labels[i] === 0 || labels[i] === 1) && Number.isFinite(scores[i]);
  let count = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < scores.length; i++) {
    if (!keep(i)) continue;
    count++;
    if (scores[i] < min) min = scores[i];
    if (scores[i] > max) max = scores[i];
  }
  // Quantiles from a strided sample: deterministic, and O(n) rather than a full sort of millions of rows.
  const stride = Math.max(1, Math.ceil(scores.length / SAMPLE));
  const sample: number[] = [];
  for (let i = 0; i < scores.length; i += stride) if (keep(i)) sample.push(scores[i]);
  const sorted = Float64Array.from(sample).sort();
  const qlo = sorted.length ? quantileSorted(sorted, 0.001) : min;
  const qhi = sorted.length ? quantileSorted(sorted, 0.999) : max;

  let lo = count ? min : 0;
  let hi = count ? max : 1;
  const scale: 'linear' | 'log' = lo > 0 && hi / lo > 1000 ? 'log' : 'linear';
  const t = (v: number): number => (scale === 'log' ? Math.log10(v) : v);
  if (t(qhi) - t(qlo) < 0.2 * (t(hi) - t(lo))) {
    lo = qlo;
    hi = qhi;
  }
  for (const v of options.include ?? []) {
    if (!Number.isFinite(v) || (scale === 'log' && v <= 0)) continue;
    const span = t(hi) - t(lo);
    if (v < lo && t(hi) - t(v) <= 2 * span) lo = v;
    if (v > hi && t(v) - t(lo) <= 2 * span) hi = v;
  }
  if (!(hi > lo)) {
    const pad = lo === 0 ? 0.5 : Math.abs(lo) * 0.05;
    lo -= pad;
    hi += pad;
  }

  const tlo = t(lo);
  const width = (t(hi) - tlo) / bins;
  const edges = Array.from({ length: bins + 1 }, (_, k) => (scale === 'log' ? Math.pow(10, tlo + k * width) : lo + k * width));
  edges[0] = lo;
  edges[bins] = hi;

  const names: string[] = [];
  const index = new Map<string, number>();
  const counts: number[][] = [];
  const seriesOf = (name: string): number => {
    let k = index.get(name);
    if (k === undefined) {
      k = names.length;
      index.set(name, k);
      names.push(name);
      counts.push(new Array<number>(bins).fill(0));
    }
    return k;
  };
  if (!options.classes) {
    seriesOf('benign');
    seriesOf('attack');
  }
  const clipped = { below: 0, above: 0 };
  for (let i = 0; i < scores.length; i++) {
    const l = labels[i];
    const s = scores[i];
    if ((l !== 0 && l !== 1) || Number.isNaN(s)) continue;
    const k = seriesOf(options.classes ? options.classes[i] : l === 1 ? 'attack' : 'benign');
    let b: number;
    if (s < lo) {
      clipped.below++;
      b = 0;
    } else if (s > hi) {
      clipped.above++;
      b = bins - 1;
    } else b = Math.max(0, Math.min(bins - 1, Math.floor((t(s) - tlo) / width)));
    counts[k][b]++;
  }
  return {
    edges,
    scale,
    clipped,
    series: names.map((name, k) => ({ name, counts: counts[k], total: counts[k].reduce((a, c) => a + c, 0) })),
  };
}
