/**
 * SMOTE, the Synthetic Minority Over-sampling TEchnique (Chawla, Bowyer, Hall & Kegelmeyer, JAIR 16, 2002).
 *
 * For a class that needs S more rows: each synthetic row starts from a base row of that class, picks one of the
 * base's k nearest neighbours within the same class (Euclidean, exact), and lies at a uniform random gap on the
 * segment between them: x_base + gap * (x_neighbour - x_base), gap in [0, 1). As in the paper, when S >= n_c every
 * row of the class is a base floor(S / n_c) times and the remainder are distinct random rows; when S < n_c the S
 * bases are distinct random rows. Neighbours are computed for the bases only (a blocked exact search with early
 * abandoning), so the cost is about min(S, n_c) * n_c * d: fine up to a few tens of thousands of rows per class.
 *
 * Multi-class: every class below its target is oversampled independently (by default up to the majority count,
 * imbalanced-learn's 'not majority'). Features are interpolated as numbers, so apply SMOTE after the feature
 * pipeline (scaled, imputed, finite features), to training rows only, never to evaluation rows.
 */
import { createMatrix, type Matrix } from '../../core/matrix.js';
import { Rng } from '../../core/rng.js';

export interface SmoteOptions {
  /** Seed for the choice of bases, neighbours and gaps (default 0). */
  seed?: number;
  /** Neighbours per base row (default 5; capped at class size - 1). */
  k?: number;
  /** Raise every class to round(targetRatio * majority count) rows (default 1: balance every class). */
  targetRatio?: number;
  /** Wanted row count per class index (overrides targetRatio). Classes already at or above it are left alone. */
  perClassTarget?: ArrayLike<number>;
}

export interface SmoteResult {
  /** The input rows (in order) followed by the synthetic rows, grouped by class index. */
  x: Matrix;
  labels: Int32Array;
  /** Synthetic rows added per class index. */
  added: number[];
  /** Classes that were below target but have fewer than 2 rows (nothing to interpolate with): left as they are. */
  skipped: number[];
}

export function smote(x: Matrix, labels: Int32Array, options: SmoteOptions = {}): SmoteResult {
  if (labels.length !== x.rows) throw new RangeError(`smote: ${labels.length} labels for ${x.rows} rows`);
  const k = options.k ?? 5;
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`smote: k must be a positive integer, got ${k}`);
  const ratio = options.targetRatio ?? 1;
  if (!(ratio > 0)) throw new RangeError(`smote: targetRatio must be > 0, got ${ratio}`);
  let nClasses = 0;
  for (let i = 0; i < labels.length; i++) {
    if (!Number.isInteger(labels[i]) || labels[i] < 0) throw new RangeError(`smote: label ${labels[i]} at row ${i} is not a class index`);
    nClasses = Math.max(nClasses, labels[i] + 1);
  }
  const members: number[][] = Array.from({ length: nClasses }, () => []);
  for (let i = 0; i < labels.length; i++) members[labels[i]].push(i);
  const majority = members.reduce((m, c) => Math.max(m, c.length), 0);
  const target = (c: number) => {
    const t = options.perClassTarget ? (options.perClassTarget[c] ?? 0) : Math.round(ratio * majority);
    return Math.max(0, Math.floor(t));
  };

  const rng = new Rng(options.seed ?? 0);
  const d = x.cols;
  const added = new Array<number>(nClasses).fill(0);
  const skipped: number[] = [];
  const parts: Float32Array[] = [];
  const partLabels: number[] = [];
  for (let c = 0; c < nClasses; c++) {
    const rows = Int32Array.from(members[c]);
    const need = target(c) - rows.length;
    if (need <= 0 || rows.length === 0) continue;
    if (rows.length < 2) {
      skipped.push(c);
      continue;
    }
    const kEff = Math.min(k, rows.length - 1);
    const bases = chooseBases(rows.length, need, rng);
    // Distinct bases (positions within the class) and their neighbours.
    const distinct = Int32Array.from(new Set(bases)).sort();
    const slot = new Map<number, number>();
    distinct.forEach((b, j) => slot.set(b, j));
    const nn = nearestNeighbours(x, rows, distinct, kEff);
    const out = new Float32Array(need * d);
    for (let s = 0; s < need; s++) {
      const b = bases[s];
      const nbr = nn[(slot.get(b) as number) * kEff + rng.int(kEff)];
      const gap = rng.next();
      const pb = rows[b] * d;
      const pn = rows[nbr] * d;
      for (let j = 0; j < d; j++) {
        const a = x.data[pb + j];
        out[s * d + j] = a + gap * (x.data[pn + j] - a);
      }
    }
    parts.push(out);
    for (let s = 0; s < need; s++) partLabels.push(c);
    added[c] = need;
  }
  const total = x.rows + partLabels.length;
  const data = new Float32Array(total * d);
  data.set(x.data.subarray(0, x.rows * d));
  let off = x.rows * d;
  for (const p of parts) {
    data.set(p, off);
    off += p.length;
  }
  const outLabels = new Int32Array(total);
  outLabels.set(labels);
  outLabels.set(partLabels, x.rows);
  return { x: createMatrix(total, d, data), labels: outLabels, added, skipped };
}

