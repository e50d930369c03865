/**
 * The SRI paper's Table 3 scenario, driven by generated events: nginx serving normally, then an exploited worker
 * spawns a shell, the attacker runs commands, downloads the miner's sources, compiles them and mines. The VAE of
 * the nginx group is trained on normal intervals only (the stability monitor's own training phase); the
 * reconstruction error must then rise by orders of magnitude through the stages, with a monotone (non-decreasing)
 * mean per stage. Small sizes so it runs in a few seconds: 10-s intervals, 300 syscalls/s, 30 epochs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SyscallSummarizer, type ActivityVector } from '../features/summarizers/index.js';
import { generateEvents, MINER_STAGES } from '../simulate/events/index.js';
import { StabilityMonitor, type Assessment } from './stability.js';

const INTERVAL = 10;
const TRAIN = 20;
const NORMAL_AFTER = 5;

function run(seed: number): { byStage: Map<string, Assessment[]>; all: Assessment[] } {
  const start = (TRAIN + NORMAL_AFTER) * INTERVAL;
  const summarizer = new SyscallSummarizer({ intervalSeconds: INTERVAL });
  const vectors: ActivityVector[] = [];
  const events = generateEvents({
    seed,
    rate: 300,
    durationSeconds: start + 7 * INTERVAL,
    attacks: [{ type: 'cryptominer', startSeconds: start, stageSeconds: INTERVAL }],
  });
  for (const part of events) vectors.push(...summarizer.push(part));
  vectors.push(...summarizer.flush());
  const monitor = new StabilityMonitor({ vectorsToTrain: TRAIN, epochs: 30, k: 3, seed });
  const all = monitor.assess(vectors);
  const byStage = new Map<string, Assessment[]>();
  for (const a of all) {
    if (a.phase !== 'evaluating') continue;
    const stage = a.vector.label === 1 ? a.vector.attackClass.replace('cryptominer:', '') : 'normal';
    byStage.set(stage, [...(byStage.get(stage) ?? []), a]);
  }
  return { byStage, all };
}

const mean = (xs: Assessment[]): number => xs.reduce((s, a) => s + a.verdict.score, 0) / xs.length;

for (const seed of [1, 2]) {
  test(`staged cryptominer (seed ${seed}): the reconstruction error rises by orders of magnitude, monotone by stage`, () => {
    const { byStage, all } = run(seed);
    assert.equal(all.filter((a) => a.phase === 'learning').length, TRAIN, 'trained on normal intervals only');
    assert.ok(all.slice(0, TRAIN).every((a) => a.vector.label === 0));
    const order = ['normal', ...MINER_STAGES];
    const means = order.map((s) => {
      const list = byStage.get(s);
      assert.ok(list && list.length > 0, `intervals of stage ${s}`);
      return mean(list);
    });
    const shown = order.map((s, i) => `${s} ${means[i].toExponential(2)}`).join(' -> ');
    for (let i = 1; i < means.length; i++) assert.ok(means[i] >= means[i - 1], `mean error not monotone: ${shown}`);
    assert.ok(means[means.length - 1] >= 1e4 * means[0], `mining only ${means[means.length - 1] / means[0]}x normal: ${shown}`);
    assert.ok(means[4] >= 100 * means[0], `compile vs normal: ${shown}`);
    // every attack interval is judged unstable; normal ones mostly stable
    for (const s of MINER_STAGES) for (const a of byStage.get(s) ?? []) assert.ok(a.verdict.unstable, `${s} interval judged stable: ${a.verdict.score} <= ${a.verdict.threshold}`);
    const normal = byStage.get('normal') ?? [];
    assert.ok(normal.filter((a) => a.verdict.unstable).length <= 1, `false alarms on normal intervals: ${normal.map((a) => a.verdict.score.toExponential(2)).join(', ')}`);
  });
}
