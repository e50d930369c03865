/**
 * One-Class SVM with an RBF kernel (Schölkopf et al. 2001): decision f(x) = sum_i a_i K(x_i, x) - rho with
 * sum a = 1, 0 <= a_i <= 1 / (nu n); the detector's score is -f(x) (scikit-learn's -score_samples up to a constant).
 *
 * Solvers: 'exact' = SMO on the full dual (O(n^2) kernel work, for up to a few thousand rows); 'nystroem' / 'rff' =
 * a kernel approximation with a linear one-class SVM solved in that feature space (see approx.ts). 'auto' takes
 * the exact solver up to maxExactRows rows and Nystroem above. Training sets above maxTrainRows are subsampled.
 */
import { selectRows, type Matrix } from '../../core/matrix.js';
import { Rng } from '../../core/rng.js';
import { overallVariance } from '../util.js';
import type { OcsvmParams } from './options.js';
import { crossDots } from '../linalg.js';
import { expansionScores, rbfBlock, rbfFromDots, squaredNorms } from './kernel.js';
import { solveOneClass } from './smo.js';
import { nystroemMetric, rffMap, rffTransform, solveLinearOneClass } from './approx.js';

export interface OcsvmModel {
  solver: 'exact' | 'nystroem' | 'rff';
  gamma: number;
  rho: number;
  /** exact: support vectors; nystroem: landmarks (rows x d). Empty for rff. */
  centers: Float32Array;
  /** Expansion coefficients (exact, nystroem) or the weight vector in random-feature space (rff). */
  coef: Float64Array;
  /** rff only: frequencies (D x d) and phases. */
  W: Float32Array;
  b: Float64Array;
}

export interface OcsvmFitInfo {
  solver: OcsvmModel['solver'];
  trainRows: number;
  /** Set when the training set was subsampled to maxTrainRows (or maxExactRows for an explicit exact solve). */
  subsampledFrom: number | null;
  iterations: number;
  converged: boolean;
  nSupport: number;
}

export function resolveGamma(gamma: OcsvmParams['gamma'], x: Matrix): number {
  if (typeof gamma === 'number') return gamma;
  if (gamma === 'auto') return 1 / Math.max(x.cols, 1);
  const v = overallVariance(x);
  return v > 0 ? 1 / (x.cols * v) : 1;
}

export function fitOcsvm(x: Matrix, p: OcsvmParams, seed: number): { model: OcsvmModel; info: OcsvmFitInfo } {
  const rng = new Rng(seed);
  const gamma = resolveGamma(p.gamma, x);
  const solver = p.solver === 'auto' ? (x.rows <= p.maxExactRows ? 'exact' : 'nystroem') : p.solver;
  // An exact solve is O(n^2): it honours maxExactRows even when asked for explicitly.
  const limit = solver === 'exact' ? Math.min(p.maxExactRows, p.maxTrainRows) : p.maxTrainRows;
  const sub = x.rows > limit ? selectRows(x, rng.sampleIndices(x.rows, limit).sort()) : x;
  const { rows: n, cols: d, data } = sub;
  const info: OcsvmFitInfo = {
    solver, trainRows: n, subsampledFrom: sub === x ? null : x.rows, iterations: 0, converged: true, nSupport: 0,
  };
  const empty = { W: new Float32Array(0), b: new Float64Array(0) };

  if (solver === 'exact') {
    const r = solveOneClass(data, n, d, gamma, p.nu, { tol: p.tol, maxIter: p.maxIter, cacheBytes: p.cacheMb * 2 ** 20 });
    const sv: number[] = [];
    r.alpha.forEach((a, i) => a > 0 && sv.push(i));
    const scale = 1 / (p.nu * n); // libsvm's scaling (sum a = nu n) -> sum a = 1
    const coef = Float64Array.from(sv, (i) => r.alpha[i] * scale);
    Object.assign(info, { iterations: r.iterations, converged: r.converged, nSupport: sv.length });
    return { model: { solver, gamma, rho: r.rho * scale, centers: selectRows(sub, sv).data, coef, ...empty }, info };
  }

  if (solver === 'nystroem') {
    const m = Math.min(p.nComponents, n);
    const landmarks = selectRows(sub, rng.sampleIndices(n, m).sort());
    const zNorm = squaredNorms(landmarks.data, m, d);
    const kmm = new Float64Array(m * m);
    crossDots(landmarks.data, 0, m, landmarks.data, m, d, kmm, m);
    rbfFromDots(kmm, m, m, zNorm, 0, zNorm, gamma);
    const M = nystroemMetric(kmm, m);
    const F = new Float32Array(n * m); // K_nm: the only n-sized buffer (n * m * 4 bytes)
    rbfBlock(data, 0, n, squaredNorms(data, n, d), landmarks.data, zNorm, m, d, gamma, F);
    const s = solveLinearOneClass(F, n, m, M, p.nu, { tol: p.approxTol, maxIter: p.approxIter });
    Object.assign(info, { iterations: s.iterations, converged: s.converged, nSupport: m });
    return { model: { solver, gamma, rho: s.rho, centers: landmarks.data, coef: s.coef, ...empty }, info };
  }

  const D = p.nComponents;
  const { W, b } = rffMap(d, D, gamma, rng);
  const F = new Float32Array(n * D);
  rffTransform(data, n, d, W, b, F);
  const s = solveLinearOneClass(F, n, D, null, p.nu, { tol: p.approxTol, maxIter: p.approxIter });
  Object.assign(info, { iterations: s.iterations, converged: s.converged, nSupport: D });
  return { model: { solver, gamma, rho: s.rho, centers: new Float32Array(0), coef: s.coef, W, b }, info };
}

/** The decision function f(x) (positive inside the learned support). */
export function decisionFunction(m: OcsvmModel, x: Matrix): Float64Array {
  const { rows, cols: d, data } = x;
  const out = new Float64Array(rows);
  if (m.solver !== 'rff') return expansionScores(data, rows, d, m.centers, m.coef, m.gamma, m.rho, out);
  const D = m.b.length;
  const B = 256;
  const phi = new Float32Array(B * D);
  for (let r0 = 0; r0 < rows; r0 += B) {
    const nb = Math.min(B, rows - r0);
    rffTransform(data.subarray(r0 * d, (r0 + nb) * d), nb, d, m.W, m.b, phi);
    for (let i = 0; i < nb; i++) {
      let s = 0;
      for (let k = 0; k < D; k++) s += m.coef[k] * phi[i * D + k];
      out[r0 + i] = s - m.rho;
    }
  }
  return out;
}
