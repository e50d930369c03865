import { z } from 'zod';

/** LODA parameters (PyOD's defaults for the projection count). */
export const lodaSchema = z.strictObject({
  /** Number of sparse random projections (each with its own 1-D histogram). */
  nProjections: z.number().int().min(1).max(10_000).default(100),
  /** Equal-width bins per projection histogram, or 'auto' (numpy's rule, as hbos). */
  nBins: z.union([z.number().int().min(2).max(100_000), z.literal('auto')]).default(10),
  /** Pseudo-count per bin (Laplace smoothing): empty bins and far out-of-range values get (alpha) / (n + alpha bins). */
  alpha: z.number().positive().default(1),
  /** Values within tol bin widths outside a histogram's range count as its edge bin. */
  tol: z.number().min(0).default(0.5),
});

export type LodaParams = z.infer<typeof lodaSchema>;
