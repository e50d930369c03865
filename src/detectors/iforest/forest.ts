/**
 * Isolation Forest (Liu, Ting & Zhou 2008) with scikit-learn's semantics: each tree sees `maxSamples` rows drawn
 * without replacement, grows to depth ceil(log2(maxSamples)), splits on a feature drawn uniformly among those not
 * constant in the node at a threshold drawn uniformly in [min, max) of that feature; an external node adds c(size)
 * to its depth. score = 2^(-E[h(x)] / c(maxSamples)), in (0, 1], higher = more abnormal.
 *
 * Every tree lives in shared flat typed arrays (no object per node) so scoring is one tight loop over a batch and
 * the model persists as a handful of base64 strings.
 */
import type { Matrix } from '../../core/matrix.js';
import { Rng } from '../../core/rng.js';

const EULER_GAMMA = 0.5772156649015329;

/** Average path length of an unsuccessful BST search among n points: c(n) = 2H(n-1) - 2(n-1)/n. */
export function averagePathLength(n: number): number {
  if (n <= 1) return 0;
  if (n === 2) return 1;
  return 2 * (Math.log(n - 1) + EULER_GAMMA) - (2 * (n - 1)) / n;
}

/** The fitted forest: node arrays shared by all trees; `feature[i] < 0` marks a leaf whose path length is `value[i]`. */
export interface Forest {
  roots: Int32Array;
  feature: Int32Array;
  threshold: Float32Array;
  left: Int32Array;
  right: Int32Array;
  /** Leaves: depth + c(leaf size). Internal nodes: 0. */
  value: Float32Array;
  /** c(maxSamples): the normaliser of the mean path length. */
  norm: number;
}

export interface GrowOptions {
  nEstimators: number;
  maxSamples: number;
  maxFeatures: number;
  bootstrap: boolean;
  seed: number;
  onProgress?: (done: number, total: number) => void;
}

