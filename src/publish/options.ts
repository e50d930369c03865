import { z } from 'zod';

/** Options of the publishers (camelCase, unit suffixes, as in the config schema). */

export const adaptiveOptionsSchema = z.strictObject({
  /** Previous intervals of raw events kept per container as pre-incident context (K). */
  cacheIntervals: z.number().int().min(0).max(100).default(3),
  /** Byte cap of a container's cache (previous intervals and the open interval); the oldest events go first, counted. */
  cacheMaxBytes: z.number().int().min(1024).default(8 * 1024 * 1024),
  /** Stable intervals in a row after which full logs stop (M): full logs go out until the container has been stable M intervals. */
  coolDownIntervals: z.number().int().min(1).max(1000).default(2),
});
export type AdaptiveOptions = z.infer<typeof adaptiveOptionsSchema>;

export const standardOptionsSchema = z.strictObject({});
export type StandardOptions = z.infer<typeof standardOptionsSchema>;
