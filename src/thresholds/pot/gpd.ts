/**
 * Generalized Pareto Distribution fit to peaks over a threshold (Siffer et al. 2017, KDD, section 3.3).
 *
 * GPD(gamma, sigma) for excesses y > 0: P(Y > y) = (1 + gamma * y / sigma)^(-1/gamma), the exponential
 * exp(-y / sigma) when gamma = 0. The maximum-likelihood fit uses Grimshaw's reparameterisation theta =
 * gamma / sigma: for a fixed theta the likelihood is maximised in closed form by gamma(theta) = mean(log(1 +
 * theta * y)), which leaves a one-dimensional profile likelihood in theta. We maximise it with a grid plus
 * golden-section refinement rather than by root finding, because the grid cannot miss a root the way a
 * Newton step from a bad start can, and the profile is continuous through theta = 0 (the exponential case).
 */

export interface GpdFit {
  gamma: number;
  sigma: number;
  /** 'mle' (profile likelihood), 'exponential' (gamma ~ 0), 'moments' (fallback), 'degenerate' (all equal). */
  method: 'mle' | 'exponential' | 'moments' | 'degenerate';
  logLikelihood: number;
}

/** |gamma| below this is treated as the exponential limit, where the closed forms divide by ~0. */
export const GAMMA_ZERO = 1e-6;
/** The MLE does not exist for gamma < -1 (the likelihood grows without bound at the endpoint). */
const GAMMA_MIN = -1;
const GAMMA_MAX = 10;

interface Summary {
  n: number;
  mean: number;
  variance: number;
  max: number;
}

function summarise(y: Float64Array): Summary {
  let s = 0;
  let max = 0;
  for (let i = 0; i < y.length; i++) {
    s += y[i];
    if (y[i] > max) max = y[i];
  }
  const mean = s / y.length;
  let v = 0;
  for (let i = 0; i < y.length; i++) v += (y[i] - mean) * (y[i] - mean);
  return { n: y.length, mean, variance: y.length > 1 ? v / (y.length - 1) : 0, max };
}

/** gamma(theta) = mean(log(1 + theta * y)); increasing in theta. */
function gammaOf(y: Float64Array, theta: number): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) s += Math.log1p(theta * y[i]);
  return s / y.length;
}

/** Profile log-likelihood l(theta) = -n (log sigma + 1 + gamma), with sigma = gamma / theta. */
function profile(y: Float64Array, mean: number, theta: number): { ll: number; gamma: number; sigma: number } {
  const n = y.length;
  if (theta === 0) return { ll: -n * (Math.log(mean) + 1), gamma: 0, sigma: mean };
  const gamma = gammaOf(y, theta);
  const sigma = gamma / theta;
  if (!(sigma > 0) || !Number.isFinite(gamma)) return { ll: -Infinity, gamma, sigma };
  return { ll: -n * (Math.log(sigma) + 1 + gamma), gamma, sigma };
}

