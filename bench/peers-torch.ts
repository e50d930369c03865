/**
 * Dense autoencoder speed side by side with PyTorch (../shared/peers/torch_peer.py): the same NSL-KDD files, the
 * same preprocessing (one-hot, median impute, z-score fitted on the normal training rows; constant columns kept, as
 * the peer keeps them), the same architecture (hidden 64,32,10, relu, linear output, MSE), Adam lr 1e-3, batch 256,
 * the same number of epochs, on the CPU of this machine. Reports training rows/s (epochs x rows / seconds, the
 * peer's formula), inference rows/s on one core (WASM is single-threaded here), AUROC, and our/PyTorch ratios; Peregrine
 * runs twice per round, on its own WASM SIMD gemm (the default) and on TF.js' kernels, to show what the former buys.
 *
 * Library use (the bench harness): `await compareWithTorch({ dataDir, peersDir })`.
 * Command line: `node dist/bench/peers-torch.js [--data-dir DIR] [--peers-dir DIR] [--epochs 5] [--repeat 3]
 *   [--threads N] [--backend auto|wasm|cpu|tensorflow] [--out FILE]` prints one JSON object.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { jsonLines, machine, median } from './util.js';
import { repoRoot } from '../src/testing/paths.js';
import { createDetector } from '../src/detectors/index.js';
import type { AutoencoderDetector } from '../src/detectors/autoencoder/index.js';
import { FeaturePipeline } from '../src/features/pipeline.js';
import { concatBatches, takeRows } from '../src/features/table.js';
import { openTabular } from '../src/ingest/index.js';
import type { RawBatch } from '../src/ingest/types.js';
import { auroc } from '../src/evaluation/metrics.js';
import { gaussian } from '../src/detectors/testing.js';
import { runtimeInfo } from '../src/training/tf/runtime.js';
import { DENSE_KERNELS_ENV } from '../src/kernels/simd/index.js';

export interface TorchComparisonOptions {
  dataDir?: string;
  peersDir?: string;
  epochs?: number;
  batchSize?: number;
  hidden?: number[];
  /** Runs per side, alternating; the median of the timings is reported (quality is deterministic per seed). */
  repeat?: number;
  /** PyTorch threads (0 = torch's default). */
  threads?: number;
  backend?: 'auto' | 'wasm' | 'cpu' | 'tensorflow';
  python?: string;
  log?: (s: string) => void;
}

export interface SideResult {
  impl: string;
  backend?: string;
  threads?: number;
  features: number;
  n_fit: number;
  n_test: number;
  train_rows_per_s: number;
  infer_rows_per_s: number;
  train_s: number;
  infer_s: number;
  final_loss: number | null;
  auroc: number | null;
  runs: number;
}

export interface TorchComparison {
  date: string;
  machine: Record<string, string | number>;
  epochs: number;
  batch: number;
  hidden: string;
  peregrine: SideResult;
  /** The same model on TF.js' own WASM kernels (PEREGRINE_DENSE_KERNELS=tfjs): what the SIMD kernel replaces. */
  peregrineTfjs: SideResult;
  pytorch: SideResult | null;
  /** peregrine / pytorch. */
  trainRatio: number | null;
  inferRatio: number | null;
  /** The targets: training >= 0.5x PyTorch, inference >= 100k rows/s on one core. */
  targets: { trainAtLeastHalf: boolean | null; inferAtLeast100k: boolean };
  note?: string;
}

async function readAll(files: string[]): Promise<{ table: RawBatch; schema: Awaited<ReturnType<typeof openTabular>>['schema'] }> {
  const reader = await openTabular('nslkdd', files, { onBadRow: 'skip' });
  const parts: RawBatch[] = [];
  for await (const b of reader.batches()) parts.push(b);
  const s = reader.schema;
  return { table: concatBatches(parts, s.numericNames.length, s.categoricalNames.length, s.idNames.length), schema: s };
}

/** Which dense kernels a Peregrine run uses: its own WASM SIMD gemm (the default) or TF.js' (PEREGRINE_DENSE_KERNELS=tfjs). */
export type DenseKernels = 'simd' | 'tfjs';

interface PeregrineRunner {
  run(kernels: DenseKernels): { train_s: number; infer_s: number };
  result(kernels: DenseKernels, train_s: number[], infer_s: number[]): SideResult;
}

