import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixture } from '../../testing/paths.js';
import { collect, column, peregrine, tmpDir } from '../testing.js';
import { NSLKDD_FEATURES } from './index.js';

const kdd = fixture('ingest', 'nslkdd.txt');
const kdd42 = fixture('ingest', 'nslkdd-42.txt');

test('nslkdd: 38 numeric + 3 categorical columns, labels, difficulty as an identifier, 1-based lines', async () => {
  const c = await collect('nslkdd', [kdd]);
  const s = c.reader.schema;
  assert.equal(s.numericNames.length, 38);
  assert.deepEqual(s.categoricalNames, ['protocol_type', 'service', 'flag']);
  assert.deepEqual(s.idNames, ['difficulty']);
  assert.equal(s.labelName, 'label');
  assert.equal(s.numericNames[0], 'duration');
  assert.equal(s.numericNames.at(-1), NSLKDD_FEATURES.at(-1));
  assert.equal(c.rows, 5);
  assert.deepEqual(c.lines, [1, 2, 3, 4, 5]);
  assert.deepEqual(c.labels, [0, 0, 1, 1, 1]);
  assert.deepEqual(c.classes, ['benign', 'benign', 'neptune', 'smurf', 'guess_passwd']);
  const b = c.batches[0];
  assert.deepEqual(b.categorical[0], ['tcp', 'udp', 'tcp', 'icmp', 'tcp']);
  assert.deepEqual(b.categorical[1], ['http', 'private', 'private', 'ecr_i', 'ftp_data']);
  assert.deepEqual(b.categorical[2], ['SF', 'SF', 'S0', 'SF', 'REJ']);
  assert.deepEqual(b.ids[0], ['21', '18', '19', '16', '7']);
  assert.deepEqual(column(c, 'src_bytes'), [215, 105, 0, 1032, 0]);
  assert.deepEqual(column(c, 'dst_host_srv_rerror_rate'), [0, 0, 0, 0, 1]);
  assert.deepEqual(c.reader.stats.classCounts, { benign: 2, neptune: 1, smurf: 1, guess_passwd: 1 });
});

test('nslkdd: files without the difficulty column read the same features', async () => {
  const a = await collect('nslkdd', [kdd]);
  const b = await collect('nslkdd', [kdd42]);
  assert.deepEqual(b.reader.schema, a.reader.schema);
  assert.deepEqual(b.numeric, a.numeric);
  assert.deepEqual(b.batches[0].ids[0], ['', '', '', '', '']);
  // Both kinds of file can be read together.
  const both = await collect('nslkdd', [kdd, kdd42]);
  assert.equal(both.rows, 10);
});

test('nslkdd: wrong field counts and non-numeric cells are bad rows with their line', async () => {
  const dir = await tmpDir();
  try {
    const good = '0,tcp,http,SF,1,2,0,0,0,0,0,1,0,0,0,0,0,0,0,0,0,0,1,1,0,0,0,0,1,0,0,9,9,1,0,0,0,0,0,0,0,normal,21';
    const f = await dir.file('k.txt', [good, 'only,three,fields', good.replace('SF,1,', 'SF,x1,'), good].join('\n'));
    await assert.rejects(collect('nslkdd', [f]), peregrine('PGN_ERR_BAD_ROW', `${f}:2`, /expected 43 fields, found 3/));
    const c = await collect('nslkdd', [f], { onBadRow: 'skip' });
    assert.equal(c.rows, 2);
    assert.deepEqual(c.lines, [1, 4]);
    assert.deepEqual(
      c.reader.stats.badRows.map((b) => [b.line, b.reason]),
      [
        [2, 'expected 43 fields, found 3'],
        [3, 'column "src_bytes" has non-numeric value "x1"'],
      ],
    );
  } finally {
    await dir.remove();
  }
});
