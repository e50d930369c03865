import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { encodeEvent } from '../ingest/events/index.js';
import { PeregrineError } from '../core/errors.js';
import { generateAllEvents } from '../simulate/events/index.js';
import { runReplay } from './replay.js';

const FAST = { intervalSeconds: 5, stability: { vectorsToTrain: 4, epochs: 3 } };
const stdinTemps = (): string[] => readdirSync(tmpdir()).filter((f) => f.startsWith('peregrine-replay-stdin-'));

test('replay from stdin (-): the same result as from a file, and the temporary copy is removed', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pgn-replay-test-'));
  try {
    const text = generateAllEvents({ seed: 5, rate: 40, durationSeconds: 40 }).map((e) => encodeEvent(e) + '\n').join('');
    const file = join(dir, 'events.ndjson');
    writeFileSync(file, text);
    const before = new Set(stdinTemps());
    const base = { format: 'ndjson', containers: 2, rate: 40, ...FAST };
    const fromFile = await runReplay({ ...base, files: [file] });
    const fromStdin = await runReplay({ ...base, files: ['-'], stdin: Readable.from([text.slice(0, 1000), text.slice(1000)]) });
    assert.deepEqual(fromStdin.plan.files, ['-']);
    assert.equal(fromStdin.events, fromFile.events);
    assert.ok(fromStdin.events > 0);
    assert.equal(fromStdin.summary.vectors, fromFile.summary.vectors);
    assert.deepEqual(
      fromStdin.summary.intervals.map((m) => m.published.bytes),
      fromFile.summary.intervals.map((m) => m.published.bytes),
    );
    assert.deepEqual(stdinTemps().filter((f) => !before.has(f)), [], 'temporary copy removed');
    await assert.rejects(runReplay({ ...base, files: ['-', '-'], stdin: Readable.from(['']) }), (e: unknown) => e instanceof PeregrineError && e.code === 'PGN_ERR_USAGE');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('replay of ADFA-LD traces (a folder): the traces back to back as one container, replicated', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pgn-replay-adfa-'));
  try {
    const train = join(dir, 'Training_Data_Master');
    mkdirSync(train);
    // i386 numbers: a read/write/poll loop with the odd open and close, 12 traces of 200 calls
    const loop = [3, 4, 168, 3, 4, 142, 5, 6, 197, 265];
    for (let t = 0; t < 12; t++) writeFileSync(join(train, `UTD-${String(t).padStart(4, '0')}.txt`), Array.from({ length: 200 }, (_, i) => loop[(i + t) % loop.length]).join(' ') + '\n');
    const r = await runReplay({ format: 'adfa-ld', files: [dir], containers: 3, rate: 20, ...FAST });
    assert.equal(r.plan.inputEvents, 12 * 200);
    assert.equal(r.plan.inputContainers, 1, 'one container: the traces back to back');
    assert.equal(r.plan.containers, 3);
    assert.equal(r.events, 3 * 12 * 200);
    // 2,400 events at 20/s = 120 s of event time: 24 intervals of 5 s per replica
    assert.ok(r.summary.vectors >= 3 * 23, `vectors: ${r.summary.vectors}`);
    assert.ok(r.summary.stability.evaluated > 0, 'its model trained and judged');
    assert.equal(r.timelines.length, 3);
    const stdin = await runReplay({ format: 'adfa-ld', files: ['-'], stdin: Readable.from(['3 4 168 3 4 5 6\n']), containers: 1, rate: 1, ...FAST });
    assert.equal(stdin.events, 7, 'one trace from stdin');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
