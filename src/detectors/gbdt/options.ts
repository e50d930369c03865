import { z } from 'zod';

/**
 * Histogram gradient-boosted trees, with scikit-learn's HistGradientBoostingClassifier defaults (camelCase names).
 * `maxLeafNodes` with best-first (leaf-wise) growth is LightGBM's and scikit-learn's default; `maxLeafNodes: null`
 * with a `maxDepth` grows every node down to that depth (depth-wise growth).
 */
export const gbdtSchema = z.strictObject({
  /** Shrinkage applied to every leaf value. */
  learningRate: z.number().positive().max(10).default(0.1),
  /** Boosting iterations (one tree per iteration for binary labels, one per class per iteration otherwise). */
  maxIter: z.number().int().min(1).max(100_000).default(100),
  /** Leaves per tree (best-first growth); null = no limit (then set maxDepth). */
  maxLeafNodes: z.number().int().min(2).max(65_536).nullable().default(31),
  /** Depth limit (root = depth 0); null = no limit. */
  maxDepth: z.number().int().min(1).max(64).nullable().default(null),
  /** Fewest training rows in a leaf. */
  minSamplesLeaf: z.number().int().min(1).default(20),
  /** L2 penalty on leaf values (lambda in XGBoost's notation). */
  l2Regularization: z.number().min(0).default(0),
  /**
   * XGBoost's max_delta_step: each leaf's Newton step is clipped to +-maxDeltaStep (before the learning rate).
   * null = no clipping (scikit-learn). Worth setting (e.g. 1) for multi-class data with very rare classes, where
   * tiny hessians give huge leaf values and the validation loss diverges.
   */
  maxDeltaStep: z.number().positive().nullable().default(null),
  /** Smallest hessian sum in a leaf (scikit-learn's min_hessian_to_split, LightGBM's min_sum_hessian_in_leaf). */
  minHessianLeaf: z.number().min(0).default(1e-3),
  /** Bins per feature for non-missing values (one more bin holds NaN). At most 255. */
  maxBins: z.number().int().min(2).max(255).default(255),
  /** Early stopping on a validation split: 'auto' = on when there are more than 10 000 training rows. */
  earlyStopping: z.union([z.literal('auto'), z.boolean()]).default('auto'),
  /** Fraction of the training rows held out (stratified, seeded) for early stopping. */
  validationFraction: z.number().gt(0).lt(1).default(0.1),
  /** Stop when the validation loss has not improved by more than `tol` for this many iterations. */
  nIterNoChange: z.number().int().min(1).default(10),
  tol: z.number().min(0).default(1e-7),
  /** Class weights: 'balanced' weighs every class by n / (nClasses * count), like scikit-learn. */
  classWeight: z.enum(['balanced']).nullable().default(null),
});

export type GbdtParams = z.infer<typeof gbdtSchema>;
