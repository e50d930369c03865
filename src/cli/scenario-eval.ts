import { PeregrineError } from '../core/errors.js';
import { formatScenarioText, renderScenarioHtml } from '../evaluation/scenario/report.js';
import { resolveScenarioList, runScenarioEvaluation } from '../evaluation/scenario/harness.js';
import { evaluateDataset } from '../evaluation/scenario/dataset.js';
import { writeReport } from './evaluate.js';
import { info } from './common.js';

export interface ScenarioCliOptions {
  scenario?: string;
  seed: number;
  nodes: number;
  interval: number;
  json?: boolean;
  report?: string;
  quiet?: boolean;
  model?: string;
  data?: string[];
}

/**
 * `peregrine evaluate --scenario NAME|all [--data DIR]`: train on simulated benign time, then run the scenarios on a
 * cluster simulated from --seed, or judge the dataset `peregrine simulate` wrote to DIR; report.
 */
export async function runScenarioCommand(o: ScenarioCliOptions): Promise<void> {
  if (o.model) {
    throw new PeregrineError('PGN_ERR_USAGE', '--scenario trains its own detectors on simulated benign time', { where: '--model', hint: 'drop --model, or drop --scenario to evaluate a model on files' });
  }
  if (o.data && o.data.length !== 1) throw new PeregrineError('PGN_ERR_USAGE', 'with --scenario, --data takes one folder written by `peregrine simulate`', { where: '--data' });
  let last = '';
  const onProgress = (stage: string, done: number, total: number): void => {
    const pct = Math.floor((done / total) * 10);
    const key = `${stage}${pct}`;
    if (key !== last && process.stderr.isTTY) info(o.quiet, `${stage}: ${done}/${total} simulated seconds`);
    last = key;
  };
  const names = resolveScenarioList((o.scenario ?? '').split(','));
  const all = (o.scenario ?? '').split(',').includes('all');
  const r = o.data
    ? await evaluateDataset(o.data[0], { seed: o.seed, intervalSeconds: o.interval, onProgress }, all ? undefined : names)
    : await runScenarioEvaluation({ seed: o.seed, scenarios: names, nodes: o.nodes, intervalSeconds: o.interval, onProgress });
  if (o.report) {
    writeReport(o.report, renderScenarioHtml(r));
    info(o.quiet, `wrote ${o.report}`);
  }
  if (o.json) {
    const { timelines: _t, ...rest } = r;
    process.stdout.write(JSON.stringify(rest) + '\n');
  } else process.stdout.write(formatScenarioText(r) + '\n');
}
