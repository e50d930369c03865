import { Rng } from '../core/rng.js';
import { fitThreshold } from '../thresholds/index.js';
import type { EvaluationInput } from './report.js';

/**
 * A realistic-looking labelled score set for tests and for eyeballing the text and HTML reports: benign
 * scores with a light right tail, and attack classes that are easy (flood), medium (scan) and hard
 * (a bot that hides among benign traffic), with very different supports, as in CICIDS2017.
 */
export function syntheticEvaluationInput(seed = 1, benignRows = 20_000): EvaluationInput {
  const rng = new Rng(seed);
  const benign = (): number => Math.exp(0.35 * rng.normal()) * 0.3;
  const classes: [string, number, () => number][] = [
    ['benign', benignRows, benign],
    ['DDoS', Math.round(benignRows * 0.25), () => Math.exp(0.3 * rng.normal()) * 1.4],
    ['PortScan', Math.round(benignRows * 0.1), () => Math.exp(0.4 * rng.normal()) * 0.75],
    ['Bot', Math.round(benignRows * 0.02), () => Math.exp(0.4 * rng.normal()) * 0.38],
    ['Infiltration', 12, () => Math.exp(0.5 * rng.normal()) * 0.5],
  ];
  const total = classes.reduce((s, c) => s + c[1], 0) + 50;
  const scores = new Float64Array(total);
  const labels = new Int8Array(total);
  const names: string[] = [];
  let i = 0;
  for (const [name, n, gen] of classes) {
    for (let k = 0; k < n; k++, i++) {
      scores[i] = gen();
      labels[i] = name === 'benign' ? 0 : 1;
      names.push(name);
    }
  }
  for (; i < total; i++) {
    scores[i] = benign(); // unlabelled rows: scored, not evaluated
    labels[i] = -1;
    names.push('');
  }
  const training = Float64Array.from({ length: benignRows }, benign);
  return {
    scores,
    labels,
    classes: names,
    threshold: fitThreshold('pot', { q: 1e-3 }, training),
    model: { detector: 'iforest', file: 'models/iforest.pgn', sizeBytes: 1_843_200, trainedRows: benignRows, features: 78 },
    timing: { fitSeconds: 2.5, scoreSeconds: 0.42, rows: total },
    data: { files: ['data/Tuesday-WorkingHours.pcap_ISCX.csv'], rowsSkipped: 3, nonFinite: { 'Flow Bytes/s': 17 } },
  };
}
