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
  /**
   * How an exceedance (L_rec > r_th) becomes an unstable verdict. `hysteresis` (default): unstable when L_rec >
   * immediateFactor * r_th, or after confirmIntervals consecutive exceedances, or on any exceedance within
   * holdIntervals intervals after an unstable one. `paper`: every exceedance is unstable at once (the SRI paper).
   */
  alarm: z.enum(['hysteresis', 'paper']).default('hysteresis'),
  /** Consecutive exceedances of r_th that make a container unstable (hysteresis; 1 = the paper's rule). */
  confirmIntervals: z.number().int().min(1).max(100).default(3),
  /** An exceedance by this factor (L_rec > factor * r_th) is unstable at once (hysteresis). */
  immediateFactor: z.number().min(1).default(2),
  /** After an unstable interval, any exceedance within this many intervals is unstable at once (hysteresis). */
  holdIntervals: z.number().int().min(0).max(1000).default(2),
  /**
   * How vectors are scored: `js` (default) the VAE's score 'mse' and latent statistics in one plain-JavaScript pass
   * (fast-vae.ts: no TF.js call overhead per group and batch); `tfjs` the detector's own score and encode calls.
   * VAEs with score 'probability' always use TF.js.
   */
  inference: z.enum(['js', 'tfjs']).default('js'),
  /** Significant digits of the latent mean/variance in the published summaries. */
  latentDigits: z.number().int().min(1).max(17).default(2),
  /**
   * Counts copied into each verdict (and so into each summary record): `classes` the non-zero class totals plus
   * exe_unseen and failed_total when non-zero (a few dozen bytes; events_total is the verdict's eventCount);
   * `nonzero` every non-zero feature except the hashed bigrams; `none`.
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
