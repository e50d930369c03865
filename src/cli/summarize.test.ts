import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fixture } from '../testing/paths.js';
import { FEATURE_COUNT, SCHEMA_ID } from '../features/summarizers/index.js';
import { CLI, assertError, assertOk, cli, dataLines, tempDir, type CliResult } from './testing.js';

const EV = (...p: string[]): string => fixture('events', ...p);

function lines(path: string): Record<string, unknown>[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** Runs the CLI with `input` on stdin. */
function cliStdin(args: string[], input: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, PEREGRINE_DEBUG: '' }, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString(), cmd: `peregrine ${args.join(' ')}` }));
    child.stdin.end(input);
  });
}

test('cli summarize: Falco, LID-DS (CSV), ADFA-LD and stdin NDJSON to vectors; bad lines skip or fail', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const falcoOut = join(dir, 'falco.ndjson');
    const csvOut = join(dir, 'lidds.csv');
    const adfaOut = join(dir, 'adfa.ndjson');
    const failOut = join(dir, 'fail.ndjson');
    const [falco, lidds, adfa, fail, stdin] = await Promise.all([
      cli(['summarize', '--format', 'falco', '--data', EV('falco'), '--out', falcoOut, '--on-bad-row', 'skip']),
      cli(['summarize', '--format', 'lidds', '--data', EV('lidds'), '--interval-seconds', '5', '--out', csvOut, '--on-bad-row', 'skip']),
      cli(['summarize', '--format', 'adfa-ld', '--data', join(EV('adfa'), 'Attack_Data_Master'), join(EV('adfa'), 'Training_Data_Master'), '--out', adfaOut]),
      cli(['summarize', '--format', 'falco', '--data', EV('falco', 'alerts.jsonl'), '--out', failOut]),
      cliStdin(['summarize', '--format', 'ndjson', '--data', '-', '--out', '-', '--on-bad-row', 'skip', '--quiet'], readFileSync(EV('ndjson', 'events.ndjson'), 'utf8')),
    ]);
    assertOk(falco);
    assert.match(falco.stderr, /skipped 2 bad row\(s\)/);
    assert.match(falco.stderr, new RegExp(`alerts.jsonl:4: `));
    assert.match(falco.stderr, /ignored 1 record\(s\) that are not syscall events: falco:k8s_audit 1/);
    assert.match(falco.stderr, /summarized 7 events into \d+ vector\(s\)/);
    const fv = lines(falcoOut);
    assert.ok(fv.length >= 3);
    assert.ok(fv.every((v) => v.schema === SCHEMA_ID && (v.values as number[]).length === FEATURE_COUNT));
    assert.deepEqual(new Set(fv.map((v) => v.group)), new Set(['registry.example/shop/cart', 'host', 'nginx']));

    assertOk(lidds);
    const rows = dataLines(readFileSync(csvOut, 'utf8'));
    assert.equal(rows.length, 3);
    assert.ok(rows.every((r) => r.split(',').length === 10 + FEATURE_COUNT));
    assert.deepEqual(
      rows.map((r) => r.split(',').slice(0, 2).concat(r.split(',').slice(7, 10))),
      [
        ['victim0001', 'victim_demo', '0', '-1', ''],
        ['victim0001', 'victim_demo', '4', '0', 'benign'],
        ['victim0001', 'victim_demo', '3', '1', 'victim_demo'],
      ],
    );

    assertOk(adfa);
    assert.deepEqual(
      lines(adfaOut).map((v) => [v.containerId, v.eventCount, v.label, v.attackClass]),
      [
        ['attack-adduser', 5, 1, 'Adduser'],
        ['attack-hydra-ftp', 6, 1, 'Hydra_FTP'],
        ['train-normal', 15, 0, 'benign'],
      ],
    );

    assertError(fail, 3, 'PGN_ERR_BAD_ROW', `${EV('falco', 'alerts.jsonl')}:4`);
    assert.ok(!existsSync(failOut), 'no partial output after a failed run');

    assertOk(stdin);
    assert.equal(stdin.stderr, '');
    const sv = stdin.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { containerId: string; eventCount: number; label: number });
    assert.deepEqual(
      sv.map((v) => [v.containerId, v.eventCount, v.label]),
      [
        ['abc123', 3, 1],
        ['abc123', 1, 1],
      ],
    );
  } finally {
    cleanup();
  }
});

test('cli summarize: jitter, saved executable baselines and option errors', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const base = join(dir, 'base.json');
    const a = join(dir, 'a.ndjson');
    const b = join(dir, 'b.ndjson');
    const args = ['summarize', '--format', 'tetragon', '--data', EV('tetragon'), '--interval-seconds', '10', '--jitter-seconds', '4', '--seed', '9'];
    const [first, jitterBad, unknown] = await Promise.all([
      cli([...args, '--out', a, '--save-exe-baseline', base, '--on-bad-row', 'skip']),
      cli(['summarize', '--format', 'falco', '--data', EV('falco'), '--jitter-seconds', '5', '--interval-seconds', '10', '--out', join(dir, 'x.ndjson')]),
      cli(['summarize', '--format', 'pcap', '--data', EV('falco'), '--out', join(dir, 'y.ndjson')]),
    ]);
    assertOk(first);
    const saved = JSON.parse(readFileSync(base, 'utf8')) as { format: string; groups: Record<string, { executables: string[] }> };
    assert.equal(saved.format, 'peregrine.executable-baseline/v1');
    assert.deepEqual(saved.groups['registry.example/shop/cart'].executables, ['/bin/bash', '/tmp/.x/kworker', '/usr/bin/cat']);
    const again = await cli([...args, '--out', b, '--exe-baseline', base, '--on-bad-row', 'skip']);
    assertOk(again);
    const va = lines(a);
    const vb = lines(b);
    assert.deepEqual(
      vb.map((v) => v.intervalStart),
      va.map((v) => v.intervalStart),
      'same seed, same edges',
    );
    assert.ok(va.some((v) => (v.intervalStart as number) % 10e6 !== 0), 'edges are jittered');
    assertError(jitterBad, 2, 'PGN_ERR_USAGE', '--jitter-seconds');
    assertError(unknown, 2, 'PGN_ERR_USAGE');
  } finally {
    cleanup();
  }
});
