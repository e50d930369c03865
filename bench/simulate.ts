/**
 * `npm run bench:simulate`: how fast the cluster simulator writes syscall events to a file on one core (the issue's
 * bar: 1M events/s), per output format, plus the whole-dataset rate (every modality) of a smaller cluster.
 *
 *   npm run bench:simulate -- [--nodes 100] [--seconds 20] [--rate-scale 1] [--out DIR]
 *
 * DIR defaults to /dev/shm/peregrine-bench-sim (a RAM file system, so the figure is the generator's, not the disk's)
 * when /dev/shm exists, else /tmp/peregrine-bench-sim.
 *
 * Syscall rows: the generator fills typed-array columns (time, template, class) per one-second slice and the fast
 * writer copies each template's pre-encoded bytes into a preallocated buffer with the time written digit by digit;
 * the buffer goes to the file with writeSync. Measured: wall time from the first slice to the last byte written.
 */
import { closeSync, existsSync, mkdirSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { FastEventWriter, type FastFormat } from '../src/simulate/cluster/fast-writer.js';
import { ClusterSimulation } from '../src/simulate/cluster/stream.js';
import { writeClusterDataset } from '../src/simulate/cluster/dataset.js';

const { values } = parseArgs({
  options: { nodes: { type: 'string', default: '100' }, seconds: { type: 'string', default: '20' }, 'rate-scale': { type: 'string', default: '1' }, out: { type: 'string', default: existsSync('/dev/shm') ? '/dev/shm/peregrine-bench-sim' : '/tmp/peregrine-bench-sim' } },
});
const nodes = Number(values.nodes);
const seconds = Number(values.seconds);
const rateScale = Number(values['rate-scale']);
const out = values.out as string;
mkdirSync(out, { recursive: true });

function syscallsToFile(format: FastFormat): { events: number; bytes: number; seconds: number; pods: number } {
  const sim = new ClusterSimulation({ seed: 1, nodes, durationSeconds: seconds, rateScale, flows: false });
  const writer = new FastEventWriter(format, sim.sim.templates, sim.sim.classes);
  const path = join(out, `syscalls.${format}`);
  const fd = openSync(path, 'w');
  let events = 0;
  const t0 = performance.now();
  for (const slice of sim.slices()) {
    const buf = writer.encodeColumns(slice.syscalls, slice.attackEvents);
    writeSync(fd, buf);
    events += slice.syscalls.n + slice.attackEvents.length;
  }
  closeSync(fd);
  const s = (performance.now() - t0) / 1000;
  const bytes = statSync(path).size;
  rmSync(path);
  return { events, bytes, seconds: s, pods: sim.topo.pods.length };
}

const rows: string[] = [];
for (const format of ['ndjson', 'falco'] as const) {
  const r = syscallsToFile(format);
  const line = `${format.padEnd(7)} ${nodes} nodes, ${r.pods} pods, ${seconds} simulated s: ${r.events.toLocaleString('en')} events in ${r.seconds.toFixed(2)} s = ${Math.round(r.events / r.seconds).toLocaleString('en')} events/s, ${(r.bytes / r.seconds / 1e6).toFixed(0)} MB/s (${(r.bytes / r.events).toFixed(0)} B/event)`;
  console.log(line);
  rows.push(line);
}
const dir = join(out, 'dataset');
const t0 = performance.now();
const d = await writeClusterDataset(dir, { seed: 1, nodes: 3, durationSeconds: 300, scenarios: [{ name: 'cryptominer', startSeconds: 30 }] });
const ds = (performance.now() - t0) / 1000;
console.log(`files in ${out}`);
console.log(`dataset 3 nodes, 300 simulated s, every modality: ${ds.toFixed(1)} s (${Object.entries(d.counts).map(([k, v]) => `${k} ${v}`).join(', ')})`);
rmSync(out, { recursive: true, force: true });
