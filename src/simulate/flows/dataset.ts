/**
 * The demo dataset: `train-benign.csv` (benign traffic only) and `test-mixed.csv` (benign traffic from a later
 * window of the same cluster, with every attack scenario interleaved), plus `manifest.json` with the row counts
 * and attack windows. Train and test use different derived seeds, so no test flow repeats a training flow.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AttackSpec, AttackWindow } from './attacks/registry.js';
import type { ClusterSpec } from './cluster.js';
import { writeFlowsCsv } from './csv.js';
import { DEFAULT_BENIGN_FLOWS_PER_SECOND, DEFAULT_START_TIME } from './defaults.js';
import { deriveSeed, generateFlows } from './generate.js';

/** One window per scenario over a 600 s test period, separated by stretches of normal traffic. */
export const DEMO_ATTACKS: readonly AttackSpec[] = Object.freeze([
  { scenario: 'portscan', startSeconds: 45, durationSeconds: 40 },
  { scenario: 'synflood', startSeconds: 120, durationSeconds: 20 },
  { scenario: 'httpflood', startSeconds: 180, durationSeconds: 45 },
  { scenario: 'reverseshell', startSeconds: 250, durationSeconds: 260 },
  { scenario: 'exfiltration', startSeconds: 330, durationSeconds: 90 },
  { scenario: 'cryptomining', startSeconds: 380, durationSeconds: 200 },
]);

export interface DemoDatasetOptions {
  seed: number;
  /** Start of the training capture (default 2024-03-19T14:00:00Z). */
  startTime?: Date;
  /** Training capture length (default 1200 s, ~19k benign rows at the default rate). */
  trainSeconds?: number;
  /** Test capture length (default 600 s, ~10k benign rows plus the attacks). */
  testSeconds?: number;
  /** Time between the end of the training capture and the start of the test capture (default 3600 s). */
  gapSeconds?: number;
  benignFlowsPerSecond?: number;
  cluster?: ClusterSpec;
  /** Attacks of the test file, relative to its start (default `DEMO_ATTACKS`). */
  attacks?: readonly AttackSpec[];
}

export interface DemoDataset {
  trainPath: string;
  testPath: string;
  manifestPath: string;
  /** Rows per label (`0` = benign) in each file. */
  counts: { train: Record<string, number>; test: Record<string, number> };
  attackWindows: AttackWindow[];
}

/** Write the demo train/test files into `dir` (created if needed). Same options, byte-identical files. */
export async function writeDemoDataset(dir: string, options: DemoDatasetOptions): Promise<DemoDataset> {
  const trainSeconds = options.trainSeconds ?? 1200;
  const testSeconds = options.testSeconds ?? 600;
  const start = options.startTime ?? DEFAULT_START_TIME;
  const testStart = new Date(start.getTime() + (trainSeconds + (options.gapSeconds ?? 3600)) * 1000);
  const rate = options.benignFlowsPerSecond ?? DEFAULT_BENIGN_FLOWS_PER_SECOND;
  await mkdir(dir, { recursive: true });
  const train = generateFlows({
    seed: deriveSeed(options.seed, 'train'),
    startTime: start,
    durationSeconds: trainSeconds,
    cluster: options.cluster,
    benignFlowsPerSecond: rate,
  });
  const test = generateFlows({
    seed: deriveSeed(options.seed, 'test'),
    startTime: testStart,
    durationSeconds: testSeconds,
    cluster: options.cluster,
    benignFlowsPerSecond: rate,
    attacks: [...(options.attacks ?? DEMO_ATTACKS)],
  });
  const trainPath = join(dir, 'train-benign.csv');
  const testPath = join(dir, 'test-mixed.csv');
  const manifestPath = join(dir, 'manifest.json');
  const trainOut = await writeFlowsCsv(train, trainPath);
  const testOut = await writeFlowsCsv(test, testPath);
  const attackWindows = [...test.attackWindows];
  const manifest = {
    generator: 'peregrine simulate/flows',
    seed: options.seed,
    format: 'CICFlowMeter-V4 (87 columns, Label last; 0 = benign)',
    files: {
      'train-benign.csv': { start: train.startTime.toISOString(), end: train.endTime.toISOString(), rows: trainOut.rows, counts: trainOut.counts },
      'test-mixed.csv': { start: test.startTime.toISOString(), end: test.endTime.toISOString(), rows: testOut.rows, counts: testOut.counts },
    },
    attackWindows: attackWindows.map((w) => ({ ...w, start: w.start.toISOString(), end: w.end.toISOString() })),
  };
  await writeFile(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  return { trainPath, testPath, manifestPath, counts: { train: trainOut.counts, test: testOut.counts }, attackWindows };
}
