import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PeregrineError } from '../core/errors.js';
import { SyscallSummarizer, type ActivityVector } from '../features/summarizers/index.js';
import { generateEvents } from '../simulate/events/index.js';
import { getTf } from '../training/tf/runtime.js';
import { DirectoryModelRegistry, MemoryModelRegistry, groupSlug } from './registry.js';
import { StabilityMonitor } from './stability.js';

/** Activity vectors of generated nginx containers (two images when `images` = 2), 10-s intervals. */
function vectors(seconds: number, containers = 2, images = 1, seed = 1): ActivityVector[] {
  const s = new SyscallSummarizer({ intervalSeconds: 10 });
  const out: ActivityVector[] = [];
  for (const part of generateEvents({ seed, containers, images, rate: 150, durationSeconds: seconds })) out.push(...s.push(part));
  out.push(...s.flush());
  return out;
}

const ALL = vectors(120, 2, 2); // 24 vectors, 12 per group
const FAST = { epochs: 4, vectorsToTrain: 5, seed: 1 };

function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'pgn-registry-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

test('state machine: learning until N vectors, train and store, then every vector is judged', () => {
  const reg = new MemoryModelRegistry();
  const mon = new StabilityMonitor(FAST, reg);
  const group = ALL[0].group;
  const mine = ALL.filter((v) => v.group === group);
  const first = mon.assess(mine.slice(0, 4));
  assert.ok(first.every((a) => a.phase === 'learning' && Number.isNaN(a.verdict.score) && !a.verdict.unstable && a.trained === undefined));
  assert.equal(mon.remaining(group), 1);
  assert.equal(reg.get(group), undefined);
  // one batch crossing the boundary: the 5th completes training, the rest are judged by the new model
  const next = mon.assess(mine.slice(4, 8));
  assert.equal(next[0].phase, 'learning');
  assert.ok(next[0].trained);
  assert.equal(next[0].trained.version, 1);
  assert.equal(next[0].trained.vectors, 5);
  assert.equal(reg.get(group)?.version, 1);
  assert.equal(mon.phase(group), 'evaluating');
  const model = reg.get(group)?.detector;
  assert.ok(model);
  for (const a of next.slice(1)) {
    assert.equal(a.phase, 'evaluating');
    assert.ok(Number.isFinite(a.verdict.score) && a.verdict.score > 0);
    assert.equal(a.verdict.threshold, model.threshold(3), 'r_th = r_mean + 3 r_sd');
    assert.equal(a.verdict.unstable, a.verdict.score > a.verdict.threshold);
    assert.equal(a.verdict.latentMean?.length, 10);
    assert.ok(a.verdict.latentVar?.every((v) => v > 0));
    assert.equal(a.verdict.modelVersion, 'v1');
    assert.equal(a.verdict.intervalStart, a.vector.intervalStart / 1000, 'verdict times in ms');
    assert.equal(a.verdict.counts.events_total, undefined, 'events_total is the eventCount');
    assert.ok(a.vector.eventCount > 0 && a.verdict.eventCount === a.vector.eventCount);
    // the monitor scores in plain JavaScript (fast-vae.ts): the detector's TF.js score agrees to float32 rounding
    const tfScore = model.score({ data: a.vector.values, rows: 1, cols: a.vector.values.length })[0];
    assert.ok(Math.abs(a.verdict.score - tfScore) <= 1e-5 * tfScore, `js ${a.verdict.score} vs TF.js ${tfScore}`);
  }
  // the other group learns on its own
  const other = ALL.filter((v) => v.group !== group);
  assert.ok(mon.assess(other.slice(0, 3)).every((a) => a.phase === 'learning'));
  assert.equal(mon.phase(other[0].group), 'learning');
  assert.deepEqual(mon.stats().trainings, 1);
});

test('a new container (pod) of a group inherits the group model at once', () => {
  const mon = new StabilityMonitor(FAST);
  const group = ALL[0].group;
  mon.assess(ALL.filter((v) => v.group === group).slice(0, 5));
  const fresh = { ...ALL[ALL.length - 1], containerId: 'newpod000001', group };
  const [a] = mon.assess([fresh]);
  assert.equal(a.phase, 'evaluating');
  assert.ok(Number.isFinite(a.verdict.score));
});

