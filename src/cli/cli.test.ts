/**
 * End-to-end tests of the `peregrine` CLI on a small generated demo data set: train -> inspect -> score ->
 * evaluate, every detector and threshold method, parameter validation and usage errors. The CLI runs as a child
 * process (dist/src/cli/main.js); independent runs overlap.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { DemoDataset } from '../simulate/flows/dataset.js';
import {
  assertError,
  assertOk,
  cli,
  dataLines,
  isSupervised,
  readModel,
  show,
  smallDemo,
  sum,
  tempDir,
  type DetectorsJson,
  type EvaluationReport,
  type InspectJson,
  type ModelFile,
  type TrainSummary,
} from './testing.js';

const tmp = tempDir();
after(tmp.cleanup);

let demo: DemoDataset;
let model: string;
let trainRun: Promise<Awaited<ReturnType<typeof cli>>>;
const trainRows = () => sum(Object.values(demo.counts.train));
const testRows = () => sum(Object.values(demo.counts.test));
const attackRows = () => testRows() - (demo.counts.test['0'] ?? 0);

before(async () => {
  demo = await smallDemo(tmp.dir);
  model = join(tmp.dir, 'm.json');
  // Shared by most tests below; started once, awaited where needed.
  trainRun = cli(['train', '--format', 'cicflowmeter', '--data', demo.trainPath, '--normal-only', '--detector', 'iforest', '--seed', '1', '--out', model]);
});

/** `inspect --json` of a model file. */
async function inspectJson(path: string): Promise<InspectJson> {
  const r = assertOk(await cli(['inspect', path, '--json']));
  return JSON.parse(r.stdout) as InspectJson;
}

async function detectorsJson(): Promise<DetectorsJson> {
  return JSON.parse(assertOk(await cli(['detectors', '--json'])).stdout) as DetectorsJson;
}

function evaluation(stdout: string): EvaluationReport {
  return JSON.parse(stdout) as EvaluationReport;
}

