import { z } from 'zod';
import { quantileSorted } from '../../core/stats.js';
import { makeResult, prepareScores } from '../common.js';
import { thresholders, type Thresholder, type ThresholderFactory } from '../thresholder.js';

/**
 * PyOD's contamination rule: the expected fraction of anomalies in the training data decides the threshold,
 * the (1 - contamination) quantile of the training scores (linear interpolation, numpy's default).
 */

export const contaminationSchema = z.strictObject({
  /** Expected fraction of training rows that are anomalous, in (0, 0.5] like PyOD. */
  contamination: z.number().gt(0).max(0.5).default(0.01),
});
export type ContaminationParams = z.infer<typeof contaminationSchema>;

export function contaminationThresholder(params: ContaminationParams): Thresholder {
  return {
    method: 'contamination',
    fit(trainingScores) {
      const prepared = prepareScores(trainingScores, 'contamination');
      const value = quantileSorted(prepared.sorted, 1 - params.contamination);
      return makeResult('contamination', value, { contamination: params.contamination }, prepared);
    },
  };
}

export const contaminationFactory: ThresholderFactory<ContaminationParams> = {
  type: 'contamination',
  description: 'the (1 - contamination) quantile of the training scores (PyOD)',
  schema: contaminationSchema,
  create: contaminationThresholder,
};

thresholders.register(contaminationFactory);
