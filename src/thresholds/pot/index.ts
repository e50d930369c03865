import { z } from 'zod';
import { quantileSorted } from '../../core/stats.js';
import { makeResult, prepareScores } from '../common.js';
import { thresholders, type Thresholder, type ThresholderFactory } from '../thresholder.js';
import { fitGpd, gpdExcessQuantile, gpdSurvival, type GpdFit } from './gpd.js';

/**
 * Peaks over threshold (Siffer et al. 2017, the initialisation step of SPOT). Extreme value theory says the
 * excesses over a high threshold t follow a GPD whatever the score distribution, so a tail fit can place a
 * threshold at a risk q far smaller than 1/n, where the empirical quantile has no data left to stand on:
 *   z_q = t + (sigma / gamma) * ((q * n / N_t)^(-gamma) - 1).
 */

export const potSchema = z.strictObject({
  /** Quantile of the training scores used as the initial threshold t. */
  level: z.number().gt(0).lt(1).default(0.98),
  /** Target risk: the probability that a normal score exceeds the final threshold. */
  q: z.number().gt(0).lt(1).default(1e-4),
  /** Fewest peaks over t for a GPD fit; below it the empirical quantile is used with a note. */
  minPeaks: z.number().int().min(3).default(10),
});
export type PotParams = z.infer<typeof potSchema>;

export interface PotTail {
  /** The initial threshold t. */
  initialThreshold: number;
  /** Number of training scores strictly above t (N_t), and n. */
  peaks: number;
  n: number;
  /** null when there were too few peaks to fit. */
  fit: GpdFit | null;
}

/** Fits the GPD tail of ascending finite scores above their `level` quantile. */
export function fitPotTail(sorted: Float64Array, level: number, minPeaks: number): PotTail {
  const n = sorted.length;
  const t = quantileSorted(sorted, level);
  // Ascending input: the peaks are the suffix above t.
  let start = n;
  while (start > 0 && sorted[start - 1] > t) start--;
  const peaks = n - start;
  if (peaks < minPeaks) return { initialThreshold: t, peaks, n, fit: null };
  const excesses = new Float64Array(peaks);
  for (let i = 0; i < peaks; i++) excesses[i] = sorted[start + i] - t;
  return { initialThreshold: t, peaks, n, fit: fitGpd(excesses) };
}

/** The score exceeded with probability q under the fitted tail (needs q < N_t / n). */
export function potQuantile(tail: PotTail, q: number): number {
  if (!tail.fit) return NaN;
  return tail.initialThreshold + gpdExcessQuantile(tail.fit, (q * tail.n) / tail.peaks);
}

/** Estimated P(score > x) under the tail model (empirical fraction N_t/n times the GPD survival). */
export function potTailProbability(tail: PotTail, x: number): number {
  if (!tail.fit) return NaN;
  return (tail.peaks / tail.n) * gpdSurvival(tail.fit, x - tail.initialThreshold);
}

/** Parameters a POT fit reports (gamma, sigma, peaks), shared with the budget method. */
export function tailParams(tail: PotTail): Record<string, unknown> {
  return {
    initialThreshold: tail.initialThreshold,
    peaks: tail.peaks,
    gamma: tail.fit ? tail.fit.gamma : null,
    sigma: tail.fit ? tail.fit.sigma : null,
    fitMethod: tail.fit ? tail.fit.method : null,
  };
}

export function potThresholder(params: PotParams): Thresholder {
  return {
    method: 'pot',
    fit(trainingScores) {
      const prepared = prepareScores(trainingScores, 'pot');
      const { sorted } = prepared;
      const tail = fitPotTail(sorted, params.level, params.minPeaks);
      const notes: string[] = [];
      let value: number;
      let source: 'gpd' | 'empirical';
      if (!tail.fit) {
        value = quantileSorted(sorted, 1 - params.q);
        source = 'empirical';
        notes.push(
          `only ${tail.peaks} training scores above the initial threshold (need ${params.minPeaks}); ` +
            `used the empirical ${1 - params.q} quantile instead of a tail fit`,
        );
      } else if (params.q * tail.n >= tail.peaks) {
        // The risk is not in the tail beyond t: the formula would go below t, so the data answer directly.
        value = quantileSorted(sorted, 1 - params.q);
        source = 'empirical';
        notes.push(`risk q=${params.q} is not below the peak fraction ${tail.peaks / tail.n}; used the empirical quantile`);
      } else {
        value = potQuantile(tail, params.q);
        source = 'gpd';
        if (tail.fit.method === 'moments') notes.push('maximum likelihood failed; GPD fitted by the method of moments');
        if (tail.fit.method === 'degenerate') notes.push('all excesses over the initial threshold are equal; tail treated as bounded');
      }
      return makeResult('pot', value, { level: params.level, q: params.q, minPeaks: params.minPeaks, source, ...tailParams(tail) }, prepared, {
        notes,
      });
    },
  };
}

export const potFactory: ThresholderFactory<PotParams> = {
  type: 'pot',
  description: 'peaks over threshold: GPD tail fit above the level quantile, threshold at risk q (SPOT)',
  schema: potSchema,
  create: potThresholder,
};

thresholders.register(potFactory);
