import { test } from 'node:test';
import assert from 'node:assert/strict';
import { barChart, escapeXml, histogram, lineChart } from './svg.js';
import { formatTick, makeScale } from './scale.js';

test('nice linear ticks and log ticks at powers of ten', () => {
  const s = makeScale([0.03, 0.97], [0, 100]);
  assert.deepEqual(s.domain, [0, 1]);
  assert.deepEqual(s.ticks.map((t) => s.format(t)), ['0', '0.2', '0.4', '0.6', '0.8', '1.0']);
  const l = makeScale([3, 45000], [0, 100], { log: true });
  assert.deepEqual(l.ticks, [1, 10, 100, 1000, 10000, 100000]);
  assert.deepEqual(l.ticks.map((t) => l.format(t)), ['1', '10', '100', '1k', '10k', '100k']);
  assert.equal(l(1), 0);
  assert.equal(l(100000), 100);
  assert.equal(formatTick(2500000, 500000), '2.5M');
});

test('lineChart draws named series with legend, markers and ref lines, escaping text', () => {
  const svg = lineChart(
    [
      { name: 'loss <train>', points: [{ x: 1, y: 0.9 }, { x: 2, y: 0.5 }, { x: 3, y: NaN }, { x: 4, y: 0.2 }] },
      { name: 'val', points: [{ x: 1, y: 1 }, { x: 4, y: 0.4 }], dashed: true },
    ],
    { title: 'a & b', x: { label: 'epoch' }, y: { label: 'loss', log: true }, markers: [{ x: 2, y: 0.5, label: 'best' }], refLines: [{ x: 3, label: 'stop' }] },
  );
  assert.ok(svg.startsWith('<svg ') && svg.endsWith('</svg>'));
  assert.ok(svg.includes('loss &lt;train&gt;') && svg.includes('a &amp; b'));
  assert.equal((svg.match(/<path /g) ?? []).length, 2);
  assert.ok(/d="M[^"]*M/.test(svg), 'a NaN point breaks the line into two pieces');
  assert.ok(!/NaN|undefined/.test(svg));
  assert.ok(svg.includes('stroke-dasharray'));
});

test('histogram and barChart produce one shape per series / bar and clamp out-of-range values', () => {
  const h = histogram({ edges: [0, 1, 2, 3], series: [{ name: 'a', counts: [5, 0, 2] }, { name: 'b', counts: [0, 3, 100] }] }, { y: { log: true }, refLines: [{ x: 99, label: 'far' }] });
  assert.equal((h.match(/<path /g) ?? []).length, 2);
  assert.ok(h.includes('>far<'));
  assert.ok(!/NaN|undefined/.test(h));
  const b = barChart([{ label: 'x'.repeat(50), value: 0.5 }, { label: 'y', value: 2 }], { max: 1 });
  assert.equal((b.match(/<rect /g) ?? []).length, 2);
  assert.ok(b.includes('…'));
  assert.ok(!/NaN|undefined/.test(b));
  assert.equal(escapeXml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
});
