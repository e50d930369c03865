import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { CICFLOWMETER_V4_COLUMNS } from './columns.js';
import { CSV_HEADER, flowToCsvRow, formatTimestamp, javaDouble, writeFlowsCsv } from './csv.js';
import { FlowStats } from './meter.js';

test('javaDouble prints like Java Double.toString', () => {
  const cases: [number, string][] = [
    [106, '106.0'],
    [0, '0.0'],
    [21.2, '21.2'],
    [24.399999999999995, '24.399999999999995'],
    [9999999, '9999999.0'],
    [1e7, '1.0E7'],
    [117265842, '1.17265842E8'],
    [21316326.530612245, '2.1316326530612245E7'],
    [0.001, '0.001'],
    [0.0001, '1.0E-4'],
    [0.40932589355096394, '0.40932589355096394'],
    [-2.5, '-2.5'],
    [NaN, 'NaN'],
    [Infinity, 'Infinity'],
  ];
  for (const [x, s] of cases) assert.equal(javaDouble(x), s, String(x));
});

test('timestamps have microseconds, UTC', () => {
  const us = Date.UTC(2023, 2, 19, 15, 2, 18) * 1000 + 745393;
  assert.equal(formatTimestamp(us), '2023-03-19 15:02:18.745393');
  assert.equal(formatTimestamp(us - 745393 + 12), '2023-03-19 15:02:18.000012');
});

test('a single-packet UDP flow prints Infinity, NaN and int zeros where the real files do', () => {
  const s = new FlowStats(1_700_000_000_000_000, true);
  s.add(1_700_000_000_000_000, true, 104, 0, 0, 8);
  const row = flowToCsvRow(s.toRecord({ ip: '10.16.0.5', port: 53 }, { ip: '192.0.2.9', port: 42652 }, 17, 0, '0')).split(',');
  const col = (name: string): string => row[CICFLOWMETER_V4_COLUMNS.indexOf(name)];
  assert.equal(row.length, 87);
  assert.equal(col('Flow ID'), '10.16.0.5-192.0.2.9-53-42652-17');
  assert.equal(col('Flow Duration'), '0');
  assert.equal(col('Total Length of Fwd Packet'), '104.0');
  assert.equal(col('Bwd Packet Length Max'), '0');
  assert.equal(col('Flow Bytes/s'), 'Infinity');
  assert.equal(col('Flow Packets/s'), 'Infinity');
  for (const c of ['Flow IAT Mean', 'Flow IAT Std', 'Flow IAT Max', 'Flow IAT Min']) assert.equal(col(c), 'NaN');
  assert.equal(col('Fwd IAT Total'), '0');
  assert.equal(col('Fwd Packets/s'), '0.0');
  assert.equal(col('Subflow Fwd Packets'), '1');
  assert.equal(col('Subflow Fwd Bytes'), '104');
  assert.equal(col('Active Mean'), '0');
  assert.equal(col('Total TCP Flow Time'), '0');
  assert.equal(col('Label'), '0');
});

test('writeFlowsCsv waits for drain on a slow writable and keeps every row', async () => {
  const chunks: string[] = [];
  let writes = 0;
  const slow = new Writable({
    highWaterMark: 1024,
    write(chunk, _enc, cb) {
      chunks.push(String(chunk));
      writes++;
      setImmediate(cb);
    },
  });
  function* flows() {
    for (let i = 0; i < 3000; i++) {
      const s = new FlowStats(1_700_000_000_000_000 + i, true);
      s.add(1_700_000_000_000_000 + i, true, 40, 0, 0, 8);
      s.add(1_700_000_000_000_100 + i, false, 90, 0, 0, 8);
      yield s.toRecord({ ip: '10.16.0.9', port: 40000 + i }, { ip: '10.16.0.2', port: 53 }, 17, 0, i % 3 === 0 ? 'portscan' : '0');
    }
  }
  const r = await writeFlowsCsv(flows(), slow);
  const lines = chunks.join('').trimEnd().split('\n');
  assert.equal(r.rows, 3000);
  assert.deepEqual(r.counts, { portscan: 1000, '0': 2000 });
  assert.equal(lines.length, 3001);
  assert.equal(lines[0], CSV_HEADER);
  assert.ok(writes > 1, 'output was written in chunks');
});