test('k moves the threshold; counts option; bad VAE parameters fail at construction', () => {
  const group = ALL[0].group;
  const mine = ALL.filter((v) => v.group === group).slice(0, 6);
  const a = new StabilityMonitor({ ...FAST, k: 0 }).assess(mine)[5];
  const b = new StabilityMonitor({ ...FAST, k: 5, counts: 'nonzero' }).assess(mine)[5];
  assert.ok(b.verdict.threshold > a.verdict.threshold);
  assert.equal(a.verdict.score, b.verdict.score, 'same seed, same model');
  assert.ok(Object.keys(b.verdict.counts).length > Object.keys(a.verdict.counts).length);
  assert.ok(Object.keys(a.verdict.counts).every((k) => k.startsWith('class_') || ['exe_unseen', 'failed_total'].includes(k)));
  assert.ok(!Object.keys(b.verdict.counts).some((k) => k.startsWith('bigram_')));
  assert.throws(() => new StabilityMonitor({ vae: { latentDimm: 3 } }), (e: unknown) => e instanceof PeregrineError && e.code === 'PGN_ERR_BAD_PARAM');
  assert.throws(() => new StabilityMonitor({ vectorsToTrain: 1 }), (e: unknown) => e instanceof PeregrineError && e.code === 'PGN_ERR_BAD_PARAM');
});

test('registry on disk: a restart keeps the models and the same scores; versions grow; old versions pruned', () => {
  const { dir, cleanup } = tempDir();
  try {
    const group = ALL[0].group;
    const mine = ALL.filter((v) => v.group === group);
    const mon = new StabilityMonitor(FAST, new DirectoryModelRegistry(dir));
    const before = mon.assess(mine).slice(5).map((a) => a.verdict.score);
    const files = readdirSync(dir);
    assert.deepEqual(files, [`${groupSlug(group)}.v1.model.json`]);
    assert.ok(!files.some((f) => f.includes('.tmp-')), 'no temporary file left');
    // restart: the group is judged at once, with the same model
    const again = new StabilityMonitor(FAST, new DirectoryModelRegistry(dir));
    const loaded = again.start();
    assert.equal(loaded.length, 1);
    assert.equal(again.phase(group), 'evaluating');
    const after = again.assess(mine.slice(5)).map((a) => a.verdict.score);
    assert.deepEqual(after, before);
    // new versions never overwrite; only the newest keepVersions are kept
    const reg = new DirectoryModelRegistry(dir, { keepVersions: 2 });
    const det = reg.get(group)?.detector;
    assert.ok(det);
    assert.equal(reg.put(group, det, { vectors: 5, containers: 1, trainSeconds: 0 }).version, 2);
    assert.equal(reg.put(group, det, { vectors: 5, containers: 1, trainSeconds: 0 }).version, 3);
    assert.deepEqual(readdirSync(dir).sort(), [`${groupSlug(group)}.v2.model.json`, `${groupSlug(group)}.v3.model.json`]);
    // group names of any shape map to safe, distinct file names
    assert.notEqual(groupSlug('registry.example/a/b'), groupSlug('registry.example/a_b'));
    assert.match(groupSlug('../../etc/x:y'), /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/);
  } finally {
    cleanup();
  }
});

test('registry on disk: a corrupted or partial newest version is detected and the last good one used', () => {
  const { dir, cleanup } = tempDir();
  try {
    const group = ALL[0].group;
    const mine = ALL.filter((v) => v.group === group);
    const reg = new DirectoryModelRegistry(dir);
    new StabilityMonitor(FAST, reg).assess(mine.slice(0, 5));
    const v1 = reg.get(group);
    assert.ok(v1?.file);
    const v2 = reg.put(group, v1.detector, { vectors: 5, containers: 1, trainSeconds: 0 });
    const v3 = reg.put(group, v1.detector, { vectors: 5, containers: 1, trainSeconds: 0 });
    // v3 torn mid-write (a crash without the atomic rename), v2 edited (checksum no longer matches)
    const text3 = readFileSync(v3.file as string, 'utf8');
    writeFileSync(v3.file as string, text3.slice(0, Math.floor(text3.length / 2)));
    writeFileSync(v2.file as string, readFileSync(v2.file as string, 'utf8').replace('"vectors":5', '"vectors":6'));
    writeFileSync(join(dir, `${groupSlug(group)}.v4.model.json.tmp-123-abc`), '{"half":');
    const fresh = new DirectoryModelRegistry(dir);
    const models = fresh.load();
    assert.equal(models.length, 1);
    assert.equal(models[0].version, 1, 'the last good version');
    const problems = fresh.problems();
    assert.equal(problems.length, 2);
    assert.match(problems.find((p) => p.file === v3.file)?.reason ?? '', /partial|unreadable/);
    assert.match(problems.find((p) => p.file === v2.file)?.reason ?? '', /checksum/);
    assert.ok(!readdirSync(dir).some((f) => f.includes('.tmp-')), 'stale temporary file removed');
    // judged with v1; a new version goes above the bad ones instead of overwriting them
    const mon = new StabilityMonitor(FAST, fresh);
    assert.equal(mon.assess(mine.slice(5, 6))[0].verdict.modelVersion, 'v1');
    assert.equal(fresh.put(group, v1.detector, { vectors: 5, containers: 1, trainSeconds: 0 }).version, 4);
    assert.ok(readdirSync(dir).includes(`${groupSlug(group)}.v3.model.json`), 'bad files are kept for inspection');
  } finally {
    cleanup();
  }
});

