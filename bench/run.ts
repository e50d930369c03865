/**
 * `npm run bench`: Peregrine side by side with the scikit-learn peer (../shared/peers) on the same files, the same
 * machine and in the same run. Writes docs/benchmarks.md and bench/results/latest.json.
 *
 *   npm run bench -- [--data-dir DIR] [--peers-dir DIR] [--repeat N] [--big-mb MB] [--quick]
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { jsonLines, k8sSplit, machine, median, round, sampleRss } from './util.js';
import { repoRoot } from '../src/testing/paths.js';
import { detectors } from '../src/detectors/index.js';
import { compareWithTorch, type TorchComparison } from './peers-torch.js';

type Row = Record<string, unknown>;

const ONE_CLASS_FLOW = ['ecod', 'hbos', 'iforest', 'loda', 'ocsvm', 'pca'];

const { values } = parseArgs({
  options: {
    'data-dir': { type: 'string' },
    'peers-dir': { type: 'string' },
    repeat: { type: 'string', default: '3' },
    'big-mb': { type: 'string', default: '1024' },
    quick: { type: 'boolean', default: false },
  },
});
const root = repoRoot();
const dataDir = resolve(values['data-dir'] ?? join(root, '..', 'shared', 'datasets'));
const peersDir = resolve(values['peers-dir'] ?? join(root, '..', 'shared', 'peers'));
const repeat = values.quick ? 1 : Number(values.repeat);
const bigMb = values.quick ? 100 : Number(values['big-mb']);
const python = '/usr/bin/python3';
const node = process.execPath;
const cli = join(root, 'dist', 'src', 'cli', 'main.js');
const worker = join(root, 'dist', 'bench', 'worker.js');
const ingestWorker = join(root, 'dist', 'bench', 'ingest-worker.js');
const work = mkdtempSync(join(tmpdir(), 'peregrine-bench-'));
const log = (s: string) => process.stderr.write(s + '\n');

function peerAvailable(): boolean {
  if (!existsSync(join(peersDir, 'sklearn_peer.py')) || !existsSync(python)) return false;
  return jsonLinesSafe(python, ['-c', 'import sklearn, pandas; print("{}")']) !== null;
}

function jsonLinesSafe(cmd: string, args: string[]): Row[] | null {
  try {
    return jsonLines(cmd, args);
  } catch {
    return null;
  }
}

/** A large CICFlowMeter file made by repeating the benign capture's rows, for ingest and flat-memory scoring. */
async function bigFile(mb: number): Promise<string | null> {
  const src = join(dataDir, 'k8s-flows', 'background_traffic_20230319T1802.pcap_Flow.first70pct.csv');
  if (!existsSync(src)) return null;
  const lines = readFileSync(src, 'utf8').trimEnd().split('\n');
  const body = lines.slice(1).join('\n') + '\n';
  const path = join(work, 'big.csv');
  const out = createWriteStream(path);
  out.write(lines[0] + '\n');
  let written = 0;
  while (written < mb * 2 ** 20) {
    if (!out.write(body)) await once(out, 'drain');
    written += body.length;
  }
  out.end();
  await once(out, 'finish');
  return path;
}

interface DatasetCase {
  name: string;
  format: string;
  train: string[];
  test: string[];
  log1p: boolean;
}

function compareDetectors(c: DatasetCase, withPeer: boolean): { ours: Row[]; peer: Row[] } {
  const ours: Row[] = [];
  // The one-class flow detectors; neural and supervised models have their own comparisons (PyTorch below).
  for (const d of detectors.names().filter((n) => ONE_CLASS_FLOW.includes(n))) {
    const runs: Row[] = [];
    for (let i = 0; i < repeat; i++) {
      log(`  ${c.name}: peregrine ${d} run ${i + 1}/${repeat}`);
      const args = [worker, '--format', c.format, ...c.train.flatMap((f) => ['--train', f]), ...c.test.flatMap((f) => ['--test', f]), '--detector', d];
      if (c.log1p) args.push('--log1p');
      runs.push(jsonLines(node, args)[0]);
    }
    ours.push(summarise(runs));
  }
  const peer: Row[] = [];
  if (withPeer) {
    const byModel = new Map<string, Row[]>();
    for (let i = 0; i < repeat; i++) {
      log(`  ${c.name}: scikit-learn run ${i + 1}/${repeat}`);
      const args = [join(peersDir, 'sklearn_peer.py'), '--format', c.format, '--train', ...c.train, '--test', ...c.test, '--normal-only'];
      if (c.log1p) args.push('--log1p');
      for (const r of jsonLines(python, args)) byModel.set(String(r.model), [...(byModel.get(String(r.model)) ?? []), r]);
    }
    for (const runs of byModel.values()) peer.push(summarise(runs));
  }
  return { ours, peer };
}

