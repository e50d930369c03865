/**
 * Every format the simulator writes is read back by Peregrine's own decoders, tells the same story across
 * modalities, and has the structure of the real samples in ../shared/datasets/event-formats (skipped when absent).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { openEvents, type SyscallEvent } from '../../ingest/events/index.js';
import { openInput } from '../../ingest/input.js';
import { parseAuditLine } from '../../ingest/k8s-audit/index.js';
import { parseExposition } from '../../ingest/prometheus/index.js';
import { sharedDatasets } from '../../testing/paths.js';
import { writeClusterDataset, type DatasetResult } from './dataset.js';

let dir = '';
let res: DatasetResult;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pgn-sim-'));
  res = await writeClusterDataset(dir, { seed: 3, nodes: 3, durationSeconds: 40, rateScale: 0.05, scenarios: [{ name: 'escape', startSeconds: 2 }, { name: 'credaccess', startSeconds: 4 }, { name: 'reverseshell', startSeconds: 6 }] });
});
after(() => rmSync(dir, { recursive: true, force: true }));

async function readAll(format: string, file: string): Promise<SyscallEvent[]> {
  const src = await openEvents(format, [file], { onBadRow: 'fail' });
  const out: SyscallEvent[] = [];
  for await (const b of src.batches()) out.push(...b.events);
  return out;
}

const lines = (f: string): string[] => readFileSync(f, 'utf8').split('\n').filter(Boolean);

test('Falco and NDJSON files decode to the same events; Tetragon reports a subset of them', async () => {
  const falco = await readAll('falco', join(dir, 'syscalls/falco.jsonl'));
  const nd = await readAll('ndjson', join(dir, 'syscalls/events.ndjson'));
  assert.equal(falco.length, res.counts.falco);
  assert.equal(nd.length, falco.length);
  for (let i = 0; i < nd.length; i += 97) {
    const [a, b] = [falco[i], nd[i]];
    for (const k of ['timeUs', 'node', 'containerId', 'image', 'pod', 'namespace', 'process', 'exe', 'parent', 'pid', 'syscall', 'ret', 'fd', 'dstAddr', 'dstPort'] as const) assert.deepEqual(a[k], b[k], `${k} of event ${i}`);
  }
  assert.ok(nd.some((e) => e.label === 1 && e.attackClass === 'escape'));
  const tetra = await readAll('tetragon', join(dir, 'syscalls/tetragon.jsonl'));
  assert.equal(tetra.length, res.counts.tetragon);
  const keys = new Set(falco.map((e) => `${e.timeUs}/${e.containerId}/${e.syscall === 'exit_group' ? 'exit' : e.syscall}`));
  for (const e of tetra) assert.ok(keys.has(`${e.timeUs}/${e.containerId.slice(0, 12)}/${e.syscall}`), `tetragon ${e.syscall} at ${e.timeUs} has a Falco twin`);
  assert.ok(tetra.some((e) => e.syscall === 'setns' && e.fd === '/proc/1/ns/mnt'), 'the escape shows in Tetragon');
});

test('flows parse with the CICFlowMeter reader and carry the scenario labels; attack addresses match the syscalls', async () => {
  const reader = await openInput('cicflowmeter', [join(dir, 'flows/flows.csv')], { onBadRow: 'fail' });
  let rows = 0;
  const classes = new Set<string>();
  for await (const b of reader.batches()) {
    rows += b.rows;
    for (const c of b.attackClass) classes.add(c);
  }
  assert.equal(rows, res.counts.flows);
  assert.ok(classes.has('reverseshell'), `flow classes: ${[...classes].join(', ')}`);
  const csv = readFileSync(join(dir, 'flows/flows.csv'), 'utf8');
  const shell = lines(join(dir, 'syscalls/events.ndjson')).map((l) => JSON.parse(l) as { s: string; ac?: string; da?: string; dp?: number }).find((e) => e.ac === 'reverseshell' && e.s === 'connect');
  assert.ok(shell?.da, 'the reverse shell connects out');
  assert.ok(csv.includes(`,${shell.da},${shell.dp},`) || csv.includes(`${shell.da}-`), `flows show the listener ${shell.da}:${shell.dp}`);
});

test('audit events and metrics parse with the scenario readers; promtool accepts the exposition', () => {
  const audit = lines(join(dir, 'audit/audit.jsonl')).map((l, i) => parseAuditLine(l, `audit.jsonl:${i + 1}`));
  assert.equal(audit.length, res.counts.audit);
  assert.ok(audit.some((a) => a.resource === 'secrets' && a.verb === 'list' && a.username.startsWith('system:serviceaccount:')));
  assert.ok(audit.some((a) => a.resource === 'pods' && a.verb === 'create' && JSON.stringify(a.requestObject).includes('"privileged":true')));
  const files = readdirSync(join(dir, 'metrics')).sort();
  assert.ok(files.length >= 2);
  const text = readFileSync(join(dir, 'metrics', files[1]), 'utf8');
  const { samples, timeMs } = parseExposition(text, files[1]);
  assert.ok(samples.length > 10 && Number.isFinite(timeMs));
  assert.ok(samples.every((s) => s.cpuSeconds > 0 && s.memoryBytes > 0 && s.pod !== ''));
  const promtool = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  if (promtool.error) return; // promtool not installed: the parse above still ran
  assert.equal(promtool.status, 0, promtool.stderr + promtool.stdout);
});

const shared = sharedDatasets();
const formats = shared ? join(shared, 'event-formats') : null;

test('structure matches the real Falco, Tetragon and audit samples', { skip: formats ? false : 'needs ../shared/datasets/event-formats' }, () => {
  const root = formats as string;
  const realFalco = lines(join(root, 'falco/falco-test_single_rule_with_cat_write.jsonl')).map((l) => JSON.parse(l) as Record<string, unknown>);
  const mine = JSON.parse(lines(join(dir, 'syscalls/falco.jsonl'))[0]) as Record<string, unknown>;
  assert.deepEqual(Object.keys(mine).sort(), Object.keys(realFalco[0]).sort(), 'Falco top-level keys');
  for (const k of Object.keys(realFalco[0])) assert.equal(typeof mine[k], typeof realFalco[0][k], `type of ${k}`);
  const export_ = JSON.parse(readFileSync(join(root, 'falco/minikube-falcosidekick-ui-export_falco_events.json'), 'utf8')) as { output_fields: Record<string, unknown> }[];
  const realFields = new Map<string, string>();
  for (const a of export_) for (const [k, v] of Object.entries(a.output_fields)) if (v !== null) realFields.set(k, typeof v);
  for (const [k, v] of Object.entries(mine.output_fields as Record<string, unknown>)) if (v !== null && realFields.has(k)) assert.equal(typeof v, realFields.get(k), `output_fields ${k}`);

  const realExec = JSON.parse(lines(join(root, 'tetragon/testdata_events.jsonl'))[1]) as { process_exec: { process: Record<string, unknown> } };
  const myExec = lines(join(dir, 'syscalls/tetragon.jsonl')).map((l) => JSON.parse(l) as Record<string, { process: Record<string, unknown> }>).find((o) => o.process_exec);
  assert.ok(myExec);
  const realProc = realExec.process_exec.process;
  const myProc = myExec.process_exec.process;
  for (const k of ['exec_id', 'pid', 'uid', 'cwd', 'binary', 'flags', 'start_time', 'auid', 'pod', 'docker']) assert.equal(typeof myProc[k], typeof realProc[k], `process.${k}`);
  const realContainer = (realProc.pod as { container: Record<string, unknown> }).container;
  assert.deepEqual(Object.keys((myProc.pod as { container: Record<string, unknown> }).container).sort(), Object.keys(realContainer).sort(), 'pod.container keys');

  const auditDir = join(root, 'k8s-audit');
  const real = readdirSync(auditDir).flatMap((f) => lines(join(auditDir, f)).map((l) => JSON.parse(l) as Record<string, unknown>));
  const required = Object.keys(real[0]).filter((k) => real.every((r) => k in r));
  const known = new Set(real.flatMap((r) => Object.keys(r)));
  const refKeys = new Set(real.flatMap((r) => Object.keys((r.objectRef as object) ?? {})));
  for (const l of lines(join(dir, 'audit/audit.jsonl')).slice(0, 200)) {
    const a = JSON.parse(l) as Record<string, unknown>;
    for (const k of required) assert.ok(k in a, `audit event has ${k}`);
    for (const k of Object.keys(a)) assert.ok(known.has(k), `audit key ${k} occurs in the real samples`);
    for (const k of Object.keys(a.objectRef as object)) assert.ok(refKeys.has(k), `objectRef.${k} occurs in the real samples`);
  }
  // and the reader takes the real events too
  for (const r of real) parseAuditLine(JSON.stringify(r));
});
