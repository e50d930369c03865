/** `peregrine simulate` and `peregrine evaluate --scenario`: option parsing and one-line errors, a tiny dataset. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { parseDuration, parseScenarioList } from './simulate.js';

const MAIN = join(dirname(fileURLToPath(import.meta.url)), 'main.js');
const run = (args: string[]) => spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8' });

test('durations and scenario lists', () => {
  assert.equal(parseDuration('--duration')('30m'), 1800);
  assert.equal(parseDuration('--duration')('90'), 90);
  assert.throws(() => parseDuration('--duration')('5x'), /invalid duration "5x"/);
  assert.deepEqual(parseScenarioList('portscan@10,escape', 1000), [{ name: 'portscan', startSeconds: 10 }, { name: 'escape', startSeconds: 190 }]);
  assert.throws(() => parseScenarioList('portscan', 30), /would start at 60 s/);
});

test('bad input is one line naming the option and the valid values', () => {
  const cases: [string[], RegExp][] = [
    [['evaluate', '--scenario', 'nope'], /^peregrine: PGN_ERR_BAD_PARAM: --scenario: unknown scenario "nope" \(choose all or one of: cryptominer, .*netlatency\)\n$/],
    [['simulate', '--out', '/tmp/never', '--duration', 'soon'], /^peregrine: PGN_ERR_USAGE: --duration: invalid duration "soon"/],
    [['simulate', '--out', '/tmp/never', '--nodes', '1'], /^peregrine: PGN_ERR_USAGE: --nodes: invalid value "1"/],
    [['simulate', '--out', '/tmp/never', '--scenarios', 'portscan,bogus', '--duration', '1h'], /^peregrine: PGN_ERR_BAD_PARAM: --scenario: unknown scenario "bogus"/],
    [['evaluate', '--json'], /^peregrine: PGN_ERR_USAGE: required option '--model <file>' not specified/],
  ];
  for (const [args, re] of cases) {
    const r = run(args);
    assert.equal(r.status, 2, args.join(' '));
    assert.match(r.stderr, re);
    assert.equal(r.stderr.split('\n').length, 2, 'one line');
  }
});

test('simulate writes every modality and the labels', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pgn-simcli-'));
  try {
    const r = run(['simulate', '--out', dir, '--duration', '20', '--seed', '2', '--rate-scale', '0.05', '--scenarios', 'portscan@5', '--quiet']);
    assert.equal(r.status, 0, r.stderr);
    for (const f of ['syscalls/falco.jsonl', 'syscalls/tetragon.jsonl', 'syscalls/events.ndjson', 'flows/flows.csv', 'audit/audit.jsonl', 'metrics/000000.prom', 'labels.json']) assert.ok(existsSync(join(dir, f)), f);
    const labels = JSON.parse(readFileSync(join(dir, 'labels.json'), 'utf8')) as { scenarios: { name: string; kind: string; pods: string[] }[] };
    assert.equal(labels.scenarios[0].name, 'portscan');
    assert.equal(labels.scenarios[0].kind, 'attack');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
