import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { fixture } from '../testing/paths.js';
import { FORMATS, detectFormat, emptyStats, expandPaths, openTabular } from './index.js';
import { collect, peregrine, tmpDir } from './testing.js';

const HEADER = 'Flow ID,Flow Duration,Flow Bytes/s,Label';

test('open: edge-case files (BOM, CRLF, quotes) read like the plain file', async () => {
  const dir = await tmpDir();
  try {
    const plain = await dir.file('plain.csv', `${HEADER}\na,1,2.5,0\nb,3,Infinity,DoS\n`);
    const fancy = await dir.file('fancy.csv', `\uFEFF${HEADER}\r\n"a",1,"2.5",0\r\n"b",3,Infinity,"DoS"\r\n`);
    const a = await collect('cicflowmeter', [plain]);
    const b = await collect('cicflowmeter', [fancy]);
    assert.deepEqual(b.reader.schema, a.reader.schema);
    assert.deepEqual(b.numeric, a.numeric);
    assert.deepEqual(b.classes, ['benign', 'DoS']);
    assert.deepEqual(b.batches[0].ids, [['a', 'b']]);
  } finally {
    await dir.remove();
  }
});

test('open: rows straddling chunk boundaries read identically for tiny read sizes and batch sizes', async () => {
  const files = [fixture('ingest', 'cic-v4.csv'), fixture('ingest', 'cic-ids2017-traffic.csv'), fixture('ingest', 'generic.csv')];
  for (const f of files) {
    const format = f.endsWith('generic.csv') ? 'csv' : 'cicflowmeter';
    const ref = await collect(format, [f]);
    for (const highWaterMark of [1, 7, 64, 333]) {
      const small = await collect(format, [f], { highWaterMark, batchRows: 2 });
      assert.deepEqual(small.numeric, ref.numeric, `${f} hwm ${highWaterMark}`);
      assert.deepEqual(small.lines, ref.lines);
      assert.deepEqual(small.batches.flatMap((x) => x.ids[0] ?? []), ref.batches.flatMap((x) => x.ids[0] ?? []));
      assert.ok(small.batches.every((x) => x.rows <= 2));
    }
  }
});

test('open: a 100k-character field fails, is skipped, or is accepted under a raised limit', async () => {
  const dir = await tmpDir();
  try {
    const f = await dir.file('long.csv', `${HEADER}\na,1,2,0\n${'x'.repeat(100_000)},1,2,0\nc,5,6,0\n`);
    await assert.rejects(
      collect('cicflowmeter', [f], { maxFieldBytes: 65536 }),
      peregrine('PGN_ERR_FIELD_TOO_LONG', `${f}:3`, /field 1 is longer than the 65536-byte limit/),
    );
    const skipped = await collect('cicflowmeter', [f], { maxFieldBytes: 65536, onBadRow: 'skip', highWaterMark: 4096 });
    assert.equal(skipped.rows, 2);
    assert.deepEqual(skipped.lines, [2, 4]);
    assert.equal(skipped.reader.stats.rowsSkipped, 1);
    assert.equal(skipped.reader.stats.badRows[0].line, 3);
    const raised = await collect('cicflowmeter', [f], { maxFieldBytes: 200_000, highWaterMark: 4096 });
    assert.equal(raised.rows, 3);
    assert.equal(raised.batches[0].ids[0][1].length, 100_000);
  } finally {
    await dir.remove();
  }
});

