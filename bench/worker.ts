/**
 * One benchmark measurement in a fresh process (so peak RSS belongs to this detector alone):
 * read train/test files, fit the feature pipeline on the training (normal) rows, then time detector.fit and
 * detector.score exactly where the scikit-learn peer times model.fit and score_samples. Prints one JSON line.
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createDetector } from '../src/detectors/index.js';
import { FeaturePipeline } from '../src/features/pipeline.js';
import { concatBatches, takeRows } from '../src/features/table.js';
import { openTabular, type TabularFormat } from '../src/ingest/index.js';
import type { RawBatch } from '../src/ingest/types.js';
import { auroc, averagePrecision } from '../src/evaluation/metrics.js';

async function readAll(format: TabularFormat, files: string[]): Promise<{ table: RawBatch; schema: Awaited<ReturnType<typeof openTabular>>['schema'] }> {
  const reader = await openTabular(format, files, { onBadRow: 'skip' });
  const parts: RawBatch[] = [];
  for await (const b of reader.batches()) parts.push(b);
  const s = reader.schema;
  return { table: concatBatches(parts, s.numericNames.length, s.categoricalNames.length, s.idNames.length), schema: s };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      format: { type: 'string' },
      train: { type: 'string', multiple: true },
      test: { type: 'string', multiple: true },
      detector: { type: 'string' },
      param: { type: 'string', multiple: true },
      log1p: { type: 'boolean', default: false },
      seed: { type: 'string', default: '0' },
    },
  });
  const format = values.format as TabularFormat;
  const params: Record<string, unknown> = {};
  for (const p of values.param ?? []) {
    const [k, v] = p.split('=');
    params[k] = JSON.parse(v);
  }
  const train = await readAll(format, values.train ?? []);
  const test = await readAll(format, values.test ?? []);
  const normal: number[] = [];
  for (let i = 0; i < train.table.rows; i++) if (train.table.label[i] === 0) normal.push(i);
  const fitTable = takeRows(train.table, normal);
  const pipeline = new FeaturePipeline({ log1p: values.log1p }).fit(fitTable, train.schema);
  const xFit = pipeline.transform(fitTable);
  const xTest = pipeline.transform(test.table);
  const detector = createDetector(values.detector as string, params);
  const t0 = performance.now();
  detector.fit(xFit, { seed: Number(values.seed) });
  const t1 = performance.now();
  const scores = detector.score(xTest);
  const t2 = performance.now();
  const labels = test.table.label;
  process.stdout.write(
    JSON.stringify({
      impl: 'peregrine',
      model: values.detector,
      log1p: values.log1p,
      n_fit: xFit.rows,
      n_test: xTest.rows,
      features: xTest.cols,
      fit_s: (t1 - t0) / 1000,
      score_s: (t2 - t1) / 1000,
      score_rows_per_s: xTest.rows / ((t2 - t1) / 1000),
      auroc: auroc(scores, labels),
      auprc: averagePrecision(scores, labels),
      peak_rss_mb: process.resourceUsage().maxRSS / 1024,
    }) + '\n',
  );
}

main().catch((e: unknown) => {
  process.stderr.write(`bench worker failed: ${(e as Error).message}\n`);
  process.exit(1);
});