test('inference js (default) and tfjs: the same scores and latent statistics up to float32 rounding', () => {
  const group = ALL[0].group;
  const mine = ALL.filter((v) => v.group === group);
  const js = new StabilityMonitor(FAST).assess(mine).slice(5);
  const tf = new StabilityMonitor({ ...FAST, inference: 'tfjs', latentDigits: 17 }).assess(mine).slice(5);
  const jsFull = new StabilityMonitor({ ...FAST, latentDigits: 17 }).assess(mine).slice(5);
  assert.ok(js.length > 3);
  js.forEach((a, i) => {
    const b = tf[i];
    assert.ok(Math.abs(a.verdict.score - b.verdict.score) <= 1e-5 * b.verdict.score, `score ${a.verdict.score} vs ${b.verdict.score}`);
    assert.equal(a.verdict.threshold, b.verdict.threshold);
    assert.equal(a.verdict.unstable, b.verdict.unstable);
    const close = (x: number[] | undefined, y: number[] | undefined) => x?.every((v, k) => Math.abs(v - (y?.[k] ?? NaN)) <= 1e-4 * Math.max(1, Math.abs(v)));
    assert.ok(close(jsFull[i].verdict.latentMean, b.verdict.latentMean), 'latent mean');
    assert.ok(close(jsFull[i].verdict.latentVar, b.verdict.latentVar), 'latent variance');
  });
  // score 'probability' has no JavaScript path: the detector scores
  const prob = new StabilityMonitor({ ...FAST, vae: { score: 'probability', samples: 2 } }).assess(mine).slice(5);
  assert.ok(prob.every((a) => Number.isFinite(a.verdict.score)));
});

test('no TF.js tensor leaks across training and judging', () => {
  const tf = getTf();
  const before = tf.memory().numTensors;
  new StabilityMonitor(FAST).assess(ALL);
  assert.equal(tf.memory().numTensors, before);
});

test('hot swap: reload() picks up models another process wrote to the registry folder, from the next vector on', () => {
  const { dir, cleanup } = tempDir();
  try {
    const group = ALL[0].group;
    const mine = ALL.filter((v) => v.group === group);
    // the serving monitor starts with an empty registry: learning
    const serving = new StabilityMonitor({ ...FAST, vectorsToTrain: 50 }, new DirectoryModelRegistry(dir));
    assert.ok(serving.assess(mine.slice(0, 2)).every((a) => a.phase === 'learning'));
    assert.deepEqual(serving.reload(), [], 'nothing stored yet: nothing changes');
    // another process trains v1 into the same folder
    const trainer = new StabilityMonitor(FAST, new DirectoryModelRegistry(dir));
    trainer.assess(mine.slice(0, 5));
    assert.deepEqual(serving.reload(), [{ group, version: 1, previous: null }]);
    const judged = serving.assess(mine.slice(5, 7));
    assert.ok(judged.every((a) => a.phase === 'evaluating' && a.verdict.modelVersion === 'v1'));
    // a retrained v2 replaces v1; reloading again without a change is a no-op
    const other = new DirectoryModelRegistry(dir);
    const v1 = other.get(group);
    assert.ok(v1);
    other.put(group, v1.detector, { vectors: 5, containers: 1, trainSeconds: 0 });
    assert.deepEqual(serving.reload(), [{ group, version: 2, previous: 1 }]);
    assert.deepEqual(serving.reload(), []);
    assert.ok(serving.assess(mine.slice(7, 9)).every((a) => a.verdict.modelVersion === 'v2'));
  } finally {
    cleanup();
  }
});
