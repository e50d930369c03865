/**
 * The CLI on bad input: every failure is one stderr line `peregrine: PGN_ERR_...: where: what (hint)`, no stack
 * trace, and the documented exit code (docs/errors.md); `--on-bad-row skip` counts and reports what it skipped.
 * Bad files are derived from a small generated demo data set in a temporary folder.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fixture } from '../testing/paths.js';
import { assertError, assertOk, cli, dataLines, readModel, show, smallDemo, tempDir, type CliResult, type ModelFile } from './testing.js';

const tmp = tempDir();
after(tmp.cleanup);

/** Rows of the small training file (the demo's first 300 benign rows). */
const ROWS = 300;
let header: string;
let rows: string[];
/** The small training file, and a model trained on it (iforest, in-sample threshold). */
let base: string;
let model: string;

const TRAIN = ['train', '--format', 'cicflowmeter', '--normal-only', '--detector', 'iforest', '--seed', '1'];

before(async () => {
  const demo = await smallDemo(tmp.dir);
  const text = readFileSync(demo.trainPath, 'utf8');
  header = text.slice(0, text.indexOf('\n'));
  rows = dataLines(text).slice(0, ROWS);
  base = write('base.csv', rows);
  model = join(tmp.dir, 'model.json');
  assertOk(await cli([...TRAIN, '--data', base, '--out', model, '--quiet']));
});

/** Writes header + data rows (LF) to a file in the temp folder. */
function write(name: string, dataRows: string[], head = header): string {
  const path = join(tmp.dir, name);
  writeFileSync(path, [head, ...dataRows].join('\n') + '\n');
  return path;
}

/** The base rows with file line `line` (the header is line 1) replaced by `edit(fields)`. */
function withLine(line: number, edit: (fields: string[]) => string[] | string): string[] {
  const out = [...rows];
  const edited = edit(out[line - 2].split(','));
  out[line - 2] = typeof edited === 'string' ? edited : edited.join(',');
  return out;
}

const col = (name: string) => header.split(',').indexOf(name);

function trainJson(path: string): ModelFile {
  return readModel(path);
}

/** Runs `train` (fail) and `train --on-bad-row skip` on one file. */
async function failAndSkip(file: string): Promise<{ fail: CliResult; skip: CliResult; skipModel: string }> {
  const skipModel = join(tmp.dir, `skip-${Math.random().toString(36).slice(2)}.json`);
  const [fail, skip] = await Promise.all([
    cli([...TRAIN, '--data', file, '--out', join(tmp.dir, 'never.json')]),
    cli([...TRAIN, '--data', file, '--out', skipModel, '--on-bad-row', 'skip']),
  ]);
  assert.ok(!existsSync(join(tmp.dir, 'never.json')), 'a failed run writes no model');
  return { fail, skip, skipModel };
}

test('a missing input file or model: exit 5, PGN_ERR_FILE_NOT_FOUND naming the path', async () => {
  const missing = join(tmp.dir, 'no-such.csv');
  const missingModel = join(tmp.dir, 'no-such-model.json');
  const runs = await Promise.all([
    cli([...TRAIN, '--data', missing, '--out', join(tmp.dir, 'never.json')]),
    cli([...TRAIN, '--data', base, missing, '--out', join(tmp.dir, 'never.json')]),
    cli(['score', '--model', model, '--data', missing, '--out', '-']),
    cli(['evaluate', '--model', model, '--data', missing]),
    cli(['score', '--model', missingModel, '--data', base, '--out', '-']),
    cli(['inspect', missingModel]),
  ]);
  for (const r of runs.slice(0, 4)) assertError(r, 5, 'PGN_ERR_FILE_NOT_FOUND', missing);
  for (const r of runs.slice(4)) assertError(r, 5, 'PGN_ERR_FILE_NOT_FOUND', missingModel);
  for (const r of runs) assert.equal(r.stdout, '', show(r));
});

