/**
 * `npm run results`: quality on real data nobody here wrote, with honest splits. Writes docs/results.md and HTML
 * reports under docs/results/. Needs ../shared/datasets (or --data-dir); exits 0 with a note when it is absent.
 *
 * - NSL-KDD: every detector trained on KDDTrain+ normal rows only, evaluated on KDDTest+ (17 attack types of the
 *   test set never occur in training).
 * - k8s-flows: trained on the first 80 % (by time) of the benign capture, evaluated on its last 20 % plus each
 *   attack capture: per-capture AUROC, flow detection rate, and detection per 10-second window.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { writeResultsSection } from './results-doc.js';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { renderHtmlReport } from '../src/evaluation/html.js';
import { auroc } from '../src/evaluation/metrics.js';
import type { EvaluationReport } from '../src/evaluation/report.js';
import { evaluateModel } from '../src/training/evaluate-job.js';
import { LoadedModel } from '../src/training/scorer.js';
import { runTraining, type TrainJob } from '../src/training/train.js';
import { repoRoot } from '../src/testing/paths.js';
import { K8S_ATTACKS, k8sSplit, machine } from './util.js';
import { summarizeInputs, vectorsToBatch } from '../src/features/summarizers/syscall/run.js';
import { createDetector } from '../src/detectors/index.js';
import type { VaeDetector } from '../src/detectors/vae/index.js';

const { values } = parseArgs({ options: { 'data-dir': { type: 'string' }, seed: { type: 'string', default: '0' } } });
const root = repoRoot();
const dataDir = resolve(values['data-dir'] ?? join(root, '..', 'shared', 'datasets'));
const seed = Number(values.seed);
const log = (s: string) => process.stderr.write(s + '\n');

interface Variant {
  label: string;
  detector: string;
  params?: Record<string, unknown>;
  log1p: boolean;
}

const VARIANTS: Variant[] = [
  { label: 'iforest', detector: 'iforest', log1p: false },
  { label: 'iforest + log1p', detector: 'iforest', log1p: true },
  { label: 'ocsvm (Nystroem)', detector: 'ocsvm', log1p: false },
  { label: 'ocsvm (Nystroem) + log1p', detector: 'ocsvm', log1p: true },
  { label: 'pca reconstruction', detector: 'pca', log1p: false },
  { label: 'pca reconstruction + log1p', detector: 'pca', log1p: true },
  { label: 'pca Mahalanobis (weighted, major)', detector: 'pca', params: { weighted: true, major: true }, log1p: false },
  { label: 'ecod', detector: 'ecod', log1p: false },
  { label: 'hbos', detector: 'hbos', log1p: false },
  { label: 'loda', detector: 'loda', log1p: false },
  { label: 'loda + log1p', detector: 'loda', log1p: true },
];

function job(format: string, files: string[], v: Variant): TrainJob {
  return {
    format,
    files,
    detector: v.detector,
    detectorParams: v.params,
    normalOnly: true,
    seed,
    pipeline: { log1p: v.log1p },
    threshold: { method: 'contamination', params: { contamination: 0.01 } },
    calibrationFraction: 0.2,
    onBadRow: 'fail',
    reader: { includePorts: false },
  };
}

const f = (x: number | null | undefined, d = 4) => (x === null || x === undefined || !Number.isFinite(x) ? 'n/a' : x.toFixed(d));
const pct = (x: number) => `${(100 * x).toFixed(1)} %`;

async function nslKdd(out: string[], reportsDir: string): Promise<void> {
  const train = [join(dataDir, 'nsl-kdd', 'KDDTrain+.txt')];
  const test = [join(dataDir, 'nsl-kdd', 'KDDTest+.txt')];
  out.push('### NSL-KDD: KDDTrain+ normal rows -> KDDTest+', '');
  out.push('Split: the official one. Detectors are fitted on the 67,343 `normal` rows of KDDTrain+ (80 % fit, 20 % held out to set the threshold at 1 % of held-out normal rows) and evaluated on all 22,544 rows of KDDTest+, whose attacks include 17 types never seen in training. Preprocessing: one-hot protocol/service/flag (training categories; unseen ones encode as all-zero), training-median imputation, constant columns dropped, z-score; "+ log1p" adds signed log1p before z-scoring.', '');
  out.push('| detector | AUROC | AUPRC | precision | recall | F1 | FPR | best-F1 | fit s |', '|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  let best: { v: Variant; report: EvaluationReport } | null = null;
  const rows: { label: string; auroc: number | null }[] = [];
  for (const v of VARIANTS) {
    log(`NSL-KDD: ${v.label}`);
    const t = await runTraining(job('nslkdd', train, v));
    const { report } = await evaluateModel(new LoadedModel(t.model), { files: test, onBadRow: 'fail' });
    out.push(`| ${v.label} | ${f(report.auroc)} | ${f(report.auprc)} | ${f(report.precision, 3)} | ${f(report.recall, 3)} | ${f(report.f1, 3)} | ${f(report.falsePositiveRate, 3)} | ${f(report.bestF1?.f1 ?? null, 3)} | ${f(t.fitSeconds, 2)} |`);
    rows.push({ label: v.label, auroc: report.auroc });
    if (!best || (report.auroc ?? 0) > (best.report.auroc ?? 0)) best = { v, report };
  }
  const iforest = rows.find((r) => r.label === 'iforest');
  if (iforest && best) {
    out.push('', `Isolation Forest (no log1p, as in the scikit-learn peer's default run): AUROC ${f(iforest.auroc)}; the best one-class detector here: ${best.v.label}, AUROC ${f(best.report.auroc)}. For comparison, scikit-learn's IsolationForest on the same files and preprocessing is measured side by side in [benchmarks.md](benchmarks.md) (there both sides fit on all normal rows, without the 20 % calibration hold-out).`);
  }
  if (best) {
    const file = 'nsl-kdd-best.html';
    writeFileSync(join(reportsDir, file), renderHtmlReport(best.report, { title: `NSL-KDD KDDTest+: ${best.v.label}` }));
    out.push('', `Best by AUROC: **${best.v.label}** (report with ROC/PR curves and score histograms: [results/${file}](results/${file})). Detection rate per attack type at its threshold (the 10 most frequent types):`, '');
    out.push('| attack type | rows | detected | rate |', '|---|---:|---:|---:|');
    for (const c of [...best.report.perClass].sort((a, b) => b.support - a.support).slice(0, 10)) out.push(`| ${c.class} | ${c.support} | ${c.detected} | ${pct(c.detectionRate)} |`);
  }
  out.push('');
}

async function k8s(out: string[], reportsDir: string, work: string): Promise<void> {
  const split = k8sSplit(dataDir, work);
  if (!split) return;
  out.push('### Kubernetes misuse flows (Sever & Dogan 2023)', '');
  out.push(`Split: the benign capture (already in time order) is cut at 80 %: the first ${split.trainRows} flows train (normal only; 20 % of them held out to set the threshold at 1 %), the last ${split.benignTestRows} flows (strictly later in time) are the benign test rows. Each attack capture is scored whole. Labels belong to captures, not flows: most flows of an attack capture are ordinary cluster traffic (API server, DNS), so flow-level numbers understate what a per-capture or per-window view shows. Preprocessing: identifiers (Flow ID, IPs, ports, Timestamp) excluded, training-median imputation of Infinity/NaN, constant columns dropped, signed log1p, z-score.`, '');
  const detectorsToRun = VARIANTS.filter((v) => v.log1p || v.detector === 'ecod' || v.detector === 'hbos' || v.label.startsWith('pca Mahalanobis'));
  const summary: string[] = ['| detector | capture | flows | AUROC vs benign test | flows flagged | 10-s windows flagged |', '|---|---|---:|---:|---:|---:|'];
  let bestAvg = -1;
  let bestReport: { label: string; report: EvaluationReport } | null = null;
  for (const v of detectorsToRun) {
    log(`k8s-flows: ${v.label}`);
    const t = await runTraining(job('cicflowmeter', [split.train], { ...v, log1p: true }));
    const loaded = new LoadedModel(t.model);
    const scores: number[] = [];
    const labels: number[] = [];
    const classes: string[] = [];
    const times: number[] = [];
    const tsCol = t.model.input.idNames.indexOf('Timestamp');
    await loaded.scoreFiles([split.test], { onBadRow: 'fail' }, ({ raw, scores: s }) => {
      for (let r = 0; r < raw.rows; r++) {
        scores.push(s[r]);
        labels.push(raw.label[r]);
        classes.push(raw.attackClass[r]);
        times.push(tsCol >= 0 ? Date.parse(raw.ids[tsCol][r].replace(' ', 'T') + 'Z') : NaN);
      }
    });
    const thr = loaded.threshold;
    const benignIdx = labels.map((l, i) => (l === 0 ? i : -1)).filter((i) => i >= 0);
    const windowsFlagged = (idx: number[]) => {
      const w = new Map<number, boolean>();
      for (const i of idx) {
        const k = Math.floor(times[i] / 10_000);
        w.set(k, (w.get(k) ?? false) || scores[i] > thr);
      }
      const vals = [...w.values()];
      return `${vals.filter(Boolean).length}/${vals.length}`;
    };
    const flagged = (idx: number[]) => idx.filter((i) => scores[i] > thr).length;
    summary.push(`| ${v.label} | benign test (false alerts) | ${benignIdx.length} | | ${flagged(benignIdx)} (${pct(flagged(benignIdx) / benignIdx.length)}) | ${windowsFlagged(benignIdx)} |`);
    let sum = 0;
    for (const a of K8S_ATTACKS) {
      const idx = classes.map((c, i) => (c === a.label ? i : -1)).filter((i) => i >= 0);
      const both = [...benignIdx, ...idx];
      const au = auroc(Float64Array.from(both.map((i) => scores[i])), Int8Array.from(both.map((i) => (labels[i] === 0 ? 0 : 1))));
      sum += au ?? 0;
      summary.push(`| ${v.label} | ${a.label}: ${a.name} | ${idx.length} | ${f(au, 3)} | ${flagged(idx)} (${pct(flagged(idx) / idx.length)}) | ${windowsFlagged(idx)} |`);
    }
    if (sum > bestAvg) {
      bestAvg = sum;
      const { report } = await evaluateModel(loaded, { files: [split.test], onBadRow: 'fail' });
      bestReport = { label: v.label, report };
    }
  }
  out.push(...summary, '');
  if (bestReport) {
    const file = 'k8s-flows-best.html';
    writeFileSync(join(reportsDir, file), renderHtmlReport(bestReport.report, { title: `k8s-flows (time split): ${bestReport.label}` }));
    out.push(`Best mean per-capture AUROC: **${bestReport.label}** ([results/${file}](results/${file}); flow-level AUROC over all captures ${f(bestReport.report.auroc, 3)}).`, '');
  }
}

const TRACE_VARIANTS: Variant[] = [
  { label: 'vae (SRI paper spec, 100 epochs)', detector: 'vae', log1p: false },
  { label: 'vae + log1p', detector: 'vae', log1p: true },
  { label: 'iforest + log1p', detector: 'iforest', log1p: true },
  { label: 'pca Mahalanobis + log1p', detector: 'pca', params: { weighted: true, major: true }, log1p: true },
  { label: 'ecod', detector: 'ecod', log1p: false },
];

async function adfa(out: string[]): Promise<void> {
  const dir = join(dataDir, 'adfa-ld');
  if (!existsSync(dir)) return;
  out.push('### ADFA-LD: syscall traces -> activity vectors', '');
  out.push('Split: the dataset\'s own. Each trace is summarised into one activity vector (schema `peregrine.syscall-activity/v1`: counts of the 72 audited system calls, class totals, failed calls, path and port classes, hashed bigrams); detectors are fitted on the 833 traces of `Training_Data_Master` and evaluated on the 4,372 normal traces of `Validation_Data_Master` plus the 746 traces of `Attack_Data_Master` (trace-level AUROC). Threshold: 1 % of the training traces (in-sample: fewer than 1,000 rows).', '');
  out.push('| detector | AUROC | AUPRC | recall | FPR on validation normals | fit s |', '|---|---:|---:|---:|---:|---:|');
  for (const v of TRACE_VARIANTS) {
    log(`ADFA-LD: ${v.label}`);
    const t = await runTraining(job('adfa-ld', [join(dir, 'Training_Data_Master')], v));
    const { report } = await evaluateModel(new LoadedModel(t.model), { files: [join(dir, 'Validation_Data_Master'), join(dir, 'Attack_Data_Master')], onBadRow: 'skip' });
    out.push(`| ${v.label} | ${f(report.auroc, 3)} | ${f(report.auprc, 3)} | ${f(report.recall, 3)} | ${f(report.falsePositiveRate, 3)} | ${f(t.fitSeconds, 2)} |`);
  }
  out.push('', 'Reading: the activity vector was designed for container workloads (which audited calls, which files, which ports); ADFA-LD\'s attacks on a single host barely change those counts relative to the variety of normal traces, so trace-level separation is weak. Bag-of-all-syscalls or sequence models do better on ADFA-LD; this table measures the SRI design as specified.', '');
}

async function lidds(out: string[]): Promise<void> {
  const sc = join(dataDir, 'lid-ds-sample', 'aggressive_nightingale_1018.sc');
  if (!existsSync(sc)) return;
  log('LID-DS: interval scores before and after the attack');
  const res = await summarizeInputs('lidds', [sc], { onBadRow: 'skip' }, { intervalSeconds: 1, groupBy: 'image' });
  const vs = res.vectors.filter((v) => v.eventCount > 0).sort((a, b) => a.intervalStart - b.intervalStart);
  const train = vs.filter((v) => v.label === 0);
  const t0 = vs[0]?.intervalStart ?? 0;
  out.push('### LID-DS 2021 sample: interval scores before and after the attack', '');
  out.push(`One recording (\`aggressive_nightingale_1018\`, brute force), summarised in 1-second intervals (the recording is ${((vs[vs.length - 1].intervalEnd - t0) / 1e6).toFixed(0)} s long, too short for the paper's 30 s). A VAE with the SRI paper's architecture (3x16 hidden, latent 10, Adam 1e-4, 500 epochs on this tiny set) is fitted on the ${train.length} intervals before the exploit timestamp; every interval is then scored and compared with r_th = r_mean + 3 r_sd. Intervals before the attack are in-sample, so they show the fit, not a false-positive rate.`, '');
  if (train.length < 2) {
    out.push('Too few pre-attack intervals to fit.', '');
    return;
  }
  const vae = createDetector('vae', { epochs: 500, batchSize: 4 }) as unknown as VaeDetector;
  vae.fit(vectorsToBatch(train), { seed });
  const scores = vae.score(vectorsToBatch(vs));
  const thr = vae.threshold(3);
  out.push('| interval (s from start) | events | label | L_rec | unstable (> r_th) |', '|---:|---:|---|---:|---|');
  vs.forEach((v, i) => out.push(`| ${((v.intervalStart - t0) / 1e6).toFixed(0)} | ${v.eventCount} | ${v.label === 1 ? 'attack' : 'normal'} | ${scores[i].toExponential(2)} | ${scores[i] > thr ? '**yes**' : 'no'} |`));
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(xs.length, 1);
  const before = vs.map((v, i) => (v.label === 0 ? scores[i] : NaN)).filter((x) => !Number.isNaN(x));
  const after = vs.map((v, i) => (v.label === 1 ? scores[i] : NaN)).filter((x) => !Number.isNaN(x));
  out.push('', `r_th = ${thr.toExponential(2)}; mean L_rec before the attack ${mean(before).toExponential(2)}, after ${after.length ? mean(after).toExponential(2) : 'n/a'} (ratio ${after.length ? (mean(after) / mean(before)).toFixed(1) : 'n/a'}).`, '');
}

async function main(): Promise<void> {
  const out: string[] = ['### One-class detectors, runtime traces (`npm run results`)', ''];
  if (!existsSync(dataDir)) {
    log(`note: ${dataDir} not found; pass --data-dir. Nothing written.`);
    return;
  }
  const m = machine();
  out.push(`Written by \`npm run results\` (seed ${seed}) on ${new Date().toISOString().slice(0, 10)}, ${String(m.cpu)}, Node ${String(m.node)}. Every number below comes from that command; the datasets are read from \`../shared/datasets\` and are not in the repository. Thresholds: 1 % of held-out normal training rows (\`--threshold contamination\`), so precision/recall reflect a conservative alerting point; best-F1 is picked with test labels and is optimistic. Speed and memory against scikit-learn: [benchmarks.md](benchmarks.md).`, '');
  const reportsDir = join(root, 'docs', 'results');
  mkdirSync(reportsDir, { recursive: true });
  const work = mkdtempSync(join(tmpdir(), 'peregrine-results-'));
  try {
    if (existsSync(join(dataDir, 'nsl-kdd'))) await nslKdd(out, reportsDir);
    await k8s(out, reportsDir, work);
    await adfa(out);
    await lidds(out);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  writeResultsSection(join(root, 'docs', 'results.md'), 'results', out.join('\n'));
  log('wrote docs/results.md and docs/results/*.html');
}

main().catch((e: unknown) => {
  process.stderr.write(`results failed: ${(e as Error).message}\n`);
  process.exit(1);
});
