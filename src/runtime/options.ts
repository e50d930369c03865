import { z } from 'zod';
import { PeregrineError } from '../core/errors.js';

/** Options of the stability assessment (camelCase, as in the config schema). */
export const stabilitySchema = z.strictObject({
  /** Activity vectors a group accumulates before its VAE is trained (N). */
  vectorsToTrain: z.number().int().min(2).default(20),
  /** r_th = r_mean + k * r_sd over the training reconstruction errors; L_rec > r_th = unstable. */
  k: z.number().min(0).default(3),
  /** VAE training epochs (the SRI paper's 100). */
  epochs: z.number().int().min(1).max(100000).default(100),
  /** Seed of every VAE fit (same vectors, same seed, same model). */
  seed: z.number().int().default(0),
  /** Further VAE parameters (`peregrine detectors` lists them), e.g. `{ latentDim: 10, backend: 'wasm' }`. */
  vae: z.record(z.string(), z.unknown()).default({}),
  /** Significant digits of the latent mean/variance in the published summaries. */
  latentDigits: z.number().int().min(1).max(17).default(4),
  /**
   * Counts copied into each verdict (and so into each summary record): `classes` the non-zero class totals plus
   * events_total, exe_unseen and failed_total when non-zero (a few dozen bytes); `nonzero` every non-zero feature
   * except the hashed bigrams; `none`.
   */
  counts: z.enum(['classes', 'nonzero', 'none']).default('classes'),
});

export type StabilityOptions = z.infer<typeof stabilitySchema>;
export type StabilityInput = z.input<typeof stabilitySchema>;

export function parseStabilityOptions(input: StabilityInput = {}): StabilityOptions {
  const r = stabilitySchema.safeParse(input);
  if (!r.success) {
    const issue = r.error.issues[0];
    const where = issue.path.length > 0 ? issue.path.join('.') : 'options';
    throw new PeregrineError('PGN_ERR_BAD_PARAM', `invalid stability option ${where}: ${issue.message}`, { where });
  }
  return r.data;
}
