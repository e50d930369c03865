/** Property tests through the whole reader (file -> RawBatch), with random chunk and batch sizes. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { isPeregrineError } from '../core/errors.js';
import { FORMATS, openTabular } from './index.js';
import { collect, tmpDir, writeCsv } from './testing.js';

const idText = fc.string({ unit: fc.constantFrom('a', 'Z', ',', '"', '\n', '\r\n', ' ', 'é', '🚀'), maxLength: 6 });
const cell = fc.oneof(
  { weight: 4, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }).map((x) => ({ text: String(x), value: Number(String(x)) })) },
  { weight: 1, arbitrary: fc.constantFrom('', 'NaN', 'Infinity', '-inf').map((text) => ({ text, value: NaN })) },
);
const labelText = fc.constantFrom('normal', 'BENIGN', ' 0 ', 'DoS Hulk', 'a,b', 'say "x"');
const row = fc.record({ id: idText, x: cell, y: cell, label: labelText });

test('property: random generic CSV (quoted ids, numbers, missing tokens) reads back exactly', async () => {
  const dir = await tmpDir();
  try {
    await fc.assert(
      fc.asyncProperty(
        fc.array(row, { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 1, max: 64 }),
        fc.integer({ min: 1, max: 5 }),
        fc.constantFrom('\n', '\r\n'),
        fc.boolean(),
        async (rows, highWaterMark, batchRows, eol, bom) => {
          const table = [['id', 'x', 'y', 'label'], ...rows.map((r) => [r.id, r.x.text, r.y.text, r.label])];
          const f = await dir.file('t.csv', (bom ? '\uFEFF' : '') + writeCsv(table, eol));
          const c = await collect('csv', [f], { idColumns: ['id'], highWaterMark, batchRows });
          assert.deepEqual(c.reader.schema.numericNames, ['x', 'y']);
          assert.deepEqual(c.batches.flatMap((b) => b.ids[0]), rows.map((r) => r.id));
          assert.deepEqual(c.numeric, rows.map((r) => [r.x.value, r.y.value]));
          assert.deepEqual(c.classes, rows.map((r) => (['normal', 'BENIGN', ' 0 '].includes(r.label) ? 'benign' : r.label)));
          // Physical line numbers: the header is line 1 and quoted newlines count.
          let line = 2;
          const lines = rows.map((r) => {
            const at = line;
            line += 1 + (r.id.match(/\n/g)?.length ?? 0);
            return at;
          });
          assert.deepEqual(c.lines, lines);
        },
      ),
      { numRuns: 120 },
    );
  } finally {
    await dir.remove();
  }
});

test('property: arbitrary file bytes end in batches or a PeregrineError, for every format and policy', async () => {
  const dir = await tmpDir();
  const bytes = fc.oneof(
    fc.uint8Array({ maxLength: 200 }),
    fc.array(fc.constantFrom(...Buffer.from('"a,1\r\n\n0x.eNaI')), { maxLength: 200 }).map((a) => Uint8Array.from(a)),
  );
  try {
    await fc.assert(
      fc.asyncProperty(bytes, fc.constantFrom(...FORMATS), fc.constantFrom('skip' as const, 'fail' as const), async (data, format, onBadRow) => {
        const f = await dir.file('x.csv', Buffer.from(data));
        try {
          const r = await openTabular(format, [f], { onBadRow, highWaterMark: 16, maxFieldBytes: 50 });
          let rows = 0;
          for await (const b of r.batches()) rows += b.rows;
          assert.equal(rows, r.stats.rowsRead);
        } catch (e) {
          assert.ok(isPeregrineError(e), `not a PeregrineError: ${String(e)}`);
        }
      }),
      { numRuns: 150 },
    );
  } finally {
    await dir.remove();
  }
});
