/**
 * Detection on the real LID-DS 2021 sample with the stability monitor's default (hysteresis) rule and the paper's:
 * trained on the intervals before the exploit, both must flag the post-exploit intervals the same way. Skips when
 * ../shared/datasets is absent.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { summarizeInputs } from '../features/summarizers/syscall/run.js';
import { sharedDatasets } from '../testing/paths.js';
import { StabilityMonitor } from './stability.js';

const shared = sharedDatasets();
const sc = shared ? join(shared, 'lid-ds-sample', 'aggressive_nightingale_1018.sc') : '';

test('LID-DS sample: post-exploit intervals are flagged with the default rule as with the paper rule', { skip: !shared || !existsSync(sc) ? 'needs ../shared/datasets/lid-ds-sample' : false }, async (t) => {
  // as bench/results.ts: 1-s intervals (the recording is short), the paper's VAE, 500 epochs on the tiny set
  const res = await summarizeInputs('lidds', [sc], { onBadRow: 'skip' }, { intervalSeconds: 1, groupBy: 'image' });
  const vs = res.vectors.filter((v) => v.eventCount > 0).sort((a, b) => a.intervalStart - b.intervalStart);
  const normal = vs.filter((v) => v.label === 0).length;
  assert.ok(normal >= 2 && vs.slice(0, normal).every((v) => v.label === 0), 'normal intervals come first');
  const opts = { vectorsToTrain: normal, epochs: 500, vae: { batchSize: 4 }, k: 3, seed: 1 };
  const flags = (alarm: 'paper' | 'hysteresis'): string =>
    new StabilityMonitor({ ...opts, alarm })
      .assess(vs)
      .slice(normal)
      .map((a) => (a.verdict.unstable ? 'U' : 'S'))
      .join('');
  const paper = flags('paper');
  const hysteresis = flags('hysteresis');
  t.diagnostic(`post-exploit intervals: paper ${paper}, hysteresis ${hysteresis}`);
  assert.ok(paper.startsWith('U'), `the exploit interval is flagged (paper): ${paper}`);
  assert.equal(hysteresis, paper, 'the default flags the same post-exploit intervals');
});
