/** Dense linear algebra shared by detectors (PCA, Nystroem): thin wrappers over ml-matrix on Float64 arrays. */
import { EigenvalueDecomposition, Matrix as MlMatrix } from 'ml-matrix';

/** Eigenvalues (descending, negatives from rounding clipped to 0) and matching unit eigenvectors as rows. */
export function symmetricEigen(sym: Float64Array, d: number): { values: Float64Array; vectors: Float64Array } {
  const rows: number[][] = [];
  for (let i = 0; i < d; i++) rows.push(Array.from(sym.subarray(i * d, (i + 1) * d)));
  const eig = new EigenvalueDecomposition(new MlMatrix(rows), { assumeSymmetric: true });
  const raw = eig.realEigenvalues;
  const vec = eig.eigenvectorMatrix;
  const order = raw.map((_, i) => i).sort((a, b) => raw[b] - raw[a]);
  const values = new Float64Array(d);
  const vectors = new Float64Array(d * d);
  order.forEach((src, k) => {
    values[k] = Math.max(raw[src], 0);
    for (let j = 0; j < d; j++) vectors[k * d + j] = vec.get(j, src);
  });
  return { values, vectors };
}

/**
 * out[i * ldo + k] = x_i . z_k for rows x_0..x_{nx-1} (row-major, d columns) and z_0..z_{nz-1}: a register-blocked
 * (2 rows x 4 rows) product, ~4x faster in V8 than the naive triple loop because each loaded value feeds 4-8 MACs.
 * `out` is always a Float64Array: a store site that sees two typed-array kinds deoptimises (3x slower).
 */
export function crossDots(
  x: Float32Array, xo: number, nx: number, z: Float32Array, nz: number, d: number, out: Float64Array, ldo: number,
): void {
  let i = 0;
  for (; i + 2 <= nx; i += 2) {
    const xa = xo + i * d;
    const xb = xa + d;
    const oa = i * ldo;
    const ob = oa + ldo;
    let k = 0;
    for (; k + 4 <= nz; k += 4) {
      const z0 = k * d;
      const z1 = z0 + d;
      const z2 = z1 + d;
      const z3 = z2 + d;
      let a0 = 0, a1 = 0, a2 = 0, a3 = 0, b0 = 0, b1 = 0, b2 = 0, b3 = 0;
      for (let j = 0; j < d; j++) {
        const u = x[xa + j];
        const w = x[xb + j];
        const q0 = z[z0 + j];
        const q1 = z[z1 + j];
        const q2 = z[z2 + j];
        const q3 = z[z3 + j];
        a0 += u * q0;
        a1 += u * q1;
        a2 += u * q2;
        a3 += u * q3;
        b0 += w * q0;
        b1 += w * q1;
        b2 += w * q2;
        b3 += w * q3;
      }
      out[oa + k] = a0;
      out[oa + k + 1] = a1;
      out[oa + k + 2] = a2;
      out[oa + k + 3] = a3;
      out[ob + k] = b0;
      out[ob + k + 1] = b1;
      out[ob + k + 2] = b2;
      out[ob + k + 3] = b3;
    }
    for (; k < nz; k++) {
      let a = 0;
      let b = 0;
      for (let j = 0, zo = k * d; j < d; j++) {
        a += x[xa + j] * z[zo + j];
        b += x[xb + j] * z[zo + j];
      }
      out[oa + k] = a;
      out[ob + k] = b;
    }
  }
  for (; i < nx; i++) {
    const xa = xo + i * d;
    const oa = i * ldo;
    let k = 0;
    for (; k + 4 <= nz; k += 4) {
      const z0 = k * d;
      let a0 = 0, a1 = 0, a2 = 0, a3 = 0;
      for (let j = 0; j < d; j++) {
        const u = x[xa + j];
        a0 += u * z[z0 + j];
        a1 += u * z[z0 + d + j];
        a2 += u * z[z0 + 2 * d + j];
        a3 += u * z[z0 + 3 * d + j];
      }
      out[oa + k] = a0;
      out[oa + k + 1] = a1;
      out[oa + k + 2] = a2;
      out[oa + k + 3] = a3;
    }
    for (; k < nz; k++) {
      let a = 0;
      for (let j = 0, zo = k * d; j < d; j++) a += x[xa + j] * z[zo + j];
      out[oa + k] = a;
    }
  }
}
