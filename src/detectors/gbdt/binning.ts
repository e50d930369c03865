/**
 * Feature binning for histogram GBDT (scikit-learn's _BinMapper): per feature, at most `maxBins` bins for
 * non-missing values plus one bin for NaN. A feature with at most `maxBins` distinct values gets one bin per value
 * (edges at the midpoints between consecutive distinct values); otherwise the edges are the (maxBins - 1) inner
 * quantiles ("midpoint" percentiles), de-duplicated. Edges are fitted on training rows only.
 *
 * A value v falls in the first bin b with v <= edges[b] (the last bin when it exceeds every edge); NaN falls in bin
 * `nBins[f]`. Trees compare raw values against these same edges, so scoring raw rows and walking binned training
 * rows take the same branches.
 */
import type { Matrix } from '../../core/matrix.js';
import { Rng } from '../../core/rng.js';

/** Largest finite edge: keeps a +Infinity value on the right of every edge (sklearn's ALMOST_INF). */
const ALMOST_INF = 1e300;

export interface BinMapper {
  /** Ascending thresholds between the non-missing bins of each feature (nBins[f] - 1 of them). */
  edges: Float64Array[];
  /** Non-missing bins per feature (1 for a constant column); bin nBins[f] holds NaN. */
  nBins: Uint16Array;
}

/**
 * Fits bin edges on the given rows of x. When there are more than `subsample` rows, a seeded subsample is used
 * (scikit-learn does the same with 200 000).
 */
export function fitBinMapper(x: Matrix, rows: Int32Array, maxBins: number, seed: number, subsample = 200_000): BinMapper {
  let use = rows;
  if (rows.length > subsample) {
    const pick = new Rng(seed).sampleIndices(rows.length, subsample);
    pick.sort();
    use = new Int32Array(subsample);
    for (let k = 0; k < subsample; k++) use[k] = rows[pick[k]];
  }
  const d = x.cols;
  const cols = transpose(x, use);
  const m = use.length;
  const edges: Float64Array[] = [];
  const nBins = new Uint16Array(d);
  const buf = new Float64Array(m);
  const seen = new Set<number>();
  for (let f = 0; f < d; f++) {
    let k = 0;
    const off = f * m;
    for (let r = 0; r < m; r++) {
      const v = cols[off + r];
      if (v === v) buf[k++] = v;
    }
    const e = featureEdges(buf.subarray(0, k), maxBins, seen);
    edges.push(e);
    nBins[f] = e.length + 1;
  }
  return { edges, nBins };
}

/** The given rows of x, feature-major (one row-major pass; every later per-feature pass is then sequential). */
function transpose(x: Matrix, rows: Int32Array): Float32Array {
  const n = rows.length;
  const d = x.cols;
  const out = new Float32Array(n * d);
  const data = x.data;
  for (let k = 0; k < n; k++) {
    const o = rows[k] * d;
    for (let f = 0; f < d; f++) out[f * n + k] = data[o + f];
  }
  return out;
}

function featureEdges(values: Float64Array, maxBins: number, seen: Set<number>): Float64Array {
  if (values.length === 0) return new Float64Array(0);
  // Cheap path for low-cardinality columns (one-hot, flags, small counts): collect distinct values until there are
  // too many, and sort only those.
  seen.clear();
  let last = NaN;
  for (let k = 0; k < values.length && seen.size <= maxBins; k++) {
    const v = values[k];
    if (v !== last) {
      seen.add(v);
      last = v;
    }
  }
  if (seen.size <= maxBins) {
    const distinct = Float64Array.from(seen).sort();
    return midpoints(distinct);
  }
  const sorted = values.slice().sort();
  const n = sorted.length;
  const out: number[] = [];
  for (let q = 1; q < maxBins; q++) {
    // numpy.percentile(..., method="midpoint") at q / maxBins.
    const pos = (q / maxBins) * (n - 1);
    const lo = Math.floor(pos);
    const hi = Math.ceil(pos);
    const v = lo === hi ? sorted[lo] : (sorted[lo] + sorted[hi]) / 2;
    const c = Math.min(v, ALMOST_INF);
    if (out.length === 0 || c > out[out.length - 1]) out.push(c);
  }
  // An edge at the maximum would leave the last bin empty; drop it (the same bins, one fewer split to scan).
  while (out.length > 0 && out[out.length - 1] >= sorted[n - 1]) out.pop();
  return Float64Array.from(out);
}

function midpoints(distinct: Float64Array): Float64Array {
  const e = new Float64Array(Math.max(distinct.length - 1, 0));
  for (let i = 0; i < e.length; i++) e[i] = Math.min((distinct[i] + distinct[i + 1]) / 2, ALMOST_INF);
  return e;
}

/** Bin of one value (binary search: the first edge >= v). */
export function binOf(edges: Float64Array, v: number): number {
  if (v !== v) return -1;
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (edges[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Bins the given rows of x, feature-major: out[f * rows.length + k] is the bin of x[rows[k], f] (NaN -> nBins[f]).
 * Also reports which features hold NaN in these rows, and the row count of every (feature, bin) (bins of feature f
 * at counts[f * 256 ...]).
 */
export function binRows(x: Matrix, rows: Int32Array, mapper: BinMapper): { binned: Uint8Array; hasMissing: Uint8Array; counts: Int32Array } {
  const n = rows.length;
  const d = x.cols;
  const cols = transpose(x, rows);
  const binned = new Uint8Array(d * n);
  const hasMissing = new Uint8Array(d);
  const counts = new Int32Array(d * 256);
  for (let f = 0; f < d; f++) {
    const e = mapper.edges[f];
    const missing = mapper.nBins[f];
    const off = f * n;
    const ne = e.length;
    const cnt = counts.subarray(f * 256, f * 256 + 256);
    for (let k = 0; k < n; k++) {
      const v = cols[off + k];
      let b: number;
      if (v !== v) {
        b = missing;
        hasMissing[f] = 1;
      } else if (ne <= 8) {
        b = 0;
        while (b < ne && e[b] < v) b++;
      } else {
        let lo = 0;
        let hi = ne;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if (e[mid] < v) lo = mid + 1;
          else hi = mid;
        }
        b = lo;
      }
      binned[off + k] = b;
      cnt[b]++;
    }
  }
  return { binned, hasMissing, counts };
}
