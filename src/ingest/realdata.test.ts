/** Checks against the shared datasets; each test skips with a message when they are not on this machine. */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { sharedDatasets } from '../testing/paths.js';
import { collect } from './testing.js';

function dataset(...parts: string[]): string | null {
  const root = sharedDatasets();
  if (!root) return null;
  const p = join(root, ...parts);
  return existsSync(p) ? p : null;
}

const BENIGN = ['k8s-flows', 'background_traffic_20230319T1802.pcap_Flow.first70pct.csv'];

test('real data: k8s-flows benign file', async (t) => {
  const f = dataset(...BENIGN);
  if (!f) return t.skip('shared datasets not found (set PEREGRINE_DATASETS)');
  const c = await collect('cicflowmeter', [f]);
  const s = c.reader.schema;
  assert.equal(c.rows, 3707);
  assert.deepEqual(c.reader.stats.classCounts, { benign: 3707 });
  assert.equal(c.reader.stats.nonFinite['Flow Bytes/s'], 3);
  assert.equal(c.reader.stats.rowsSkipped, 0);
  for (const id of ['Flow ID', 'Src IP', 'Dst IP', 'Timestamp', 'Src Port', 'Dst Port']) {
    assert.ok(s.idNames.includes(id), id);
    assert.ok(!s.numericNames.includes(id), id);
  }
  assert.equal(s.numericNames.length, 80);
  assert.equal(s.labelName, 'Label');
  // Chunk boundaries do not change a single value.
  const small = await collect('cicflowmeter', [f], { highWaterMark: 4093, batchRows: 1000 });
  assert.deepEqual(small.numeric, c.numeric);
});

test('real data: the k8s-flows folder (all scenarios) shares one schema', async (t) => {
  const f = dataset('k8s-flows');
  if (!f) return t.skip('shared datasets not found (set PEREGRINE_DATASETS)');
  const c = await collect('cicflowmeter', [f]);
  assert.equal(c.reader.stats.files, 6);
  assert.equal(c.rows, 3707 + 56 + 2475 + 168 + 163 + 36);
  assert.deepEqual(c.reader.stats.classCounts, { benign: 3707, '1': 56, '2': 2475, '3': 168, '4': 163, '5': 36 });
});

test('real data: NSL-KDD KDDTest+', async (t) => {
  const f = dataset('nsl-kdd', 'KDDTest+.txt');
  if (!f) return t.skip('shared datasets not found (set PEREGRINE_DATASETS)');
  const c = await collect('nslkdd', [f]);
  assert.equal(c.rows, 22544);
  assert.equal(c.reader.stats.classCounts.benign, 9711);
  assert.equal(c.labels.filter((l) => l === 1).length, 12833);
  assert.equal(c.reader.stats.rowsSkipped, 0);
  const protocols = new Set(c.batches.flatMap((b) => b.categorical[0]));
  assert.deepEqual([...protocols].sort(), ['icmp', 'tcp', 'udp']);
});
