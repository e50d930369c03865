import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildEvaluationReport } from './report.js';
import { renderHtmlReport } from './html.js';
import { syntheticEvaluationInput } from './synthetic.js';

test('the HTML report is self-contained, has its charts, and no undefined/NaN text', () => {
  const html = renderHtmlReport(buildEvaluationReport(syntheticEvaluationInput(2, 5000)));
  assert.ok(html.startsWith('<!doctype html>'));
  assert.ok(html.trimEnd().endsWith('</html>'));
  assert.equal((html.match(/<svg /g) ?? []).length, 5); // ROC, PR, 2 histograms (log/linear), detection bars
  assert.equal((html.match(/<svg /g) ?? []).length, (html.match(/<\/svg>/g) ?? []).length);
  for (const s of ['ROC curve', 'Precision-recall curve', 'Classification report', 'Confusion matrix', 'Per-class detection', 'weighted avg']) {
    assert.ok(html.includes(s), s);
  }
  assert.ok(!/undefined|NaN/.test(html));
  assert.ok(!/<script|<link |src="http|url\(http|@import/i.test(html), 'no external resources or scripts');
  // Balanced tags for the elements we open ourselves.
  for (const tag of ['section', 'table', 'div', 'g', 'text']) {
    const open = (html.match(new RegExp(`<${tag}[ >]`, 'g')) ?? []).length;
    const close = (html.match(new RegExp(`</${tag}>`, 'g')) ?? []).length;
    assert.equal(open, close, tag);
  }
});

test('every user string is escaped', () => {
  const input = syntheticEvaluationInput(3, 2000);
  const evil = '<script>alert("x")</script>';
  input.classes = Array.from(input.classes, (c) => (c === 'Bot' ? evil : c));
  input.model.detector = `det${evil}`;
  input.data.files = [`f${evil}.csv`];
  input.data.nonFinite = { [evil]: 1 };
  const html = renderHtmlReport(buildEvaluationReport(input), { title: `T ${evil}`, extraSections: [{ title: evil, html: '<p>ok</p>' }] });
  assert.ok(!html.includes('<script>'));
  assert.ok(html.includes('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;'));
  assert.ok(html.includes('<p>ok</p>'));
});

test('single-class data renders without curves and without NaN', () => {
  const input = syntheticEvaluationInput(4, 1000);
  input.labels = input.labels.map((l) => (l === 1 ? -1 : l));
  const html = renderHtmlReport(buildEvaluationReport(input));
  assert.ok(html.includes('ROC curve not available: only benign rows are labelled'));
  assert.ok(!/undefined|NaN/.test(html));
});
