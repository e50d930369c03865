import { z } from 'zod';
import { PeregrineError } from '../../../core/errors.js';

/** Options of the syscall summarizer (camelCase, unit suffixes); bad values fail with PGN_ERR_BAD_PARAM. */
export const summarizerSchema = z.strictObject({
  /** `interval`: one vector per container per time window; `trace`: one vector per container (ADFA-LD traces). */
  mode: z.enum(['interval', 'trace']).default('interval'),
  /** Window length. */
  intervalSeconds: z.number().positive().finite().default(30),
  /** Random displacement of each window edge, uniform in [-jitter, +jitter] (below half the interval). */
  jitterSeconds: z.number().min(0).finite().default(0),
  /** Seed of the edge jitter. */
  seed: z.number().int().default(0),
  /** Windows start at originSeconds + k * intervalSeconds (epoch seconds; default 0 aligns them to the epoch). */
  originSeconds: z.number().finite().default(0),
  /** Baseline group of a container: normalised image (default), namespace/workload, or the container itself. */
  groupBy: z.enum(['image', 'workload', 'container']).default('image'),
  /** How long after a window's end its vector waits for late events (by the latest event time seen). */
  latenessSeconds: z.number().min(0).finite().default(5),
  /** Vectors per group that form its executable-baseline training period. */
  baselineIntervals: z.number().int().min(0).default(10),
  /** Largest distinct-process / distinct-executable set kept per interval (counts saturate there). */
  maxDistinct: z.number().int().min(1).default(4096),
  /** Largest executable baseline per group. */
  maxExecutablesPerGroup: z.number().int().min(1).default(4096),
  /** Open containers at most; past it the least recently active container's interval is closed early. */
  maxContainers: z.number().int().min(1).default(100_000),
  /** A container's state (bigram context) is dropped after this many idle intervals. */
  idleIntervals: z.number().int().min(1).default(4),
});

export type SummarizerOptions = z.infer<typeof summarizerSchema>;
export type SummarizerInput = z.input<typeof summarizerSchema>;

export function parseSummarizerOptions(input: SummarizerInput = {}): SummarizerOptions {
  const r = summarizerSchema.safeParse(input);
  if (!r.success) {
    const issue = r.error.issues[0];
    const where = issue.path.length > 0 ? issue.path.join('.') : 'options';
    throw new PeregrineError('PGN_ERR_BAD_PARAM', `invalid summarizer option ${where}: ${issue.message}`, { where });
  }
  if (r.data.jitterSeconds >= r.data.intervalSeconds / 2) {
    throw new PeregrineError('PGN_ERR_BAD_PARAM', `jitterSeconds (${r.data.jitterSeconds}) must be below half of intervalSeconds (${r.data.intervalSeconds})`, {
      where: 'jitterSeconds',
    });
  }
  return r.data;
}