/** Grows the forest. Work per tree is O(maxSamples * depth) plus one copy of the sample. */
export function growForest(x: Matrix, o: GrowOptions): Forest {
  const { rows: n, cols: d, data } = x;
  const m = o.maxSamples;
  const dt = o.maxFeatures;
  const maxDepth = Math.ceil(Math.log2(Math.max(m, 2)));
  const cap = o.nEstimators * (2 * m - 1);
  const feature = new Int32Array(cap);
  const threshold = new Float32Array(cap);
  const left = new Int32Array(cap);
  const right = new Int32Array(cap);
  const value = new Float32Array(cap);
  const roots = new Int32Array(o.nEstimators);

  const rng = new Rng(o.seed);
  const rowPool = new Uint32Array(n);
  for (let i = 0; i < n; i++) rowPool[i] = i;
  const featPool = new Int32Array(d);
  for (let j = 0; j < d; j++) featPool[j] = j;
  const sample = new Float32Array(dt * m); // column-major copy of the tree's sample: feature f at [f*m, f*m+m)
  const idx = new Int32Array(m);
  const cand = new Int32Array(dt); // tree-local features not constant over the whole sample
  const stack = new Int32Array(4 * (maxDepth + 2) * 2);
  let next = 0;

  for (let t = 0; t < o.nEstimators; t++) {
    const tr = rng.fork();
    // Partial Fisher-Yates on persistent pools: uniform without-replacement draws, no O(n) reset per tree.
    for (let k = 0; k < dt; k++) swap32(featPool, k, k + tr.int(d - k));
    if (!o.bootstrap) for (let k = 0; k < m; k++) swapU32(rowPool, k, k + tr.int(n - k));
    for (let k = 0; k < m; k++) {
      const r = o.bootstrap ? tr.int(n) : rowPool[k];
      const base = r * d;
      for (let f = 0; f < dt; f++) sample[f * m + k] = data[base + featPool[f]];
      idx[k] = k;
    }
    // A feature constant over the sample is constant in every node: drop it once per tree.
    let nCand = 0;
    for (let f = 0; f < dt; f++) {
      range(sample, f * m, idx, 0, m);
      if (mm[1] > mm[0]) cand[nCand++] = f;
    }

    roots[t] = next;
    let sp = 0;
    const push = (node: number, start: number, end: number, depth: number): void => {
      stack[sp++] = node;
      stack[sp++] = start;
      stack[sp++] = end;
      stack[sp++] = depth;
    };
    push(next++, 0, m, 0);
    while (sp > 0) {
      const depth = stack[--sp];
      const end = stack[--sp];
      const start = stack[--sp];
      const node = stack[--sp];
      const size = end - start;
      let f = -1;
      let lo = 0;
      let hi = 0;
      if (depth < maxDepth && size > 1) {
        // Draw features without replacement until one varies in this node (scikit-learn's effective behaviour).
        for (let remaining = nCand; remaining > 0; remaining--) {
          const j = tr.int(remaining);
          const c = cand[j];
          range(sample, c * m, idx, start, end);
          lo = mm[0];
          hi = mm[1];
          if (hi > lo) {
            f = c;
            break;
          }
          cand[j] = cand[remaining - 1];
          cand[remaining - 1] = c;
        }
      }
      if (f < 0) {
        feature[node] = -1;
        value[node] = depth + averagePathLength(size);
        continue;
      }
      let thr = Math.fround(lo + (hi - lo) * tr.next());
      if (thr >= hi) thr = lo; // keep both sides non-empty after float32 rounding (as scikit-learn does)
      // Partition idx[start, end) so rows with value <= thr come first.
      const off = f * m;
      let i = start;
      let j = end - 1;
      while (i <= j) {
        if (sample[off + idx[i]] <= thr) i++;
        else {
          const tmp = idx[i];
          idx[i] = idx[j];
          idx[j--] = tmp;
        }
      }
      feature[node] = featPool[f];
      threshold[node] = thr;
      const l = next++;
      const r = next++;
      left[node] = l;
      right[node] = r;
      push(r, i, end, depth + 1);
      push(l, start, i, depth + 1);
    }
    o.onProgress?.(t + 1, o.nEstimators);
  }
  return {
    roots,
    feature: feature.slice(0, next),
    threshold: threshold.slice(0, next),
    left: left.slice(0, next),
    right: right.slice(0, next),
    value: value.slice(0, next),
    norm: averagePathLength(m),
  };
}

/** Anomaly scores for a batch: rows in blocks so a block stays in cache while every tree walks it. */
export function scoreForest(f: Forest, x: Matrix, out: Float64Array): Float64Array {
  const { rows, cols, data } = x;
  const { roots, feature, threshold, left, right, value } = f;
  const nt = roots.length;
  const depthSum = new Float64Array(Math.min(rows, 512));
  const scale = -1 / (nt * (f.norm > 0 ? f.norm : 1));
  for (let b0 = 0; b0 < rows; b0 += 512) {
    const b1 = Math.min(rows, b0 + 512);
    depthSum.fill(0);
    for (let t = 0; t < nt; t++) {
      const root = roots[t];
      for (let r = b0; r < b1; r++) {
        const base = r * cols;
        let node = root;
        let fe = feature[node];
        while (fe >= 0) {
          node = data[base + fe] <= threshold[node] ? left[node] : right[node];
          fe = feature[node];
        }
        depthSum[r - b0] += value[node];
      }
    }
    for (let r = b0; r < b1; r++) out[r] = Math.pow(2, depthSum[r - b0] * scale);
  }
  return out;
}

/** Min and max of one feature over idx[start, end) (NaN ignored), written to `mm` (no allocation per node). */
const mm = new Float64Array(2);
function range(sample: Float32Array, off: number, idx: Int32Array, start: number, end: number): void {
  let lo = Infinity;
  let hi = -Infinity;
  for (let k = start; k < end; k++) {
    const v = sample[off + idx[k]];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  mm[0] = lo;
  mm[1] = hi;
}

function swap32(a: Int32Array, i: number, j: number): void {
  const t = a[i];
  a[i] = a[j];
  a[j] = t;
}

function swapU32(a: Uint32Array, i: number, j: number): void {
  const t = a[i];
  a[i] = a[j];
  a[j] = t;
}