async function peregrineRunner(trainFile: string, testFile: string, o: Required<Pick<TorchComparisonOptions, 'epochs' | 'batchSize' | 'hidden' | 'backend'>>): Promise<PeregrineRunner> {
  const train = await readAll([trainFile]);
  const test = await readAll([testFile]);
  const normal: number[] = [];
  for (let i = 0; i < train.table.rows; i++) if (train.table.label[i] === 0) normal.push(i);
  const fitTable = takeRows(train.table, normal);
  const pipeline = new FeaturePipeline({ dropConstant: false }).fit(fitTable, train.schema);
  const xFit = pipeline.transform(fitTable);
  const xTest = pipeline.transform(test.table);
  const params = { hidden: o.hidden, epochs: o.epochs, batchSize: o.batchSize, learningRate: 1e-3, validationSplit: 0, patience: 0, backend: o.backend };
  // Warm-up outside the timings (TF.js load, WASM compile, kernel JIT), as the peer's import is outside its timings.
  createDetector('autoencoder', { ...params, epochs: 1 }).fit(gaussian(4096, xFit.cols, 1), { seed: 1 }).score(gaussian(4096, xFit.cols, 2));
  const det = new Map<DenseKernels, AutoencoderDetector>();
  const scores = new Map<DenseKernels, Float64Array>();
  return {
    run(kernels) {
      const saved = process.env[DENSE_KERNELS_ENV];
      if (kernels === 'tfjs') process.env[DENSE_KERNELS_ENV] = 'tfjs';
      else delete process.env[DENSE_KERNELS_ENV];
      try {
        const d = createDetector('autoencoder', params) as AutoencoderDetector;
        const t0 = performance.now();
        d.fit(xFit, { seed: 0 });
        const t1 = performance.now();
        const s = d.score(xTest);
        const t2 = performance.now();
        det.set(kernels, d);
        scores.set(kernels, s);
        return { train_s: (t1 - t0) / 1000, infer_s: (t2 - t1) / 1000 };
      } finally {
        if (saved === undefined) delete process.env[DENSE_KERNELS_ENV];
        else process.env[DENSE_KERNELS_ENV] = saved;
      }
    },
    result(kernels, train_s, infer_s) {
      const info = det.get(kernels)?.fitInfo;
      const s = scores.get(kernels);
      const tr = median(train_s);
      const inf = median(infer_s);
      return {
        impl: info?.backendReason.includes('dense kernels') ? 'peregrine (WASM SIMD gemm)' : `peregrine (TF.js ${runtimeInfo().tfjs} kernels)`,
        backend: info?.backend,
        threads: 1,
        features: xFit.cols,
        n_fit: xFit.rows,
        n_test: xTest.rows,
        train_s: tr,
        infer_s: inf,
        train_rows_per_s: Math.round((o.epochs * xFit.rows) / tr),
        infer_rows_per_s: Math.round(xTest.rows / inf),
        // Mean over the last epoch's batches (the peer prints its last batch's loss: noisy, heavy-tailed data).
        final_loss: info ? info.history.loss[info.history.loss.length - 1] : null,
        auroc: s ? auroc(s, test.table.label) : null,
        runs: train_s.length,
      };
    },
  };
}

function torchRun(python: string, peer: string, trainFile: string, testFile: string, o: { epochs: number; batchSize: number; hidden: number[]; threads: number }): Record<string, unknown> {
  const args = [peer, '--format', 'nslkdd', '--train', trainFile, '--test', testFile, '--normal-only', '--hidden', o.hidden.join(','), '--epochs', String(o.epochs), '--batch', String(o.batchSize)];
  if (o.threads) args.push('--threads', String(o.threads));
  return jsonLines(python, args)[0];
}

function torchResult(runs: Record<string, unknown>[], epochs: number): SideResult {
  const med = (k: string) => median(runs.map((x) => Number(x[k])));
  const first = runs[0];
  const train_s = med('train_s');
  const infer_s = med('infer_s');
  return {
    impl: String(first.peer),
    threads: Number(first.threads),
    features: Number(first.features),
    n_fit: Number(first.n_fit),
    n_test: Number(first.n_test),
    train_s,
    infer_s,
    train_rows_per_s: Math.round((epochs * Number(first.n_fit)) / train_s),
    infer_rows_per_s: Math.round(Number(first.n_test) / infer_s),
    final_loss: Number(first.final_loss),
    auroc: first.auroc == null ? null : Number(first.auroc),
    runs: runs.length,
  };
}

function torchAvailable(python: string, peer: string): boolean {
  if (!existsSync(peer) || !existsSync(python)) return false;
  try {
    jsonLines(python, ['-c', 'import torch, sklearn, pandas; print("{}")']);
    return true;
  } catch {
    return false;
  }
}

