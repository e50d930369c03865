import { z } from 'zod';

/**
 * Isolation Forest parameters, with scikit-learn's defaults. Like scikit-learn, a number <= 1 is a fraction and a
 * number > 1 a count (`maxSamples: 1` therefore means "all rows", as 1.0 does in scikit-learn).
 */
export const iforestSchema = z.strictObject({
  /** Number of trees. */
  nEstimators: z.number().int().min(1).max(10_000).default(100),
  /** Rows per tree: 'auto' = min(256, n), a fraction of n (<= 1) or a count (> 1, capped at n). */
  maxSamples: z.union([z.literal('auto'), z.number().positive()]).default('auto'),
  /** Features per tree: a fraction of the columns (<= 1) or a count (> 1). */
  maxFeatures: z.number().positive().default(1),
  /** Draw each tree's rows with replacement. */
  bootstrap: z.boolean().default(false),
});

export type IForestParams = z.infer<typeof iforestSchema>;
