import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixture } from '../../testing/paths.js';
import { collect, column, peregrine, tmpDir } from '../testing.js';

const generic = fixture('ingest', 'generic.csv');

test('csv: label column found in any case, categorical columns sniffed, quoted fields read', async () => {
  const c = await collect('csv', [generic]);
  const s = c.reader.schema;
  assert.equal(s.labelName, 'Label');
  assert.deepEqual(s.categoricalNames, ['host', 'proto', 'note']);
  assert.deepEqual(s.numericNames, ['bytes', 'rate']);
  assert.deepEqual(column(c, 'bytes'), [1200, 80, 5000, -7]);
  assert.ok(Number.isNaN(column(c, 'rate')[1]));
  assert.deepEqual(c.reader.stats.nonFinite, { rate: 2 });
  assert.deepEqual(c.batches[0].categorical[2], ['first, quoted', 'plain', 'say "hi"', 'two\nlines']);
  assert.deepEqual(c.classes, ['benign', 'benign', 'exfil', 'exfil']);
  assert.deepEqual(c.lines, [2, 3, 4, 5]);
});

test('csv: idColumns, labelColumn none, explicit label column, benignLabels', async () => {
  const ids = await collect('csv', [generic], { idColumns: ['HOST'] });
  assert.deepEqual(ids.reader.schema.idNames, ['host']);
  assert.deepEqual(ids.batches[0].ids[0], ['web-1', 'web-2', 'db-1', 'db-2']);
  const none = await collect('csv', [generic], { labelColumn: 'none' });
  assert.equal(none.reader.schema.labelName, null);
  assert.ok(none.reader.schema.categoricalNames.includes('Label'));
  assert.deepEqual(none.labels, [-1, -1, -1, -1]);
  const named = await collect('csv', [generic], { labelColumn: 'note', benignLabels: ['PLAIN'] });
  assert.equal(named.reader.schema.labelName, 'note');
  assert.deepEqual(named.labels, [1, 0, 1, 1]);
  assert.deepEqual(named.classes, ['first, quoted', 'benign', 'say "hi"', 'two\nlines']);
  await assert.rejects(collect('csv', [generic], { labelColumn: 'class' }), peregrine('PGN_ERR_MISSING_COLUMN', `${generic}:1`, /label column "class"/));
  await assert.rejects(collect('csv', [generic], { idColumns: ['uid'] }), peregrine('PGN_ERR_MISSING_COLUMN', `${generic}:1`));
});

test('csv: no label column by default means unlabelled; duplicate header names are refused', async () => {
  const dir = await tmpDir();
  try {
    const f = await dir.file('x.csv', 'a,b\n1,2\n3,4\n');
    const c = await collect('csv', [f]);
    assert.equal(c.reader.schema.labelName, null);
    assert.deepEqual(c.numeric, [
      [1, 2],
      [3, 4],
    ]);
    const d = await dir.file('dup.csv', 'a,b,a\n1,2,3\n');
    await assert.rejects(collect('csv', [d]), peregrine('PGN_ERR_SCHEMA_MISMATCH', `${d}:1`, /appears twice/));
  } finally {
    await dir.remove();
  }
});

test('csv: later files follow the first file typing; a model schema overrides the sniffing', async () => {
  const dir = await tmpDir();
  try {
    const a = await dir.file('a.csv', 'kind,v,label\nx,1,0\n');
    const b = await dir.file('b.csv', 'kind,v,label\n7,2,1\n');
    const both = await collect('csv', [a, b]);
    assert.deepEqual(both.reader.schema.categoricalNames, ['kind']);
    assert.deepEqual(both.batches[1].categorical[0], ['7']);
    const scored = await collect('csv', [b], { expectSchema: both.reader.schema });
    assert.deepEqual(scored.batches[0].categorical[0], ['7']);
  } finally {
    await dir.remove();
  }
});
