/**
 * Data and splits for `npm run experiments`: the k8s-flows captures and NSL-KDD read through Peregrine's own readers,
 * one table per dataset with the capture (file) and the parsed flow time of every row, and the honest splits the
 * doc reports. Every split is a pair of disjoint row-index lists; preprocessing is fitted later on training rows only.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '../../src/core/rng.js';
import { concatBatches } from '../../src/features/table.js';
import { openInput } from '../../src/ingest/input.js';
import type { RawBatch, RawSchema } from '../../src/ingest/types.js';
import { K8S_ATTACKS, K8S_BENIGN } from '../util.js';

export interface Dataset {
  name: 'k8s-flows' | 'nsl-kdd';
  schema: RawSchema;
  table: RawBatch;
  /** Capture (file) index per row, into `captures`. */
  capture: Int32Array;
  captures: string[];
  /** Flow start time per row in ms (NaN when the data has none). */
  time: Float64Array;
}

export type SplitId = 'random' | 'time' | 'capture' | 'official';

export interface Split {
  id: SplitId;
  dataset: Dataset;
  train: Int32Array;
  test: Int32Array;
  /** One honest paragraph: which rows, which captures. */
  description: string;
}

async function readFiles(format: string, files: string[]): Promise<{ schema: RawSchema; table: RawBatch; capture: Int32Array }> {
  const batches: RawBatch[] = [];
  const capture: number[] = [];
  let schema: RawSchema | null = null;
  for (let f = 0; f < files.length; f++) {
    const reader = await openInput(format, [files[f]], { onBadRow: 'fail', includePorts: false });
    for await (const b of reader.batches()) {
      batches.push(b);
      for (let r = 0; r < b.rows; r++) capture.push(f);
    }
    schema ??= reader.schema;
  }
  if (!schema) throw new Error(`no rows in ${files.join(', ')}`);
  const table = concatBatches(batches, schema.numericNames.length, schema.categoricalNames.length, schema.idNames.length);
  return { schema, table, capture: Int32Array.from(capture) };
}

export async function loadK8s(dataDir: string): Promise<Dataset | null> {
  const dir = join(dataDir, 'k8s-flows');
  if (!existsSync(join(dir, K8S_BENIGN))) return null;
  const names = [K8S_BENIGN, ...K8S_ATTACKS.map((a) => a.file)];
  const { schema, table, capture } = await readFiles('cicflowmeter', names.map((n) => join(dir, n)));
  const ts = schema.idNames.indexOf('Timestamp');
  // Timestamps mix 3 and 6 fractional digits: parse as datetimes (Date.parse keeps milliseconds), never as strings.
  const time = Float64Array.from({ length: table.rows }, (_, r) => (ts >= 0 ? Date.parse(table.ids[ts][r].replace(' ', 'T') + 'Z') : NaN));
  const captures = ['benign (background traffic, first 70 %)', ...K8S_ATTACKS.map((a) => `${a.label}: ${a.name}`)];
  return { name: 'k8s-flows', schema, table, capture, captures, time };
}

export async function loadNslKdd(dataDir: string): Promise<Dataset | null> {
  const dir = join(dataDir, 'nsl-kdd');
  if (!existsSync(join(dir, 'KDDTrain+.txt'))) return null;
  const { schema, table, capture } = await readFiles('nslkdd', [join(dir, 'KDDTrain+.txt'), join(dir, 'KDDTest+.txt')]);
  return { name: 'nsl-kdd', schema, table, capture, captures: ['KDDTrain+', 'KDDTest+'], time: new Float64Array(table.rows).fill(NaN) };
}

function rowsOf(d: Dataset, keep: (r: number) => boolean): number[] {
  const out: number[] = [];
  for (let r = 0; r < d.table.rows; r++) if (keep(r)) out.push(r);
  return out;
}

const sorted = (xs: number[]) => Int32Array.from(xs).sort();

/** Rows of one capture in time order (stable: ties keep file order). */
function byTime(d: Dataset, c: number): number[] {
  return rowsOf(d, (r) => d.capture[r] === c).sort((a, b) => d.time[a] - d.time[b] || a - b);
}

