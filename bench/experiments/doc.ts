/** Markdown and the shots plot for the `experiments` section of docs/results.md. */
import { lineChart, PALETTE, type Series } from '../../src/evaluation/svg.js';
import type { CellResult, Task } from './cells.js';
import type { FewShotResult } from './fewshot.js';

export interface SplitInfo {
  dataset: string;
  split: string;
  task: Task;
  description: string;
  trainCounts: Record<string, number>;
  testCounts: Record<string, number>;
  neuralTrainRows: number;
  gbdtTrainRows: number;
  oneClassTrainRows: number;
}

type Shots = FewShotResult & { dataset: string; split: string; task: Task };

interface DocInput {
  meta: { quick: boolean; seed: number; date: string; seconds: number; machine: Record<string, string | number>; backend: string; budget: Record<string, unknown> };
  splits: SplitInfo[];
  cells: CellResult[];
  fewShot: Shots[];
  plotFile: string;
}

const f3 = (x: number | null | undefined) => (x === null || x === undefined || !Number.isFinite(x) ? 'n/a' : x.toFixed(3));
const f1 = (x: number | null | undefined) => (x === null || x === undefined || !Number.isFinite(x) ? 'n/a' : x.toFixed(1));
const rate = (x: number) => (!Number.isFinite(x) ? 'n/a' : x >= 1000 ? `${Math.round(x / 100) / 10}k` : x.toFixed(0));
const counts = (c: Record<string, number>) =>
  Object.entries(c)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
const key = (c: { dataset: string; split: string; task: string }) => `${c.dataset}/${c.split}/${c.task}`;
const title = (s: { dataset: string; split: string; task: string }) => `${s.dataset}, ${s.split} split, ${s.task === 'multi' ? 'multi-class' : 'binary'}`;

