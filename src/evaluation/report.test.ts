import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PeregrineError } from '../core/errors.js';
import { buildEvaluationReport, type EvaluationInput } from './report.js';
import { syntheticEvaluationInput } from './synthetic.js';

const REQUIRED = [
  'auroc', 'auprc', 'precision', 'recall', 'f1', 'accuracy', 'threshold', 'rows', 'scoreRowsPerSecond', 'bestF1', 'thresholdMethod',
  'confusion', 'classificationReport', 'perClass', 'falsePositiveRate', 'fitSeconds', 'scoreSeconds', 'fitRowsPerSecond', 'modelSizeBytes', 'data',
];

function small(overrides: Partial<EvaluationInput> = {}): EvaluationInput {
  return {
    scores: Float64Array.from([0.9, 0.8, 0.3, 0.7, 0.2, 0.1, 0.95, 0.5]),
    labels: Int8Array.from([1, 1, 1, 0, 0, 0, -1, 0]),
    classes: ['dos', 'dos', 'scan', 'benign', 'benign', 'benign', '', 'benign'],
    threshold: { value: 0.6, method: 'contamination', params: { contamination: 0.01 }, trainingAlertRate: 0.01 },
    model: { detector: 'iforest', sizeBytes: 1000, trainedRows: 500, features: 4 },
    timing: { fitSeconds: 2, scoreSeconds: 0.5, rows: 8 },
    data: { files: ['a.csv'], rowsSkipped: 1 },
    ...overrides,
  };
}

test('the JSON form has every documented top-level key and round-trips without NaN/Infinity', () => {
  const r = buildEvaluationReport(syntheticEvaluationInput(1, 5000));
  const json = JSON.parse(JSON.stringify(r)) as Record<string, unknown>;
  for (const k of REQUIRED) assert.ok(k in json, `missing ${k}`);
  assert.equal(typeof json.threshold, 'number');
  assert.deepEqual(Object.keys(json.confusion as object).sort(), ['fn', 'fp', 'tn', 'tp']);
  assert.deepEqual(Object.keys(json.bestF1 as object).sort(), ['f1', 'precision', 'recall', 'threshold']);
  assert.deepEqual(Object.keys(json.classificationReport as object), ['benign', 'attack', 'accuracy', 'macro avg', 'weighted avg']);
  assert.ok(!/NaN|Infinity/.test(JSON.stringify(r)));
  assert.deepEqual(json.data, { files: ['data/Tuesday-WorkingHours.pcap_ISCX.csv'], rowsSkipped: 3, nonFinite: { 'Flow Bytes/s': 17 } });
});

test('hand-checked small report: confusion, headline metrics, per-class, rates, timing', () => {
  const r = buildEvaluationReport(small());
  // Labelled: attacks 0.9 0.8 0.3, benign 0.7 0.2 0.1 0.5; threshold 0.6.
  assert.deepEqual(r.confusion, { tn: 3, fp: 1, fn: 1, tp: 2 });
  assert.equal(r.rows, 7);
  assert.equal(r.precision, 2 / 3);
  assert.equal(r.recall, 2 / 3);
  assert.equal(r.accuracy, 5 / 7);
  assert.equal(r.falsePositiveRate, 0.25);
  // Pairs: 0.9, 0.8 beat all 4 benign (8); 0.3 beats 0.2, 0.1 (2) -> 10/12.
  assert.equal(r.auroc, 10 / 12);
  assert.deepEqual(r.perClass.map((p) => [p.class, p.support, p.detected]), [['dos', 2, 2], ['scan', 1, 0]]);
  assert.equal(r.rowsIgnored.unlabelled, 1);
  assert.equal(r.scoreRowsPerSecond, 16);
  assert.equal(r.fitRowsPerSecond, 250);
  assert.equal(r.modelSizeBytes, 1000);
  assert.equal(r.thresholdMethod, 'contamination');
  assert.ok(r.notes.some((n) => /1 unlabelled/.test(n)));
});

test('single class: auroc null with a reason, the rest still reported; no labels at all is PGN_ERR_NO_LABELS', () => {
  const r = buildEvaluationReport(small({ labels: Int8Array.from([0, 0, 0, 0, 0, 0, -1, 0]) }));
  assert.equal(r.auroc, null);
  assert.equal(r.auprc, null);
  assert.match(r.rankingUndefinedReason ?? '', /only benign/);
  assert.equal(r.bestF1, null);
  assert.equal(r.curves.roc, null);
  assert.equal(r.falsePositiveRate, 3 / 7); // 0.9, 0.8, 0.7 of the 7 benign rows are > 0.6
  assert.throws(
    () => buildEvaluationReport(small({ labels: new Int8Array(8).fill(-1) })),
    (e: unknown) => e instanceof PeregrineError && e.code === 'PGN_ERR_NO_LABELS',
  );
});

test('unknown timing and model size become null, never NaN', () => {
  const r = buildEvaluationReport(small({ model: { detector: 'pca' }, timing: { scoreSeconds: 0, rows: 8 } }));
  assert.equal(r.fitSeconds, null);
  assert.equal(r.fitRowsPerSecond, null);
  assert.equal(r.scoreRowsPerSecond, null);
  assert.equal(r.modelSizeBytes, null);
  assert.ok(!/NaN/.test(JSON.stringify(r)));
});
