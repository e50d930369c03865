/**
 * Throughput of decode + summarise on one core, for Falco JSON lines and compact NDJSON, with the fast scanner and
 * with JSON.parse. Reproduce the docs numbers with:
 *
 *     npm run build && node dist/src/features/summarizers/syscall/bench.js [--events 400000] [--containers 50]
 *
 * It writes synthetic events (a web-server-like syscall mix over N containers, seeded) to temporary files in both
 * formats, then times each variant (best of 3 runs): read + decode only, and read + decode + summarise (30 s windows).
 */
import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../../../core/rng.js';
import { encodeFalcoEvent } from '../../../ingest/events/falco/encode.js';
import { openEvents } from '../../../ingest/events/index.js';
import { encodeEvent } from '../../../ingest/events/ndjson/index.js';
import { blankEvent, type SyscallEvent } from '../../../ingest/events/types.js';
import { SyscallSummarizer } from './summarizer.js';

const MIX: [string, number, string][] = [
  ['read', 22, '/var/www/html/index.html'],
  ['write', 14, ''],
  ['epoll_wait', 12, ''],
  ['openat', 10, '/etc/nginx/nginx.conf'],
  ['close', 10, ''],
  ['futex', 8, ''],
  ['recvfrom', 5, ''],
  ['sendto', 5, ''],
  ['accept4', 4, ''],
  ['fstat', 4, '/var/www/html/index.html'],
  ['mmap', 2, ''],
  ['connect', 2, ''],
  ['stat', 1, '/usr/share/nginx/html/favicon.ico'],
  ['clone', 0.5, ''],
  ['execve', 0.3, '/bin/sh'],
  ['setuid', 0.1, ''],
];

/** Synthetic events: `n` events over `containers` containers of 5 images, ~1.8k events/s per container. */
export function syntheticEvents(n: number, containers = 50, seed = 1): SyscallEvent[] {
  const out: SyscallEvent[] = [];
  for (const part of syntheticEventChunks(n, containers, seed)) for (const e of part) out.push(e);
  return out;
}

/** The same events in arrays of at most `chunk` (so large runs never hold them all). */
export function* syntheticEventChunks(n: number, containers = 50, seed = 1, chunk = 10_000): Generator<SyscallEvent[]> {
  const rng = new Rng(seed);
  const total = MIX.reduce((s, m) => s + m[1], 0);
  const cum: number[] = [];
  let acc = 0;
  for (const m of MIX) cum.push((acc += m[1] / total));
  let out: SyscallEvent[] = [];
  let t = 1_700_000_000_000_000;
  const step = 1e6 / (1800 * containers);
  for (let i = 0; i < n; i++) {
    t += step * (0.5 + rng.next());
    const c = rng.int(containers);
    const u = rng.next();
    let j = 0;
    while (j < cum.length - 1 && u > cum[j]) j++;
    const [syscall, , path] = MIX[j];
    const e = blankEvent('-', i + 1);
    e.timeUs = Math.round(t * 1000) / 1000;
    e.node = 'node-1';
    e.containerId = `c0ffee${String(c).padStart(6, '0')}`;
    e.image = `registry.example/shop/app-${c % 5}:1.0`;
    e.pod = `app-${c % 5}-7d9c5b6f4d-${String(c).padStart(5, 'x')}`;
    e.namespace = 'shop';
    e.process = syscall === 'execve' ? 'sh' : 'nginx';
    e.exe = syscall === 'execve' ? '/bin/sh' : '/usr/sbin/nginx';
    e.parent = 'containerd-shim';
    e.pid = 1000 + c;
    e.tid = 1000 + c;
    e.syscall = syscall;
    e.dir = '<';
    e.ret = rng.next() < 0.03 ? -2 : 0;
    e.fd = path;
    if (syscall === 'connect' || syscall === 'accept4') {
      e.dstAddr = '10.0.0.10';
      e.dstPort = syscall === 'connect' ? 5432 : 8080;
      e.srcAddr = '10.0.1.5';
      e.srcPort = 40000 + rng.int(20000);
      e.fd = `${e.srcAddr}:${e.srcPort}->${e.dstAddr}:${e.dstPort}`;
    }
    out.push(e);
    if (out.length === chunk) {
      yield out;
      out = [];
    }
  }
  if (out.length > 0) yield out;
}

export interface ThroughputRow {
  format: string;
  parser: string;
  stage: 'decode' | 'decode+summarise';
  events: number;
  bytes: number;
  /** Wall-clock seconds and events per wall second. */
  seconds: number;
  eventsPerSecond: number;
  /** CPU seconds of the process (all threads: includes GC helper threads) and events per CPU second. */
  cpuSeconds: number;
  eventsPerCpuSecond: number;
  vectors: number;
}

async function run(format: string, file: string, parser: 'json' | 'scan', summarise: boolean): Promise<ThroughputRow> {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const src = await openEvents(format, [file], { onBadRow: 'fail', parser });
  const sum = summarise ? new SyscallSummarizer({ intervalSeconds: 30 }) : null;
  let events = 0;
  let vectors = 0;
  for await (const b of src.batches()) {
    events += b.events.length;
    if (sum) vectors += sum.push(b).length;
  }
  if (sum) vectors += sum.flush().length;
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(c0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  return {
    format,
    parser,
    stage: summarise ? 'decode+summarise' : 'decode',
    events,
    bytes: src.stats.bytes,
    seconds,
    eventsPerSecond: events / seconds,
    cpuSeconds,
    eventsPerCpuSecond: events / cpuSeconds,
    vectors,
  };
}

export async function measureThroughput(n = 400_000, containers = 50, repeats = 3): Promise<ThroughputRow[]> {
  const dir = await mkdtemp(join(tmpdir(), 'pgn-events-bench-'));
  try {
    const falco = join(dir, 'events.falco.jsonl');
    const ndjson = join(dir, 'events.ndjson');
    await writeFile(falco, '');
    await writeFile(ndjson, '');
    for (const part of syntheticEventChunks(n, containers)) {
      await appendFile(falco, part.map((e) => encodeFalcoEvent(e) + '\n').join(''));
      await appendFile(ndjson, part.map((e) => encodeEvent(e) + '\n').join(''));
    }
    const rows: ThroughputRow[] = [];
    for (const [format, file] of [
      ['falco', falco],
      ['ndjson', ndjson],
    ] as const) {
      for (const parser of ['json', 'scan'] as const) {
        for (const summarise of [false, true]) {
          let best: ThroughputRow | null = null;
          for (let r = 0; r < repeats; r++) {
            const row = await run(format, file, parser, summarise);
            if (best === null || row.seconds < best.seconds) best = row;
          }
          rows.push(best as ThroughputRow);
        }
      }
    }
    return rows;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const isEntry = process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isEntry) {
  const arg = (name: string, def: number): number => {
    const i = process.argv.indexOf(name);
    return i > 0 ? Number(process.argv[i + 1]) : def;
  };
  const rows = await measureThroughput(arg('--events', 400_000), arg('--containers', 50));
  const fmt = (x: number): string => Math.round(x).toLocaleString('en-US');
  process.stdout.write('| format | parser | stage | events | MB | events/s (wall) | events/s (CPU) |\n|---|---|---|---|---|---|---|\n');
  for (const r of rows) {
    process.stdout.write(`| ${r.format} | ${r.parser} | ${r.stage} | ${r.events} | ${(r.bytes / 1e6).toFixed(1)} | ${fmt(r.eventsPerSecond)} | ${fmt(r.eventsPerCpuSecond)} |\n`);
  }
}
