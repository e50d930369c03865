import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixture } from '../../testing/paths.js';
import { collect, column, peregrine, tmpDir } from '../testing.js';
import { V4_COLUMNS, canonicalName } from './index.js';

const v4 = fixture('ingest', 'cic-v4.csv');
const ml2017 = fixture('ingest', 'cic-ids2017.csv');
const traffic2017 = fixture('ingest', 'cic-ids2017-traffic.csv');
const IDS = ['Flow ID', 'Src IP', 'Src Port', 'Dst IP', 'Dst Port', 'Timestamp'];

test('cicflowmeter V4: identifiers split off, label mapped, non-finite cells counted', async () => {
  const c = await collect('cicflowmeter', [v4]);
  const s = c.reader.schema;
  assert.equal(s.format, 'cicflowmeter');
  assert.deepEqual(s.idNames, IDS);
  assert.equal(s.labelName, 'Label');
  assert.equal(s.numericNames.length, 87 - IDS.length - 1);
  for (const id of IDS) assert.ok(!s.numericNames.includes(id));
  assert.equal(c.rows, 5);
  assert.deepEqual(c.labels, [0, 0, 0, 1, 1]);
  assert.deepEqual(c.classes, ['benign', 'benign', 'benign', '4', '4']);
  assert.deepEqual(c.lines, [2, 3, 4, 5, 6]);
  assert.deepEqual(c.reader.stats.classCounts, { benign: 3, '4': 2 });
  assert.deepEqual(c.reader.stats.nonFinite, {
    'Flow Bytes/s': 1, 'Flow Packets/s': 1, 'Flow IAT Mean': 1, 'Flow IAT Std': 1, 'Flow IAT Max': 1, 'Flow IAT Min': 1,
  });
  assert.ok(Number.isNaN(column(c, 'Flow Bytes/s')[2]));
  assert.equal(column(c, 'Protocol')[2], 17);
  const b = c.batches[0];
  assert.equal(b.ids[0][0], '10.0.0.10-10.1.0.20-40000-443-6');
  assert.equal(b.ids[s.idNames.indexOf('Dst Port')][1], '8080');
});

test('cicflowmeter: includePorts keeps ports as numeric features', async () => {
  const c = await collect('cicflowmeter', [v4], { includePorts: true });
  assert.deepEqual(c.reader.schema.idNames, ['Flow ID', 'Src IP', 'Dst IP', 'Timestamp']);
  assert.deepEqual(column(c, 'Dst Port'), [443, 8080, 53, 6443, 22]);
});

test('cicflowmeter: CIC-IDS2017 names (leading spaces, old spellings, .1 duplicate) map onto the V4 names', async () => {
  const old = await collect('cicflowmeter', [ml2017]);
  const s = old.reader.schema;
  assert.deepEqual(s.idNames, ['Dst Port']);
  assert.equal(s.labelName, 'Label');
  assert.deepEqual(s.ignoredNames, ['Fwd Header Length.1']);
  const v4Names = new Set<string>(V4_COLUMNS);
  for (const n of s.numericNames) assert.ok(v4Names.has(n), `${n} is not a V4 name`);
  const cur = await collect('cicflowmeter', [v4]);
  const onlyV4 = cur.reader.schema.numericNames.filter((n) => !s.numericNames.includes(n));
  // MachineLearningCSV has no Protocol column; V4 added the RST flags and the TCP flow time.
  assert.deepEqual(onlyV4, ['Protocol', 'Fwd RST Flags', 'Bwd RST Flags', 'Total TCP Flow Time']);
  assert.deepEqual(old.classes, ['benign', 'benign', 'benign', 'DoS Hulk', 'DoS Hulk']);
  // A model trained on the 2017 columns scores the V4 file: same columns, same order, same values.
  const scored = await collect('cicflowmeter', [v4], { expectSchema: s });
  assert.deepEqual(scored.reader.schema.numericNames, s.numericNames);
  assert.deepEqual(scored.numeric, old.numeric);
  assert.deepEqual(old.reader.stats.nonFinite, cur.reader.stats.nonFinite);
});

test('cicflowmeter: the CIC-IDS2017 TrafficLabelling layout (Source IP..., Fwd Header Length twice, CRLF)', async () => {
  const t = await collect('cicflowmeter', [traffic2017]);
  assert.deepEqual(t.reader.schema.idNames, ['Flow ID', 'Src IP', 'Src Port', 'Dst IP', 'Dst Port', 'Timestamp']);
  assert.equal(t.reader.schema.ignoredNames?.length, 1);
  assert.match(t.reader.schema.ignoredNames?.[0] ?? '', /^Fwd Header Length \(duplicate/);
  const old = await collect('cicflowmeter', [ml2017]);
  const sameOrder = await collect('cicflowmeter', [traffic2017], { expectSchema: old.reader.schema });
  assert.deepEqual(sameOrder.numeric, old.numeric);
  assert.equal(t.batches[0].ids[1][0], '10.0.0.10');
});

test('cicflowmeter: a model trained on V4 cannot silently score CIC-IDS2017 (missing columns are named)', async () => {
  const cur = await collect('cicflowmeter', [v4]);
  await assert.rejects(
    collect('cicflowmeter', [ml2017], { expectSchema: cur.reader.schema }),
    peregrine('PGN_ERR_MODEL_SCHEMA', ml2017, /lacks 4 column\(s\).*"Protocol", "Fwd RST Flags", "Bwd RST Flags", "Total TCP Flow Time"$/),
  );
});

test('cicflowmeter: canonicalName ignores case and spacing, keeps unknown names trimmed', () => {
  assert.equal(canonicalName('  init_win_bytes_FORWARD '), 'FWD Init Win Bytes');
  assert.equal(canonicalName('Tot  Fwd Pkts'), 'Total Fwd Packet');
  assert.equal(canonicalName(' Fwd Header Length.1'), null);
  assert.equal(canonicalName(' ICMP Code '), 'ICMP Code');
});

test('cicflowmeter: label-less files are unlabelled (-1), other headers are refused', async () => {
  const dir = await tmpDir();
  try {
    const f = await dir.file('nolabel.csv', 'Flow ID,Flow Duration,Total Fwd Packet\nx,10,2\ny,20,Infinity\n');
    const c = await collect('cicflowmeter', [f]);
    assert.equal(c.reader.schema.labelName, null);
    assert.deepEqual(c.labels, [-1, -1]);
    assert.deepEqual(c.classes, ['', '']);
    assert.deepEqual(c.reader.stats.classCounts, {});
    const pandas = await dir.file('pandas.csv', 'Unnamed: 0, Flow Duration,SimillarHTTP, Label\n0,10,/index.html,BENIGN\n');
    const p = await collect('cicflowmeter', [pandas]);
    assert.deepEqual(p.reader.schema.numericNames, ['Flow Duration']);
    assert.deepEqual(p.reader.schema.idNames, ['Unnamed: 0', 'SimillarHTTP']);
    const g = await dir.file('other.csv', 'a,b\n1,2\n');
    await assert.rejects(collect('cicflowmeter', [g]), peregrine('PGN_ERR_MISSING_COLUMN', `${g}:1`, /Flow Duration/));
  } finally {
    await dir.remove();
  }
});