test('an empty file, a header-only file, an empty folder: exit 3, PGN_ERR_EMPTY_INPUT', async () => {
  const empty = join(tmp.dir, 'empty.csv');
  writeFileSync(empty, '');
  const headerOnly = join(tmp.dir, 'header-only.csv');
  writeFileSync(headerOnly, header + '\n');
  const folder = join(tmp.dir, 'empty-folder');
  mkdirSync(join(folder, 'sub'), { recursive: true });
  writeFileSync(join(folder, 'notes.md'), 'no data here\n');
  const [e, h, f, s] = await Promise.all([
    cli([...TRAIN, '--data', empty, '--out', join(tmp.dir, 'never.json')]),
    cli([...TRAIN, '--data', headerOnly, '--out', join(tmp.dir, 'never.json')]),
    cli([...TRAIN, '--data', folder, '--out', join(tmp.dir, 'never.json')]),
    cli(['score', '--model', model, '--data', headerOnly, '--out', '-']),
  ]);
  assert.match(assertError(e, 3, 'PGN_ERR_EMPTY_INPUT', empty), /empty/);
  assert.match(assertError(h, 3, 'PGN_ERR_EMPTY_INPUT', headerOnly), /header/);
  assertError(f, 3, 'PGN_ERR_EMPTY_INPUT', folder);
  assertError(s, 3, 'PGN_ERR_EMPTY_INPUT', headerOnly);
  assert.equal(s.stdout, '', 'nothing on stdout when scoring fails');
});

test('a row with the wrong column count: fail names file:line (exit 3); skip reports it and trains on the rest', async () => {
  const file = write('short-row.csv', withLine(50, (f) => f.slice(0, -1)));
  const { fail, skip, skipModel } = await failAndSkip(file);
  assert.match(assertError(fail, 3, 'PGN_ERR_BAD_ROW', `${file}:50`), /expected 87 fields, found 86/);
  assertOk(skip);
  assert.match(skip.stderr, /skipped 1 bad row/, show(skip));
  assert.ok(skip.stderr.includes(`${file}:50: expected 87 fields, found 86`), show(skip));
  const m = trainJson(skipModel);
  assert.equal(m.training.rowsRead, ROWS - 1);
  assert.equal(m.training.rowsSkipped, 1);
  assert.equal(m.training.fitRows + m.training.calibrationRows, ROWS - 1);

  // score and evaluate skip (and report) it too.
  const [score, evaluate, scoreFail] = await Promise.all([
    cli(['score', '--model', model, '--data', file, '--out', '-', '--on-bad-row', 'skip']),
    cli(['evaluate', '--model', model, '--data', file, '--json', '--on-bad-row', 'skip']),
    cli(['score', '--model', model, '--data', file, '--out', join(tmp.dir, 'partial.csv')]),
  ]);
  assertOk(score);
  assert.equal(dataLines(score.stdout).length, ROWS - 1);
  assert.ok(!score.stdout.includes(`,50,`), 'line 50 is not scored');
  assert.match(score.stderr, /skipped 1 bad row/);
  const j = JSON.parse(assertOk(evaluate).stdout);
  assert.equal(j.data.rowsSkipped, 1);
  assert.equal(j.rowsScored, ROWS - 1);
  assert.ok(evaluate.stderr.includes(`${file}:50`), show(evaluate));
  assertError(scoreFail, 3, 'PGN_ERR_BAD_ROW', `${file}:50`);
  assert.ok(!existsSync(join(tmp.dir, 'partial.csv')), 'a failed score run leaves no partial output file');
});

test('a non-numeric cell: exit 3 naming file:line, the column and the value', async () => {
  const name = 'Total Length of Fwd Packet';
  const file = write('non-numeric.csv', withLine(60, (f) => f.map((v, j) => (j === col(name) ? 'lots' : v))));
  const { fail, skip, skipModel } = await failAndSkip(file);
  const line = assertError(fail, 3, 'PGN_ERR_BAD_ROW', `${file}:60`);
  assert.ok(line.includes(`"${name}"`) && line.includes('"lots"'), line);
  assertOk(skip);
  assert.equal((trainJson(skipModel)).training.rowsSkipped, 1);
  // Missing-value tokens are not errors: they are counted and imputed.
  const nan = write('nan-cells.csv', withLine(61, (f) => f.map((v, j) => (j === col(name) ? 'NaN' : j === col('Flow Bytes/s') ? 'Infinity' : v))));
  const r = assertOk(await cli([...TRAIN, '--data', nan, '--out', join(tmp.dir, 'nan.json')]));
  assert.match(r.stderr, /non-finite cells imputed: 2/, show(r));
});

