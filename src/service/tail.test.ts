import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { encodeFalcoEvent } from '../ingest/events/falco/encode.js';
import { generateEvents } from '../simulate/events/index.js';
import { tailFile } from './tail.js';
import { startTestHub, TEST_TOKEN, waitFor } from './testing.js';

test('tailFile: complete lines only, follows appends, starts over after truncation', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'peregrine-tail-'));
  const f = join(dir, 'events.jsonl');
  writeFileSync(f, 'a\nb\nc-partial');
  const ac = new AbortController();
  const got: string[] = [];
  const reading = (async () => {
    for await (const lines of tailFile(f, { follow: true, pollMs: 20, signal: ac.signal })) got.push(...lines);
  })();
  await waitFor(() => got.length === 2);
  assert.deepEqual(got, ['a', 'b']);
  appendFileSync(f, '-done\nd\n');
  await waitFor(() => got.length === 4);
  assert.deepEqual(got.slice(2), ['c-partial-done', 'd']);
  writeFileSync(f, 'x\n'); // truncated (log rotation with copytruncate)
  await waitFor(() => got.length === 5);
  assert.equal(got[4], 'x');
  ac.abort();
  await reading;
  const once: string[] = [];
  writeFileSync(f, 'p\nq');
  for await (const lines of tailFile(f)) once.push(...lines);
  assert.deepEqual(once, ['p', 'q'], 'without --follow the last line counts even without its newline');
  rmSync(dir, { recursive: true, force: true });
});

test('peregrine agent (CLI): reads a Falco file, learns locally, sends its findings and summary to the hub, exits 0', async () => {
  const t = await startTestHub();
  const dir = mkdtempSync(join(tmpdir(), 'peregrine-agent-cli-'));
  try {
    const file = join(dir, 'falco.jsonl');
    const lines: string[] = [];
    for (const s of generateEvents({ seed: 4, containers: 2, rate: 150, durationSeconds: 80, attacks: [{ type: 'cryptominer', startSeconds: 40, stageSeconds: 8 }] })) for (const e of s) lines.push(encodeFalcoEvent(e));
    writeFileSync(file, lines.join('\n') + '\n');
    const main = join(dirname(fileURLToPath(import.meta.url)), '..', 'cli', 'main.js');
    const cfg = join(dir, 'agent.yaml');
    writeFileSync(cfg, 'detection:\n  intervalSeconds: 5\n  latenessSeconds: 1\n  vectorsToTrain: 8\n  epochs: 30\nlogLevel: warn\n');
    const child = spawn(process.execPath, [main, 'agent', '--format', 'falco', '--data', file, '--hub', t.url, '--node', 'node-cli', '--data-dir', join(dir, 'data'), '--config', cfg], {
      env: { ...process.env, PEREGRINE_TOKEN: TEST_TOKEN },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise((r) => child.once('exit', r));
    assert.equal(code, 0, err);
    await waitFor(() => t.hub.agents.has('node-cli') && t.hub.alerts.list({}).some((a) => a.modalities.includes('syscalls')), 5000);
  } finally {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