/** Smallest/largest theta whose gamma(theta) stays in [GAMMA_MIN, GAMMA_MAX] (bisection; gamma is monotone). */
function thetaFor(y: Float64Array, target: number, lo: number, hi: number): number {
  for (let i = 0; i < 200 && hi - lo > 1e-14 * Math.max(1, Math.abs(lo), Math.abs(hi)); i++) {
    const mid = (lo + hi) / 2;
    if (gammaOf(y, mid) < target) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

function momentsFit(s: Summary): GpdFit {
  // Method of moments: mean = sigma / (1 - gamma), var = sigma^2 / ((1 - gamma)^2 (1 - 2 gamma)).
  const r = (s.mean * s.mean) / s.variance;
  const gamma = Math.max(GAMMA_MIN, 0.5 * (1 - r));
  const sigma = 0.5 * s.mean * (r + 1);
  return { gamma, sigma, method: 'moments', logLikelihood: NaN };
}

/** Fits a GPD to strictly positive excesses. Needs at least 2 values; callers enforce a larger minimum. */
export function fitGpd(excesses: Float64Array): GpdFit {
  const s = summarise(excesses);
  if (s.variance <= 1e-300 * s.mean * s.mean || s.variance === 0) {
    // All excesses equal: a point mass, closest to GPD's bounded uniform case (gamma = -1, endpoint = sigma).
    return { gamma: GAMMA_MIN, sigma: s.max, method: 'degenerate', logLikelihood: NaN };
  }
  const lowest = -1 / s.max;
  const thetaLo = thetaFor(excesses, GAMMA_MIN, lowest, 0);
  let hiBound = 1 / s.mean;
  while (gammaOf(excesses, hiBound) < GAMMA_MAX && hiBound < 1e300) hiBound *= 16;
  const thetaHi = thetaFor(excesses, GAMMA_MAX, 0, hiBound);

  // Grid: linear on the negative side, log-spaced on the positive side, theta = 0 itself in the middle.
  const grid: number[] = [];
  const negSteps = 60;
  for (let i = 0; i < negSteps; i++) grid.push(thetaLo * (1 - i / negSteps));
  grid.push(0);
  const posSteps = 90;
  const posLo = Math.min(1e-6 / s.mean, thetaHi / 2);
  const ratio = Math.pow(thetaHi / posLo, 1 / (posSteps - 1));
  for (let i = 0; i < posSteps; i++) grid.push(posLo * Math.pow(ratio, i));

  let best = 0;
  let bestLl = -Infinity;
  const lls = grid.map((theta) => profile(excesses, s.mean, theta).ll);
  for (let i = 0; i < grid.length; i++) {
    if (lls[i] > bestLl) {
      bestLl = lls[i];
      best = i;
    }
  }
  if (!Number.isFinite(bestLl)) return momentsFit(s);

  // Golden-section refinement inside the neighbouring grid cells.
  let a = grid[Math.max(0, best - 1)];
  let b = grid[Math.min(grid.length - 1, best + 1)];
  const phi = (Math.sqrt(5) - 1) / 2;
  let c = b - phi * (b - a);
  let d = a + phi * (b - a);
  let fc = profile(excesses, s.mean, c).ll;
  let fd = profile(excesses, s.mean, d).ll;
  for (let i = 0; i < 80 && Math.abs(b - a) > 1e-12 * (Math.abs(a) + Math.abs(b) + 1e-300); i++) {
    if (fc >= fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - phi * (b - a);
      fc = profile(excesses, s.mean, c).ll;
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + phi * (b - a);
      fd = profile(excesses, s.mean, d).ll;
    }
  }
  const refinedTheta = fc >= fd ? c : d;
  const refined = profile(excesses, s.mean, refinedTheta);
  const fit = refined.ll >= bestLl ? refined : profile(excesses, s.mean, grid[best]);
  if (!Number.isFinite(fit.gamma) || !(fit.sigma > 0)) return momentsFit(s);
  if (Math.abs(fit.gamma) < GAMMA_ZERO) {
    // The exponential limit: sigma is the mean excess, the MLE of the exponential scale.
    return { gamma: 0, sigma: s.mean, method: 'exponential', logLikelihood: -s.n * (Math.log(s.mean) + 1) };
  }
  return { gamma: fit.gamma, sigma: fit.sigma, method: 'mle', logLikelihood: fit.ll };
}

/** The excess y with P(Y > y) = p under the GPD (p in (0, 1]). */
export function gpdExcessQuantile(fit: Pick<GpdFit, 'gamma' | 'sigma'>, p: number): number {
  if (Math.abs(fit.gamma) < GAMMA_ZERO) return -fit.sigma * Math.log(p);
  return (fit.sigma / fit.gamma) * (Math.pow(p, -fit.gamma) - 1);
}

/** P(Y > y) under the GPD, 0 beyond the upper endpoint when gamma < 0. */
export function gpdSurvival(fit: Pick<GpdFit, 'gamma' | 'sigma'>, y: number): number {
  if (y <= 0) return 1;
  if (Math.abs(fit.gamma) < GAMMA_ZERO) return Math.exp(-y / fit.sigma);
  const base = 1 + (fit.gamma * y) / fit.sigma;
  return base <= 0 ? 0 : Math.pow(base, -1 / fit.gamma);
}
