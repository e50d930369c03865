/**
 * The generator: seeded and repeatable, fast writer byte-identical to the encoders, scenarios labelled and leaving
 * benign activity of other pods alone, cluster sizes from a toy to hundreds of nodes, the async stream.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { encodeFalcoEvent } from '../../ingest/events/falco/encode.js';
import { encodeEvent } from '../../ingest/events/ndjson/index.js';
import { FastEventWriter } from './fast-writer.js';
import { ClusterSimulation, streamClusterTelemetry } from './stream.js';
import { scenarioDef, scenarioNames, scenarioSeconds } from './scenarios.js';
import { buildTopology } from './topology.js';

function digest(seed: number, scenarios: { name: string; startSeconds: number }[] = []): string {
  const sim = new ClusterSimulation({ seed, nodes: 3, durationSeconds: 20, rateScale: 0.05, flows: false, scenarios });
  const w = new FastEventWriter('ndjson', sim.sim.templates, sim.sim.classes);
  const h = createHash('sha256');
  for (const s of sim.slices()) h.update(w.encodeColumns(s.syscalls, s.attackEvents));
  return h.digest('hex');
}

test('same seed, same bytes; another seed, other bytes', () => {
  assert.equal(digest(5), digest(5));
  assert.notEqual(digest(5), digest(6));
});

test('the fast writer writes exactly what encodeEvent / encodeFalcoEvent write', () => {
  const sim = new ClusterSimulation({ seed: 2, nodes: 3, durationSeconds: 3, rateScale: 0.05, flows: false, scenarios: [{ name: 'httpflood', startSeconds: 0 }] });
  for (const format of ['ndjson', 'falco'] as const) {
    const w = new FastEventWriter(format, sim.sim.templates, sim.sim.classes);
    const enc = format === 'falco' ? encodeFalcoEvent : encodeEvent;
    for (const s of new ClusterSimulation(sim.options).slices()) {
      const text = w.encodeColumns(s.syscalls, s.attackEvents).toString('utf8');
      const want = [...sim.sim.toEvents(s.syscalls), ...s.attackEvents].map((e) => enc(e) + '\n').join('');
      assert.equal(text, want);
    }
  }
});

test('every scenario is labelled with its window and entities; unknown names fail with the valid list', () => {
  const names = scenarioNames();
  assert.ok(names.includes('cryptominer-slow') && names.includes('nodeloss'));
  assert.equal(scenarioSeconds('portscan-slow'), 10 * scenarioSeconds('portscan'));
  assert.throws(() => scenarioDef('nodeloss-slow'), (e: Error & { hint?: string }) => /unknown scenario "nodeloss-slow"/.test(e.message) && (e.hint ?? '').includes('cryptominer-slow'));
  const sim = new ClusterSimulation({ seed: 1, nodes: 3, durationSeconds: 30, flows: false, scenarios: names.map((name) => ({ name, startSeconds: 10 })) });
  for (const l of sim.labels) {
    assert.ok(l.pods.length > 0 && l.ips.length > 0, `${l.name} names its pods`);
    assert.equal(l.startUs, sim.startUs + 10e6);
  }
});

test('attack events are labelled and other pods keep their benign events', () => {
  const run = (scenarios: { name: string; startSeconds: number }[]) => {
    const sim = new ClusterSimulation({ seed: 9, nodes: 3, durationSeconds: 15, rateScale: 0.05, flows: false, scenarios });
    const evs = [...sim.slices()].flatMap((s) => [...sim.sim.toEvents(s.syscalls), ...s.attackEvents]);
    return { sim, evs };
  };
  const base = run([]);
  const attacked = run([{ name: 'reverseshell', startSeconds: 2 }]);
  const victim = attacked.sim.labels[0].pods[0];
  const benign = (evs: typeof base.evs) => evs.filter((e) => e.pod !== victim && e.label === 0).map((e) => `${e.timeUs}/${e.pod}/${e.syscall}`);
  assert.deepEqual(benign(attacked.evs), benign(base.evs));
  const shell = attacked.evs.filter((e) => e.label === 1);
  assert.ok(shell.length > 0 && shell.every((e) => e.pod === victim && e.attackClass === 'reverseshell'));
});

test('a 500-node cluster with 20 pods per node has ~10k pods and a slice generates quickly', () => {
  const topo = buildTopology({ nodes: 500, podsPerNode: 20 }, 1);
  assert.ok(topo.pods.length > 9000 && topo.pods.length < 12000, `${topo.pods.length} pods`);
  assert.ok(new Set(topo.pods.map((p) => p.ip)).size === topo.pods.length, 'unique pod IPs');
  const sim = new ClusterSimulation({ seed: 1, nodes: 500, podsPerNode: 20, durationSeconds: 1, rateScale: 0.1, flows: false });
  const [slice] = [...sim.slices()];
  assert.ok(slice.syscalls.n > 100_000, `${slice.syscalls.n} events in a second`);
  assert.ok(slice.metrics === null && slice.audit.length > 50);
});

test('streamClusterTelemetry yields time-ordered slices with every modality', async () => {
  let n = 0;
  let flows = 0;
  let scrapes = 0;
  for await (const s of streamClusterTelemetry({ seed: 4, nodes: 3, durationSeconds: 16, rateScale: 0.05, scenarios: [{ name: 'portscan', startSeconds: 1 }] })) {
    n++;
    flows += s.flows.length;
    if (s.metrics) scrapes++;
    for (let i = 1; i < s.events.length; i++) assert.ok(s.events[i].timeUs >= s.events[i - 1].timeUs);
    assert.equal(s.labels[0].name, 'portscan');
  }
  assert.equal(n, 16);
  assert.ok(flows > 0 && scrapes === 1);
});
