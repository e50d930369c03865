/**
 * The boosted trees as flat typed arrays (one node table for every tree; children are absolute node indices).
 * Tree t adds its leaf value to the raw score of class t % treesPerIteration; raw scores start at `baseline`.
 * Internal node: x[feature] <= threshold goes left, NaN goes left when missingLeft is 1. Leaf: feature = -1.
 */
import type { Matrix } from '../../core/matrix.js';

export interface Forest {
  treesPerIteration: number;
  baseline: Float64Array;
  roots: Int32Array;
  feature: Int32Array;
  threshold: Float64Array;
  missingLeft: Uint8Array;
  left: Int32Array;
  right: Int32Array;
  value: Float64Array;
}

/** Growable node table used while boosting; `bin` (the split bin) is only needed to walk binned rows. */
export class ForestBuilder {
  size = 0;
  roots: number[] = [];
  feature = new Int32Array(256);
  threshold = new Float64Array(256);
  bin = new Uint8Array(256);
  missingLeft = new Uint8Array(256);
  left = new Int32Array(256);
  right = new Int32Array(256);
  value = new Float64Array(256);

  addNode(): number {
    if (this.size === this.feature.length) this.grow();
    const id = this.size++;
    this.feature[id] = -1;
    this.left[id] = -1;
    this.right[id] = -1;
    this.value[id] = 0;
    return id;
  }

  private grow(): void {
    const cap = this.feature.length * 2;
    const g = <T extends Int32Array | Float64Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const b = make(cap);
      b.set(a);
      return b;
    };
    this.feature = g(this.feature, (n) => new Int32Array(n));
    this.threshold = g(this.threshold, (n) => new Float64Array(n));
    this.bin = g(this.bin, (n) => new Uint8Array(n));
    this.missingLeft = g(this.missingLeft, (n) => new Uint8Array(n));
    this.left = g(this.left, (n) => new Int32Array(n));
    this.right = g(this.right, (n) => new Int32Array(n));
    this.value = g(this.value, (n) => new Float64Array(n));
  }

  /** Leaf reached by binned row k of a feature-major binned block with `n` rows. */
  leafOfBinned(root: number, binned: Uint8Array, n: number, k: number, nBins: Uint16Array): number {
    let node = root;
    while (this.feature[node] >= 0) {
      const f = this.feature[node];
      const b = binned[f * n + k];
      const goLeft = b === nBins[f] ? this.missingLeft[node] === 1 : b <= this.bin[node];
      node = goLeft ? this.left[node] : this.right[node];
    }
    return node;
  }

  build(treesPerIteration: number, baseline: Float64Array): Forest {
    const s = this.size;
    return {
      treesPerIteration,
      baseline: baseline.slice(),
      roots: Int32Array.from(this.roots),
      feature: this.feature.slice(0, s),
      threshold: this.threshold.slice(0, s),
      missingLeft: this.missingLeft.slice(0, s),
      left: this.left.slice(0, s),
      right: this.right.slice(0, s),
      value: this.value.slice(0, s),
    };
  }
}

/** Raw scores (rows x treesPerIteration, row-major), baseline plus every tree, summed in tree order. */
export function predictRaw(f: Forest, x: Matrix): Float64Array {
  const K = f.treesPerIteration;
  const out = new Float64Array(x.rows * K);
  const { roots, feature, threshold, missingLeft, left, right, value } = f;
  const d = x.cols;
  const data = x.data;
  const nTrees = roots.length;
  for (let r = 0; r < x.rows; r++) {
    const o = r * K;
    for (let k = 0; k < K; k++) out[o + k] = f.baseline[k];
    const base = r * d;
    for (let t = 0; t < nTrees; t++) {
      let node = roots[t];
      let ft = feature[node];
      while (ft >= 0) {
        const v = data[base + ft];
        node = (v !== v ? missingLeft[node] === 1 : v <= threshold[node]) ? left[node] : right[node];
        ft = feature[node];
      }
      out[o + (t % K)] += value[node];
    }
  }
  return out;
}