test('a UTF-8 BOM and CRLF line ends read like the plain file', async () => {
  const crlf = join(tmp.dir, 'bom-crlf.csv');
  writeFileSync(crlf, '\uFEFF' + [header, ...rows].join('\r\n') + '\r\n');
  const out = join(tmp.dir, 'bom-crlf.json');
  assertOk(await cli([...TRAIN, '--data', crlf, '--out', out, '--quiet']));
  const a = trainJson(model);
  const b = trainJson(out);
  assert.equal(b.training.rowsRead, ROWS);
  assert.equal(b.input.idNames[0], 'Flow ID', 'the BOM is not part of the first column name');
  assert.equal(b.input.labelName, 'Label', 'no stray \\r in the last column name');
  assert.deepEqual(b.input, a.input);
  assert.deepEqual(b.preprocessing, a.preprocessing);
  assert.deepEqual(b.detector, a.detector);
  assert.deepEqual(b.threshold, a.threshold);
  // Scoring the CRLF file gives the plain file's scores.
  const [s1, s2] = await Promise.all([
    cli(['score', '--model', model, '--data', crlf, '--out', '-', '--quiet']),
    cli(['score', '--model', model, '--data', base, '--out', '-', '--quiet']),
  ]);
  const strip = (t: string) => dataLines(t).map((l) => l.slice(l.indexOf(',')));
  assert.deepEqual(strip(assertOk(s1).stdout), strip(assertOk(s2).stdout));
});

test('a 100,000-character field: a bad number (exit 3 / skipped); in an identifier it is carried through', async () => {
  const long = 'x'.repeat(100_000);
  const inNumber = write('long-number.csv', withLine(100, (f) => f.map((v, j) => (j === col('Flow Duration') ? long : v))));
  const { fail, skip, skipModel } = await failAndSkip(inNumber);
  const line = assertError(fail, 3, 'PGN_ERR_BAD_ROW', `${inNumber}:100`);
  assert.ok(line.length < 1000, 'the value is clipped in the message');
  assertOk(skip);
  assert.match(skip.stderr, /skipped 1 bad row/);
  assert.ok(skip.stderr.includes(`${inNumber}:100`), show(skip));
  assert.equal((trainJson(skipModel)).training.rowsSkipped, 1);

  // Below the 1 MiB field limit, a long identifier is just an identifier.
  const inId = write('long-id.csv', withLine(100, (f) => f.map((v, j) => (j === col('Flow ID') ? long : v))));
  const s = assertOk(await cli(['score', '--model', model, '--data', inId, '--out', '-', '--quiet']));
  const scored = dataLines(s.stdout);
  assert.equal(scored.length, ROWS);
  assert.equal(scored[98].split(',')[2], long);
});

test('a field over the 1 MiB reader limit: PGN_ERR_FIELD_TOO_LONG (exit 3), or counted under skip', async () => {
  const huge = 'y'.repeat(1_100_000);
  const file = write('huge-field.csv', withLine(120, (f) => f.map((v, j) => (j === col('Flow ID') ? huge : v))));
  const { fail, skip, skipModel } = await failAndSkip(file);
  const line = assertError(fail, 3, 'PGN_ERR_FIELD_TOO_LONG', `${file}:120`);
  assert.ok(line.length < 1000, 'the field is not echoed');
  assertOk(skip);
  assert.ok(skip.stderr.includes(`${file}:120`), show(skip));
  const m = trainJson(skipModel);
  assert.equal(m.training.rowsSkipped, 1);
  assert.equal(m.training.rowsRead, ROWS - 1);
});

