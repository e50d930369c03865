import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildEvaluationReport } from './report.js';
import { syntheticEvaluationInput } from './synthetic.js';
import { fmtBytes, fmtNum, fmtPct, formatClassificationReport, formatEvaluationText } from './text.js';

test('classification report has sklearn layout (width-9 right-aligned columns, blank lines)', () => {
  const r = buildEvaluationReport({
    ...syntheticEvaluationInput(1, 2000),
    scores: Float64Array.from([0.1, 0.2, 0.3, 0.9]),
    labels: Int8Array.from([0, 0, 0, 1]),
    classes: ['benign', 'benign', 'benign', 'x'],
    threshold: { value: 1, method: 'meanstd', params: {}, trainingAlertRate: 0 },
  });
  // Nothing flagged: sklearn's zero_division=0 case, values checked in confusion.test.ts.
  assert.equal(
    formatClassificationReport(r.classificationReport),
    [
      '              precision    recall  f1-score   support',
      '',
      '      benign     0.7500    1.0000    0.8571         3',
      '      attack     0.0000    0.0000    0.0000         1',
      '',
      '    accuracy                         0.7500         4',
      '   macro avg     0.3750    0.5000    0.4286         4',
      'weighted avg     0.5625    0.7500    0.6429         4',
    ].join('\n'),
  );
});

test('full text report shows the important lines', () => {
  const text = formatEvaluationText(buildEvaluationReport(syntheticEvaluationInput(1, 5000)));
  const lines = text.split('\n');
  const has = (re: RegExp): void => assert.ok(lines.some((l) => re.test(l)), `no line matches ${re}\n${text}`);
  has(/^Model: iforest \(models\/iforest\.pgn, 78 features, trained on 5,000 rows\)$/);
  has(/^ {14}precision {4}recall {2}f1-score {3}support$/);
  has(/^ {6}attack {5}\d\.\d{4} {4}\d\.\d{4} {4}\d\.\d{4} +\d+$/);
  has(/^weighted avg /);
  has(/^ {2}true benign +[\d,]+ +[\d,]+$/);
  has(/^AUROC 0\.\d{4} {3}AUPRC 0\.\d{4}/);
  has(/^Threshold: pot = [\d.]+ \(training alert rate [\d.]+%/);
  has(/^Best-F1 threshold: [\d.]+ \(precision/);
  has(/^ {2}class +support +detected +rate +mean score$/);
  has(/^ {2}benign \(false positives\) +5,000/);
  has(/^Timing: fit 2\.50 s \(2,000 rows\/s\); score 420\.0 ms for [\d,]+ rows/);
  has(/^Model size: 1\.8 MiB$/);
  // Attack classes sorted by support.
  const order = ['DDoS', 'PortScan', 'Bot', 'Infiltration'].map((c) => lines.findIndex((l) => l.startsWith(`  ${c} `)));
  assert.deepEqual([...order].sort((a, b) => a - b), order);
  assert.ok(!/undefined|NaN/.test(text));
  assert.ok(!text.includes('\u001b['), 'no colour codes');
});

test('number formatting helpers', () => {
  assert.equal(fmtNum(0.123456789), '0.123457');
  assert.equal(fmtNum(1.1574074e-5, 4), '1.157e-5');
  assert.equal(fmtNum(1.1574074e-4, 4), '0.0001157');
  assert.equal(fmtNum(null), 'n/a');
  assert.equal(fmtPct(1 / 2_399_414, 3), '0.000042%');
  assert.equal(fmtPct(0.0123), '1.23%');
  assert.equal(fmtBytes(512), '512 B');
  assert.equal(fmtBytes(1536), '1.5 KiB');
});
