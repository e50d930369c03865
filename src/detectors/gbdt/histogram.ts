/**
 * Gradient/hessian histograms and split search for histogram GBDT.
 *
 * A histogram holds, for every (feature, bin) slot, the sums of gradient, hessian and row count, interleaved
 * (3 Float64 per slot). Feature f owns slots [offset[f], offset[f] + nBins[f] + 1): its non-missing bins, then the
 * NaN bin.
 *
 * Columns where most rows share one bin (one-hot columns, mostly-zero counters: most of a security data set) are
 * "sparse": besides the feature-major bins, each row keeps the list of its slots outside those default bins
 * (row-wise, like LightGBM's multi-value bins), so a node costs O(rows x (dense features + non-default entries per
 * row)) instead of O(rows x features); a sparse column's default bin is the node total minus its other bins.
 */

/** Binned training data and the layout of its histograms. */
export interface HistLayout {
  n: number;
  d: number;
  /** Feature-major bins: binned[f * n + i]. */
  binned: Uint8Array;
  nBins: Uint16Array;
  hasMissing: Uint8Array;
  /** Slot offset of each feature (d + 1 entries; the last is the total slot count). */
  offset: Int32Array;
  /** Features worth scanning (more than one bin, or NaN present). */
  active: Int32Array;
  /** Active features histogrammed column by column. */
  dense: Int32Array;
  /** Active features stored row-wise, and the default (most common) bin of each. */
  sparse: Int32Array;
  defaultBin: Int32Array;
  /** Row i's non-default slots of sparse features, times 3: rowSlots[rowPtr[i] .. rowPtr[i + 1]). */
  rowPtr: Int32Array;
  rowSlots: Int32Array;
}

/** A column goes row-wise when at most this fraction of its rows are outside its most common bin. */
const SPARSE_MAX_FRACTION = 0.5;

/** `counts[f * 256 + b]`: training rows of feature f in bin b (from binRows). */
export function buildLayout(n: number, d: number, binned: Uint8Array, nBins: Uint16Array, hasMissing: Uint8Array, counts: Int32Array): HistLayout {
  const offset = new Int32Array(d + 1);
  for (let f = 0; f < d; f++) offset[f + 1] = offset[f] + nBins[f] + 1;
  const active: number[] = [];
  for (let f = 0; f < d; f++) if (nBins[f] > 1 || hasMissing[f]) active.push(f);
  const dense: number[] = [];
  const sparse: number[] = [];
  const defaultBin = new Int32Array(d);
  const rowPtr = new Int32Array(n + 1);
  for (const f of active) {
    const c = f * 256;
    let db = 0;
    for (let b = 1; b <= nBins[f]; b++) if (counts[c + b] > counts[c + db]) db = b;
    if (n - counts[c + db] > n * SPARSE_MAX_FRACTION) {
      dense.push(f);
      continue;
    }
    sparse.push(f);
    defaultBin[f] = db;
    const off = f * n;
    for (let i = 0; i < n; i++) if (binned[off + i] !== db) rowPtr[i + 1]++;
  }
  for (let i = 0; i < n; i++) rowPtr[i + 1] += rowPtr[i];
  const rowSlots = new Int32Array(rowPtr[n]);
  const fill = rowPtr.slice(0, n);
  for (const f of sparse) {
    const off = f * n;
    const db = defaultBin[f];
    const base = offset[f];
    for (let i = 0; i < n; i++) {
      const b = binned[off + i];
      if (b !== db) rowSlots[fill[i]++] = 3 * (base + b);
    }
  }
  return {
    n,
    d,
    binned,
    nBins,
    hasMissing,
    offset,
    active: Int32Array.from(active),
    dense: Int32Array.from(dense),
    sparse: Int32Array.from(sparse),
    defaultBin,
    rowPtr,
    rowSlots,
  };
}

/**
 * Fills `hist` (zeroed here) for the rows rows[start..end). `gh` is scratch space of at least 2 * (end - start)
 * doubles; totG/totH are the node's gradient and hessian sums (the default bins of sparse columns are derived).
 * For the root (all n rows) `rows` must be the identity.
 */
