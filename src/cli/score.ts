import { createWriteStream, lstatSync, rmSync, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { Command } from 'commander';
import { PeregrineError } from '../core/errors.js';
import { loadModel } from '../training/model-file.js';
import { LoadedModel } from '../training/scorer.js';
import { asOnBadRow, describeReadStats, formatOption, info, onBadRowOption, progressBar } from './common.js';

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
    .option('--quiet', 'no progress or notes on stderr')
    .action(async (o: { model: string; data: string[]; out: string; format?: string; onBadRow: string; quiet?: boolean }) => {
      const { model } = loadModel(o.model);
      const loaded = new LoadedModel(model);
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
        await write(['file', 'line', ...idNames, 'score', 'alert', 'label', 'class'].map(csvCell).join(',') + '\n');
      };
      const bar = progressBar('scoring', o.quiet);
      let alerts = 0;
      const run = await loaded
        .scoreFiles(o.data, { onBadRow: asOnBadRow(o.onBadRow), format: o.format, onProgress: (d, t) => bar.update(d, t) }, async ({ raw, scores }) => {
          await writeHeader();
          const parts: string[] = [];
          for (let r = 0; r < raw.rows; r++) {
            const alert = scores[r] > loaded.threshold ? 1 : 0;
            alerts += alert;
            const ids = raw.ids.map((col) => csvCell(col[r] ?? ''));
            const label = raw.label[r] < 0 ? '' : String(raw.label[r]);
            parts.push([csvCell(raw.file), raw.line[r], ...ids, scores[r], alert, label, csvCell(raw.attackClass[r] ?? '')].join(','));
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
