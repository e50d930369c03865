import { z } from 'zod';
import { meanStd } from '../../core/stats.js';
import { makeResult, prepareScores } from '../common.js';
import { thresholders, type Thresholder, type ThresholderFactory } from '../thresholder.js';

/**
 * The SRI paper's rule, r_mean + k * r_sd over the training scores. It assumes a light tail: on skewed scores
 * the training alert rate it reports is the honest check of what k really buys.
 */

export const meanStdSchema = z.strictObject({
  /** Number of standard deviations above the mean. */
  k: z.number().finite().min(0).default(3),
});
export type MeanStdParams = z.infer<typeof meanStdSchema>;

export function meanStdThresholder(params: MeanStdParams): Thresholder {
  return {
    method: 'meanstd',
    fit(trainingScores) {
      const prepared = prepareScores(trainingScores, 'meanstd');
      // Population sd (divide by n), as numpy's std() used by the paper's reference code.
      const { mean, std } = meanStd(prepared.sorted);
      const value = mean + params.k * std;
      return makeResult('meanstd', value, { k: params.k, mean, std }, prepared);
    },
  };
}

export const meanStdFactory: ThresholderFactory<MeanStdParams> = {
  type: 'meanstd',
  description: 'mean + k * standard deviation of the training scores (SRI paper)',
  schema: meanStdSchema,
  create: meanStdThresholder,
};

thresholders.register(meanStdFactory);
