import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixture } from '../testing/paths.js';
import { assertError, cli } from './testing.js';

const fixtureCsv = fixture('ingest', 'generic.csv');

test('--trainer passes through as the detector parameter `trainer`: detectors without one reject it by name', async () => {
  const r = await cli(['train', '--format', 'csv', '--data', fixtureCsv, '--detector', 'iforest', '--trainer', 'maml', '--out', '/nonexistent/never.json']);
  assert.match(assertError(r, 2, 'PGN_ERR_BAD_PARAM', 'iforest.trainer'), /trainer/);
  const bad = await cli(['train', '--format', 'csv', '--data', fixtureCsv, '--detector', 'hybrid', '--trainer', 'sgd', '--out', '/nonexistent/never.json']);
  assert.equal(bad.code, 2);
});