export function buildHistogram(
  L: HistLayout,
  hist: Float64Array,
  rows: Int32Array,
  start: number,
  end: number,
  grad: Float64Array,
  hess: Float64Array,
  gh: Float64Array,
  totG: number,
  totH: number,
): void {
  hist.fill(0);
  const m = end - start;
  const n = L.n;
  const isRoot = m === n;
  const bin = L.binned;
  // Sparse columns, row by row.
  if (L.sparse.length > 0) {
    const ptr = L.rowPtr;
    const slots = L.rowSlots;
    for (let k = start; k < end; k++) {
      const i = isRoot ? k : rows[k];
      const g = grad[i];
      const h = hess[i];
      for (let j = ptr[i], e = ptr[i + 1]; j < e; j++) {
        const s = slots[j];
        hist[s] += g;
        hist[s + 1] += h;
        hist[s + 2] += 1;
      }
    }
    for (let a = 0; a < L.sparse.length; a++) {
      const f = L.sparse[a];
      const base = 3 * L.offset[f];
      const last = base + 3 * L.nBins[f];
      let sg = 0;
      let sh = 0;
      let sc = 0;
      for (let s = base; s <= last; s += 3) {
        sg += hist[s];
        sh += hist[s + 1];
        sc += hist[s + 2];
      }
      const s = base + 3 * L.defaultBin[f];
      hist[s] = totG - sg;
      hist[s + 1] = totH - sh;
      hist[s + 2] = m - sc;
    }
  }
  // Dense columns, feature by feature, over ordered (gathered) gradients.
  const dense = L.dense;
  if (dense.length === 0) return;
  if (!isRoot) {
    for (let k = 0; k < m; k++) {
      const i = rows[start + k];
      gh[2 * k] = grad[i];
      gh[2 * k + 1] = hess[i];
    }
  }
  for (let a = 0; a < dense.length; a++) {
    const f = dense[a];
    const base = 3 * L.offset[f];
    const col = f * n;
    if (isRoot) {
      for (let i = 0; i < n; i++) {
        const s = base + 3 * bin[col + i];
        hist[s] += grad[i];
        hist[s + 1] += hess[i];
        hist[s + 2] += 1;
      }
      continue;
    }
    for (let k = 0; k < m; k++) {
      const s = base + 3 * bin[col + rows[start + k]];
      hist[s] += gh[2 * k];
      hist[s + 1] += gh[2 * k + 1];
      hist[s + 2] += 1;
    }
  }
}

/** out = parent - child, slot by slot (the sibling trick: one child built, the other derived). In place allowed. */
export function subtractHistogram(parent: Float64Array, child: Float64Array, out: Float64Array): void {
  for (let s = 0; s < out.length; s++) out[s] = parent[s] - child[s];
}

export interface SplitInfo {
  gain: number;
  feature: number;
  /** Non-missing bins <= bin go left. */
  bin: number;
  missingLeft: boolean;
  gLeft: number;
  hLeft: number;
  cLeft: number;
}

export interface SplitConstraints {
  lambda: number;
  minSamplesLeaf: number;
  minHessian: number;
  /** XGBoost's max_delta_step: leaf Newton steps are clipped to [-maxDelta, maxDelta] (0 = no clipping). */
  maxDelta: number;
}

/**
 * Loss reduction of a leaf holding gradient sum g and hessian sum h: g^2 / (h + lambda), or, with the step w clipped
 * to +-maxDelta, -(2 g w + (h + lambda) w^2) (XGBoost's gain given weight; equal to the former when unclipped).
 */
export function leafGain(g: number, h: number, lambda: number, maxDelta: number): number {
  const den = h + lambda;
  if (maxDelta <= 0) return den > 0 ? (g * g) / den : 0;
  const w = leafStep(g, h, lambda, maxDelta);
  return -(2 * g * w + den * w * w);
}