/** Medians over repeated runs for timing; quality is deterministic per seed so the first run's value is kept. */
function summarise(runs: Row[]): Row {
  const med = (k: string) => median(runs.map((r) => Number(r[k])));
  return { ...runs[0], fit_s: med('fit_s'), score_s: med('score_s'), score_rows_per_s: med('score_rows_per_s'), peak_rss_mb: med('peak_rss_mb'), runs: runs.length };
}

async function main(): Promise<void> {
  if (!existsSync(cli) || !existsSync(worker)) throw new Error('run `npm run build` first (npm run bench does)');
  const haveData = existsSync(dataDir);
  const withPeer = haveData && peerAvailable();
  const result: Record<string, unknown> = { date: new Date().toISOString(), command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(), machine: machine(), repeat };
  if (!haveData) log(`note: ${dataDir} not found: only machine info is written (pass --data-dir)`);
  if (haveData && !withPeer) log('note: scikit-learn peer not available (apt-get install -y python3-sklearn python3-pandas): Peregrine figures only');

  const cases: DatasetCase[] = [];
  if (haveData && existsSync(join(dataDir, 'nsl-kdd'))) {
    const nsl = { format: 'nslkdd', train: [join(dataDir, 'nsl-kdd', 'KDDTrain+.txt')], test: [join(dataDir, 'nsl-kdd', 'KDDTest+.txt')] };
    cases.push({ name: 'NSL-KDD (z-score)', ...nsl, log1p: false }, { name: 'NSL-KDD (log1p + z-score)', ...nsl, log1p: true });
  }
  const k8s = haveData ? k8sSplit(dataDir, work) : null;
  if (k8s) cases.push({ name: 'k8s-flows (log1p + z-score)', format: 'cicflowmeter', train: [k8s.train], test: [k8s.test], log1p: true });
  const comparisons: Record<string, unknown>[] = [];
  for (const c of cases) {
    log(`detectors on ${c.name}`);
    comparisons.push({ case: c.name, ...compareDetectors(c, withPeer) });
  }
  result.detectors = comparisons;

  if (haveData && existsSync(join(dataDir, 'nsl-kdd'))) {
    log('training memory: peregrine train on KDDTrain+ (all rows read, normal rows fitted)');
    const model = join(work, 'nsl.model.json');
    const args = [cli, 'train', '--format', 'nslkdd', '--data', join(dataDir, 'nsl-kdd', 'KDDTrain+.txt'), '--normal-only', '--detector', 'iforest', '--out', model, '--quiet'];
    const rss = await sampleRss(node, args, 100);
    result.trainMemory = { command: `peregrine ${args.slice(1).join(' ')}`, seconds: rss.seconds, rss_mb_max: Math.max(...rss.samples) };
  }

  const big = haveData ? await bigFile(bigMb) : null;
  if (big) {
    const size = statSync(big).size;
    log(`ingest: ${(size / 2 ** 20).toFixed(0)} MiB CICFlowMeter file`);
    const ingRuns = Array.from({ length: repeat }, () => jsonLines(node, [ingestWorker, 'cicflowmeter', big])[0]);
    const ingest: Row = { file_mb: size / 2 ** 20, ...summariseIngest(ingRuns) };
    if (withPeer) {
      const code = `import time,resource,json,pandas as pd\nt=time.perf_counter();f=pd.read_csv(${JSON.stringify(big)},low_memory=False);s=time.perf_counter()-t\nprint(json.dumps({"rows":len(f),"seconds":s,"rows_per_s":len(f)/s,"peak_rss_mb":resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/1024,"pandas":pd.__version__}))`;
      const pr = jsonLinesSafe(python, ['-c', code]);
      if (pr) ingest.pandas = pr[0];
    }
    log('flat-memory scoring of the large file');
    const model = join(work, 'k8s.model.json');
    jsonLines(node, [cli, 'train', '--format', 'cicflowmeter', '--data', k8s?.train ?? big, '--normal-only', '--detector', 'iforest', '--log1p', '--out', model, '--json', '--quiet']);
    const rss = await sampleRss(node, [cli, 'score', '--model', model, '--data', big, '--out', '/dev/null', '--quiet']);
    const s = rss.samples;
    const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * (s.length - 1)))];
    ingest.score_flat_memory = { seconds: rss.seconds, samples: s.length, rss_mb_at_10pct: at(0.1), rss_mb_at_50pct: at(0.5), rss_mb_at_90pct: at(0.9), rss_mb_max: Math.max(...s) };
    result.ingest = ingest;
  }
  if (haveData) {
    log('dense autoencoder vs PyTorch (torch_peer.py), NSL-KDD');
    try {
      result.torch = await compareWithTorch({ dataDir, peersDir, repeat, log });
    } catch (e) {
      log(`note: PyTorch comparison skipped: ${(e as Error).message}`);
    }
  }
  mkdirSync(join(root, 'bench', 'results'), { recursive: true });
  writeFileSync(join(root, 'bench', 'results', 'latest.json'), JSON.stringify(result, null, 2) + '\n');
  writeFileSync(join(root, 'docs', 'benchmarks.md'), renderMarkdown(result));
  rmSync(work, { recursive: true, force: true });
  log('wrote docs/benchmarks.md and bench/results/latest.json');
}

