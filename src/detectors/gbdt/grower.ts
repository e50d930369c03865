/**
 * Grows one regression tree on gradients/hessians, best-first (leaf-wise, like LightGBM and scikit-learn's
 * TreeGrower): the open leaf with the largest gain is split next, until `maxLeafNodes` leaves or no leaf can be split.
 * With `maxLeafNodes: null` every splittable node is split down to `maxDepth` (depth-wise growth).
 *
 * Rows of a node are a contiguous range of one partition array; a split partitions the range stably. Only the
 * smaller child's histogram is built; the larger one's is the parent's minus it (the subtraction trick), written
 * into the parent's buffer. Leaf values are -learningRate * G / (H + l2) (optionally clipped, see maxDeltaStep), added
 * to the raw scores of the node's rows.
 */
import type { ForestBuilder } from './forest.js';
import { buildHistogram, findBestSplit, leafStep, subtractHistogram, type HistLayout, type SplitConstraints, type SplitInfo } from './histogram.js';

export interface GrowerParams {
  maxLeafNodes: number | null;
  maxDepth: number | null;
  minSamplesLeaf: number;
  l2Regularization: number;
  learningRate: number;
  /** Clip every leaf's Newton step to +-maxDeltaStep before shrinkage (null = no clipping). */
  maxDeltaStep: number | null;
  /** Smallest hessian sum of a child (scikit-learn's min_hessian_to_split, LightGBM's min_sum_hessian_in_leaf). */
  minHessianLeaf: number;
}

interface GrowNode {
  id: number;
  start: number;
  end: number;
  depth: number;
  G: number;
  H: number;
  hist: Float64Array | null;
  split: SplitInfo | null;
}

export class TreeGrower {
  private readonly rows: Int32Array;
  private readonly scratch: Int32Array;
  private readonly gh: Float64Array;
  private readonly pool: Float64Array[] = [];
  private readonly slots: number;
  private readonly constraints: SplitConstraints;

  constructor(
    private readonly L: HistLayout,
    private readonly edges: Float64Array[],
    private readonly p: GrowerParams,
  ) {
    this.rows = new Int32Array(L.n);
    this.scratch = new Int32Array(L.n);
    this.gh = new Float64Array(2 * L.n);
    this.slots = 3 * L.offset[L.d];
    this.constraints = { lambda: p.l2Regularization, minSamplesLeaf: p.minSamplesLeaf, minHessian: p.minHessianLeaf, maxDelta: p.maxDeltaStep ?? 0 };
  }