/** Newton step of a leaf, -g / (h + lambda), clipped to +-maxDelta when maxDelta > 0 (0 when h + lambda is 0). */
export function leafStep(g: number, h: number, lambda: number, maxDelta: number): number {
  const den = h + lambda;
  if (!(den > 0)) return 0;
  const w = -g / den;
  return maxDelta > 0 ? Math.max(-maxDelta, Math.min(maxDelta, w)) : w;
}

/**
 * Best split of a node from its histogram (exact over bins). Missing values are tried on both sides when the node
 * has any; with none, they follow the side holding more rows (scikit-learn's rule for unseen NaN).
 * Returns null when no split has a positive gain under the constraints.
 */
export function findBestSplit(L: HistLayout, hist: Float64Array, G: number, H: number, C: number, c: SplitConstraints): SplitInfo | null {
  const lambda = c.lambda;
  const minLeaf = c.minSamplesLeaf;
  const minH = c.minHessian;
  const maxDelta = c.maxDelta;
  const clip = maxDelta > 0;
  const parentScore = leafGain(G, H, lambda, maxDelta);
  let bestGain = 0;
  let bestF = -1;
  let bestBin = 0;
  let bestMissLeft = false;
  let bestGL = 0;
  let bestHL = 0;
  let bestCL = 0;
  const active = L.active;
  for (let a = 0; a < active.length; a++) {
    const f = active[a];
    const base = 3 * L.offset[f];
    const nb = L.nBins[f];
    const ms = base + 3 * nb;
    const gM = hist[ms];
    const hM = hist[ms + 1];
    const cM = hist[ms + 2];
    // Missing on the right: thresholds 0..nb-2, plus nb-1 ("non-missing left, missing right") when NaN is present.
    let gL = 0;
    let hL = 0;
    let cL = 0;
    const lastRight = cM > 0 ? nb - 1 : nb - 2;
    for (let b = 0; b <= lastRight; b++) {
      const s = base + 3 * b;
      gL += hist[s];
      hL += hist[s + 1];
      cL += hist[s + 2];
      if (cL < minLeaf || hL < minH) continue;
      const cR = C - cL;
      if (cR < minLeaf) break;
      const hR = H - hL;
      if (hR < minH) continue;
      const gR = G - gL;
      const gain = clip ? leafGain(gL, hL, lambda, maxDelta) + leafGain(gR, hR, lambda, maxDelta) - parentScore : (gL * gL) / (hL + lambda) + (gR * gR) / (hR + lambda) - parentScore;
      if (gain > bestGain) {
        bestGain = gain;
        bestF = f;
        bestBin = b;
        bestMissLeft = cM === 0 && cL >= cR;
        bestGL = gL;
        bestHL = hL;
        bestCL = cL;
      }
    }
    if (cM === 0) continue;
    // Missing on the left.
    gL = gM;
    hL = hM;
    cL = cM;
    for (let b = 0; b < nb - 1; b++) {
      const s = base + 3 * b;
      gL += hist[s];
      hL += hist[s + 1];
      cL += hist[s + 2];
      if (cL < minLeaf || hL < minH) continue;
      const cR = C - cL;
      if (cR < minLeaf) break;
      const hR = H - hL;
      if (hR < minH) continue;
      const gR = G - gL;
      const gain = clip ? leafGain(gL, hL, lambda, maxDelta) + leafGain(gR, hR, lambda, maxDelta) - parentScore : (gL * gL) / (hL + lambda) + (gR * gR) / (hR + lambda) - parentScore;
      if (gain > bestGain) {
        bestGain = gain;
        bestF = f;
        bestBin = b;
        bestMissLeft = true;
        bestGL = gL;
        bestHL = hL;
        bestCL = cL;
      }
    }
  }
  if (bestF < 0) return null;
  return { gain: bestGain, feature: bestF, bin: bestBin, missingLeft: bestMissLeft, gLeft: bestGL, hLeft: bestHL, cLeft: bestCL };
}
