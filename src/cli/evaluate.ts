import { writeFileSync } from 'node:fs';
import { Command } from 'commander';
import { PeregrineError } from '../core/errors.js';
import { formatEvaluationText } from '../evaluation/text.js';
import { renderHtmlReport } from '../evaluation/html.js';
import { loadModel } from '../training/model-file.js';
import { LoadedModel } from '../training/scorer.js';
import { evaluateModel } from '../training/evaluate-job.js';
import { modelReportSections } from '../training/report-sections.js';
import { LabelledRowSampler, formatImportance, importanceOf } from '../training/importance-job.js';
import { asOnBadRow, describeReadStats, formatOption, info, onBadRowOption, parseNumber, progressBar } from './common.js';
import { runScenarioCommand, type ScenarioCliOptions } from './scenario-eval.js';

export function writeReport(path: string, html: string): void {
  try {
    writeFileSync(path, html);
  } catch (e) {
    throw new PeregrineError('PGN_ERR_IO', `cannot write report: ${(e as Error).message}`, { where: path, hint: 'check the folder exists and is writable' });
  }
}

export function evaluateCommand(): Command {
  return new Command('evaluate')
    .description('score labelled data with a model and report precision/recall/F1, AUROC, AUPRC, per-class detection, speed; or, with --scenario, run attack and chaos scenarios on a simulated cluster')
    .option('--model <file>', 'model written by `peregrine train` (required unless --scenario)')
    .option('--data <paths...>', 'labelled input files or folders (required unless --scenario)')
    .option('--scenario <names>', 'simulate a cluster from --seed, train on its benign time, and run these scenarios (comma-separated, or all)')
    .option('--seed <n>', '--scenario: simulation and training seed', parseNumber('--seed', { integer: true }), 1)
    .option('--nodes <n>', '--scenario: nodes of the simulated cluster', parseNumber('--nodes', { integer: true, min: 2, max: 200 }), 3)
    .option('--interval <seconds>', '--scenario: detection interval', parseNumber('--interval', { min: 5, max: 600 }), 30)
    .addOption(formatOption())
    .option('--json', 'print one JSON object (documented in docs/evaluate-json.md) instead of text')
    .option('--report <file>', 'write an HTML report with ROC/PR curves and score histograms (with --scenario: a timeline per scenario)')
    .addOption(onBadRowOption())
    .option('--importance', 'also compute permutation feature importance (AUROC drop) on a sample of the labelled rows; prints the top 10')
    .option('--importance-rows <n>', '--importance: rows sampled (seeded) from the evaluation data', parseNumber('--importance-rows', { integer: true, min: 10 }), 2000)
    .option('--quiet', 'no progress or notes on stderr')
    .action(async (o: { model?: string; data?: string[]; format?: string; json?: boolean; report?: string; onBadRow: string; quiet?: boolean; importance?: boolean; importanceRows: number } & ScenarioCliOptions) => {
      if (o.scenario !== undefined) return runScenarioCommand(o);
      if (!o.model) throw new PeregrineError('PGN_ERR_USAGE', "required option '--model <file>' not specified", { hint: 'give --model and --data, or --scenario NAME|all' });
      if (!o.data || o.data.length === 0) throw new PeregrineError('PGN_ERR_USAGE', "required option '--data <paths...>' not specified", { hint: 'give --model and --data, or --scenario NAME|all' });
      const data = o.data;
      const { model, sizeBytes } = loadModel(o.model);
      const loaded = new LoadedModel(model);
      const sampler = o.importance ? new LabelledRowSampler(o.importanceRows, model.training.seed) : null;
      const bar = progressBar('scoring', o.quiet);
      const res = await evaluateModel(loaded, {
        files: data,
        onBadRow: asOnBadRow(o.onBadRow),
        format: o.format,
        modelFile: o.model,
        modelSizeBytes: sizeBytes,
        onProgress: (d, t) => bar.update(d, t),
        onBatch: sampler ? (b) => sampler.add(b) : undefined,
      }).finally(() => bar.stop());
      let importance: ReturnType<typeof importanceOf> | null = null;
      if (sampler) {
        const ibar = progressBar('importance', o.quiet);
        try {
          importance = importanceOf(loaded, sampler, { seed: model.training.seed, onProgress: (d, t) => ibar.update(d, t) });
        } finally {
          ibar.stop();
        }
      }
      for (const line of describeReadStats(res.stats)) info(o.quiet, `note: ${line}`);
      const unseen = Object.entries(res.counters.unseenCategories);
      if (unseen.length) info(o.quiet, `note: categories unseen in training (encoded as all-zero): ${unseen.map(([c, n]) => `${c}: ${n}`).join(', ')}`);
      if (o.report) {
        writeReport(o.report, renderHtmlReport(res.report, { title: `Peregrine evaluation: ${model.detector.type}`, extraSections: modelReportSections(model) }));
        info(o.quiet, `wrote ${o.report}`);
      }
      if (o.json) process.stdout.write(JSON.stringify(importance ? { ...res.report, importance } : res.report) + '\n');
      else process.stdout.write(formatEvaluationText(res.report) + '\n' + (importance ? formatImportance(importance) + '\n' : ''));
    });
}
