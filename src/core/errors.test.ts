import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ERROR_CATALOGUE, PeregrineError } from './errors.js';
import { repoRoot } from '../testing/paths.js';

test('every error code is documented in docs/errors.md with its exit code', () => {
  const doc = readFileSync(join(repoRoot(), 'docs', 'errors.md'), 'utf8');
  for (const [code, { exit }] of Object.entries(ERROR_CATALOGUE)) {
    const row = doc.split('\n').find((l) => l.startsWith(`| \`${code}\``));
    assert.ok(row, `${code} missing from docs/errors.md`);
    assert.ok(row.includes(`| ${exit} |`), `${code} documented with the wrong exit code`);
  }
});

test('oneLine has code, where, message and hint on a single line', () => {
  const e = new PeregrineError('PGN_ERR_BAD_ROW', 'expected 87 columns,\nfound 12', { where: 'a.csv:17', hint: 'fix the row' });
  assert.equal(e.oneLine(), 'PGN_ERR_BAD_ROW: a.csv:17: expected 87 columns, found 12 (fix the row)');
  assert.equal(e.exitCode, 3);
});