  /**
   * Appends one tree to `forest` and adds its leaf values to raw[i * stride + cls] for every training row i.
   * Returns the root node index.
   */
  grow(grad: Float64Array, hess: Float64Array, forest: ForestBuilder, raw: Float64Array, stride: number, cls: number): number {
    const L = this.L;
    const n = L.n;
    const rows = this.rows;
    for (let i = 0; i < n; i++) rows[i] = i;
    let G = 0;
    let H = 0;
    for (let i = 0; i < n; i++) {
      G += grad[i];
      H += hess[i];
    }
    const root: GrowNode = { id: forest.addNode(), start: 0, end: n, depth: 0, G, H, hist: null, split: null };
    const all: GrowNode[] = [root];
    const open: GrowNode[] = [];
    let nLeaves = 1;
    if (this.splittable(root, nLeaves)) {
      root.hist = this.acquire();
      buildHistogram(L, root.hist, rows, 0, n, grad, hess, this.gh, G, H);
      this.evaluate(root, open);
    }
    while (open.length > 0 && (this.p.maxLeafNodes === null || nLeaves < this.p.maxLeafNodes)) {
      let best = 0;
      for (let k = 1; k < open.length; k++) if ((open[k].split as SplitInfo).gain > (open[best].split as SplitInfo).gain) best = k;
      const node = open.splice(best, 1)[0];
      const s = node.split as SplitInfo;
      const left: GrowNode = { id: forest.addNode(), start: node.start, end: node.start + s.cLeft, depth: node.depth + 1, G: s.gLeft, H: s.hLeft, hist: null, split: null };
      const right: GrowNode = { id: forest.addNode(), start: node.start + s.cLeft, end: node.end, depth: node.depth + 1, G: node.G - s.gLeft, H: node.H - s.hLeft, hist: null, split: null };
      all.push(left, right);
      this.partition(node);
      const f = s.feature;
      forest.feature[node.id] = f;
      forest.bin[node.id] = s.bin;
      forest.threshold[node.id] = s.bin < this.edges[f].length ? this.edges[f][s.bin] : Infinity;
      forest.missingLeft[node.id] = s.missingLeft ? 1 : 0;
      forest.left[node.id] = left.id;
      forest.right[node.id] = right.id;
      nLeaves++;
      const lOk = this.splittable(left, nLeaves);
      const rOk = this.splittable(right, nLeaves);
      const parentHist = node.hist as Float64Array;
      node.hist = null;
      if (lOk || rOk) {
        const [small, large] = left.end - left.start <= right.end - right.start ? [left, right] : [right, left];
        const smallOk = small === left ? lOk : rOk;
        const largeOk = small === left ? rOk : lOk;
        small.hist = this.acquire();
        buildHistogram(L, small.hist, rows, small.start, small.end, grad, hess, this.gh, small.G, small.H);
        if (largeOk) {
          subtractHistogram(parentHist, small.hist, parentHist);
          large.hist = parentHist;
          this.evaluate(large, open);
        } else {
          this.release(parentHist);
        }
        if (smallOk) this.evaluate(small, open);
        else this.release(small.hist);
        if (!smallOk) small.hist = null;
      } else {
        this.release(parentHist);
      }
    }
    for (const nd of open) {
      if (nd.hist) this.release(nd.hist);
      nd.hist = null;
    }
    // Every node that was not split is a leaf.
    const { learningRate: lr, l2Regularization: lambda } = this.p;
    const maxDelta = this.constraints.maxDelta;
    for (const nd of all) {
      if (forest.feature[nd.id] >= 0) continue;
      const v = lr * leafStep(nd.G, nd.H, lambda, maxDelta);
      forest.value[nd.id] = v;
      if (v === 0) continue;
      for (let k = nd.start; k < nd.end; k++) raw[rows[k] * stride + cls] += v;
    }
    return root.id;
  }

  private splittable(nd: GrowNode, nLeaves: number): boolean {
    const p = this.p;
    if (p.maxLeafNodes !== null && nLeaves >= p.maxLeafNodes) return false;
    if (p.maxDepth !== null && nd.depth >= p.maxDepth) return false;
    if (nd.end - nd.start < 2 * p.minSamplesLeaf) return false;
    return nd.H >= 2 * p.minHessianLeaf;
  }

  /** Finds the node's best split; keeps it open (with its histogram) when there is one, else frees the histogram. */
  private evaluate(nd: GrowNode, open: GrowNode[]): void {
    nd.split = findBestSplit(this.L, nd.hist as Float64Array, nd.G, nd.H, nd.end - nd.start, this.constraints);
    if (nd.split) open.push(nd);
    else {
      this.release(nd.hist as Float64Array);
      nd.hist = null;
    }
  }

  /** Stable partition of the node's rows: left rows first, then right. */
  private partition(nd: GrowNode): void {
    const s = nd.split as SplitInfo;
    const L = this.L;
    const n = L.n;
    const col = s.feature * n;
    const missBin = L.nBins[s.feature];
    const bin = s.bin;
    const missLeft = s.missingLeft;
    const rows = this.rows;
    const scratch = this.scratch;
    let nl = nd.start;
    let nr = 0;
    for (let k = nd.start; k < nd.end; k++) {
      const i = rows[k];
      const b = L.binned[col + i];
      if (b === missBin ? missLeft : b <= bin) {
        rows[nl++] = i;
      } else {
        scratch[nr++] = i;
      }
    }
    if (nl - nd.start !== s.cLeft) throw new Error(`gbdt: partition put ${nl - nd.start} rows left, histogram said ${s.cLeft}`);
    rows.set(scratch.subarray(0, nr), nl);
  }

  private acquire(): Float64Array {
    return this.pool.pop() ?? new Float64Array(this.slots);
  }

  private release(h: Float64Array): void {
    this.pool.push(h);
  }
}
