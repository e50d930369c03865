/**
 * The scenario evaluation end to end on a toy cluster (short training, few epochs): attacks are caught by the
 * modalities they touch, a benign chaos fault is not, the JSON has the contract's keys, the HTML report has a
 * timeline per scenario. Detectors are checked alone too (novelty, risky pod specs, envelopes).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AuditDetector, MetricDetector, auditKey, riskyPodSpec, type Signal } from './detectors.js';
import { resolveScenarioList, runScenarioEvaluation } from './harness.js';
import { renderScenarioHtml, formatScenarioText, scenarioMarkdown } from './report.js';
import { parseAuditLine } from '../../ingest/k8s-audit/index.js';
import { parseExposition } from '../../ingest/prometheus/index.js';
import { buildTopology } from '../../simulate/cluster/topology.js';
import { encodeAuditEvent, encodeExposition, type AuditEvent } from '../../simulate/cluster/formats.js';

test('evaluate reverseshell, credaccess and a pod kill on a toy cluster', async () => {
  const r = await runScenarioEvaluation({ seed: 11, scenarios: ['reverseshell', 'credaccess', 'podkill'], trainSeconds: 960, calibrateSeconds: 300, gapSeconds: 90, rateScale: 0.15, epochs: 20 });
  const by = Object.fromEntries(r.scenarios.map((s) => [s.name, s]));
  assert.equal(by.reverseshell.detected, true);
  assert.ok(by.reverseshell.modalities.syscalls.alerted && by.reverseshell.modalities.flows.alerted);
  assert.ok((by.reverseshell.timeToDetectSeconds as number) <= 2 * r.intervalSeconds);
  assert.equal(by.credaccess.modalities.audit.alerted, true);
  assert.equal(by.podkill.detected, false, 'a pod kill is not an attack');
  assert.equal(r.detectionRate, 1);
  assert.equal(r.attackScenarios, 2);
  assert.equal(r.chaosNotAlerted, 1);
  for (const k of ['detectionRate', 'falseAlertsPerDay', 'falseAlertsPerDayPer100Pods', 'scenarios']) assert.ok(k in r, k);
  const json = JSON.parse(JSON.stringify(r)) as { scenarios: Record<string, unknown>[] };
  for (const s of json.scenarios) for (const k of ['detected', 'timeToDetectSeconds', 'modalities']) assert.ok(k in s, k);
  const html = renderScenarioHtml(r);
  assert.equal((html.match(/<svg/g) ?? []).length, 3);
  assert.match(formatScenarioText(r), /reverseshell\s+attack\s+detected/);
  assert.match(scenarioMarkdown(r, 'x'), /\| podkill \| chaos \| no alert \(correct\) \|/);
});

test('scenario names resolve, all expands, a bad one fails with the valid list', () => {
  assert.ok(resolveScenarioList(['all']).length >= 20);
  assert.deepEqual(resolveScenarioList(['portscan,escape-slow']), ['portscan', 'escape-slow']);
  assert.throws(() => resolveScenarioList(['portscan,oops']), (e: Error & { hint?: string }) => e.message.includes('"oops"') && (e.hint ?? '').includes('lateral'));
});

const ev = (over: Partial<AuditEvent>): AuditEvent => ({ timeUs: 1e15, verb: 'get', username: 'system:serviceaccount:shop:api', groups: [], sourceIp: '10.16.0.9', userAgent: 'x', resource: 'configmaps', namespace: 'shop', code: 200, label: 0, attackClass: '', ...over });

test('audit detector: novel use and risky pod specs fire, learnt use does not; events round-trip through the reader', () => {
  const d = new AuditDetector(buildTopology({ nodes: 3 }, 1));
  const out: Signal[] = [];
  d.push([ev({}), ev({ username: 'system:node:worker-1', verb: 'update', resource: 'leases' })], 'train', out);
  d.push([ev({ timeUs: 2e15 }), ev({ username: 'system:node:worker-2', verb: 'update', resource: 'leases' })], 'test', out);
  assert.equal(out.length, 0);
  d.push([ev({ verb: 'list', resource: 'secrets' })], 'test', out);
  assert.equal(out.length, 1);
  const pod = { spec: { containers: [{ securityContext: { privileged: true } }], volumes: [{ hostPath: { path: '/' } }] } };
  assert.equal(riskyPodSpec(pod), 'privileged, hostPath');
  assert.notEqual(auditKey(ev({ verb: 'get', resource: 'secrets' })), auditKey(ev({ verb: 'get', resource: 'configmaps' })));
  const back = parseAuditLine(encodeAuditEvent(ev({ verb: 'create', resource: 'pods', requestObject: pod })));
  assert.equal(back.verb, 'create');
  assert.equal(back.timeUs, 1e15);
  assert.equal(riskyPodSpec(back.requestObject), 'privileged, hostPath');
  assert.throws(() => parseAuditLine('{"kind":"Pod"}', 'f:3'), /not a Kubernetes audit event/);
});

test('metric detector learns a CPU/transmit envelope per workload; the exposition reader gives the samples back', () => {
  const topo = buildTopology({ nodes: 3 }, 1);
  const d = new MetricDetector(topo, { intervalSeconds: 30, seed: 1 });
  const p = topo.pods[0];
  const sample = (cpu: number, tx: number) => ({ namespace: p.namespace, pod: p.name, container: p.container, image: p.image, containerId: p.containerId, node: p.node, cpuSeconds: cpu, memoryBytes: 1e7, rxBytes: 0, txBytes: tx });
  const out: Signal[] = [];
  for (let i = 0; i < 10; i++) d.push([sample(i * 0.75, i * 15_000)], i * 15_000, 'train', out);
  d.push([sample(7.5 + 0.75, 150_000 + 15_000)], 150_000, 'test', out);
  assert.ok(out[0].ratio < 1);
  d.push([sample(8.25 + 60, 165_000 + 15_000)], 165_000, 'test', out);
  assert.ok(out[1].ratio > 1 && /CPU/.test(out[1].reason));
  const { samples, timeMs } = parseExposition(encodeExposition([sample(1.5, 42)], 1234), 'm.prom');
  assert.equal(timeMs, 1234);
  assert.deepEqual(samples[0], sample(1.5, 42));
});
