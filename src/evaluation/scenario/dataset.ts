/**
 * `peregrine evaluate --scenario all --data DIR`: the scenario evaluation over a dataset `peregrine simulate` wrote.
 * The detectors train and calibrate on simulated benign time of the same cluster shape (other seeds, the day
 * before, as without --data); then each modality's files are read with the decoders (NDJSON or Falco syscalls,
 * CICFlowMeter CSV, audit JSON lines, exposition texts) and judged; labels.json scores the run afterwards.
 */
import { createReadStream, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { PeregrineError } from '../../core/errors.js';
import { openEvents } from '../../ingest/events/index.js';
import { CICFLOWMETER_V4_COLUMNS, type FlowRecord } from '../../simulate/flows/columns.js';
import type { ScenarioLabel } from '../../simulate/cluster/scenarios.js';
import { buildTopology } from '../../simulate/cluster/topology.js';
import type { Signal } from './detectors.js';
import { score, trainDetectors, type ScenarioEvalOptions, type ScenarioEvalReport } from './harness.js';
import { parseAuditLine } from '../../ingest/k8s-audit/index.js';
import { parseExposition } from '../../ingest/prometheus/index.js';

interface LabelsFile {
  options: { seed: number; nodes: number; podsPerNode: number; durationSeconds: number; rateScale: number };
  scenarios: ScenarioLabel[];
}

function readLabels(dir: string): LabelsFile {
  const path = join(dir, 'labels.json');
  if (!existsSync(path)) throw new PeregrineError('PGN_ERR_FILE_NOT_FOUND', 'no labels.json in the folder', { where: path, hint: 'pass a folder written by `peregrine simulate`' });
  try {
    const l = JSON.parse(readFileSync(path, 'utf8')) as LabelsFile;
    if (!l.options || !Array.isArray(l.scenarios)) throw new Error('options or scenarios missing');
    return l;
  } catch (e) {
    throw new PeregrineError('PGN_ERR_BAD_ROW', `labels.json is not a simulate labels file: ${(e as Error).message}`, { where: path });
  }
}

/** `2024-03-19 14:00:00.019886` (UTC) -> epoch us. */
function timestampUs(s: string): number {
  const dot = s.indexOf('.');
  const ms = Date.parse(`${(dot < 0 ? s : s.slice(0, dot)).replace(' ', 'T')}Z`);
  return ms * 1000 + (dot < 0 ? 0 : Number(s.slice(dot + 1).padEnd(6, '0').slice(0, 6)));
}

async function* lines(path: string): AsyncGenerator<string> {
  const rl = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  for await (const l of rl) if (l.length > 0) yield l;
}

/** `only`: scenario names to score (default: every scenario in labels.json). */
export async function evaluateDataset(dir: string, o: Omit<ScenarioEvalOptions, 'scenarios' | 'nodes' | 'podsPerNode' | 'rateScale'>, only?: string[]): Promise<ScenarioEvalReport> {
  const t0 = performance.now();
  const labels = readLabels(dir);
  const lo = labels.options;
  const interval = o.intervalSeconds ?? 30;
  const { d, names } = await trainDetectors({ ...o, nodes: lo.nodes, podsPerNode: lo.podsPerNode, rateScale: lo.rateScale, scenarios: [] });
  for (const p of buildTopology({ nodes: lo.nodes, podsPerNode: lo.podsPerNode }, lo.seed).pods) names.set(p.name, p.ip);
  const signals: Signal[] = [];
  const nd = join(dir, 'syscalls/events.ndjson');
  const syscallFile = existsSync(nd) ? nd : join(dir, 'syscalls/falco.jsonl');
  if (existsSync(syscallFile)) {
    const src = await openEvents(syscallFile === nd ? 'ndjson' : 'falco', [syscallFile], { onBadRow: 'fail' });
    for await (const b of src.batches()) d.syscalls.push(b.events, 'test', signals);
    d.syscalls.flush('test', signals);
  }
  const flowFile = join(dir, 'flows/flows.csv');
  if (existsSync(flowFile)) {
    const col = (name: string): number => CICFLOWMETER_V4_COLUMNS.indexOf(name);
    const [src, sp, dst, dp, proto, ts, fp, bp, fl, bl] = ['Src IP', 'Src Port', 'Dst IP', 'Dst Port', 'Protocol', 'Timestamp', 'Total Fwd Packet', 'Total Bwd packets', 'Total Length of Fwd Packet', 'Total Length of Bwd Packet'].map(col);
    let batch: FlowRecord[] = [];
    let first = true;
    for await (const line of lines(flowFile)) {
      if (first) {
        first = false;
        continue;
      }
      const c = line.split(',');
      batch.push({ srcIp: c[src], srcPort: Number(c[sp]), dstIp: c[dst], dstPort: Number(c[dp]), protocol: Number(c[proto]), timestampUs: timestampUs(c[ts]), totalFwdPackets: Number(c[fp]), totalBwdPackets: Number(c[bp]), totalLengthFwdPackets: Number(c[fl]), totalLengthBwdPackets: Number(c[bl]) } as FlowRecord);
      if (batch.length >= 4096) {
        d.flows.push(batch, 'test', signals);
        batch = [];
      }
    }
    d.flows.push(batch, 'test', signals);
    d.flows.close('test', signals);
  }
  const auditFile = join(dir, 'audit/audit.jsonl');
  if (existsSync(auditFile)) {
    let n = 0;
    for await (const line of lines(auditFile)) d.audit.push([parseAuditLine(line, `${auditFile}:${++n}`)], 'test', signals);
  }
  const metricsDir = join(dir, 'metrics');
  if (existsSync(metricsDir)) {
    for (const f of readdirSync(metricsDir).filter((x) => x.endsWith('.prom')).sort()) {
      const { samples, timeMs } = parseExposition(readFileSync(join(metricsDir, f), 'utf8'), f);
      d.metrics.push(samples, timeMs, 'test', signals);
    }
  }
  const pods = buildTopology({ nodes: lo.nodes, podsPerNode: lo.podsPerNode }, lo.seed).pods.length;
  const scored = only ? labels.scenarios.filter((l) => only.includes(l.name)) : labels.scenarios;
  return score({ labels: scored, nodes: lo.nodes, pods }, signals, names, { seed: lo.seed, interval, trainS: o.trainSeconds ?? 1500, calS: o.calibrateSeconds ?? 1200, testS: lo.durationSeconds, runtime: (performance.now() - t0) / 1000 });
}