function parseCsvLine(line: string): string[] {
  // The score CSV quotes only cells with a comma, quote or newline; the demo identifiers have none.
  assert.doesNotMatch(line, /"/, line);
  return line.split(',');
}

test('demo data: the generated files hold benign training rows and mixed test rows', () => {
  assert.deepEqual(Object.keys(demo.counts.train), ['0']);
  assert.ok(trainRows() > 1000, `train rows ${trainRows()}`);
  assert.ok(attackRows() > 500 && demo.counts.test['0'] > 1000, JSON.stringify(demo.counts.test));
});

test('train --normal-only iforest writes a model file; inspect verifies its checksum', async () => {
  const r = assertOk(await trainRun);
  assert.match(r.stdout, /^trained iforest on \d+ rows x \d+ features in /m, show(r));
  assert.match(r.stdout, /^threshold contamination: /m, show(r));
  assert.ok(existsSync(model));
  assert.ok(!r.stdout.includes('PGN_ERR'), show(r));

  const text = assertOk(await cli(['inspect', model]));
  assert.match(text.stdout, /checksum OK \(sha256:/, show(text));
  assert.match(text.stdout, /^detector {3}iforest v\d+ /m, show(text));
  assert.match(text.stdout, /^threshold {2}contamination = /m, show(text));

  const meta = await inspectJson(model);
  assert.match(meta.checksum, /^sha256:[0-9a-f]{64}$/);
  assert.equal(meta.input.format, 'cicflowmeter');
  assert.deepEqual(meta.input.identifiers, ['Flow ID', 'Src IP', 'Src Port', 'Dst IP', 'Dst Port', 'Timestamp']);
  assert.equal(meta.detector.type, 'iforest');
  assert.equal(meta.threshold.method, 'contamination');
  assert.equal(typeof meta.threshold.value, 'number');
  assert.equal(meta.training.seed, 1);
  assert.equal(meta.training.normalOnly, true);
  assert.equal(meta.training.rowsRead, trainRows());
  assert.equal(meta.training.fitRows + meta.training.calibrationRows, trainRows());
  assert.ok(meta.features.length > 10 && meta.features.length <= 80, `${meta.features.length} features`);
  // Identifiers are never features.
  for (const id of meta.input.identifiers) assert.ok(!meta.features.includes(id), id);
});

test('same seed -> the same model (up to timestamps and timings); another seed -> another forest', async () => {
  await trainRun;
  const again = join(tmp.dir, 'm-again.json');
  const other = join(tmp.dir, 'm-seed2.json');
  const base = ['train', '--format', 'cicflowmeter', '--data', demo.trainPath, '--normal-only', '--detector', 'iforest', '--quiet', '--json'];
  const [r1, r2] = await Promise.all([cli([...base, '--seed', '1', '--out', again]), cli([...base, '--seed', '2', '--out', other])]);
  assertOk(r1);
  assertOk(r2);
  // --json: one object on stdout.
  const summary = JSON.parse(r1.stdout) as TrainSummary;
  assert.equal(summary.detector, 'iforest');
  assert.equal(summary.rowsRead, trainRows());
  assert.equal(r1.stdout.trim().split('\n').length, 1);

  const a = readModel(model);
  const b = readModel(again);
  const c = readModel(other);
  for (const key of ['input', 'reader', 'features', 'preprocessing', 'detector', 'threshold'] as const) {
    assert.deepEqual(b[key], a[key], key);
    assert.equal(JSON.stringify(b[key]), JSON.stringify(a[key]), `${key}: byte-identical`);
  }
  const { fitSeconds: _f1, startedAt: _s1, finishedAt: _e1, command: _c1, ...ta } = a.training;
  const { fitSeconds: _f2, startedAt: _s2, finishedAt: _e2, command: _c2, ...tb } = b.training;
  assert.deepEqual(tb, ta);
  // With the timing fields equalised, the two files are byte-identical.
  const normalise = (m: ModelFile) =>
    JSON.stringify({ ...m, createdAt: '', checksum: '', training: { ...m.training, fitSeconds: 0, startedAt: '', finishedAt: '', command: '' } });
  assert.equal(normalise(b), normalise(a));
  assert.notDeepEqual(c.detector, a.detector, 'seed 2 grows a different forest');
});

test('score writes one CSV row per input row: file, line, identifiers, score, alert, label, class', async () => {
  assertOk(await trainRun);
  const out = join(tmp.dir, 's.csv');
  const r = assertOk(await cli(['score', '--model', model, '--data', demo.testPath, '--out', out]));
  assert.equal(r.stdout, '', 'scores go to the file, not stdout');
  assert.match(r.stderr, new RegExp(`scored ${testRows()} rows`), show(r));
  const text = readFileSync(out, 'utf8');
  const header = text.slice(0, text.indexOf('\n'));
  assert.equal(header, 'file,line,Flow ID,Src IP,Src Port,Dst IP,Dst Port,Timestamp,score,alert,label,class');
  const rows = dataLines(text);
  assert.equal(rows.length, testRows());
  const threshold = (await inspectJson(model)).threshold.value;
  const classes: Record<string, number> = {};
  let alerts = 0;
  rows.forEach((line, i) => {
    const cells = parseCsvLine(line);
    assert.equal(cells.length, 12, line);
    const [file, lineNo, , , , , , , score, alert, label, cls] = cells;
    assert.equal(file, demo.testPath);
    assert.equal(Number(lineNo), i + 2, 'line numbers count the header as line 1');
    const s = Number(score);
    assert.ok(Number.isFinite(s), line);
    assert.equal(alert, s > threshold ? '1' : '0', line);
    alerts += Number(alert);
    assert.ok(label === '0' || label === '1', line);
    assert.equal(label === '0', cls === 'benign', line);
    classes[cls] = (classes[cls] ?? 0) + 1;
  });
  const expected = Object.fromEntries(Object.entries(demo.counts.test).map(([k, n]) => [k === '0' ? 'benign' : k, n]));
  assert.deepEqual(classes, expected);
  assert.match(r.stderr, new RegExp(`${alerts} alert\\(s\\)`), show(r));
});

test('score --out - streams the same CSV to stdout and keeps notes on stderr', async () => {
  assertOk(await trainRun);
  const file = join(tmp.dir, 's-file.csv');
  const [toFile, toStdout] = await Promise.all([
    cli(['score', '--model', model, '--data', demo.testPath, '--out', file, '--quiet']),
    cli(['score', '--model', model, '--data', demo.testPath, '--out', '-']),
  ]);
  assertOk(toFile);
  assertOk(toStdout);
  assert.equal(toFile.stderr, '', '--quiet: nothing on stderr');
  assert.equal(toStdout.stdout, readFileSync(file, 'utf8'));
  assert.match(toStdout.stderr, /scored \d+ rows/);
  assert.doesNotMatch(toStdout.stdout, /scored|note:/);
});

test('evaluate --json prints one JSON object whose counts match the score CSV', async () => {
  assertOk(await trainRun);
  const out = join(tmp.dir, 's-eval.csv');
  const [r, s] = await Promise.all([
    cli(['evaluate', '--model', model, '--data', demo.testPath, '--json']),
    cli(['score', '--model', model, '--data', demo.testPath, '--out', out, '--quiet']),
  ]);
  assertOk(r);
  assertOk(s);
  const lines = r.stdout.split('\n').filter(Boolean);
  assert.equal(lines.length, 1, 'one JSON object on one line');
  const j = evaluation(lines[0]);
  assert.equal(j.schemaVersion, 1);
  const keys = ['auroc', 'auprc', 'precision', 'recall', 'f1', 'accuracy', 'threshold', 'rows', 'scoreRowsPerSecond'] as const;
  for (const key of keys) {
    const v = j[key];
    assert.ok(typeof v === 'number' && Number.isFinite(v), `${key}: ${JSON.stringify(v)}`);
  }
  for (const key of ['auroc', 'auprc', 'precision', 'recall', 'f1', 'accuracy'] as const) {
    const v = j[key] ?? NaN;
    assert.ok(v >= 0 && v <= 1, `${key} = ${v}`);
  }
  assert.ok((j.auroc ?? 0) > 0.6, `auroc ${j.auroc}: iforest should rank the demo attacks better than chance`);
  const scoreRows = dataLines(readFileSync(out, 'utf8'));
  assert.equal(j.rows, scoreRows.length);
  assert.equal(j.rowsScored, scoreRows.length);
  assert.equal(j.positives, attackRows());
  assert.equal(j.negatives, demo.counts.test['0']);
  assert.equal(j.threshold, (await inspectJson(model)).threshold.value);
  assert.equal(j.thresholdMethod, 'contamination');
  assert.equal(j.model.detector, 'iforest');
  assert.deepEqual(j.data.files, [demo.testPath]);
  assert.equal(j.data.rowsSkipped, 0);
  // Per-class detection covers every attack scenario with its row count.
  const perClass = Object.fromEntries(j.perClass.map((p) => [p.class, p.support]));
  const { '0': _benign, ...attacks } = demo.counts.test;
  assert.deepEqual(perClass, attacks);
  // The confusion matrix agrees with the alerts in the score CSV.
  const flagged = scoreRows.filter((l) => parseCsvLine(l)[9] === '1').length;
  assert.equal(j.confusion.tp + j.confusion.fp, flagged);
  assert.equal(j.confusion.tn + j.confusion.fp + j.confusion.fn + j.confusion.tp, j.rows);
});

test('evaluate prints the classification report and writes an HTML report with SVG charts', async () => {
  assertOk(await trainRun);
  const html = join(tmp.dir, 'r.html');
  const r = assertOk(await cli(['evaluate', '--model', model, '--data', demo.testPath, '--report', html]));
  assert.match(r.stdout, /precision {4}recall {2}f1-score {3}support/, show(r));
  assert.match(r.stdout, /^ +macro avg /m, show(r));
  assert.match(r.stdout, /^weighted avg /m, show(r));
  assert.match(r.stdout, /^ +accuracy /m, show(r));
  assert.match(r.stdout, /AUROC \d\.\d+ +AUPRC \d\.\d+/, show(r));
  assert.match(r.stdout, /portscan/, show(r));
  assert.match(r.stderr, new RegExp(`wrote ${html.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`), show(r));
  const page = readFileSync(html, 'utf8');
  assert.match(page, /^<!doctype html>/i);
  assert.match(page, /<svg/);
  assert.match(page, /<\/html>\s*$/);
});

test('--data takes folders (read recursively, files sorted by name)', async () => {
  assertOk(await trainRun);
  // The test file split in two, in a folder with a sub-folder and a file that is not data.
  const dir = join(tmp.dir, 'split');
  mkdirSync(join(dir, 'sub'), { recursive: true });
  const text = readFileSync(demo.testPath, 'utf8');
  const header = text.slice(0, text.indexOf('\n') + 1);
  const rows = dataLines(text);
  const half = Math.floor(rows.length / 2);
  writeFileSync(join(dir, 'a.csv'), header + rows.slice(0, half).join('\n') + '\n');
  writeFileSync(join(dir, 'sub', 'b.csv'), header + rows.slice(half).join('\n') + '\n');
  writeFileSync(join(dir, 'README.md'), 'not data\n');
  const trainDir = join(tmp.dir, 'train-dir', 'nested');
  mkdirSync(trainDir, { recursive: true });
  writeFileSync(join(trainDir, 'train.csv'), readFileSync(demo.trainPath));
  const folderModel = join(tmp.dir, 'm-folder.json');

  const [scored, evaluated, single, trained] = await Promise.all([
    cli(['score', '--model', model, '--data', dir, '--out', '-', '--quiet']),
    cli(['evaluate', '--model', model, '--data', dir, '--json', '--quiet']),
    cli(['evaluate', '--model', model, '--data', demo.testPath, '--json', '--quiet']),
    cli(['train', '--format', 'cicflowmeter', '--data', join(tmp.dir, 'train-dir'), '--normal-only', '--detector', 'iforest', '--seed', '1', '--out', folderModel, '--quiet']),
  ]);
  assertOk(scored);
  const out = dataLines(scored.stdout);
  assert.equal(out.length, rows.length);
  const files = [...new Set(out.map((l) => parseCsvLine(l)[0]))];
  assert.deepEqual(files, [join(dir, 'a.csv'), join(dir, 'sub', 'b.csv')]);
  // Line numbers restart per file.
  assert.equal(parseCsvLine(out[half])[1], '2');
  const jf = evaluation(assertOk(evaluated).stdout);
  const js = evaluation(assertOk(single).stdout);
  assert.equal(jf.rows, js.rows);
  assert.equal(jf.auroc, js.auroc, 'same rows, same scores');
  assert.equal(jf.data.files.length, 1);
  assertOk(trained);
  const a = readModel(model);
  const b = readModel(folderModel);
  assert.equal(b.training.rowsRead, trainRows());
  assert.deepEqual(b.detector, a.detector, 'same rows and seed through a folder: same forest');
});

test('peregrine detectors lists the detectors and threshold methods', async () => {
  const list = await detectorsJson();
  const names = list.detectors.map((d) => d.name);
  for (const n of ['ecod', 'hbos', 'iforest', 'loda', 'ocsvm', 'pca']) assert.ok(names.includes(n), n);
  assert.deepEqual(list.thresholds.map((t) => t.name).sort(), ['budget', 'contamination', 'meanstd', 'pot']);
  for (const d of list.detectors) assert.ok(d.description.length > 10 && typeof d.defaults === 'object', d.name);
  const text = assertOk(await cli(['detectors']));
  for (const n of names) assert.match(text.stdout, new RegExp(`^  ${n} `, 'm'));
});

test('every one-class detector trains on the benign rows (--normal-only) and evaluates through the CLI', async () => {
  const oneClass = (await detectorsJson()).detectors.filter((d) => !isSupervised(d)).map((d) => d.name);
  assert.ok(oneClass.length >= 6, oneClass.join(', '));
  const results = await Promise.all(
    oneClass.map(async (name) => {
      const out = join(tmp.dir, `det-${name}.json`);
      const t = await cli(['train', '--format', 'cicflowmeter', '--data', demo.trainPath, '--normal-only', '--detector', name, '--seed', '3', '--out', out, '--quiet', '--json']);
      assertOk(t);
      const e = await cli(['evaluate', '--model', out, '--data', demo.testPath, '--json', '--quiet']);
      assertOk(e);
      return { name, summary: JSON.parse(t.stdout) as TrainSummary, report: evaluation(e.stdout), meta: readModel(out) };
    }),
  );
  for (const { name, summary, report, meta } of results) {
    assert.equal(summary.detector, name);
    assert.equal(meta.detector.type, name);
    assert.equal(meta.training.normalOnly, true);
    assert.equal(report.model.detector, name);
    assert.equal(report.rows, testRows(), name);
    assert.ok(report.auroc !== null && report.auroc > 0.6, `${name}: auroc ${report.auroc}`);
    assert.ok(Number.isFinite(report.threshold), name);
    assert.ok(report.benign.falsePositiveRate < 0.1, `${name}: false-positive rate ${report.benign.falsePositiveRate}`);
  }
});

test('every supervised detector trains on labelled benign + attack rows and evaluates through the CLI', async (t) => {
  // The Siamese CNN embeds ~200 rows/s on one WASM thread, so scoring this capture would take minutes: the next
  // test runs it through the CLI on a small sample.
  const supervised = (await detectorsJson()).detectors.filter((d) => isSupervised(d) && d.name !== 'siamese').map((d) => d.name);
  if (supervised.length === 0) return t.skip('no supervised detector is registered');
  // Labelled training data: the demo test capture; evaluated in-sample, since only "it runs" is checked here.
  const results = await Promise.all(
    supervised.map(async (name) => {
      const out = join(tmp.dir, `sup-${name}.json`);
      const train = await cli(['train', '--format', 'cicflowmeter', '--data', demo.testPath, '--detector', name, '--seed', '3', '--out', out, '--quiet', '--json']);
      const normalOnly = await cli(['train', '--format', 'cicflowmeter', '--data', demo.trainPath, '--normal-only', '--detector', name, '--out', join(tmp.dir, 'never.json')]);
      return { name, out, train, normalOnly };
    }),
  );
  for (const { name, out, train, normalOnly } of results) {
    // Fitted on benign rows only, a supervised detector has nothing to learn from: a usage error.
    assert.match(assertError(normalOnly, 2, 'PGN_ERR_USAGE'), /supervised/, name);
    assertOk(train);
    assert.equal((JSON.parse(train.stdout) as TrainSummary).detector, name);
    const report = evaluation(assertOk(await cli(['evaluate', '--model', out, '--data', demo.testPath, '--json', '--quiet'])).stdout);
    assert.equal(report.model.detector, name);
    assert.equal(report.rows, testRows(), name);
    assert.ok(report.auroc !== null && report.auroc > 0.9, `${name}: in-sample auroc ${report.auroc}`);
  }
  assert.ok(!existsSync(join(tmp.dir, 'never.json')));
});

test('the Siamese few-shot CNN trains, saves, loads, scores and evaluates through the CLI on a small capture', async () => {
  // An evenly spaced sample of the labelled capture (both classes), small enough for the CNN's ~200 rows/s.
  const text = readFileSync(demo.testPath, 'utf8');
  const header = text.slice(0, text.indexOf('\n') + 1);
  const rows = dataLines(text);
  const step = Math.max(1, Math.floor(rows.length / 160));
  const sample = rows.filter((_, i) => i % step === 0).slice(0, 160);
  const file = join(tmp.dir, 'siamese-sample.csv');
  writeFileSync(file, header + sample.join('\n') + '\n');
  const out = join(tmp.dir, 'siamese.json');
  const params = ['pairs=16', 'epochs=1', 'batchSize=8', 'shots=3', 'validationSplit=0'].flatMap((p) => ['--param', p]);
  const train = assertOk(await cli(['train', '--format', 'cicflowmeter', '--data', file, '--detector', 'siamese', ...params, '--seed', '2', '--out', out, '--quiet', '--json']));
  assert.equal((JSON.parse(train.stdout) as TrainSummary).detector, 'siamese');
  assert.equal(readModel(out).detector.type, 'siamese');
  const [evaluated, scored] = await Promise.all([
    cli(['evaluate', '--model', out, '--data', file, '--json', '--quiet']),
    cli(['score', '--model', out, '--data', file, '--out', '-', '--quiet']),
  ]);
  const report = evaluation(assertOk(evaluated).stdout);
  assert.equal(report.model.detector, 'siamese');
  assert.equal(report.rows, sample.length);
  // No quality bar: at this budget the network barely trains (docs/results.md); the CLI path is what is checked.
  assert.ok(report.auroc !== null && Number.isFinite(report.auroc));
  assert.equal(dataLines(assertOk(scored).stdout).length, sample.length);
});

test('--param with an unknown key or a bad value fails with one PGN_ERR_BAD_PARAM line naming the field', async () => {
  const list = await detectorsJson();
  const cases: { args: string[]; where: string; message?: RegExp }[] = [];
  for (const d of list.detectors) {
    cases.push({ args: ['--detector', d.name, '--param', 'noSuchParam=1'], where: `${d.name}.noSuchParam`, message: /noSuchParam/ });
    const numeric = Object.entries(d.defaults).find(([, v]) => typeof v === 'number');
    assert.ok(numeric, `${d.name} has a numeric parameter`);
    cases.push({ args: ['--detector', d.name, '--param', `${numeric[0]}=abc`], where: `${d.name}.${numeric[0]}` });
  }
  cases.push(
    { args: ['--detector', 'iforest', '--param', 'nEstimators=0'], where: 'iforest.nEstimators' },
    { args: ['--detector', 'iforest', '--param', 'nEstimators=10', '--param', 'maxSamples=0'], where: 'iforest.maxSamples' },
    { args: ['--detector', 'ocsvm', '--param', 'nu=2'], where: 'ocsvm.nu' },
    { args: ['--detector', 'pca', '--param', 'weighted=maybe'], where: 'pca.weighted', message: /boolean/ },
    { args: ['--detector', 'iforest', '--threshold', 'meanstd', '--threshold-param', 'kk=2'], where: 'meanstd.kk', message: /kk/ },
    { args: ['--detector', 'iforest', '--threshold-param', 'contamination=2'], where: 'contamination.contamination' },
    { args: ['--detector', 'iforest', '--threshold', 'budget', '--threshold-param', 'alertsPerDay=-1'], where: 'budget.alertsPerDay' },
  );
  // A path that does not exist: parameters are validated before any data is read.
  const results = await Promise.all(
    cases.map((c) => cli(['train', '--format', 'cicflowmeter', '--data', join(tmp.dir, 'no-such-file.csv'), '--normal-only', '--out', join(tmp.dir, 'never.json'), ...c.args])),
  );
  results.forEach((r, i) => {
    const line = assertError(r, 2, 'PGN_ERR_BAD_PARAM', cases[i].where);
    if (cases[i].message) assert.match(line, cases[i].message as RegExp, show(r));
  });
  assert.ok(!existsSync(join(tmp.dir, 'never.json')));

  const bad = await cli(['train', '--format', 'cicflowmeter', '--data', demo.trainPath, '--detector', 'iforest', '--param', 'noequals', '--out', join(tmp.dir, 'never.json')]);
  assert.match(assertError(bad, 2, 'PGN_ERR_USAGE'), /key=value/);
});

test('threshold methods meanstd, pot and budget train, and inspect/evaluate report the method', async () => {
  const cases = [
    { method: 'meanstd', args: ['--threshold', 'meanstd', '--threshold-param', 'k=2'], params: { k: 2 } },
    { method: 'pot', args: ['--threshold', 'pot'], params: {} },
    { method: 'budget', args: ['--threshold', 'budget', '--threshold-param', 'alertsPerDay=5', '--threshold-param', 'eventsPerSecond=10'], params: { alertsPerDay: 5, eventsPerSecond: 10 } },
    { method: 'contamination', args: ['--threshold-param', 'contamination=0.05'], params: { contamination: 0.05 } },
  ];
  const runs = await Promise.all(
    cases.map(async (c) => {
      const out = join(tmp.dir, `th-${c.method}.json`);
      const t = await cli(['train', '--format', 'cicflowmeter', '--data', demo.trainPath, '--normal-only', '--detector', 'iforest', '--seed', '1', '--out', out, ...c.args]);
      assertOk(t);
      const e = await cli(['evaluate', '--model', out, '--data', demo.testPath, '--json', '--quiet']);
      return { c, t, meta: await inspectJson(out), file: readModel(out), report: evaluation(assertOk(e).stdout) };
    }),
  );
  assertOk(await trainRun);
  const base = readModel(model);
  for (const { c, t, meta, file, report } of runs) {
    assert.match(t.stdout, new RegExp(`^threshold ${c.method}: `, 'm'), show(t));
    assert.equal(meta.threshold.method, c.method);
    for (const [k, v] of Object.entries(c.params)) assert.equal(meta.threshold.params[k], v, `${c.method}.${k}`);
    assert.ok(Number.isFinite(meta.threshold.value), c.method);
    assert.equal(report.thresholdMethod, c.method);
    assert.equal(report.threshold, meta.threshold.value);
    // Same seed and rows: only the threshold differs from the contamination=0.01 model.
    assert.deepEqual(file.detector, base.detector, c.method);
  }
  const budget = runs.find((r) => r.c.method === 'budget');
  assert.ok(budget);
  assert.ok(Math.abs((budget.report.thresholdDetails.impliedFalsePositiveRate ?? NaN) - 5 / (10 * 86400)) < 1e-15);
  assert.equal(typeof budget.report.thresholdDetails.expectedAlertsPerDay, 'number');
  const meanstd = runs.find((r) => r.c.method === 'meanstd');
  assert.ok(meanstd);
  const p = meanstd.meta.threshold.params as { mean: number; std: number };
  assert.ok(Math.abs(meanstd.meta.threshold.value - (p.mean + 2 * p.std)) < 1e-9, 'meanstd: mean + k sd');
});

test('usage errors: one PGN_ERR_USAGE / PGN_ERR_UNKNOWN_COMPONENT line, exit 2', async () => {
  const data = ['--data', join(tmp.dir, 'no-such-file.csv')];
  const out = ['--out', join(tmp.dir, 'never.json')];
  const [noOut, unknownOpt, badSeed, unknownDet, unknownTh, badFormat, noCommand, noModel, badScaler] = await Promise.all([
    cli(['train', '--format', 'cicflowmeter', ...data, '--detector', 'iforest']),
    cli(['train', '--format', 'cicflowmeter', ...data, ...out, '--detector', 'iforest', '--sede', '1']),
    cli(['train', '--format', 'cicflowmeter', ...data, ...out, '--detector', 'iforest', '--seed', 'abc']),
    cli(['train', '--format', 'cicflowmeter', ...data, ...out, '--detector', 'isolationforest']),
    cli(['train', '--format', 'cicflowmeter', ...data, ...out, '--detector', 'iforest', '--threshold', 'p99']),
    cli(['train', '--format', 'pcap', ...data, ...out, '--detector', 'iforest']),
    cli(['frobnicate']),
    cli(['inspect']),
    cli(['train', '--format', 'cicflowmeter', ...data, ...out, '--detector', 'iforest', '--scaler', 'zscore']),
  ]);
  assert.match(assertError(noOut, 2, 'PGN_ERR_USAGE'), /--out/);
  assert.match(assertError(unknownOpt, 2, 'PGN_ERR_USAGE'), /unknown option '--sede'.*--seed/);
  assertError(badSeed, 2, 'PGN_ERR_USAGE', '--seed');
  const det = assertError(unknownDet, 2, 'PGN_ERR_UNKNOWN_COMPONENT');
  assert.match(det, /isolationforest/);
  const names = (await detectorsJson()).detectors.map((d) => d.name).sort();
  assert.ok(det.includes(`choose one of: ${names.join(', ')}`), `lists the choices\n${det}`);
  assert.match(assertError(unknownTh, 2, 'PGN_ERR_UNKNOWN_COMPONENT'), /budget, contamination, meanstd, pot/);
  const fmt = assertError(badFormat, 2, 'PGN_ERR_USAGE');
  assert.match(fmt, /pcap/);
  assert.match(fmt, /cicflowmeter, nslkdd, csv/, 'lists the choices');
  assert.match(assertError(noCommand, 2, 'PGN_ERR_USAGE'), /frobnicate/);
  assert.match(assertError(noModel, 2, 'PGN_ERR_USAGE'), /model/);
  assert.match(assertError(badScaler, 2, 'PGN_ERR_USAGE'), /standard, minmax, robust, none/);
  assert.ok(!existsSync(join(tmp.dir, 'never.json')));

  const help = assertOk(await cli(['train', '--help']));
  assert.match(help.stdout, /--normal-only/);
  const version = assertOk(await cli(['--version']));
  assert.match(version.stdout, /^\d+\.\d+\.\d+\n$/);
});