test('open: bad rows fail with file:line and a hint, or are counted and the first ones kept', async () => {
  const dir = await tmpDir();
  try {
    const body = ['a,1,2,0', 'b,1,2', 'c,1,abc,0', 'd,1,2, ', 'e,1,NaN,Foo', 'f,1,,BENIGN', 'g,1,-inf,normal'];
    const f = await dir.file('bad.csv', `${HEADER}\n${body.join('\n')}\n`);
    await assert.rejects(collect('cicflowmeter', [f]), (e: unknown) => {
      peregrine('PGN_ERR_BAD_ROW', `${f}:3`, /expected 4 fields, found 3/)(e);
      assert.match((e as Error & { hint: string }).hint, /--on-bad-row skip/);
      return true;
    });
    const stats = emptyStats();
    const c = await collect('cicflowmeter', [f], { onBadRow: 'skip', stats, maxBadRowsKept: 2 });
    assert.equal(c.reader.stats, stats);
    assert.deepEqual(c.lines, [2, 6, 7, 8]);
    assert.deepEqual(c.classes, ['benign', 'Foo', 'benign', 'benign']);
    assert.equal(stats.rowsRead, 4);
    assert.equal(stats.rowsSkipped, 3);
    assert.deepEqual(stats.badRows, [
      { file: f, line: 3, reason: 'expected 4 fields, found 3' },
      { file: f, line: 4, reason: 'column "Flow Bytes/s" has non-numeric value "abc"' },
    ]);
    assert.deepEqual(stats.nonFinite, { 'Flow Bytes/s': 3 });
    assert.deepEqual(stats.classCounts, { benign: 3, Foo: 1 });
    const withBenign = await collect('cicflowmeter', [f], { onBadRow: 'skip', benignLabels: ['foo'] });
    assert.deepEqual(withBenign.labels, [0, 0, 0, 0]);
    // The empty label is reported as such.
    const only = await dir.file('empty-label.csv', `${HEADER}\na,1,2,\n`);
    await assert.rejects(collect('cicflowmeter', [only]), peregrine('PGN_ERR_BAD_ROW', `${only}:2`, /empty label/));
  } finally {
    await dir.remove();
  }
});

test('open: empty files, header-only files, missing paths and empty folders are named', async () => {
  const dir = await tmpDir();
  try {
    const empty = await dir.file('empty.csv', '');
    const headerOnly = await dir.file('header.csv', `${HEADER}\r\n\r\n`);
    await assert.rejects(collect('cicflowmeter', [empty]), peregrine('PGN_ERR_EMPTY_INPUT', empty, /empty file/));
    await assert.rejects(collect('cicflowmeter', [headerOnly]), peregrine('PGN_ERR_EMPTY_INPUT', headerOnly, /header only: no data rows/));
    await assert.rejects(collect('nslkdd', [empty]), peregrine('PGN_ERR_EMPTY_INPUT', empty));
    const missing = join(dir.path, 'nope.csv');
    await assert.rejects(collect('cicflowmeter', [missing]), peregrine('PGN_ERR_FILE_NOT_FOUND', missing));
    await mkdir(join(dir.path, 'void', 'deeper'), { recursive: true });
    await dir.file('void/readme.md', 'x');
    await assert.rejects(collect('csv', [join(dir.path, 'void')]), peregrine('PGN_ERR_EMPTY_INPUT', join(dir.path, 'void')));
    await assert.rejects(openTabular('parquet' as 'csv', [empty], { onBadRow: 'fail' }), peregrine('PGN_ERR_UNKNOWN_COMPONENT'));
    await assert.rejects(collect('csv', [], {}), peregrine('PGN_ERR_USAGE'));
    await assert.rejects(collect('csv', [headerOnly], { batchRows: 0 }), peregrine('PGN_ERR_BAD_PARAM', 'batchRows'));
  } finally {
    await dir.remove();
  }
});

test('open: folders expand recursively, sorted, .csv/.txt only, hidden files skipped', async () => {
  const folder = fixture('ingest', 'folder');
  const files = await expandPaths([folder], ['.csv', '.txt']);
  assert.deepEqual(files, [join(folder, 'a.csv'), join(folder, 'b.csv'), join(folder, 'sub', 'c.txt')]);
  const c = await collect('csv', [folder]);
  assert.deepEqual(c.numeric, [
    [1, 2],
    [3, 4],
    [5, 6],
  ]);
  assert.deepEqual(c.batches.map((b) => b.file), files);
  assert.equal(c.reader.stats.files, 3);
  assert.deepEqual(c.classes, ['benign', 'benign', 'x']);
});

test('open: files with different columns fail with the file and the differing columns', async () => {
  const dir = await tmpDir();
  try {
    const a = await dir.file('a.csv', `${HEADER}\nx,1,2,0\n`);
    const b = await dir.file('b.csv', 'Flow ID,Flow Duration,Flow Packets/s,Label\nx,1,2,0\n');
    const reordered = await dir.file('c.csv', 'Label,Flow Bytes/s,Flow ID,Flow Duration\n0,20,y,10\n');
    await assert.rejects(
      collect('cicflowmeter', [a, b]),
      peregrine('PGN_ERR_SCHEMA_MISMATCH', b, /columns differ from .*a\.csv: missing "Flow Bytes\/s"; extra "Flow Packets\/s"/),
    );
    const ok = await collect('cicflowmeter', [a, reordered]);
    assert.deepEqual(ok.numeric, [
      [1, 2],
      [10, 20],
    ]);
  } finally {
    await dir.remove();
  }
});