function summariseIngest(runs: Row[]): Row {
  const med = (k: string) => median(runs.map((r) => Number(r[k])));
  return { rows: runs[0].rows, seconds: med('seconds'), rows_per_s: med('rowsPerSecond'), mb_per_s: med('bytesPerSecond') / 2 ** 20, peak_rss_mb: med('peak_rss_mb') };
}

function renderMarkdown(r: Record<string, unknown>): string {
  const m = r.machine as Record<string, unknown>;
  const out: string[] = [
    '# Benchmarks',
    '',
    `Written by \`${String(r.command)}\` on ${String(r.date).slice(0, 10)}; raw figures in \`bench/results/latest.json\`.`,
    `Machine: ${String(m.cpu)}, ${String(m.cores)} cores, ${String(m.memoryGiB)} GiB, ${String(m.os)}, Node ${String(m.node)}.`,
    `Timings are medians of ${String(r.repeat)} runs, each detector in a fresh process (peak RSS is that process's).`,
    'Both sides get the same preprocessing (training-median imputation, one-hot for NSL-KDD, z-score, optional signed',
    'log1p, fitted on the training normal rows only) and are timed around model fit and scoring only.',
    'These machines are noisy (2 shared cores): treat differences under ~20 % as noise.',
    '',
  ];
  for (const c of (r.detectors as { case: string; ours: Row[]; peer: Row[] }[]) ?? []) {
    out.push(`## Detectors: ${c.case}`, '', `Training: normal rows of the training file(s) only; test rows: ${String(c.ours[0]?.n_test ?? '?')}.`, '');
    out.push('| implementation | model | AUROC | AUPRC | fit s | score s | score rows/s | peak RSS MB |', '|---|---|---:|---:|---:|---:|---:|---:|');
    for (const row of [...c.ours, ...c.peer]) {
      out.push(`| ${String(row.impl ?? row.peer)} | ${String(row.model)} | ${fx(row.auroc, 4)} | ${fx(row.auprc, 4)} | ${fx(row.fit_s, 3)} | ${fx(row.score_s, 3)} | ${fx(row.score_rows_per_s, 0)} | ${fx(row.peak_rss_mb, 0)} |`);
    }
    const ours = c.ours.find((x) => x.model === 'iforest');
    const sk = c.peer.find((x) => x.model === 'iforest');
    if (ours && sk) {
      const ratio = (Number(sk.fit_s) + Number(sk.score_s)) / (Number(ours.fit_s) + Number(ours.score_s));
      out.push('', `Isolation Forest fit + score: scikit-learn ${fx(Number(sk.fit_s) + Number(sk.score_s), 3)} s, Peregrine ${fx(Number(ours.fit_s) + Number(ours.score_s), 3)} s: **Peregrine is ${fx(ratio, 2)}x scikit-learn's speed** (ratio > 1 = faster). AUROC ${fx(ours.auroc, 4)} vs ${fx(sk.auroc, 4)}.`);
    }
    out.push('');
  }
  const tc = r.torch as TorchComparison | undefined;
  if (tc) {
    const p = tc.peregrine;
    const t = tc.pytorch;
    out.push('## Dense autoencoder vs PyTorch', '', `NSL-KDD KDDTrain+ normal rows -> KDDTest+, hidden ${tc.hidden}, ${tc.epochs} epochs, batch ${tc.batch}, one thread on both sides (Peregrine backend: ${String(p.backend)}); medians of ${String(r.repeat)} alternating runs. Peregrine runs twice per round: on its own WASM SIMD gemm (src/kernels/simd, the default on the WASM backend) and on TF.js' WASM kernels (\`PEREGRINE_DENSE_KERNELS=tfjs\`).`, '');
    out.push('| implementation | train rows/s | inference rows/s | AUROC |', '|---|---:|---:|---:|');
    for (const side of [p, tc.peregrineTfjs]) if (side) out.push(`| ${side.impl} | ${fx(side.train_rows_per_s, 0)} | ${fx(side.infer_rows_per_s, 0)} | ${fx(side.auroc, 4)} |`);
    if (t) out.push(`| ${t.impl} | ${fx(t.train_rows_per_s, 0)} | ${fx(t.infer_rows_per_s, 0)} | ${fx(t.auroc, 4)} |`);
    out.push('', `Training throughput ratio Peregrine/PyTorch: **${fx(tc.trainRatio, 2)}** (target >= 0.5); inference ratio ${fx(tc.inferRatio, 2)}; inference >= 100k rows/s: ${tc.targets.inferAtLeast100k ? 'yes' : 'no'}.`, '');
  }
  const tm = r.trainMemory as Row | undefined;
  if (tm) {
    out.push('## Training memory', '', `\`${String(tm.command).replace(/\/[^ ]*\//g, '')}\` (read 125,973 rows, fit on the normal ones): ${fx(tm.seconds, 1)} s wall, peak RSS ${fx(tm.rss_mb_max, 0)} MB (sampled every 100 ms; the target is under 1 GB).`, '');
  }
  const ing = r.ingest as Row | undefined;
  if (ing) {
    out.push('## CSV ingest and flat-memory scoring', '');
    out.push(`A ${fx(ing.file_mb, 0)} MiB CICFlowMeter-V4 file (the k8s benign capture's rows repeated, 87 columns), streamed on one core:`, '');
    out.push('| reader | rows | seconds | rows/s | MiB/s | peak RSS MB |', '|---|---:|---:|---:|---:|---:|');
    out.push(`| Peregrine streaming reader (parse + numeric conversion + batches) | ${String(ing.rows)} | ${fx(ing.seconds, 2)} | ${fx(ing.rows_per_s, 0)} | ${fx(ing.mb_per_s, 1)} | ${fx(ing.peak_rss_mb, 0)} |`);
    const p = ing.pandas as Row | undefined;
    if (p) out.push(`| pandas ${String(p.pandas)} read_csv (whole file in memory) | ${String(p.rows)} | ${fx(p.seconds, 2)} | ${fx(p.rows_per_s, 0)} | ${fx(Number(ing.file_mb) / Number(p.seconds), 1)} | ${fx(p.peak_rss_mb, 0)} |`);
    const f = ing.score_flat_memory as Row;
    out.push('', `\`peregrine score\` (Isolation Forest) over the same file: ${fx(f.seconds, 1)} s; RSS sampled every 200 ms: ${fx(f.rss_mb_at_10pct, 0)} MB at 10 % of the run, ${fx(f.rss_mb_at_50pct, 0)} MB at 50 %, ${fx(f.rss_mb_at_90pct, 0)} MB at 90 %, max ${fx(f.rss_mb_max, 0)} MB: memory stays flat while the file streams.`, '');
  }
  return out.join('\n') + '\n';
}

function fx(v: unknown, d: number): string {
  const x = round(v, d);
  return x === null ? 'n/a' : x.toFixed(d);
}

main().catch((e: unknown) => {
  process.stderr.write(`bench failed: ${(e as Error).message}\n`);
  process.exit(1);
});