/** The papers' split: stratified by capture (= class), seeded, `trainFraction` of each class trains. */
export function randomSplit(d: Dataset, seed: number, trainFraction = 0.7): Split {
  const rng = new Rng(seed);
  const train: number[] = [];
  const test: number[] = [];
  for (let c = 0; c < d.captures.length; c++) {
    const rows = Int32Array.from(rowsOf(d, (r) => d.capture[r] === c));
    rng.shuffle(rows);
    const cut = Math.round(rows.length * trainFraction);
    train.push(...rows.subarray(0, cut));
    test.push(...rows.subarray(cut));
  }
  return {
    id: 'random',
    dataset: d,
    train: sorted(train),
    test: sorted(test),
    description: `random (the papers' split): every capture shuffled (seeded) and cut ${Math.round(trainFraction * 100)} / ${Math.round((1 - trainFraction) * 100)}, so flows of the same capture, seconds apart, sit on both sides.`,
  };
}

/** Earlier -> later within every capture: the first `trainFraction` of each capture's flows by time train. */
export function timeSplit(d: Dataset, trainFraction = 0.7): Split {
  const train: number[] = [];
  const test: number[] = [];
  for (let c = 0; c < d.captures.length; c++) {
    const rows = byTime(d, c);
    const cut = Math.round(rows.length * trainFraction);
    train.push(...rows.slice(0, cut));
    test.push(...rows.slice(cut));
  }
  return {
    id: 'time',
    dataset: d,
    train: sorted(train),
    test: sorted(test),
    description: `by time: within every capture, flows sorted by parsed Timestamp; the earliest ${Math.round(trainFraction * 100)} % train, the latest ${Math.round((1 - trainFraction) * 100)} % test (the captures were recorded on different days, so a global time cut would hold out whole classes; this one keeps every class on both sides and every test flow later than every training flow of its capture).`,
  };
}

/**
 * Whole attack captures held out: `heldOut` capture indices are test-only. Benign traffic is one capture, so it is
 * cut by time (earlier trains). Binary only: every attack class is a single capture, so a held-out capture is a
 * class the model never saw.
 */
export function captureSplit(d: Dataset, heldOut: number[], trainFraction = 0.7): Split {
  const train: number[] = [];
  const test: number[] = [];
  const benign = byTime(d, 0);
  const cut = Math.round(benign.length * trainFraction);
  train.push(...benign.slice(0, cut));
  test.push(...benign.slice(cut));
  for (let c = 1; c < d.captures.length; c++) (heldOut.includes(c) ? test : train).push(...rowsOf(d, (r) => d.capture[r] === c));
  const names = (cs: number[]) => cs.map((c) => d.captures[c]).join('; ');
  const trained = d.captures.map((_, c) => c).filter((c) => c > 0 && !heldOut.includes(c));
  return {
    id: 'capture',
    dataset: d,
    train: sorted(train),
    test: sorted(test),
    description: `by capture: attack captures ${names(heldOut)} are held out whole (test only); ${names(trained)} train. Benign traffic is a single capture, so it is cut by time (earliest ${Math.round(trainFraction * 100)} % train). Each held-out attack targets an application also attacked in training (Node-RED, Grafana), with a different technique.`,
  };
}

/** NSL-KDD's official split: KDDTrain+ trains, KDDTest+ tests. */
export function officialSplit(d: Dataset): Split {
  return {
    id: 'official',
    dataset: d,
    train: Int32Array.from(rowsOf(d, (r) => d.capture[r] === 0)),
    test: Int32Array.from(rowsOf(d, (r) => d.capture[r] === 1)),
    description: 'official: KDDTrain+ trains, KDDTest+ tests. KDDTest+ holds 17 attack types that never occur in KDDTrain+ (e.g. mscan, apache2, processtable, snmpguess), so a classifier must label attacks it has never seen.',
  };
}

/** A seeded subsample of `rows` (at most `max`, stratified by `strata` so rare classes keep their share); sorted. */
export function subsample(rows: Int32Array, max: number, strata: (r: number) => string, seed: number): Int32Array {
  if (rows.length <= max) return rows;
  const rng = new Rng(seed);
  const groups = new Map<string, number[]>();
  for (const r of rows) {
    const k = strata(r);
    let g = groups.get(k);
    if (!g) groups.set(k, (g = []));
    g.push(r);
  }
  const out: number[] = [];
  for (const g of groups.values()) {
    const take = Math.max(1, Math.round((g.length * max) / rows.length));
    for (const i of rng.sampleIndices(g.length, Math.min(take, g.length))) out.push(g[i]);
  }
  return sorted(out);
}