test('open: expectSchema reorders columns and names at most five missing ones', async () => {
  const dir = await tmpDir();
  try {
    const train = await dir.file('train.csv', 'id,a,b,c,d,e,f,g,label\nr1,1,2,3,4,5,6,7,0\n');
    const model = (await collect('csv', [train], { idColumns: ['id'] })).reader.schema;
    const shuffled = await dir.file('s.csv', 'G,label,f,e,d,c,b,a,extra,id\n70,1,60,50,40,30,20,10,99,r9\n'.replace('G', 'g'));
    const c = await collect('csv', [shuffled], { idColumns: ['id'], expectSchema: model });
    assert.deepEqual(c.reader.schema.numericNames, ['a', 'b', 'c', 'd', 'e', 'f', 'g']);
    assert.deepEqual(c.numeric, [[10, 20, 30, 40, 50, 60, 70]]);
    assert.deepEqual(c.batches[0].ids, [['r9']]);
    assert.deepEqual(c.reader.schema.ignoredNames, ['extra']);
    const thin = await dir.file('thin.csv', 'a,label\n1,0\n');
    await assert.rejects(
      collect('csv', [thin], { expectSchema: model }),
      peregrine('PGN_ERR_MODEL_SCHEMA', thin, /lacks 6 column\(s\) the model was trained on: "b", "c", "d", "e", "f" and 1 more$/),
    );
    // Identifiers the model knew but the file lacks read as empty strings.
    const noId = await dir.file('noid.csv', 'a,b,c,d,e,f,g\n1,2,3,4,5,6,7\n');
    const n = await collect('csv', [noId], { expectSchema: model });
    assert.deepEqual(n.batches[0].ids, [['']]);
    assert.deepEqual(n.labels, [-1]);
  } finally {
    await dir.remove();
  }
});

test('open: breaking out early closes the file; progress and batch sizes are reported', async (t) => {
  if (!existsSync('/proc/self/fd')) return t.skip('needs /proc/self/fd to count open files');
  const fds = (): number => readdirSync('/proc/self/fd').length;
  const f = fixture('ingest', 'cic-v4.csv');
  const before = fds();
  const progress: [number, number][] = [];
  const reader = await openTabular('cicflowmeter', [f, f], { onBadRow: 'fail', batchRows: 1, highWaterMark: 512, onProgress: (a, b) => progress.push([a, b]) });
  for await (const b of reader.batches()) {
    assert.equal(b.rows, 1);
    break;
  }
  assert.equal(fds(), before);
  assert.ok(progress.length > 0);
  const total = progress[0][1];
  assert.ok(progress.every(([done, t]) => t === total && done <= total));
  // A read that throws also closes its file.
  const dir = await tmpDir();
  try {
    const bad = await dir.file('bad.csv', `${HEADER}\na,1,2,0\nb,zz,2,0\n`);
    const r = await openTabular('cicflowmeter', [bad], { onBadRow: 'fail' });
    await assert.rejects(async () => {
      for await (const _ of r.batches()) void _;
    }, peregrine('PGN_ERR_BAD_ROW', `${bad}:3`));
    assert.equal(fds(), before);
  } finally {
    await dir.remove();
  }
});

test('detectFormat: header sniffing', async () => {
  assert.deepEqual([...FORMATS], ['cicflowmeter', 'nslkdd', 'csv']);
  assert.equal(await detectFormat(fixture('ingest', 'cic-v4.csv')), 'cicflowmeter');
  assert.equal(await detectFormat(fixture('ingest', 'cic-ids2017.csv')), 'cicflowmeter');
  assert.equal(await detectFormat(fixture('ingest', 'nslkdd.txt')), 'nslkdd');
  assert.equal(await detectFormat(fixture('ingest', 'nslkdd-42.txt')), 'nslkdd');
  assert.equal(await detectFormat(fixture('ingest', 'generic.csv')), 'csv');
  assert.equal(await detectFormat(fixture('ingest', 'folder')), 'csv');
});