/** Base rows (positions 0..n-1) for `need` synthetic rows: every row floor(need / n) times, then distinct random ones. */
function chooseBases(n: number, need: number, rng: Rng): Int32Array {
  const bases = new Int32Array(need);
  const full = Math.floor(need / n);
  let s = 0;
  for (let r = 0; r < full; r++) for (let i = 0; i < n; i++) bases[s++] = i;
  const rest = rng.sampleIndices(n, need - s);
  rest.sort();
  for (const i of rest) bases[s++] = i;
  return bases;
}

/** Rows per block of queries: the block stays in cache while every candidate row streams past it once. */
const QUERY_BLOCK = 32;

/**
 * Exact k nearest neighbours (squared Euclidean) of rows[q] for q in `queries`, among rows (itself excluded),
 * as positions into rows: out[j * k .. j * k + k) for queries[j], nearest first (ties: lower position first).
 */
export function nearestNeighbours(x: Matrix, rows: Int32Array, queries: Int32Array, k: number): Int32Array {
  const d = x.cols;
  const data = x.data;
  const nq = queries.length;
  const bestD = new Float64Array(nq * k).fill(Infinity);
  const bestI = new Int32Array(nq * k).fill(-1);
  const qb = new Float64Array(QUERY_BLOCK * d);
  for (let q0 = 0; q0 < nq; q0 += QUERY_BLOCK) {
    const q1 = Math.min(nq, q0 + QUERY_BLOCK);
    for (let q = q0; q < q1; q++) {
      const src = rows[queries[q]] * d;
      for (let j = 0; j < d; j++) qb[(q - q0) * d + j] = data[src + j];
    }
    for (let p = 0; p < rows.length; p++) {
      const src = rows[p] * d;
      for (let q = q0; q < q1; q++) {
        if (queries[q] === p) continue;
        const bound = bestD[q * k + k - 1];
        const qo = (q - q0) * d;
        let dist = 0;
        let j = 0;
        // Early abandoning: stop once the partial distance already exceeds the current k-th best.
        while (j < d) {
          const stop = Math.min(d, j + 16);
          for (; j < stop; j++) {
            const t = qb[qo + j] - data[src + j];
            dist += t * t;
          }
          if (dist > bound) break;
        }
        if (dist >= bound) continue;
        // Insert (strictly better than the k-th; equal distances keep the earlier, lower position).
        let s = q * k + k - 1;
        const first = q * k;
        while (s > first && bestD[s - 1] > dist) {
          bestD[s] = bestD[s - 1];
          bestI[s] = bestI[s - 1];
          s--;
        }
        bestD[s] = dist;
        bestI[s] = p;
      }
    }
  }
  return bestI;
}
