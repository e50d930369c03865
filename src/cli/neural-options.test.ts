/**
 * CLI options of the neural models: `train --reduce pca|ae`, the global `--backend`, `inspect` showing the recorded
 * backend, `score --explain [--top N]` and `evaluate --importance`.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { LoadedModel } from '../training/scorer.js';
import { loadModel } from '../training/model-file.js';
import { LabelledRowSampler } from '../training/importance-job.js';
import type { DemoDataset } from '../simulate/flows/dataset.js';
import { topColumns } from './score.js';
import { assertError, assertOk, cli, dataLines, readModel, smallDemo, tempDir } from './testing.js';

const tmp = tempDir('peregrine-neural-cli-');
let demo: DemoDataset;
const ae = () => join(tmp.dir, 'ae.json');
const aeReduced = () => join(tmp.dir, 'ae-reduced.json');
const iforestPca = () => join(tmp.dir, 'iforest-pca.json');
const base = () => ['train', '--format', 'cicflowmeter', '--data', demo.trainPath, '--normal-only', '--seed', '2', '--quiet'];

before(async () => {
  demo = await smallDemo(tmp.dir, 4);
  const runs = await Promise.all([
    cli(['--backend', 'cpu', ...base(), '--detector', 'autoencoder', '--param', 'epochs=3', '--out', ae()]),
    cli([...base(), '--detector', 'autoencoder', '--param', 'epochs=3', '--reduce', 'ae', '--reduce-param', 'epochs=3', '--out', aeReduced()]),
    cli([...base(), '--detector', 'iforest', '--reduce', 'pca', '--out', iforestPca()]),
  ]);
  for (const r of runs) assertOk(r);
});
after(() => tmp.cleanup());

test('--reduce ae: the autoencoder is the last pipeline step, features ae1..ae10, and the saved model scores as loaded twice', async () => {
  const m = readModel(aeReduced());
  assert.deepEqual(m.features.names, Array.from({ length: 10 }, (_, i) => `ae${i + 1}`));
  assert.equal(m.preprocessing.ae?.options.bottleneck, 10);
  assert.equal(m.preprocessing.ae?.fitInfo.epochs, 3);
  const scoreCsv = assertOk(await cli(['score', '--model', aeReduced(), '--data', demo.testPath, '--out', '-', '--quiet'])).stdout;
  const cliScores = dataLines(scoreCsv).map((l) => Number(l.split(',').at(-4)));
  const loaded = new LoadedModel(loadModel(aeReduced()).model);
  const inProcess: number[] = [];
  await loaded.scoreFiles([demo.testPath], { onBadRow: 'fail' }, ({ scores }) => void inProcess.push(...scores));
  assert.equal(inProcess.length, cliScores.length);
  assert.deepEqual(inProcess, cliScores);
});

test('--reduce pca is --pca 0.95; --reduce-param needs --reduce ae', async () => {
  const m = readModel(iforestPca());
  assert.equal(m.preprocessing.options.pca, 0.95);
  assert.ok(m.features.names.every((n, i) => n === `pc${i + 1}`));
  assertError(await cli([...base(), '--detector', 'iforest', '--reduce-param', 'epochs=2', '--out', join(tmp.dir, 'x.json')]), 2, 'PGN_ERR_USAGE', '--reduce-param');
});

test('--backend cpu (global, before the command) is recorded in fitInfo and shown by inspect; a bad name is a usage error', async () => {
  const state = readModel(ae()).detector.state as { fitInfo: { backend: string } };
  assert.equal(state.fitInfo.backend, 'cpu');
  assert.match(assertOk(await cli(['inspect', ae()])).stdout, /^backend {4}cpu \(TF\.js/m);
  const j = JSON.parse(assertOk(await cli(['inspect', ae(), '--json'])).stdout) as { detector: { backend?: { name: string } } };
  assert.equal(j.detector.backend?.name, 'cpu');
  // Classical models record none.
  assert.doesNotMatch(assertOk(await cli(['inspect', iforestPca()])).stdout, /^backend/m);
  assertError(await cli(['score', '--backend', 'gpu', '--model', ae(), '--data', demo.testPath, '--out', '-']), 2, 'PGN_ERR_USAGE');
});

test('score --explain --top 2: the two largest reconstruction-error shares per row, named', async () => {
  const r = assertOk(await cli(['score', '--model', ae(), '--data', demo.testPath, '--out', '-', '--explain', '--top', '2', '--quiet']));
  const [header, ...rows] = r.stdout.trim().split('\n');
  assert.match(header, /,class,explain1_feature,explain1_share,explain2_feature,explain2_share$/);
  const names = new Set(readModel(ae()).features.names);
  for (const line of rows.slice(0, 200)) {
    const c = line.split(',');
    const [f1, s1, f2, s2] = c.slice(-4);
    assert.ok(names.has(f1) && names.has(f2), line);
    assert.ok(Number(s1) >= Number(s2) && Number(s1) + Number(s2) <= 1.0001, line);
  }
});

test('score --explain on a detector without per-row attribution: one note, no extra columns', async () => {
  const r = assertOk(await cli(['score', '--model', iforestPca(), '--data', demo.testPath, '--out', '-', '--explain']));
  assert.match(r.stderr, /--explain skipped: per-row feature attribution is not defined for iforest/);
  assert.match(r.stdout.split('\n')[0], /,class$/);
});

test('evaluate --importance: top 10 by AUROC drop in the text and as `importance` in the JSON', async () => {
  const args = ['evaluate', '--model', ae(), '--data', demo.testPath, '--importance', '--importance-rows', '300', '--quiet'];
  const [text, json] = await Promise.all([cli(args), cli([...args, '--json'])]);
  assert.match(assertOk(text).stdout, /permutation importance \(AUROC drop, 5 repeats on 300 sampled rows; baseline AUROC 0\.\d+\):\n {3}1\. /);
  const imp = (JSON.parse(assertOk(json).stdout) as { importance: { rows: number; baseline: number; top: { feature: string; mean: number }[] } }).importance;
  assert.equal(imp.rows, 300);
  assert.equal(imp.top.length, 10);
  for (let i = 1; i < imp.top.length; i++) assert.ok(imp.top[i - 1].mean >= imp.top[i].mean);
});

test('topColumns: largest first, ties by column; sampler: seeded, bounded, labelled rows only', () => {
  const m = { rows: 1, cols: 5, data: Float32Array.from([0.1, 0.4, 0.1, 0.4, 0]) };
  assert.deepEqual(topColumns(m, 0, 3), [1, 3, 0]);
  assert.deepEqual(topColumns(m, 0, 9), [1, 3, 0, 2, 4]);
  const feed = (s: LabelledRowSampler) => {
    for (let b = 0; b < 3; b++) {
      const rows = 40;
      const data = Float32Array.from({ length: rows * 2 }, (_, i) => b * 1000 + i);
      const label = Int8Array.from({ length: rows }, (_, i) => (i % 4 === 3 ? -1 : i % 2));
      s.add({ raw: { label } as never, scores: new Float64Array(rows), features: { rows, cols: 2, data, names: ['a', 'b'] } });
    }
    return s.sample();
  };
  const a = feed(new LabelledRowSampler(25, 1));
  assert.equal(a.x.rows, 25);
  assert.deepEqual(a.names, ['a', 'b']);
  assert.ok(a.labels.every((l) => l === 0 || l === 1));
  assert.deepEqual(feed(new LabelledRowSampler(25, 1)).x.data, a.x.data);
  assert.equal(feed(new LabelledRowSampler(500, 1)).x.rows, 90);
});
