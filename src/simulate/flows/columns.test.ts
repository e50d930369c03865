import { test } from 'node:test';
import assert from 'node:assert/strict';
import { open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { sharedDatasets } from '../../testing/paths.js';
import { CICFLOWMETER_V4_COLUMNS, COLUMN_SPECS } from './columns.js';
import { CSV_HEADER } from './csv.js';

async function firstLine(path: string): Promise<string> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(4096);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    return buf.subarray(0, bytesRead).toString('utf8').split(/\r?\n/)[0];
  } finally {
    await fh.close();
  }
}

test('87 columns in CICFlowMeter-V4 order, Label last, names and fields unique', () => {
  assert.equal(CICFLOWMETER_V4_COLUMNS.length, 87);
  assert.equal(CICFLOWMETER_V4_COLUMNS[0], 'Flow ID');
  assert.equal(CICFLOWMETER_V4_COLUMNS[6], 'Timestamp');
  assert.equal(CICFLOWMETER_V4_COLUMNS[9], 'Total Bwd packets');
  assert.equal(CICFLOWMETER_V4_COLUMNS[73], 'FWD Init Win Bytes');
  assert.equal(CICFLOWMETER_V4_COLUMNS[85], 'Total TCP Flow Time');
  assert.equal(CICFLOWMETER_V4_COLUMNS[86], 'Label');
  assert.equal(new Set(CICFLOWMETER_V4_COLUMNS).size, 87);
  assert.equal(new Set(COLUMN_SPECS.map((c) => c[1])).size, 87);
  assert.equal(CSV_HEADER, CICFLOWMETER_V4_COLUMNS.join(','));
});

test('header equals the header of every real k8s-flows file', async (t) => {
  const shared = sharedDatasets();
  if (!shared) {
    t.skip('shared datasets not available');
    return;
  }
  const dir = join(shared, 'k8s-flows');
  const files = (await readdir(dir)).filter((f) => f.endsWith('.csv'));
  assert.ok(files.length > 0, 'no CSV files in k8s-flows');
  for (const f of files) assert.equal(await firstLine(join(dir, f)), CSV_HEADER, f);
});
