import { createWriteStream, lstatSync, rmSync, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { Command } from 'commander';
import { PeregrineError } from '../core/errors.js';
import { loadModel } from '../training/model-file.js';
import { LoadedModel } from '../training/scorer.js';
import type { Matrix } from '../core/matrix.js';
import { asOnBadRow, describeReadStats, formatOption, info, onBadRowOption, parseNumber, progressBar } from './common.js';

/** Detectors with per-row, per-feature attributions (AE/VAE: shares of the reconstruction error, rows sum to 1). */
interface Explainer {
  explain(x: Matrix): Matrix;
}

function explainerOf(d: unknown): Explainer | null {
  return typeof (d as Partial<Explainer>).explain === 'function' ? (d as Explainer) : null;
}

/** Indices of the `top` largest values of row i of m, largest first (ties: lower column first). */
export function topColumns(m: Matrix, i: number, top: number): number[] {
  const best: number[] = [];
  const o = i * m.cols;
  for (let j = 0; j < m.cols; j++) {
    const v = m.data[o + j];
    let k = best.length;
    while (k > 0 && m.data[o + best[k - 1]] < v) k--;
    if (k < top) {
      best.splice(k, 0, j);
      if (best.length > top) best.pop();
    }
  }
  return best;
}

/** CSV-quotes a cell only when it needs it. */
function csvCell(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

export function scoreCommand(): Command {
  return new Command('score')
    .description('score data files with a model; writes one CSV row per input row (streams: memory stays flat)')
    .requiredOption('--model <file>', 'model written by `peregrine train`')
    .requiredOption('--data <paths...>', 'input files or folders')
    .requiredOption('--out <file>', 'output CSV (`-` for stdout)')
    .addOption(formatOption())
    .addOption(onBadRowOption())
    .option('--explain', 'add the top contributing features per row (autoencoder/VAE: shares of the reconstruction error)')
    .option('--top <n>', '--explain: features per row', parseNumber('--top', { integer: true, min: 1 }), 3)
    .option('--quiet', 'no progress or notes on stderr')
    .action(async (o: { model: string; data: string[]; out: string; format?: string; onBadRow: string; quiet?: boolean; explain?: boolean; top: number }) => {
      const { model } = loadModel(o.model);
      const loaded = new LoadedModel(model);
      const explainer = o.explain ? explainerOf(loaded.detector) : null;
      if (o.explain && !explainer) {
        info(o.quiet, `note: --explain skipped: per-row feature attribution is not defined for ${model.detector.type} (use \`peregrine evaluate --importance\` for global importance)`);
      }
      const top = explainer ? Math.min(o.top, model.features.names.length) : 0;
      const explainHeader = Array.from({ length: top }, (_, k) => [`explain${k + 1}_feature`, `explain${k + 1}_share`]).flat();
      const toStdout = o.out === '-';
      const out: NodeJS.WritableStream | WriteStream = toStdout ? process.stdout : createWriteStream(o.out);
      if (!toStdout) {
        await new Promise<void>((resolve, reject) => {
          (out as WriteStream).once('open', () => resolve());
          (out as WriteStream).once('error', (e) =>
            reject(new PeregrineError('PGN_ERR_IO', `cannot write scores: ${e.message}`, { where: o.out, hint: 'check the folder exists and is writable' })),
          );
        });
      }
      const idNames = model.input.idNames;
      const write = async (s: string) => {
        if (!out.write(s)) await once(out, 'drain');
      };
      // The header goes out with the first batch, once the input has been checked against the model: a schema
      // error leaves nothing half-written on stdout.
      let headerWritten = false;
      const writeHeader = async () => {
        if (headerWritten) return;
        headerWritten = true;
        await write(['file', 'line', ...idNames, 'score', 'alert', 'label', 'class', ...explainHeader].map(csvCell).join(',') + '\n');
      };
      const bar = progressBar('scoring', o.quiet);
      let alerts = 0;
      const run = await loaded
        .scoreFiles(o.data, { onBadRow: asOnBadRow(o.onBadRow), format: o.format, onProgress: (d, t) => bar.update(d, t) }, async ({ raw, scores, features }) => {
          await writeHeader();
          const shares = explainer ? explainer.explain(features) : null;
          const names = features.names;
          const parts: string[] = [];
          for (let r = 0; r < raw.rows; r++) {
            const alert = scores[r] > loaded.threshold ? 1 : 0;
            alerts += alert;
            const ids = raw.ids.map((col) => csvCell(col[r] ?? ''));
            const label = raw.label[r] < 0 ? '' : String(raw.label[r]);
            const why = shares ? topColumns(shares, r, top).flatMap((j) => [csvCell(names[j]), shares.data[r * shares.cols + j].toFixed(4)]) : [];
            for (let k = why.length; k < 2 * top; k++) why.push('');
            parts.push([csvCell(raw.file), raw.line[r], ...ids, scores[r], alert, label, csvCell(raw.attackClass[r] ?? ''), ...why].join(','));
          }
          await write(parts.join('\n') + (parts.length ? '\n' : ''));
        })
        .catch((e: unknown) => {
          // Do not leave a partial scores file behind a failed run (only a regular file: never /dev/null, a
          // symlink such as /dev/stdout, or a named pipe).
          if (!toStdout) {
            (out as WriteStream).destroy();
            try {
              if (lstatSync(o.out).isFile()) rmSync(o.out);
            } catch {
              // already gone
            }
          }
          throw e;
        })
        .finally(() => bar.stop());
      await writeHeader();
      if (!toStdout) {
        (out as WriteStream).end();
        await once(out as WriteStream, 'finish');
      }
      for (const line of describeReadStats(run.stats)) info(o.quiet, `note: ${line}`);
      info(
        o.quiet,
        `scored ${run.rows} rows in ${run.totalSeconds.toFixed(2)} s (${Math.round(run.rows / Math.max(run.scoreSeconds, 1e-9))} rows/s scoring), ${alerts} alert(s) over threshold ${loaded.threshold}` +
          (toStdout ? '' : `; wrote ${o.out}`),
      );
    });
}
