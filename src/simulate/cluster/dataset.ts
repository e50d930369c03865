/**
 * A labelled dataset on disk, every modality of the same simulated events:
 *
 *   syscalls/falco.jsonl      Falco JSON lines (fast writer)        syscalls/tetragon.jsonl  Tetragon JSON export
 *   syscalls/events.ndjson    Peregrine's compact NDJSON (labels)   flows/flows.csv          CICFlowMeter-V4 CSV
 *   metrics/NNNNNN.prom       one exposition text per scrape        audit/audit.jsonl        audit.k8s.io/v1 Events
 *   labels.json               scenarios (kind, start, end, pods, nodes, addresses) + counts and the options
 *
 * Written as it is generated (streams wait for drain), so memory stays flat whatever the duration.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import { join } from 'node:path';
import { PeregrineError } from '../../core/errors.js';
import { CSV_HEADER, flowToCsvRow } from '../flows/csv.js';
import { FastEventWriter } from './fast-writer.js';
import { encodeAuditEvent, encodeExposition, encodeTetragonEvent } from './formats.js';
import { ClusterSimulation, type ClusterSimOptions } from './stream.js';

export const MODALITIES = ['falco', 'tetragon', 'ndjson', 'flows', 'metrics', 'audit'] as const;
export type Modality = (typeof MODALITIES)[number];

export interface DatasetOptions extends ClusterSimOptions {
  /** Which files to write (default all). */
  modalities?: readonly Modality[];
  onProgress?: (doneSeconds: number, totalSeconds: number) => void;
}

export interface DatasetResult {
  dir: string;
  counts: Record<string, number>;
  bytes: Record<string, number>;
  seconds: number;
  labelsPath: string;
}

class Out {
  bytes = 0;
  count = 0;
  constructor(readonly stream: WriteStream) {}
  async write(chunk: string | Buffer, records: number): Promise<void> {
    this.bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
    this.count += records;
    // a Buffer from the fast writer is reused on the next call: copy it when the stream keeps it
    if (!this.stream.write(typeof chunk === 'string' ? chunk : Buffer.from(chunk))) await once(this.stream, 'drain');
  }
  async close(): Promise<void> {
    this.stream.end();
    await once(this.stream, 'close');
  }
}

export async function writeClusterDataset(dir: string, options: DatasetOptions): Promise<DatasetResult> {
  const want = new Set<Modality>(options.modalities ?? MODALITIES);
  const simulation = new ClusterSimulation({ ...options, flows: options.flows ?? want.has('flows') });
  const t0 = performance.now();
  try {
    for (const d of ['syscalls', 'flows', 'metrics', 'audit']) await mkdir(join(dir, d), { recursive: true });
  } catch (e) {
    throw new PeregrineError('PGN_ERR_IO', `cannot create the output folder: ${(e as Error).message}`, { where: dir, hint: 'check the path and its permissions' });
  }
  const outs = new Map<Modality, Out>();
  const open = (m: Modality, path: string): void => {
    if (want.has(m)) outs.set(m, new Out(createWriteStream(join(dir, path))));
  };
  open('falco', 'syscalls/falco.jsonl');
  open('tetragon', 'syscalls/tetragon.jsonl');
  open('ndjson', 'syscalls/events.ndjson');
  open('flows', 'flows/flows.csv');
  open('audit', 'audit/audit.jsonl');
  const falco = new FastEventWriter('falco', simulation.sim.templates, simulation.sim.classes);
  const ndjson = new FastEventWriter('ndjson', simulation.sim.templates, simulation.sim.classes);
  await outs.get('flows')?.write(CSV_HEADER + '\n', 0);
  let scrapes = 0;
  let metricSamples = 0;
  let metricBytes = 0;
  const total = options.durationSeconds;
  let done = 0;
  try {
    for (const slice of simulation.slices()) {
      const n = slice.syscalls.n + slice.attackEvents.length;
      const f = outs.get('falco');
      if (f) await f.write(falco.encodeColumns(slice.syscalls, slice.attackEvents), n);
      const nd = outs.get('ndjson');
      if (nd) await nd.write(ndjson.encodeColumns(slice.syscalls, slice.attackEvents), n);
      const tg = outs.get('tetragon');
      if (tg) {
        const events = simulation.sim.toEvents(slice.syscalls);
        for (const e of slice.attackEvents) events.push(e);
        events.sort((a, b) => a.timeUs - b.timeUs);
        let text = '';
        let k = 0;
        for (const e of events) {
          const line = encodeTetragonEvent(e);
          if (line !== null) {
            text += line + '\n';
            k++;
          }
        }
        await tg.write(text, k);
      }
      const fl = outs.get('flows');
      if (fl && slice.flows.length > 0) await fl.write(slice.flows.map((r) => flowToCsvRow(r) + '\n').join(''), slice.flows.length);
      const au = outs.get('audit');
      if (au && slice.audit.length > 0) await au.write(slice.audit.map((a) => encodeAuditEvent(a) + '\n').join(''), slice.audit.length);
      if (slice.metrics && want.has('metrics')) {
        const text = encodeExposition(slice.metrics, Math.round(slice.endUs / 1000));
        await writeFile(join(dir, 'metrics', `${String(scrapes++).padStart(6, '0')}.prom`), text);
        metricSamples += slice.metrics.length * 4;
        metricBytes += text.length;
      }
      done++;
      options.onProgress?.(done, total);
    }
  } finally {
    for (const o of outs.values()) await o.close();
  }
  const counts: Record<string, number> = {};
  const bytes: Record<string, number> = {};
  for (const [m, o] of outs) {
    counts[m] = o.count;
    bytes[m] = o.bytes;
  }
  if (want.has('metrics')) {
    counts.metrics = metricSamples;
    bytes.metrics = metricBytes;
  }
  const labelsPath = join(dir, 'labels.json');
  const labels = {
    generator: 'peregrine simulate',
    options: { seed: options.seed, nodes: options.nodes, podsPerNode: options.podsPerNode ?? 10, durationSeconds: options.durationSeconds, rateScale: options.rateScale ?? 1, scenarios: options.scenarios ?? [] },
    start: new Date(simulation.startUs / 1000).toISOString(),
    end: new Date(simulation.endUs / 1000).toISOString(),
    pods: simulation.topo.pods.length,
    counts,
    scenarios: simulation.labels.map((l) => ({ ...l, start: new Date(l.startUs / 1000).toISOString(), end: new Date(l.endUs / 1000).toISOString() })),
  };
  await writeFile(labelsPath, JSON.stringify(labels, null, 2) + '\n');
  return { dir, counts, bytes, seconds: (performance.now() - t0) / 1000, labelsPath };
}