export function renderDoc(d: DocInput): string {
  const m = d.meta;
  const out: string[] = ['## Neural, supervised and few-shot models: the MSc grid and its comparisons (`npm run experiments`)', ''];
  if (m.quick) out.push('> **QUICK RUN** (`npm run experiments -- --quick`): tiny subsamples and budgets to check the wiring. These are NOT the documented figures; run `npm run experiments` for them.', '');
  out.push(
    `Written by \`npm run experiments${m.quick ? ' -- --quick' : ''}\` (seed ${m.seed}) on ${m.date.slice(0, 10)}: ${String(m.machine.cpu)}, ${String(m.machine.cores)} cores (shared with other work), Node ${String(m.machine.node)}, TF.js backend ${m.backend}; the whole run took ${(m.seconds / 60).toFixed(1)} min. Every number below comes from that one run; the raw figures are in \`bench/results/${m.quick ? 'experiments-quick.json' : 'experiments.json'}\`.`,
    '',
    'How to read it:',
    '- **Preprocessing** is fitted on each cell\'s training rows only: identifiers (Flow ID, IPs, ports, Timestamp) excluded, one-hot categories (NSL-KDD), training-median imputation of NaN/Infinity, constant columns dropped, signed log1p, z-score; then either PCA keeping 95 % of the variance, or the 10-d autoencoder reducer (encoder 64-32-10, trained on the same rows), or nothing ("scaled": GBDT, SubTab, Siamese, one-class models).',
    '- **Hybrid** = the MSc framework\'s LSTM + attention + multi-head self-attention classifier with T = 1 (each flow alone, as in the paper; no windows, so nothing can cross a split). **MAML** = first-order MAML meta-training (tasks per class, inner SGD 0.01, outer Adam 0.001) followed by a short standard fine-tune; the fit time includes both.',
    '- Supervised models train without class weights (the papers\' and scikit-learn\'s default; balanced weights were tried on k8s-flows multi-class and cost the hybrid half its accuracy). **Accuracy / macro F1** use the predicted class (argmax); **AUROC** is attack vs benign from the score 1 - P(benign) (for multi-class tasks too); **macro OvR AUROC** (multi-class) is the one-vs-rest mean over classes, for models that give class probabilities (GBDT, SubTab, Siamese; the hybrid detector exposes no probability vector, so n/a).',
    '- **One-class** models (iforest, autoencoder, PCA Mahalanobis, ECOD, LODA) are fitted on the benign training rows only (80 %; 20 % set the threshold at 1 % false alerts) and shown on the binary tasks for comparison.',
    '- **Times** are wall clock on this machine, single-threaded WASM for the neural models: prep = fitting the feature pipeline (incl. the AE reducer), fit = the model\'s training, inference = test rows per second of `score()`.',
    '- **k8s-flows labels are per capture, not per flow**: most flows of an attack capture are ordinary cluster traffic also seen in benign traffic (see the dataset\'s PROVENANCE), so even a perfect flow classifier cannot be perfect here, and the random split lets near-duplicate flows of the same capture, seconds apart, sit on both sides.',
    '',
  );
  out.push(...summary(d), '');
  for (const s of d.splits) {
    out.push(`### ${title(s)}`, '', `Split: ${s.description}`, '');
    out.push(`Training rows per class: ${counts(s.trainCounts)}. Test rows per class: ${counts(s.testCounts)}.`);
    const caps = [`hybrid / SubTab use ${s.neuralTrainRows} training rows`, `GBDT ${s.gbdtTrainRows}`];
    if (s.oneClassTrainRows) caps.push(`one-class models ${s.oneClassTrainRows} benign rows (80 % fit, 20 % threshold)`);
    const total = Object.values(s.trainCounts).reduce((a, b) => a + b, 0);
    out.push(`Rows used: ${caps.join(', ')}${s.neuralTrainRows < total ? ` (seeded stratified subsample of the ${total} training rows)` : ''}.`, '');
    const multi = s.task === 'multi';
    const mine = d.cells.filter((c) => key(c) === key(s));
    const unseen = mine.some((c) => c.recallUnseen !== null);
    out.push(`| model | features | trainer | train rows | accuracy | macro F1 | AUROC${multi ? ' | macro OvR AUROC' : ''}${unseen ? ' | attacks flagged: seen / unseen types' : ''} | prep s | fit s | inference rows/s |`);
    out.push(`|---|---|---|---:|---:|---:|---:|${multi ? '---:|' : ''}${unseen ? '---:|' : ''}---:|---:|---:|`);
    for (const c of mine) {
      const rec = unseen ? ` | ${f3(c.recallSeen)} / ${f3(c.recallUnseen)}` : '';
      out.push(`| ${c.model} | ${c.features} | ${c.trainer} | ${c.trainRows || 'n/a'} | ${f3(c.accuracy)} | ${f3(c.macroF1)} | ${f3(c.auroc)}${multi ? ` | ${f3(c.macroAuroc)}` : ''}${rec} | ${f1(c.prepSeconds)} | ${f1(c.fitSeconds)} | ${rate(c.inferRowsPerSec)} |`);
    }
    if (unseen) out.push('', '"Attacks flagged" = share of test attack rows predicted as an attack (any attack class), for attack types / captures that occur in the training rows and for those that never do.');
    const failed = d.cells.filter((c) => key(c) === key(s) && c.note?.startsWith('failed'));
    for (const c of failed) out.push('', `${c.model}: ${c.note}`);
    out.push('');
  }
  out.push(...mamlTable(d), '', ...shotsSection(d));
  return out.join('\n');
}

function summary(d: DocInput): string[] {
  const cols = d.splits.map((s) => ({ k: key(s), label: `${s.dataset === 'k8s-flows' ? 'k8s' : 'NSL-KDD'} ${s.split} ${s.task === 'multi' ? 'multi' : 'bin'}` }));
  const rows = new Map<string, Map<string, CellResult>>();
  for (const c of d.cells) {
    const r = `${c.model} | ${c.features} | ${c.trainer}`;
    if (!rows.has(r)) rows.set(r, new Map());
    rows.get(r)?.set(key(c), c);
  }
  const out = ['### Summary: macro F1 (AUROC) per split', '', 'Columns: dataset, split, task. The random split is the one the papers used; time and capture splits show what holds up on later traffic and on unseen attacks.', ''];
  out.push(`| model | features | trainer | ${cols.map((c) => c.label).join(' | ')} |`, `|---|---|---|${cols.map(() => '---:').join('|')}|`);
  for (const [r, byKey] of rows) out.push(`| ${r} | ${cols.map((c) => (byKey.has(c.k) ? `${f3(byKey.get(c.k)?.macroF1)} (${f3(byKey.get(c.k)?.auroc)})` : '')).join(' | ')} |`);
  return out;
}

