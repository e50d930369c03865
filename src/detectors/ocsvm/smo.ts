/**
 * Exact one-class SVM dual (Schölkopf et al. 2001) by SMO, following libsvm's Solver for ONE_CLASS:
 *   min 0.5 a'Ka  s.t.  0 <= a_i <= 1, sum a = nu * n
 * (libsvm's scaling; the caller divides by nu * n to get sum a = 1, a_i <= 1 / (nu n)). Working set: libsvm's
 * second-order selection (Fan, Chen & Lin 2005). No shrinking: the sizes routed here (<= a few thousand rows by
 * default) solve in well under a second without it.
 */
import { KernelCache, squaredNorms } from './kernel.js';

export interface SmoResult {
  alpha: Float64Array;
  rho: number;
  iterations: number;
  /** False when maxIter stopped the solver before the tolerance was met. */
  converged: boolean;
}

const TAU = 1e-12;

export function solveOneClass(
  x: Float32Array, n: number, d: number, gamma: number, nu: number,
  opts: { tol: number; maxIter: number; cacheBytes: number },
): SmoResult {
  const cache = new KernelCache(x, n, d, gamma, squaredNorms(x, n, d), opts.cacheBytes);
  const alpha = new Float64Array(n);
  const G = new Float64Array(n);
  // libsvm's start: the first floor(nu n) alphas at the bound, the next one takes the remainder.
  const total = nu * n;
  const full = Math.min(Math.floor(total), n);
  for (let i = 0; i < full; i++) alpha[i] = 1;
  if (full < n) alpha[full] = total - full;
  for (let i = 0; i < n; i++) {
    if (alpha[i] === 0) continue;
    const q = cache.row(i);
    for (let t = 0; t < n; t++) G[t] += alpha[i] * q[t];
  }
  // K(i, i) = 1 for the RBF kernel, so the second-order coefficient is 2 - 2 K(i, t).
  let iter = 0;
  let converged = false;
  while (iter < opts.maxIter) {
    // i: the index that can grow (a_i < 1) with the smallest gradient.
    let gmax = -Infinity;
    let i = -1;
    for (let t = 0; t < n; t++) {
      if (alpha[t] < 1 && -G[t] >= gmax) {
        gmax = -G[t];
        i = t;
      }
    }
    if (i < 0) {
      converged = true;
      break;
    }
    const qi = cache.row(i);
    let gmax2 = -Infinity;
    let j = -1;
    let best = Infinity;
    for (let t = 0; t < n; t++) {
      if (alpha[t] <= 0) continue;
      if (G[t] >= gmax2) gmax2 = G[t];
      const diff = gmax + G[t];
      if (diff > 0) {
        const quad = 2 - 2 * qi[t];
        const obj = -(diff * diff) / (quad > 0 ? quad : TAU);
        if (obj <= best) {
          best = obj;
          j = t;
        }
      }
    }
    if (gmax + gmax2 < opts.tol || j < 0) {
      converged = true;
      break;
    }
    iter++;
    const qj = cache.row(j);
    const oldI = alpha[i];
    const oldJ = alpha[j];
    let quad = 2 - 2 * qi[j];
    if (quad <= 0) quad = TAU;
    const delta = (G[i] - G[j]) / quad;
    const sum = oldI + oldJ;
    let ai = oldI - delta;
    let aj = oldJ + delta;
    // Clip to the box while keeping a_i + a_j fixed (libsvm's y_i == y_j branch with C = 1).
    if (sum > 1) {
      if (ai > 1) {
        ai = 1;
        aj = sum - 1;
      }
    } else if (aj < 0) {
      aj = 0;
      ai = sum;
    }
    if (sum > 1) {
      if (aj > 1) {
        aj = 1;
        ai = sum - 1;
      }
    } else if (ai < 0) {
      ai = 0;
      aj = sum;
    }
    alpha[i] = ai;
    alpha[j] = aj;
    const di = ai - oldI;
    const dj = aj - oldJ;
    for (let t = 0; t < n; t++) G[t] += qi[t] * di + qj[t] * dj;
  }
  return { alpha, rho: computeRho(alpha, G), iterations: iter, converged };
}

/** libsvm's rho: the mean gradient over free alphas, else the midpoint of the bounds the KKT conditions allow. */
function computeRho(alpha: Float64Array, G: Float64Array): number {
  let ub = Infinity;
  let lb = -Infinity;
  let free = 0;
  let sumFree = 0;
  for (let t = 0; t < alpha.length; t++) {
    if (alpha[t] >= 1) lb = Math.max(lb, G[t]);
    else if (alpha[t] <= 0) ub = Math.min(ub, G[t]);
    else {
      free++;
      sumFree += G[t];
    }
  }
  if (free > 0) return sumFree / free;
  if (Number.isFinite(ub) && Number.isFinite(lb)) return (ub + lb) / 2;
  return Number.isFinite(ub) ? ub : lb;
}
