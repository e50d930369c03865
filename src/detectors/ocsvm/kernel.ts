/**
 * RBF kernel blocks on row-major Float32 data: K(a, b) = exp(-gamma * ||a - b||^2), computed as
 * exp(-gamma * (|a|^2 + |b|^2 - 2 a.b)) from precomputed squared norms and a register-blocked dot product.
 */
import { crossDots } from '../linalg.js';

export function squaredNorms(data: Float32Array, rows: number, d: number): Float64Array {
  const out = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    let s = 0;
    for (let j = i * d, e = j + d; j < e; j++) s += data[j] * data[j];
    out[i] = s;
  }
  return out;
}

/**
 * out[i * nz + k] = K(x_{i0+i}, z_k) for nx rows of x starting at row i0 and all nz rows of z, in blocks of rows
 * through a Float64 scratch (see crossDots). xNorm / zNorm: squared norms of all rows of x and z.
 */
export function rbfBlock(
  x: Float32Array, i0: number, nx: number, xNorm: Float64Array,
  z: Float32Array, zNorm: Float64Array, nz: number, d: number, gamma: number, out: Float32Array,
): void {
  const B = 16;
  const scratch = new Float64Array(Math.min(B, nx) * nz);
  for (let b0 = 0; b0 < nx; b0 += B) {
    const nb = Math.min(B, nx - b0);
    crossDots(x, (i0 + b0) * d, nb, z, nz, d, scratch, nz);
    rbfFromDots(scratch, nb, nz, xNorm, i0 + b0, zNorm, gamma);
    out.set(nb * nz === scratch.length ? scratch : scratch.subarray(0, nb * nz), b0 * nz);
  }
}

/** In place: dots[i * nz + k] = x_i . z_k  ->  K(x_i, z_k), for rows xFrom.. of the norms. */
export function rbfFromDots(dots: Float64Array, nx: number, nz: number, xNorm: Float64Array, xFrom: number, zNorm: Float64Array, gamma: number): void {
  for (let i = 0; i < nx; i++) {
    const xn = xNorm[xFrom + i];
    for (let k = 0, o = i * nz; k < nz; k++) dots[o + k] = Math.exp(-gamma * Math.max(xn + zNorm[k] - 2 * dots[o + k], 0));
  }
}

/**
 * Kernel expansion: out[i] = sum_k coef[k] K(x_i, z_k) - rho. Used by the exact solver (z = support vectors) and by
 * Nystroem (z = landmarks, coef = K_mm^+ u), so both persist and score the same way.
 */
export function expansionScores(
  x: Float32Array, rows: number, d: number,
  z: Float32Array, coef: Float64Array, gamma: number, rho: number, out: Float64Array,
): Float64Array {
  const nz = coef.length;
  const zNorm = squaredNorms(z, nz, d);
  const B = 32;
  const block = new Float64Array(B * nz);
  for (let r0 = 0; r0 < rows; r0 += B) {
    const nb = Math.min(B, rows - r0);
    const xNorm = squaredNorms(x.subarray(r0 * d, (r0 + nb) * d), nb, d);
    crossDots(x, r0 * d, nb, z, nz, d, block, nz);
    rbfFromDots(block, nb, nz, xNorm, 0, zNorm, gamma);
    for (let i = 0; i < nb; i++) {
      let s = 0;
      for (let k = 0, o = i * nz; k < nz; k++) s += coef[k] * block[o + k];
      out[r0 + i] = s - rho;
    }
  }
  return out;
}

/** An LRU cache of kernel rows over the training set (libsvm's Cache, simplified). */
export class KernelCache {
  private readonly rows = new Map<number, Float32Array>();
  private readonly capacity: number;
  computed = 0;

  constructor(
    private readonly x: Float32Array,
    private readonly n: number,
    private readonly d: number,
    private readonly gamma: number,
    private readonly norms: Float64Array,
    cacheBytes: number,
  ) {
    this.capacity = Math.max(2, Math.floor(cacheBytes / (4 * Math.max(n, 1))));
  }

  row(i: number): Float32Array {
    const hit = this.rows.get(i);
    if (hit) {
      this.rows.delete(i); // re-insert: Map iteration order is the LRU order
      this.rows.set(i, hit);
      return hit;
    }
    let out: Float32Array;
    if (this.rows.size >= this.capacity) {
      const oldest = this.rows.keys().next().value as number;
      out = this.rows.get(oldest) as Float32Array;
      this.rows.delete(oldest);
    } else out = new Float32Array(this.n);
    rbfBlock(this.x, i, 1, this.norms, this.x, this.norms, this.n, this.d, this.gamma, out);
    this.computed++;
    this.rows.set(i, out);
    return out;
  }
}
