import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '../core/rng.js';
import { assertError, assertOk, cli, tempDir, type EvaluationReport } from './testing.js';

/**
 * The trace-data CLI contract (issue 5, item 8): `train --format adfa-ld --data DIR --detector NAME` summarises each
 * trace into one activity vector; `evaluate --format adfa-ld` labels traces under Attack_Data_Master as attacks.
 */

// i386 numbers: 3 read, 4 write, 5 open, 6 close, 11 execve, 102 socketcall, 120 clone, 192 mmap2, 195 stat64, 213 setuid32.
const NORMAL = [3, 4, 5, 6, 192, 195, 3, 4, 6, 5];
const ATTACK = [11, 120, 102, 213, 11, 5, 6, 102];

function trace(rng: Rng, vocab: number[], length: number): string {
  return Array.from({ length }, () => vocab[rng.int(vocab.length)]).join(' ') + '\n';
}

function adfaTree(dir: string): void {
  const rng = new Rng(5);
  const folders: [string, number[], number][] = [
    ['Training_Data_Master', NORMAL, 60],
    ['Validation_Data_Master', NORMAL, 30],
    [join('Attack_Data_Master', 'Adduser_1'), ATTACK, 6],
    [join('Attack_Data_Master', 'Hydra_SSH_1'), ATTACK, 6],
  ];
  for (const [folder, vocab, n] of folders) {
    mkdirSync(join(dir, folder), { recursive: true });
    for (let i = 0; i < n; i++) writeFileSync(join(dir, folder, `t${i}.txt`), trace(rng, vocab, 200 + rng.int(400)));
  }
}

test('adfa-ld: train on trace folders, evaluate with folder labels, same JSON keys as flows', async () => {
  const { dir, cleanup } = tempDir();
  try {
    adfaTree(dir);
    const model = join(dir, 'm.json');
    assertOk(await cli(['train', '--format', 'adfa-ld', '--data', join(dir, 'Training_Data_Master'), '--detector', 'pca', '--out', model, '--quiet']));
    const r = assertOk(await cli(['evaluate', '--model', model, '--format', 'adfa-ld', '--data', join(dir, 'Validation_Data_Master'), join(dir, 'Attack_Data_Master'), '--json', '--quiet']));
    const report = JSON.parse(r.stdout) as EvaluationReport;
    assert.equal(report.rows, 42);
    assert.ok((report.auroc ?? 0) > 0.95, `auroc ${report.auroc}`);
    const classes = report.perClass.map((c) => c.class).sort();
    assert.deepEqual(classes, ['Adduser', 'Hydra_SSH']);
  } finally {
    cleanup();
  }
});

test('adfa-ld: a flow model refuses activity vectors with a coded schema error', async () => {
  const { dir, cleanup } = tempDir();
  try {
    adfaTree(dir);
    const flows = join(dir, 'flows.csv');
    writeFileSync(flows, 'a,b,label\n1,2,0\n2,3,0\n3,1,0\n4,4,0\n');
    const model = join(dir, 'm.json');
    assertOk(await cli(['train', '--format', 'csv', '--data', flows, '--detector', 'iforest', '--out', model, '--quiet']));
    const r = await cli(['evaluate', '--model', model, '--format', 'adfa-ld', '--data', join(dir, 'Attack_Data_Master'), '--quiet']);
    assertError(r, 4, 'PGN_ERR_MODEL_SCHEMA');
  } finally {
    cleanup();
  }
});
