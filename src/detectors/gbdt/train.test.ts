/** gbdt through the training job (src/training/train.ts): supervised fits, class names, SMOTE, refusals. */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PeregrineError } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import { runTraining, type TrainJob } from '../../training/train.js';

const dir = mkdtempSync(join(tmpdir(), 'peregrine-gbdt-train-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** 1200 benign rows, 200 'scan' and 100 'flood' rows, three numeric features. */
function labelledCsv(): string {
  const rng = new Rng(1);
  const lines = ['pkts,bytes,syn,label'];
  const row = (shift: number[], label: string) =>
    lines.push(`${(shift[0] + rng.normal()).toFixed(4)},${(shift[1] + rng.normal()).toFixed(4)},${(shift[2] + rng.normal()).toFixed(4)},${label}`);
  for (let i = 0; i < 1200; i++) row([0, 0, 0], 'benign');
  for (let i = 0; i < 200; i++) row([3, 0, 3], 'scan');
  for (let i = 0; i < 100; i++) row([0, 4, 0], 'flood');
  const path = join(dir, 'labelled.csv');
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}
const data = labelledCsv();

function job(over: Partial<TrainJob> = {}): TrainJob {
  return {
    format: 'csv',
    files: [data],
    detector: 'gbdt',
    detectorParams: { maxIter: 20 },
    normalOnly: false,
    seed: 1,
    threshold: { method: 'contamination' },
    calibrationFraction: 0.2,
    onBadRow: 'fail',
    reader: { includePorts: false },
    ...over,
  };
}

const code = (e: unknown) => (e instanceof PeregrineError ? e.code : undefined);

test('binary: fitted on every attack row and the non-held-out benign rows; threshold on held-out benign rows', async () => {
  const r = await runTraining(job());
  const state = r.model.detector.state as { classNames: string[] };
  assert.equal(r.model.detector.type, 'gbdt');
  assert.deepEqual(state.classNames, ['benign', 'attack']);
  assert.equal(r.model.training.calibrationRows, 240);
  assert.equal(r.model.training.fitRows, 1200 - 240 + 300);
  assert.ok(r.notes.some((n) => /supervised training on 960 benign \+ 300 attack rows/.test(n)), r.notes.join('\n'));
  // Contamination 1 % of held-out benign rows: a probability threshold between 0 and 1.
  assert.ok(r.model.threshold.value > 0 && r.model.threshold.value < 1);
});

test('multiClass: classes benign + attack classes sorted by name; SMOTE balances them', async () => {
  const r = await runTraining(job({ multiClass: true, smote: true }));
  assert.deepEqual((r.model.detector.state as { classNames: string[] }).classNames, ['benign', 'flood', 'scan']);
  const smoteNote = r.notes.find((n) => n.startsWith('SMOTE:'));
  assert.equal(smoteNote, 'SMOTE: flood +860, scan +760 (2880 fit rows)');
});

test('refusals: --normal-only (usage), unlabelled data (missing column), a single class (no training rows)', async () => {
  await assert.rejects(runTraining(job({ normalOnly: true })), (e) => code(e) === 'PGN_ERR_USAGE' && /supervised/.test((e as Error).message));
  await assert.rejects(runTraining(job({ reader: { includePorts: false, labelColumn: 'none' } })), (e) => code(e) === 'PGN_ERR_MISSING_COLUMN');
  const benignOnly = join(dir, 'benign.csv');
  writeFileSync(benignOnly, 'a,b,label\n1,2,benign\n2,3,benign\n3,1,benign\n');
  await assert.rejects(runTraining(job({ files: [benignOnly] })), (e) => code(e) === 'PGN_ERR_NO_TRAINING_ROWS');
});

test('one-class detectors ignore --smote and --multiclass, with a note', async () => {
  const r = await runTraining(job({ detector: 'hbos', detectorParams: {}, normalOnly: true, smote: true, multiClass: true }));
  assert.ok(r.notes.some((n) => n.startsWith('--smote ignored: hbos is a one-class detector')));
  assert.ok(r.notes.some((n) => n.startsWith('--multiclass ignored')));
  assert.equal(r.model.training.fitRows, 960);
});
