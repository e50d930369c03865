import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { PeregrineError } from '../core/errors.js';
import { createMatrix } from '../core/matrix.js';
import { Rng } from '../core/rng.js';
import { FeaturePipeline } from '../features/pipeline.js';
import { IMAGE_SIZE, encodeGrayPng, grayImage, toImages } from '../features/imaging/index.js';
import { concatBatches, takeRows } from '../features/table.js';
import { openInput } from '../ingest/input.js';
import type { RawBatch } from '../ingest/types.js';
import { asOnBadRow, describeReadStats, formatOption, info, onBadRowOption, parseNumber } from './common.js';

export interface ImagesCliOptions {
  format: string;
  data: string[];
  out: string;
  perClass: number;
  seed: number;
  scale: number;
  labelColumn?: string;
  onBadRow: string;
  quiet?: boolean;
}

export interface ImagesResult {
  /** Files written per class, benign first, then class names in order (an array: class names such as "1" would
   * reorder an object's keys). */
  classes: { name: string; files: string[] }[];
  features: number;
  rows: number;
}

/** Reads the data, fits the feature pipeline (z-score) on every row, writes N images per class and index.html. */
export async function runImages(o: ImagesCliOptions): Promise<ImagesResult> {
  const reader = await openInput(o.format, o.data, { onBadRow: asOnBadRow(o.onBadRow), labelColumn: o.labelColumn });
  const batches: RawBatch[] = [];
  for await (const b of reader.batches()) batches.push(b);
  const schema = reader.schema;
  const all = concatBatches(batches, schema.numericNames.length, schema.categoricalNames.length, schema.idNames.length);
  for (const line of describeReadStats(reader.stats)) info(o.quiet, `note: ${line}`);
  if (all.rows === 0) throw new PeregrineError('PGN_ERR_NO_TRAINING_ROWS', 'no rows to draw images from', { where: o.data.join(', ') });
  const pipeline = new FeaturePipeline({ scaler: 'standard' }).fit(all, schema, { seed: o.seed });
  // Rows per class: benign, each attack class by name, or "unlabelled".
  const byClass = new Map<string, number[]>();
  for (let i = 0; i < all.rows; i++) {
    const name = all.label[i] === 0 ? 'benign' : all.label[i] === 1 ? all.attackClass[i] || 'attack' : 'unlabelled';
    const list = byClass.get(name) ?? [];
    list.push(i);
    byClass.set(name, list);
  }
  const names = [...byClass.keys()].sort((a, b) => (a === 'benign' ? -1 : b === 'benign' ? 1 : a.localeCompare(b)));
  mkdirSync(o.out, { recursive: true });
  const rng = new Rng(o.seed);
  const classes: { name: string; files: string[] }[] = [];
  const px = IMAGE_SIZE * IMAGE_SIZE;
  for (const name of names) {
    const rows = byClass.get(name) as number[];
    const pick = Array.from(rng.sampleIndices(rows.length, o.perClass), (k) => rows[k]).sort((a, b) => a - b);
    const x = pipeline.transform(takeRows(all, pick));
    const images = toImages(createMatrix(x.rows, x.cols, x.data));
    const safe = name.replace(/[^A-Za-z0-9._-]+/g, '_');
    const files = pick.map((_, i) => {
      const file = `${safe}-${i}.png`;
      const g = grayImage(images, i * px, IMAGE_SIZE, o.scale);
      writeFileSync(join(o.out, file), encodeGrayPng(g.width, g.height, g.pixels));
      return file;
    });
    classes.push({ name, files });
  }
  writeFileSync(join(o.out, 'index.html'), indexHtml(classes, pipeline.outputNames.length, o));
  return { classes, features: pipeline.outputNames.length, rows: all.rows };
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function indexHtml(classes: { name: string; files: string[] }[], features: number, o: ImagesCliOptions): string {
  const sections = classes.map(
    ({ name, files }) =>
      `<h2>${escapeHtml(name)} <small>(${files.length})</small></h2>\n<div class="grid">${files
        .map((f) => `<figure><img src="${escapeHtml(f)}" alt="${escapeHtml(f)}"><figcaption>${escapeHtml(f)}</figcaption></figure>`)
        .join('')}</div>`,
  );
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Peregrine flow images</title>
<style>body{font-family:sans-serif;margin:1.5em}.grid{display:flex;flex-wrap:wrap;gap:8px}figure{margin:0}img{image-rendering:pixelated;border:1px solid #ccc}figcaption{font-size:11px;color:#555}</style>
</head><body>
<h1>Flow images</h1>
<p>${escapeHtml(o.data.join(', '))} (${escapeHtml(o.format)}): ${features} z-scored features per row, laid row-major into ${IMAGE_SIZE}x${IMAGE_SIZE} images (tiled when there are fewer features than pixels, truncated when more), shown ${o.scale}x. Gray = z from -3 (black) to +3 (white).</p>
${sections.join('\n')}
</body></html>
`;
}

export function imagesCommand(): Command {
  return new Command('images')
    .description('write a sample of rows as 32x32 flow images (PNG, the few-shot Siamese model\'s input) plus an index.html grid per class')
    .addOption(formatOption().makeOptionMandatory())
    .requiredOption('--data <paths...>', 'input files or folders')
    .requiredOption('--out <dir>', 'folder to write <class>-<i>.png and index.html into')
    .option('--per-class <n>', 'images per class', parseNumber('--per-class', { integer: true, min: 1, max: 10000 }), 8)
    .option('--seed <n>', 'seed for the sample', parseNumber('--seed', { integer: true, min: 0 }), 0)
    .option('--scale <n>', 'nearest-neighbour upscaling factor of the PNG files', parseNumber('--scale', { integer: true, min: 1, max: 32 }), 8)
    .option('--label-column <name>', 'csv: the label column (default "label")')
    .addOption(onBadRowOption())
    .option('--quiet', 'no notes on stderr')
    .action(async (o: ImagesCliOptions) => {
      const r = await runImages(o);
      const total = r.classes.reduce((s, c) => s + c.files.length, 0);
      const per = r.classes.map((c) => `${c.name} ${c.files.length}`).join(', ');
      process.stdout.write(`wrote ${total} images (${per}) from ${r.rows} rows x ${r.features} features and index.html to ${o.out}\n`);
    });
}