export async function compareWithTorch(options: TorchComparisonOptions = {}): Promise<TorchComparison> {
  const root = repoRoot();
  const dataDir = resolve(options.dataDir ?? join(root, '..', 'shared', 'datasets'));
  const peersDir = resolve(options.peersDir ?? join(root, '..', 'shared', 'peers'));
  const python = options.python ?? '/usr/bin/python3';
  const log = options.log ?? ((s: string) => process.stderr.write(s + '\n'));
  const o = {
    epochs: options.epochs ?? 5,
    batchSize: options.batchSize ?? 256,
    hidden: options.hidden ?? [64, 32, 10],
    repeat: options.repeat ?? 3,
    threads: options.threads ?? 0,
    backend: options.backend ?? 'auto',
  };
  const trainFile = join(dataDir, 'nsl-kdd', 'KDDTrain+.txt');
  const testFile = join(dataDir, 'nsl-kdd', 'KDDTest+.txt');
  if (!existsSync(trainFile) || !existsSync(testFile)) throw new Error(`NSL-KDD not found under ${dataDir}/nsl-kdd (pass --data-dir)`);
  const peer = join(peersDir, 'torch_peer.py');
  const haveTorch = torchAvailable(python, peer);
  log('dense autoencoder vs PyTorch on NSL-KDD');
  // Runs alternate (PyTorch, Peregrine, PyTorch, ...) so drifting machine load hits both sides alike.
  const runner = await peregrineRunner(trainFile, testFile, o);
  const torchRuns: Record<string, unknown>[] = [];
  const times = { simd: { train: [] as number[], infer: [] as number[] }, tfjs: { train: [] as number[], infer: [] as number[] } };
  for (let r = 0; r < o.repeat; r++) {
    if (haveTorch) {
      log(`  pytorch run ${r + 1}/${o.repeat}`);
      torchRuns.push(torchRun(python, peer, trainFile, testFile, o));
    }
    for (const k of ['simd', 'tfjs'] as const) {
      log(`  peregrine (${k} kernels) run ${r + 1}/${o.repeat}`);
      const t = runner.run(k);
      times[k].train.push(t.train_s);
      times[k].infer.push(t.infer_s);
    }
  }
  const pytorch = haveTorch ? torchResult(torchRuns, o.epochs) : null;
  const peregrine = runner.result('simd', times.simd.train, times.simd.infer);
  const peregrineTfjs = runner.result('tfjs', times.tfjs.train, times.tfjs.infer);
  const trainRatio = pytorch ? peregrine.train_rows_per_s / pytorch.train_rows_per_s : null;
  const inferRatio = pytorch ? peregrine.infer_rows_per_s / pytorch.infer_rows_per_s : null;
  return {
    date: new Date().toISOString(),
    machine: machine(),
    epochs: o.epochs,
    batch: o.batchSize,
    hidden: o.hidden.join(','),
    peregrine,
    peregrineTfjs,
    pytorch,
    trainRatio,
    inferRatio,
    targets: { trainAtLeastHalf: trainRatio === null ? null : trainRatio >= 0.5, inferAtLeast100k: peregrine.infer_rows_per_s >= 100_000 },
    note: haveTorch ? undefined : 'PyTorch peer not available (apt-get install -y python3-torch python3-sklearn python3-pandas): Peregrine figures only',
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'data-dir': { type: 'string' },
      'peers-dir': { type: 'string' },
      epochs: { type: 'string', default: '5' },
      repeat: { type: 'string', default: '3' },
      threads: { type: 'string', default: '0' },
      backend: { type: 'string', default: 'auto' },
      out: { type: 'string' },
    },
  });
  const r = await compareWithTorch({
    dataDir: values['data-dir'],
    peersDir: values['peers-dir'],
    epochs: Number(values.epochs),
    repeat: Number(values.repeat),
    threads: Number(values.threads),
    backend: values.backend as TorchComparisonOptions['backend'],
  });
  const text = JSON.stringify(r, null, 2);
  if (values.out) writeFileSync(values.out, text + '\n');
  process.stdout.write(text + '\n');
  const f = (v: number | null) => (v === null ? 'n/a' : v.toFixed(2));
  process.stderr.write(
    `training: peregrine ${r.peregrine.train_rows_per_s} rows/s vs pytorch ${r.pytorch?.train_rows_per_s ?? 'n/a'} (ratio ${f(r.trainRatio)}); ` +
      `inference: ${r.peregrine.infer_rows_per_s} vs ${r.pytorch?.infer_rows_per_s ?? 'n/a'} rows/s (ratio ${f(r.inferRatio)}); ` +
      `TF.js kernels: training ${r.peregrineTfjs.train_rows_per_s}, inference ${r.peregrineTfjs.infer_rows_per_s} rows/s\n`,
  );
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e: unknown) => {
    process.stderr.write(`peers-torch failed: ${(e as Error).message}\n`);
    process.exit(1);
  });
}
