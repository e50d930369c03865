import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FlowRecord } from './columns.js';
import { flowToCsvRow } from './csv.js';
import { generateFlows } from './generate.js';
import { FLOW_TIMEOUT_US } from './meter.js';
import type { AttackSpec } from './attacks/registry.js';
import { attackScenarios } from './attacks/index.js';

const ALL_ATTACKS: AttackSpec[] = [
  { scenario: 'portscan', startSeconds: 10, durationSeconds: 15 },
  { scenario: 'synflood', startSeconds: 30, durationSeconds: 10 },
  { scenario: 'httpflood', startSeconds: 45, durationSeconds: 15 },
  { scenario: 'reverseshell', startSeconds: 20, durationSeconds: 150 },
  { scenario: 'exfiltration', startSeconds: 70, durationSeconds: 40 },
  { scenario: 'cryptomining', startSeconds: 60, durationSeconds: 110 },
];

const sample = (seed: number, attacks: AttackSpec[] = ALL_ATTACKS) =>
  generateFlows({ seed, durationSeconds: 180, benignFlowsPerSecond: 12, attacks });

const close = (a: number, b: number, rel = 1e-9): boolean => Math.abs(a - b) <= rel * Math.max(1, Math.abs(a), Math.abs(b));

function checkOrdered(name: string, min: number, mean: number, max: number): void {
  assert.ok(min <= mean * (1 + 1e-12) + 1e-9 && mean <= max * (1 + 1e-12) + 1e-9, `${name}: ${min} <= ${mean} <= ${max}`);
}

/** The relations CICFlowMeter's columns obey, checked on one row. */
function checkRow(r: FlowRecord): void {
  const n = r.totalFwdPackets + r.totalBwdPackets;
  const bytes = r.totalLengthFwdPackets + r.totalLengthBwdPackets;
  assert.ok(r.flowDuration >= 0 && Number.isInteger(r.flowDuration) && r.flowDuration <= FLOW_TIMEOUT_US);
  assert.equal(r.flowId, `${r.srcIp}-${r.dstIp}-${r.srcPort}-${r.dstPort}-${r.protocol}`);
  assert.ok([0, 6, 17].includes(r.protocol));
  assert.ok(r.totalFwdPackets >= 1);
  assert.ok(close(r.totalLengthFwdPackets, r.fwdPacketLengthMean * r.totalFwdPackets, 1e-9));
  assert.ok(close(r.totalLengthBwdPackets, r.bwdPacketLengthMean * r.totalBwdPackets, 1e-9));
  if (r.flowDuration > 0) {
    assert.ok(close(r.flowPacketsPerSec, (n / r.flowDuration) * 1e6));
    assert.ok(close(r.flowBytesPerSec, (bytes / r.flowDuration) * 1e6));
    checkOrdered('flow IAT', r.flowIatMin, r.flowIatMean, r.flowIatMax);
  } else {
    assert.equal(r.flowPacketsPerSec, Infinity);
    assert.ok(bytes > 0 ? r.flowBytesPerSec === Infinity : Number.isNaN(r.flowBytesPerSec));
  }
  if (n === 1) {
    assert.equal(r.flowDuration, 0);
    assert.ok(Number.isNaN(r.flowIatMean) && Number.isNaN(r.flowIatMax));
  }
  checkOrdered('fwd length', r.fwdPacketLengthMin, r.fwdPacketLengthMean, r.fwdPacketLengthMax);
  checkOrdered('bwd length', r.bwdPacketLengthMin, r.bwdPacketLengthMean, r.bwdPacketLengthMax);
  checkOrdered('length', r.packetLengthMin, r.packetLengthMean, r.packetLengthMax);
  checkOrdered('fwd IAT', r.fwdIatMin, r.fwdIatMean, r.fwdIatMax);
  checkOrdered('bwd IAT', r.bwdIatMin, r.bwdIatMean, r.bwdIatMax);
  checkOrdered('active', r.activeMin, r.activeMean, r.activeMax);
  checkOrdered('idle', r.idleMin, r.idleMean, r.idleMax);
  assert.ok(close(r.packetLengthVariance, r.packetLengthStd ** 2, 1e-9));
  assert.ok(r.fwdIatTotal <= r.flowDuration && r.bwdIatTotal <= r.flowDuration);
  for (const f of [r.finFlagCount, r.synFlagCount, r.rstFlagCount, r.pshFlagCount, r.ackFlagCount]) assert.ok(f <= n);
  assert.ok(r.fwdPshFlags <= r.totalFwdPackets && r.bwdPshFlags <= r.totalBwdPackets);
  assert.equal(r.fwdPshFlags + r.bwdPshFlags, r.pshFlagCount);
  assert.ok(r.fwdActDataPkts < r.totalFwdPackets || r.totalFwdPackets === 0);
  assert.ok(close(r.downUpRatio, r.totalBwdPackets / r.totalFwdPackets));
  assert.ok(close(r.averagePacketSize, bytes / n));
  if (r.protocol === 6) assert.ok(r.totalTcpFlowTime >= r.flowDuration);
  else assert.equal(r.totalTcpFlowTime, 0);
  if (r.protocol === 0) assert.ok(r.srcPort === 0 && r.dstPort === 0 && bytes === 0);
  assert.ok(Number.isFinite(r.timestampUs) && Number.isInteger(r.timestampUs));
}