test('an empty label fails with file:line (exit 3); any other label value is an attack class', async () => {
  const empty = write('empty-label.csv', withLine(70, (f) => [...f.slice(0, -1), '  ']));
  const { fail, skip } = await failAndSkip(empty);
  const line = assertError(fail, 3, /^PGN_ERR_BAD_ROW$/, `${empty}:70`);
  assert.match(line, /empty label/);
  assertOk(skip);
  assert.ok(skip.stderr.includes(`${empty}:70: empty label`), show(skip));

  const odd = write('odd-label.csv', withLine(71, (f) => [...f.slice(0, -1), 'Something-Odd']));
  const out = join(tmp.dir, 'odd.json');
  assertOk(await cli([...TRAIN, '--data', odd, '--out', out, '--quiet']));
  const m = trainJson(out);
  assert.deepEqual(m.training.classCounts, { benign: ROWS - 1, 'Something-Odd': 1 });
  assert.equal(m.training.fitRows + m.training.calibrationRows, ROWS - 1, '--normal-only leaves the attack row out');
});

test('--normal-only without benign rows or without a label column: exit 3', async () => {
  const attacks = write(
    'attacks-only.csv',
    rows.slice(0, 20).map((r) => r.replace(/,[^,]*$/, ',portscan')),
  );
  const [noBenign, noLabel] = await Promise.all([
    cli([...TRAIN, '--data', attacks, '--out', join(tmp.dir, 'never.json')]),
    cli(['train', '--format', 'csv', '--data', fixture('ingest', 'generic.csv'), '--label-column', 'none', '--normal-only', '--detector', 'iforest', '--out', join(tmp.dir, 'never.json')]),
  ]);
  assert.match(assertError(noBenign, 3, 'PGN_ERR_NO_TRAINING_ROWS', attacks), /benign/);
  assert.match(assertError(noLabel, 3, 'PGN_ERR_MISSING_COLUMN'), /--normal-only/);
  assert.ok(!existsSync(join(tmp.dir, 'never.json')));
});

test('evaluate on data without labels: exit 3, PGN_ERR_NO_LABELS', async () => {
  const generic = fixture('ingest', 'generic.csv');
  const out = join(tmp.dir, 'generic.json');
  assertOk(await cli(['train', '--format', 'csv', '--data', generic, '--label-column', 'none', '--detector', 'iforest', '--out', out, '--quiet']));
  assertError(await cli(['evaluate', '--model', out, '--data', generic, '--quiet']), 3, 'PGN_ERR_NO_LABELS', generic);
});

test('files with different columns read together: exit 3, PGN_ERR_SCHEMA_MISMATCH', async () => {
  const v4 = fixture('ingest', 'cic-v4.csv');
  const ids = fixture('ingest', 'cic-ids2017.csv');
  const r = await cli(['train', '--format', 'cicflowmeter', '--data', v4, ids, '--detector', 'iforest', '--out', join(tmp.dir, 'never.json')]);
  assert.match(assertError(r, 3, 'PGN_ERR_SCHEMA_MISMATCH', ids), /Protocol/);
});

