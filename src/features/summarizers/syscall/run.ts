/**
 * Conveniences for the callers of the summarizer (train/evaluate on trace data, the replay, benchmarks): summarise
 * whole inputs in one call, and stack vectors into a FeatureBatch (Float32Array, rows x FEATURE_COUNT, with names).
 */
import type { FeatureBatch } from '../../../core/matrix.js';
import { eventFormatRegistry, openEvents, type EventFormat } from '../../../ingest/events/index.js';
import type { EventReadOptions, EventReadStats } from '../../../ingest/events/types.js';
import type { ExecutableBaseline } from './baseline.js';
import type { SummarizerInput } from './options.js';
import { FEATURE_COUNT, FEATURE_NAMES } from './schema.js';
import { SyscallSummarizer, type ActivityVector, type SummarizerStats } from './summarizer.js';

export interface SummarizeResult {
  vectors: ActivityVector[];
  read: EventReadStats;
  summary: SummarizerStats;
  baseline: ExecutableBaseline;
}

/**
 * Reads and summarises inputs of one format. Trace formats (ADFA-LD) are summarised one vector per trace whatever
 * `options.mode` says. Holds the vectors (small: FEATURE_COUNT floats each), never the events.
 */
export async function summarizeInputs(
  format: EventFormat | string,
  paths: string[],
  read: EventReadOptions,
  options: SummarizerInput = {},
  baseline?: ExecutableBaseline,
): Promise<SummarizeResult> {
  const spec = eventFormatRegistry.get(format);
  const s = new SyscallSummarizer({ ...options, mode: spec.traces ? 'trace' : (options.mode ?? 'interval') }, baseline);
  const src = await openEvents(format, paths, read);
  const vectors: ActivityVector[] = [];
  for await (const b of src.batches()) for (const v of s.push(b)) vectors.push(v);
  for (const v of s.flush()) vectors.push(v);
  return { vectors, read: src.stats, summary: s.stats, baseline: s.baseline };
}

/** Vectors stacked row by row into one FeatureBatch with the schema's feature names. */
export function vectorsToBatch(vectors: readonly ActivityVector[]): FeatureBatch {
  const data = new Float32Array(vectors.length * FEATURE_COUNT);
  vectors.forEach((v, i) => data.set(v.values, i * FEATURE_COUNT));
  return { data, rows: vectors.length, cols: FEATURE_COUNT, names: FEATURE_NAMES };
}
