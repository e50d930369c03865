import { z } from 'zod';

/** HBOS parameters (PyOD's defaults). */
export const hbosSchema = z.strictObject({
  /** Equal-width bins per feature, or 'auto' (numpy's rule: the larger of Sturges and Freedman-Diaconis, per feature). */
  nBins: z.union([z.number().int().min(2).max(100_000), z.literal('auto')]).default(10),
  /** Added to every bin density before the log, so empty bins give a finite score. */
  alpha: z.number().positive().default(0.1),
  /** A value within tol * binWidth outside the training range counts as the edge bin; further out gets the lowest density. */
  tol: z.number().min(0).default(0.5),
});

export type HbosParams = z.infer<typeof hbosSchema>;