test('a tampered, truncated or foreign model file: exit 4 (PGN_ERR_MODEL_CHECKSUM / PGN_ERR_MODEL_FORMAT)', async () => {
  const text = readFileSync(model, 'utf8');
  const m = JSON.parse(text) as ModelFile;
  assert.equal(JSON.stringify(m), text, 'the model file is plain JSON.stringify output');
  const files: Record<string, string> = {};
  const put = (name: string, content: string) => {
    files[name] = join(tmp.dir, name);
    writeFileSync(files[name], content);
  };
  // One number changed: the threshold, and one deep in the detector state.
  put('tampered-threshold.json', JSON.stringify({ ...m, threshold: { ...m.threshold, value: m.threshold.value + 1e-9 } }));
  const inNumber = /[:,[]-?\d+\.\d*?[1-8]/g;
  inNumber.lastIndex = text.indexOf('"preprocessing"');
  const hit = inNumber.exec(text);
  assert.ok(hit);
  const digit = hit.index + hit[0].length - 1;
  put('tampered-digit.json', text.slice(0, digit) + String(Number(text[digit]) + 1) + text.slice(digit + 1));
  put('newer-version.json', JSON.stringify({ ...m, formatVersion: 99 }));
  put('truncated.json', text.slice(0, Math.floor(text.length / 2)));
  put('not-json.json', 'this is not a model\n');
  put('empty-model.json', '');
  put('other-json.json', JSON.stringify({ hello: 'world' }));

  const expect: Record<string, [string, RegExp]> = {
    'tampered-threshold.json': ['PGN_ERR_MODEL_CHECKSUM', /checksum/],
    'tampered-digit.json': ['PGN_ERR_MODEL_CHECKSUM', /checksum/],
    'newer-version.json': ['PGN_ERR_MODEL_FORMAT', /version 99/],
    'truncated.json': ['PGN_ERR_MODEL_FORMAT', /not valid JSON/],
    'not-json.json': ['PGN_ERR_MODEL_FORMAT', /not valid JSON/],
    'empty-model.json': ['PGN_ERR_MODEL_FORMAT', /not a Peregrine model/],
    'other-json.json': ['PGN_ERR_MODEL_FORMAT', /not a Peregrine model/],
  };
  // inspect checks every file; score and evaluate load models the same way (a few of each).
  const jobs: [string, string[]][] = Object.keys(expect).map((n) => [n, ['inspect', files[n]]]);
  for (const n of ['tampered-threshold.json', 'tampered-digit.json', 'not-json.json']) {
    jobs.push([n, ['score', '--model', files[n], '--data', base, '--out', '-']]);
  }
  for (const n of ['tampered-threshold.json', 'newer-version.json']) jobs.push([n, ['evaluate', '--model', files[n], '--data', base, '--json']]);
  const runs = await Promise.all(jobs.map(([, args]) => cli(args)));
  runs.forEach((r, i) => {
    const n = jobs[i][0];
    const [code, message] = expect[n];
    assert.match(assertError(r, 4, code, files[n]), message);
    assert.equal(r.stdout, '', show(r));
  });
  // The untouched model still loads.
  assert.match(assertOk(await cli(['inspect', model])).stdout, /checksum OK/);
});

test('data of another format than the model: a clear error naming the missing columns', async () => {
  const nsl = fixture('ingest', 'nslkdd.txt');
  const out = join(tmp.dir, 'scores.csv');
  const [asCic, asNsl, evalNsl] = await Promise.all([
    cli(['score', '--model', model, '--data', nsl, '--out', out]),
    cli(['score', '--model', model, '--data', nsl, '--format', 'nslkdd', '--out', '-']),
    cli(['evaluate', '--model', model, '--data', nsl, '--format', 'nslkdd', '--json']),
  ]);
  // Read as CICFlowMeter (the model's format), the NSL-KDD file has no CICFlowMeter header.
  const line = assertError(asCic, 3, 'PGN_ERR_MISSING_COLUMN', `${nsl}:1`);
  assert.match(line, /"Flow Duration"/);
  assert.match(line, /--format/);
  assert.ok(!existsSync(out), 'no scores file is left behind');
  // Read as NSL-KDD, it lacks the model's columns, which are named.
  for (const r of [asNsl, evalNsl]) {
    const l = assertError(r, 4, 'PGN_ERR_MODEL_SCHEMA', nsl);
    assert.match(l, /lacks 80 column\(s\)/);
    assert.match(l, /"Flow Duration"/);
    assert.equal(r.stdout, '', 'no CSV header or JSON before the error');
  }
});

test('--out / --report into a folder that does not exist: exit 5, PGN_ERR_IO, nothing written', async () => {
  const nowhere = join(tmp.dir, 'no-such-dir');
  const [train, score, report] = await Promise.all([
    cli([...TRAIN, '--data', base, '--out', join(nowhere, 'm.json'), '--quiet']),
    cli(['score', '--model', model, '--data', base, '--out', join(nowhere, 's.csv')]),
    cli(['evaluate', '--model', model, '--data', base, '--report', join(nowhere, 'r.html'), '--quiet']),
  ]);
  assertError(train, 5, 'PGN_ERR_IO', join(nowhere, 'm.json'));
  assertError(score, 5, 'PGN_ERR_IO', join(nowhere, 's.csv'));
  assertError(report, 5, 'PGN_ERR_IO', join(nowhere, 'r.html'));
  assert.ok(!existsSync(nowhere));
  assert.deepEqual(
    readdirSync(tmp.dir).filter((f) => f.includes('.tmp-')),
    [],
    'no temporary model file left behind',
  );
});
