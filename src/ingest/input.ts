/**
 * One entry point for everything `train`, `score` and `evaluate` read: the tabular flow formats stream as they are;
 * the syscall event formats (Falco, Tetragon, LID-DS, ADFA-LD, compact NDJSON) are summarised first into activity
 * vectors (one per container interval, or one per trace for ADFA-LD), which then look like any other table with
 * the activity-vector schema as columns. Vectors are small (187 floats), so holding them is cheap even when the
 * event files are not.
 */
import { PeregrineError } from '../core/errors.js';
import { EVENT_FORMATS, type EventFormat } from './events/index.js';
import { FEATURE_NAMES } from '../features/summarizers/syscall/schema.js';
import { summarizeInputs } from '../features/summarizers/syscall/run.js';
import type { ActivityVector } from '../features/summarizers/syscall/summarizer.js';
import { FORMATS, openTabular, type TabularFormat } from './open.js';
import { emptyStats, type RawBatch, type RawSchema, type ReadOptions, type TabularReader } from './types.js';

export const INPUT_FORMATS = [...FORMATS, ...EVENT_FORMATS] as const;
export type InputFormat = (typeof INPUT_FORMATS)[number];

/** Identifier columns of a vector row: who and when (never features). */
const VECTOR_IDS = ['container_id', 'group', 'interval_start_us', 'interval_end_us'];
const BATCH_ROWS = 8192;

export function isEventFormat(format: string): format is EventFormat {
  return (EVENT_FORMATS as readonly string[]).includes(format);
}

export interface InputOptions extends ReadOptions {
  /** Event formats: interval length of the activity vectors (default 30 s; ignored by ADFA-LD, one vector per trace). */
  intervalSeconds?: number;
}

export async function openInput(format: string, paths: string[], options: InputOptions): Promise<TabularReader> {
  if ((FORMATS as readonly string[]).includes(format)) return openTabular(format as TabularFormat, paths, options);
  if (!isEventFormat(format)) {
    throw new PeregrineError('PGN_ERR_UNKNOWN_COMPONENT', `unknown input format "${format}"`, { hint: `choose one of: ${INPUT_FORMATS.join(', ')}` });
  }
  return openVectors(format, paths, options);
}

async function openVectors(format: EventFormat, paths: string[], options: InputOptions): Promise<TabularReader> {
  if (options.expectSchema && options.expectSchema.numericNames.join('\u0000') !== FEATURE_NAMES.join('\u0000')) {
    throw new PeregrineError('PGN_ERR_MODEL_SCHEMA', `the model was not trained on activity vectors (${options.expectSchema.format} input)`, {
      hint: `score ${options.expectSchema.format} data with this model, or train one with --format ${format}`,
    });
  }
  const stats = options.stats ?? emptyStats();
  const result = await summarizeInputs(
    format,
    paths,
    { onBadRow: options.onBadRow, onProgress: options.onProgress, maxBadRowsKept: options.maxBadRowsKept, stats: { ...stats, events: 0, ignored: 0, ignoredKinds: {} } },
    options.intervalSeconds !== undefined ? { intervalSeconds: options.intervalSeconds } : {},
  );
  // The event reader counted records; a "row" here is a vector, so the class counts describe vectors.
  Object.assign(stats, { ...result.read, rowsRead: result.vectors.length, classCounts: countClasses(result.vectors) });
  if (result.vectors.length === 0) {
    throw new PeregrineError('PGN_ERR_EMPTY_INPUT', 'no events: nothing to summarise', { where: paths.join(', '), hint: 'check --format and the paths' });
  }
  const labelled = result.vectors.some((v) => v.label >= 0);
  const schema: RawSchema = { format, numericNames: [...FEATURE_NAMES], categoricalNames: [], idNames: VECTOR_IDS, labelName: labelled ? 'label' : null };
  const vectors = result.vectors;
  return {
    schema,
    stats,
    async *batches(): AsyncIterable<RawBatch> {
      for (let from = 0; from < vectors.length; from += BATCH_ROWS) yield toBatch(vectors.slice(from, from + BATCH_ROWS), from);
    },
  };
}

function toBatch(vs: ActivityVector[], offset: number): RawBatch {
  const d = FEATURE_NAMES.length;
  const numeric = new Float64Array(vs.length * d);
  vs.forEach((v, i) => numeric.set(v.values, i * d));
  return {
    file: vs[0]?.containerId ?? '',
    rows: vs.length,
    numeric,
    categorical: [],
    ids: [vs.map((v) => v.containerId), vs.map((v) => v.group), vs.map((v) => String(v.intervalStart)), vs.map((v) => String(v.intervalEnd))],
    label: Int8Array.from(vs.map((v) => v.label)),
    attackClass: vs.map((v) => (v.label === 0 ? 'benign' : v.attackClass)),
    line: Float64Array.from(vs.map((_, i) => offset + i + 1)),
  };
}

function countClasses(vs: readonly ActivityVector[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of vs) {
    if (v.label < 0) continue;
    const c = v.label === 0 ? 'benign' : v.attackClass || 'attack';
    out[c] = (out[c] ?? 0) + 1;
  }
  return out;
}