test('every row is internally consistent, rows come in Timestamp order, every row has 87 cells', () => {
  let last = -Infinity;
  let rows = 0;
  for (const r of sample(11)) {
    checkRow(r);
    assert.ok(r.timestampUs >= last, 'rows are sorted by Timestamp');
    last = r.timestampUs;
    assert.equal(flowToCsvRow(r).split(',').length, 87);
    rows++;
  }
  assert.ok(rows > 2000);
});

test('same seed gives identical output, a different seed different output; streams are re-iterable', () => {
  const a = sample(42);
  const text = (s: Iterable<FlowRecord>): string => Array.from(s, flowToCsvRow).join('\n');
  const first = text(a);
  assert.equal(text(sample(42)), first);
  assert.equal(text(a), first, 'iterating the same stream twice repeats it');
  assert.notEqual(text(sample(43)), first);
});

test('every scenario appears with its label, inside its window, against the entities it reports', () => {
  const s = sample(5);
  const seen = new Map<string, number>();
  const windows = new Map(s.attackWindows.map((w) => [w.label, w]));
  for (const r of s) {
    if (r.label === '0') continue;
    seen.set(r.label, (seen.get(r.label) ?? 0) + 1);
    const w = windows.get(r.label);
    assert.ok(w, `window for ${r.label}`);
    assert.ok(r.timestampUs >= w.startUs && r.timestampUs < w.endUs, `${r.label} row inside its window`);
  }
  for (const spec of ALL_ATTACKS) assert.ok((seen.get(spec.scenario) ?? 0) > 0, `${spec.scenario} present`);
  assert.equal(s.attackWindows.length, ALL_ATTACKS.length);
  assert.deepEqual(new Set(attackScenarios.names()), new Set(ALL_ATTACKS.map((a) => a.scenario)));
  for (const w of s.attackWindows) assert.ok(w.sources.length > 0 && w.targets.length > 0, w.scenario);
});

test('adding attacks leaves the benign traffic unchanged', () => {
  const benign = (it: Iterable<FlowRecord>): string[] => Array.from(it).filter((r) => r.label === '0').map(flowToCsvRow);
  assert.deepEqual(benign(sample(9, [])), benign(sample(9)));
});

test('the generator streams: the first rows of a 30-day capture arrive at once', () => {
  const start = performance.now();
  const stream = generateFlows({ seed: 1, durationSeconds: 30 * 86400 });
  const it = stream[Symbol.iterator]();
  assert.equal(typeof it.next, 'function');
  let n = 0;
  while (n < 3000 && !it.next().done) n++;
  assert.equal(n, 3000);
  assert.ok(performance.now() - start < 5000, 'lazy: no up-front generation');
});

test('bad options fail with one coded error naming the field', () => {
  assert.throws(() => generateFlows({ seed: 1, durationSeconds: -5 }), { code: 'PGN_ERR_BAD_PARAM', where: 'durationSeconds' });
  assert.throws(() => generateFlows({ seed: 1, durationSeconds: 10, attacks: [{ scenario: 'nope', startSeconds: 0, durationSeconds: 1 }] }), {
    code: 'PGN_ERR_UNKNOWN_COMPONENT',
  });
  assert.throws(() => generateFlows({ seed: 1, durationSeconds: 10, attacks: [{ scenario: 'portscan', startSeconds: 20, durationSeconds: 1 }] }), {
    code: 'PGN_ERR_BAD_PARAM',
  });
});