function mamlTable(d: DocInput): string[] {
  const out = ['### MAML vs standard training (hybrid classifier)', '', 'As the paper\'s Table 2: training time and quality of the same network trained the standard way and with first-order MAML (meta-training + fine-tune), on the same rows and features.', ''];
  out.push('| dataset / split / task | features | standard fit s | MAML fit s (meta-training s) | standard accuracy | MAML accuracy | standard macro F1 | MAML macro F1 |', '|---|---|---:|---:|---:|---:|---:|---:|');
  for (const s of d.splits) {
    for (const feat of ['PCA 95 %', 'AE 10-d']) {
      const pick = (t: string) => d.cells.find((c) => key(c) === key(s) && c.model.startsWith('hybrid') && c.features === feat && c.trainer === t);
      const a = pick('standard');
      const b = pick('maml');
      if (!a || !b) continue;
      out.push(`| ${title(s)} | ${feat} | ${f1(a.fitSeconds)} | ${f1(b.fitSeconds)} (${f1(b.mamlMetaSeconds)}) | ${f3(a.accuracy)} | ${f3(b.accuracy)} | ${f3(a.macroF1)} | ${f3(b.macroF1)} |`);
    }
  }
  return out;
}

function shotsSection(d: DocInput): string[] {
  if (!d.fewShot.length) return [];
  const shots = d.fewShot[0].curve.map((p) => p.shots);
  const out = ['### Siamese few-shot CNN: accuracy against the number of shots', ''];
  out.push(`One twin CNN per split (the few-shot report's architecture, 17.3 M parameters), trained on balanced same/different pairs of training rows; each test row is then classified against k support rows per class drawn (seeded) from the training rows. ![accuracy against shots](results/${d.plotFile})`, '');
  out.push(`| dataset / split / task | train rows | pairs x epochs | fit s | pair accuracy (train / val) | ${shots.map((k) => `k=${k} acc / F1`).join(' | ')} |`, `|---|---:|---|---:|---|${shots.map(() => '---:').join('|')}|`);
  for (const r of d.fewShot) {
    out.push(`| ${title(r)} (${r.testRowsUsed} test rows) | ${r.cell.trainRows} | ${r.pairs} x ${r.epochs} | ${f1(r.cell.fitSeconds)} | ${f3(r.trainPairAccuracy)} / ${f3(r.valPairAccuracy)} | ${r.curve.map((p) => `${f3(p.accuracy)} / ${f3(p.macroF1)}`).join(' | ')} |`);
    if (r.baselineCurve?.length) out.push(`| same, untrained network (1 step) | ${r.cell.trainRows} | 2 x 1 | | | ${r.baselineCurve.map((p) => `${f3(p.accuracy)} / ${f3(p.macroF1)}`).join(' | ')} |`);
  }
  out.push('', 'Pair accuracy is P(same) > 0.5 on sampled pairs; the validation pairs (10 %) are held out but drawn from the same training rows, so they measure how well the same/different decision generalises within the training distribution, not to the test rows. The "untrained network" rows classify with the initial (random) CNN embedding, whose calibrated weighted L1 distances act like a nearest-neighbour rule. The gap between the two rows is what pair training added; where it is negative (KDDTest+ holds 17 attack types absent from training, the capture split holds out whole attack captures), the decision learnt on the training classes did not carry over to the test rows.');
  out.push('', 'Chance level: 1 / (number of classes) for accuracy on balanced data; the test sets here are dominated by benign and reconnaissance flows, so compare with the majority-class share in the split tables above.');
  return out;
}

const SHORT: Record<string, string> = { 'k8s-flows': 'k8s', 'nsl-kdd': 'NSL-KDD' };

export function shotsSvg(results: readonly Pick<Shots, 'dataset' | 'split' | 'task' | 'curve' | 'baselineCurve'>[]): string {
  // The legend is one row: short names, and one entry for all the dashed (untrained) curves.
  const series: Series[] = results.flatMap((r, i) => [
    { name: `${SHORT[r.dataset] ?? r.dataset} ${r.split} ${r.task === 'multi' ? 'multi' : 'bin'}`, color: PALETTE[i % PALETTE.length], points: r.curve.map((p) => ({ x: p.shots, y: p.accuracy })) },
    ...(r.baselineCurve?.length
      ? [{ name: i === 0 ? 'dashed: untrained' : '', color: PALETTE[i % PALETTE.length], dashed: true, width: 1, points: r.baselineCurve.map((p) => ({ x: p.shots, y: p.accuracy })) }]
      : []),
  ]);
  return lineChart(series, { title: 'Siamese few-shot CNN: test accuracy against shots per class', width: 960, height: 400, x: { label: 'shots per class (k)', log: true }, y: { label: 'accuracy', min: 0, max: 1 } });
}
