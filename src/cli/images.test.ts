import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { PNG_SIGNATURE } from '../features/imaging/index.js';
import { assertError, assertOk, cli, smallDemo, tempDir } from './testing.js';

const tmp = tempDir();
after(() => tmp.cleanup());

test('peregrine images writes N upscaled PNG images per class and an index.html grid', async () => {
  const demo = await smallDemo(tmp.dir);
  const out = join(tmp.dir, 'images');
  const r = assertOk(await cli(['images', '--format', 'cicflowmeter', '--data', demo.testPath, '--per-class', '2', '--seed', '1', '--out', out, '--quiet']));
  assert.match(r.stdout, /^wrote \d+ images \(benign 2, /);
  const files = readdirSync(out);
  assert.ok(files.includes('index.html'));
  assert.ok(files.includes('benign-0.png') && files.includes('benign-1.png') && !files.includes('benign-2.png'), files.join(' '));
  const classes = new Set(files.filter((f) => f.endsWith('.png')).map((f) => f.replace(/-\d+\.png$/, '')));
  assert.ok(classes.size >= 3, [...classes].join(' '));
  const png = readFileSync(join(out, 'benign-0.png'));
  assert.deepEqual(Uint8Array.from(png.subarray(0, 8)), PNG_SIGNATURE);
  assert.equal(png.readUInt32BE(16), 256, '32 px upscaled 8x');
  const html = readFileSync(join(out, 'index.html'), 'utf8');
  assert.match(html, /<h2>benign <small>\(2\)<\/small><\/h2>/);
  for (const c of classes) assert.ok(html.includes(`src="${c}-0.png"`), c);
  // Same seed, same sample.
  const again = join(tmp.dir, 'again');
  assertOk(await cli(['images', '--format', 'cicflowmeter', '--data', demo.testPath, '--per-class', '2', '--seed', '1', '--out', again, '--quiet']));
  assert.deepEqual(readFileSync(join(again, 'benign-1.png')), readFileSync(join(out, 'benign-1.png')));
});

test('peregrine images validates --per-class', async () => {
  const r = await cli(['images', '--format', 'cicflowmeter', '--data', 'x.csv', '--per-class', '0', '--out', join(tmp.dir, 'never')]);
  assertError(r, 2, 'PGN_ERR_USAGE', '--per-class');
  assert.ok(!existsSync(join(tmp.dir, 'never')));
});
