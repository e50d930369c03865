/**
 * openTabular: expands paths, reads every file's header up front (so `schema` is known and schema problems fail
 * before any long read), then streams RawBatches file by file.
 */
import { stat } from 'node:fs/promises';
import { PeregrineError } from '../core/errors.js';
import { Registry } from '../core/registry.js';
import { cicflowmeterFormat } from './cicflowmeter/index.js';
import { ioError, readHead, type Head } from './csv/stream.js';
import { expandPaths } from './files.js';
import { genericFormat } from './generic/index.js';
import { nslkddFormat } from './nslkdd/index.js';
import { LabelMapper } from './table/labels.js';
import { expectedSchema, planExpected, planSameAs, schemaOf, type FileLayout, type FormatSpec, type Plan } from './table/layout.js';
import { readFileBatches, type ReadContext } from './table/reader.js';
import { emptyStats, type RawBatch, type RawSchema, type ReadOptions, type TabularReader } from './types.js';

export const FORMATS = ['cicflowmeter', 'nslkdd', 'csv'] as const;
export type TabularFormat = (typeof FORMATS)[number];

export const formatRegistry = new Registry<FormatSpec>('input format');
formatRegistry.register(cicflowmeterFormat);
formatRegistry.register(nslkddFormat);
formatRegistry.register(genericFormat);

/** Rejects unusable files at open: empty, header only, or a header that does not parse. */
function checkHead(spec: FormatSpec, file: string, head: Head): void {
  const first = head.rows[0];
  const firstBad = head.bad[0];
  if (!first && !firstBad) {
    throw new PeregrineError('PGN_ERR_EMPTY_INPUT', 'empty file', { where: file, hint: 'remove the file from the input or regenerate it' });
  }
  if (firstBad && (!first || firstBad.line < first.line)) {
    const what = spec.hasHeader ? 'the header row is malformed' : 'the first row is malformed';
    throw new PeregrineError(firstBad.code, `${what}: ${firstBad.reason}`, {
      where: `${file}:${firstBad.line}`,
      hint: 'fix the row (--on-bad-row skip does not apply to the first row, which decides the columns)',
    });
  }
  if (spec.hasHeader && head.rows.length === 1 && head.bad.length === 0) {
    throw new PeregrineError('PGN_ERR_EMPTY_INPUT', 'header only: no data rows', { where: file, hint: 'remove the file from the input or regenerate it' });
  }
}

/**
 * Opens files or folders of one format. Every file's header is read here, so the returned `schema` is final and
 * column problems (PGN_ERR_SCHEMA_MISMATCH between files, PGN_ERR_MODEL_SCHEMA against options.expectSchema, empty
 * or header-only files) fail before any long read. `batches()` then streams the files in order; each call re-reads
 * them and adds to the same stats.
 */
export async function openTabular(format: TabularFormat, paths: string[], options: ReadOptions): Promise<TabularReader> {
  const spec = formatRegistry.get(format);
  for (const k of ['batchRows', 'maxFieldBytes', 'maxRowBytes', 'highWaterMark', 'maxBadRowsKept'] as const) {
    const v = options[k];
    const min = k === 'maxBadRowsKept' ? 0 : 1;
    if (v !== undefined && !(Number.isInteger(v) && v >= min)) {
      throw new PeregrineError('PGN_ERR_BAD_PARAM', `${k} must be an integer >= ${min}, got ${v}`, { where: k });
    }
  }
  const files = await expandPaths(paths, spec.extensions);
  let totalBytes = 0;
  for (const f of files) {
    totalBytes += (
      await stat(f).catch((e: unknown) => {
        throw ioError(e, f);
      })
    ).size;
  }
  const layouts: FileLayout[] = [];
  let ref: RawSchema | undefined;
  for (const file of files) {
    const head = await readHead(file, spec.hasHeader ? 2 : 1, options);
    checkHead(spec, file, head);
    const layout = spec.layout(file, head.rows, options, ref);
    ref ??= schemaOf(format, layout);
    layouts.push(layout);
  }
  const expect = options.expectSchema;
  const schema = expect ? expectedSchema(format, layouts[0], expect) : (ref as RawSchema);
  const plans: Plan[] = layouts.map((l) => (expect ? planExpected(l, expect) : planSameAs(l, schema, files[0])));
  const stats = options.stats ?? emptyStats();
  return {
    schema,
    stats,
    async *batches(): AsyncGenerator<RawBatch> {
      const ctx: ReadContext = { options, schema, stats, labels: new LabelMapper(options.benignLabels), totalBytes, bytesDone: { value: 0 } };
      for (const plan of plans) yield* readFileBatches(plan, ctx);
    },
  };
}
