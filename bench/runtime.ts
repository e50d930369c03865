/**
 * `npm run bench:runtime`: the container runtime path under load, the shape of the SRI paper's Tables 1 and 2.
 * Writes docs/benchmarks-runtime.md and bench/results/runtime.json.
 *
 *   npm run bench:runtime -- [--containers 10,20,30,40,50] [--intervals 10] [--events-per-interval 1800]
 *                            [--images 5] [--epochs 100] [--vectors-to-train 20] [--repeat 3] [--no-literal] [--quick]
 *
 * For each container count and publisher mode (adaptive, standard), in a fresh process:
 * 1. pre-train: a training stretch of generated nginx activity (src/simulate/events) goes through the pipeline until
 *    every image group has trained its VAE (N vectors, the paper's 100 epochs) into an in-memory model registry;
 * 2. measure: 1 warm-up interval plus `intervals` 30-s intervals of stable operation through a fresh pipeline that
 *    loads those models (so every vector is judged from the start): events -> summarise -> score (VAE) -> publish
 *    -> Delivery -> MemorySink. Per interval: process CPU time (user + system, process.cpuUsage, all threads,
 *    garbage collection included) and wall time spent inside the pipeline, bytes published (publisher counters:
 *    summary JSON bytes + raw event line bytes) and bytes stored (the sink's serialized record bytes). Generating the
 *    events and encoding their lines (the input side, what decoding would cost) happens outside the measured calls.
 * Plus: decode + summarise throughput of Falco JSON lines on one core (src/features/summarizers/syscall/bench.ts).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { machine, median } from './util.js';
import { repoRoot } from '../src/testing/paths.js';
import { encodeEvent } from '../src/ingest/events/index.js';
import { encodeFalcoEvent } from '../src/ingest/events/falco/encode.js';
import type { SyscallEvent } from '../src/ingest/events/types.js';
import { generateEvents, DEFAULT_START_US } from '../src/simulate/events/index.js';
import { MemorySink } from '../src/runtime/memory-sink.js';
import { RuntimePipeline, type IntervalMetrics, type PublishMode } from '../src/runtime/pipeline.js';
import { MemoryModelRegistry } from '../src/runtime/registry.js';
import { measureThroughput, type ThroughputRow } from '../src/features/summarizers/syscall/bench.js';

const INTERVAL_SECONDS = 30;

interface CaseConfig {
  name: string;
  containers: number;
  images: number;
  mode: PublishMode;
  /** Events per second per container (1800 per 30-s interval = 60/s). */
  rate: number;
  intervals: number;
  epochs: number;
  vectorsToTrain: number;
  lines: 'ndjson' | 'falco';
  seed: number;
  /** Stability threshold k (default 3). */
  k?: number;
  /** How exceedances become unstable verdicts (default: the monitor's default, hysteresis). */
  alarm?: 'paper' | 'hysteresis';
}

interface CaseResult {
  config: CaseConfig;
  eventsPerInterval: number;
  trainSeconds: number;
  trainIntervals: number;
  measured: {
    index: number;
    events: number;
    vectors: number;
    unstable: number;
    cpuMs: number;
    wallMs: number;
    stagesMs: IntervalMetrics['stages'];
    publishedBytes: number;
    storedBytes: number;
    publishedRecords: number;
  }[];
  cpuMsMean: number;
  cpuMsMedian: number;
  cpuMsMax: number;
  wallMsMean: number;
  publishedBytes: number;
  storedBytes: number;
  summaryBytesMean: number;
  lineBytesMean: number;
  unstableIntervals: number;
  models: number;
  /** Mean CPU per interval of every repeat (parent only). */
  runsCpuMsMean?: number[];
}

// ---------------------------------------------------------------------------------------------------------------
// child: one case in a fresh process

async function runCase(c: CaseConfig): Promise<CaseResult> {
  const perImage = Math.ceil(c.containers / c.images);
  const trainIntervals = Math.ceil(c.vectorsToTrain / Math.min(perImage, c.containers)) + 2;
  // the encoders return flat strings, as received lines read from a buffer are
  const encode = c.lines === 'falco' ? (e: SyscallEvent) => encodeFalcoEvent(e) : encodeEvent;
  const registry = new MemoryModelRegistry();
  const stability = { vectorsToTrain: c.vectorsToTrain, epochs: c.epochs, seed: c.seed, k: c.k ?? 3, ...(c.alarm ? { alarm: c.alarm } : {}) };
  const summarizer = { intervalSeconds: INTERVAL_SECONDS };

  // 1. pre-train
  const t0 = performance.now();
  const trainer = new RuntimePipeline({ mode: 'adaptive', summarizer, stability, registry, sink: new MemorySink({ maxRecords: 0, keepIds: false }) });
  await trainer.start();
  const trainSeconds = trainIntervals * INTERVAL_SECONDS;
  for (const part of generateEvents({ seed: c.seed, containers: c.containers, images: c.images, rate: c.rate, durationSeconds: trainSeconds })) {
    await trainer.push(part, part.map(encode));
  }
  const ts = await trainer.finish();
  await trainer.close();
  if (ts.learningGroups.length > 0) throw new Error(`groups still learning after ${trainIntervals} intervals: ${JSON.stringify(ts.learningGroups)}`);
  const trainWall = (performance.now() - t0) / 1000;

  // 2. measure: one warm-up interval, then `intervals` intervals; each pushed slice by slice (1 s of events)
  const sink = new MemorySink({ maxRecords: 0, keepIds: false });
  const pipeline = new RuntimePipeline({ mode: c.mode, summarizer, stability, registry, sink });
  await pipeline.start();
  const startUs = DEFAULT_START_US + trainSeconds * 1e6;
  const total = c.intervals + 1;
  // slice by slice (1 s of events), as a decoder would hand them over; generating and encoding is not measured
  for (const part of generateEvents({ seed: c.seed, containers: c.containers, images: c.images, rate: c.rate, startUs, durationSeconds: total * INTERVAL_SECONDS })) {
    await pipeline.push(part, part.map(encode));
  }
  await pipeline.finish();
  await pipeline.close();
  // interval k holds summarising k and judging/publishing k-1: the warm-up interval 0 and the final flush are left out
  const ivs = pipeline.intervals().slice(1, 1 + c.intervals);
  const measured = ivs.map((m) => ({
    index: m.index,
    events: m.events,
    vectors: m.vectors,
    unstable: m.unstable,
    cpuMs: m.cpuMs,
    wallMs: m.wallMs,
    stagesMs: m.stages,
    publishedBytes: m.published.bytes,
    storedBytes: m.stored.bytes,
    publishedRecords: m.published.records,
  }));
  const cpu = measured.map((m) => m.cpuMs);
  const pub = pipeline.publisher.stats().total;
  return {
    config: c,
    eventsPerInterval: Math.round(c.containers * c.rate * INTERVAL_SECONDS),
    trainSeconds: trainWall,
    trainIntervals,
    measured,
    cpuMsMean: cpu.reduce((a, b) => a + b, 0) / cpu.length,
    cpuMsMedian: median(cpu),
    cpuMsMax: Math.max(...cpu),
    wallMsMean: measured.reduce((a, m) => a + m.wallMs, 0) / measured.length,
    publishedBytes: measured.reduce((a, m) => a + m.publishedBytes, 0),
    storedBytes: measured.reduce((a, m) => a + m.storedBytes, 0),
    summaryBytesMean: pub.summaries > 0 ? pub.summaryBytes / pub.summaries : 0,
    lineBytesMean: pub.events > 0 ? pub.eventBytes / pub.events : 0,
    unstableIntervals: measured.reduce((a, m) => a + m.unstable, 0),
    models: ts.models.length,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// parent

const self = fileURLToPath(import.meta.url);

function child(c: CaseConfig): CaseResult {
  const r = spawnSync(process.execPath, ['--max-old-space-size=8192', self, '--child', JSON.stringify(c)], { encoding: 'utf8', maxBuffer: 256 << 20 });
  if (r.status !== 0) throw new Error(`case ${c.name} failed (${r.status}): ${r.stderr.slice(-3000)}`);
  const line = r.stdout.split('\n').find((l) => l.startsWith('{'));
  if (!line) throw new Error(`case ${c.name}: no result`);
  return JSON.parse(line) as CaseResult;
}

const mb = (b: number): string => (b / 1e6).toFixed(b < 1e6 ? 3 : 1);
const ms = (x: number): string => x.toFixed(1);

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      child: { type: 'string' },
      containers: { type: 'string', default: '10,20,30,40,50' },
      intervals: { type: 'string', default: '10' },
      'events-per-interval': { type: 'string', default: '1800' },
      images: { type: 'string', default: '5' },
      epochs: { type: 'string', default: '100' },
      'vectors-to-train': { type: 'string', default: '20' },
      seed: { type: 'string', default: '1' },
      repeat: { type: 'string', default: '3' },
      'no-literal': { type: 'boolean', default: false },
      quick: { type: 'boolean', default: false },
    },
  });
  if (values.child) {
    process.stdout.write(JSON.stringify(await runCase(JSON.parse(values.child) as CaseConfig)) + '\n');
    return;
  }
  const log = (s: string) => process.stderr.write(s + '\n');
  const quick = values.quick;
  const counts = (quick ? '10,50' : values.containers).split(',').map(Number);
  const intervals = quick ? 3 : Number(values.intervals);
  const perInterval = Number(values['events-per-interval']);
  const rate = perInterval / INTERVAL_SECONDS;
  const images = Number(values.images);
  const base = { intervals, epochs: Number(values.epochs), vectorsToTrain: Number(values['vectors-to-train']), seed: Number(values.seed) };
  const cases: CaseConfig[] = [];
  for (const n of counts) {
    for (const mode of ['adaptive', 'standard'] as const) cases.push({ ...base, name: `${n}-${mode}`, containers: n, images: Math.min(images, n), mode, rate, lines: 'ndjson' });
    // the SRI paper's rule: every exceedance of r_th is unstable (the default confirms mild exceedances first)
    cases.push({ ...base, name: `${n}-adaptive-paper`, containers: n, images: Math.min(images, n), mode: 'adaptive', rate, lines: 'ndjson', alarm: 'paper' });
    // the publisher alone in stable operation: every interval judged stable (k so large no normal interval exceeds it)
    cases.push({ ...base, name: `${n}-adaptive-stable`, containers: n, images: Math.min(images, n), mode: 'adaptive', rate, lines: 'ndjson', k: 1e9 });
  }
  const top = Math.max(...counts);
  cases.push({ ...base, name: `${top}-adaptive-stable-per-container-models`, containers: top, images: top, mode: 'adaptive', rate, lines: 'ndjson', k: 1e9 });
  cases.push({ ...base, name: `${top}-adaptive-stable-falco-lines`, containers: top, images: Math.min(images, top), mode: 'adaptive', rate, lines: 'falco', k: 1e9 });
  cases.push({ ...base, name: `${top}-standard-falco-lines`, containers: top, images: Math.min(images, top), mode: 'standard', rate, lines: 'falco' });
  if (!values['no-literal'] && !quick) {
    cases.push({ ...base, intervals: 3, name: '10-adaptive-1800-per-second', containers: 10, images: 5, mode: 'adaptive', rate: 1800, lines: 'ndjson' });
    cases.push({ ...base, intervals: 3, name: '10-adaptive-stable-1800-per-second', containers: 10, images: 5, mode: 'adaptive', rate: 1800, lines: 'ndjson', k: 1e9 });
    cases.push({ ...base, intervals: 3, name: '10-standard-1800-per-second', containers: 10, images: 5, mode: 'standard', rate: 1800, lines: 'ndjson' });
  }
  const repeat = quick ? 1 : Math.max(1, Number(values.repeat));
  const results: CaseResult[] = [];
  for (const c of cases) {
    const t = performance.now();
    // each case `repeat` times in fresh processes; the run with the median mean CPU is kept (all runs are in the JSON)
    const runs = Array.from({ length: repeat }, () => child(c)).sort((x, y) => x.cpuMsMean - y.cpuMsMean);
    const r: CaseResult = { ...runs[runs.length >> 1], runsCpuMsMean: runs.map((x) => x.cpuMsMean) };
    results.push(r);
    log(`${c.name}: ${r.eventsPerInterval} events/interval, CPU/interval mean ${ms(r.cpuMsMean)} ms (median ${ms(r.cpuMsMedian)}, max ${ms(r.cpuMsMax)}), published ${mb(r.publishedBytes)} MB, stored ${mb(r.storedBytes)} MB, unstable ${r.unstableIntervals} [${((performance.now() - t) / 1000).toFixed(0)} s]`);
  }
  log('decode + summarise throughput ...');
  const throughput: ThroughputRow[] = await measureThroughput(quick ? 100_000 : 400_000, 50);

  const root = repoRoot();
  mkdirSync(join(root, 'bench', 'results'), { recursive: true });
  const when = new Date().toISOString();
  const m = machine();
  writeFileSync(join(root, 'bench', 'results', 'runtime.json'), JSON.stringify({ when, machine: m, args: values, results, throughput }, null, 1) + '\n');
  writeFileSync(join(root, 'docs', 'benchmarks-runtime.md'), render(when, m, results, throughput, { ...base, intervals, perInterval, images }));
  log('wrote docs/benchmarks-runtime.md and bench/results/runtime.json');
}

function render(when: string, m: Record<string, string | number>, results: CaseResult[], tp: ThroughputRow[], o: { intervals: number; perInterval: number; images: number; epochs: number; vectorsToTrain: number; seed: number }): string {
  const find = (name: string) => results.find((r) => r.config.name === name);
  const main = results.filter((r) => /^\d+-standard$/.test(r.config.name));
  const counts = [...new Set(main.map((r) => r.config.containers))].sort((a, b) => a - b);
  const top = Math.max(...counts);
  const cpu = (r: CaseResult | undefined) => (r ? `${ms(r.cpuMsMean)} / ${ms(r.cpuMsMedian)} / ${ms(r.cpuMsMax)}` : 'n/a');
  const judged = (r: CaseResult) => r.measured.reduce((x, q) => x + q.vectors, 0);
  const ratio = (a: number, b: number) => `${Math.round(a / b).toLocaleString('en-US')}x`;
  const out: string[] = [];
  out.push('# Runtime path benchmark (container stability, forensic publishing)', '');
  out.push(`Written by \`npm run bench:runtime\` on ${when.slice(0, 10)}; raw figures in \`bench/results/runtime.json\`.`);
  out.push(`Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}, Node ${m.node}. Shared, noisy machines (other jobs ran at the same time): treat differences under ~20 % as noise.`, '');
  out.push('## What is measured', '');
  out.push(
    `Generated nginx containers (src/simulate/events, seed ${o.seed}), ${o.perInterval.toLocaleString('en-US')} syscalls per container per 30-s interval, spread over ${o.images} images (one VAE per image group), ` +
      `raw events as compact NDJSON lines (about ${Math.round(find(`${top}-standard`)?.lineBytesMean ?? 0)} bytes each) unless stated. Each case runs in a fresh Node process with default V8 flags: a training stretch first trains every group's VAE ` +
      `(N = ${o.vectorsToTrain} vectors, ${o.epochs} epochs, the paper's setting) into a model registry, then one warm-up interval and ${o.intervals} intervals (${(o.intervals * 30) / 60} minutes) of stable operation (no attack) are measured ` +
      'through a fresh pipeline that loads those models, so every vector is judged from the start: summarise -> score (VAE: one plain-JavaScript pass per group and batch giving scores and latent statistics, src/runtime/fast-vae.ts) -> publish (adaptive or standard) -> Delivery -> an in-memory sink. ' +
      'Events arrive in 1-s slices as a decoder would hand them over. CPU is the process CPU time (user + system, all threads, garbage collection included) spent inside the pipeline calls; ' +
      'generating the events and encoding their lines (the input side) is not counted; decoding is measured separately below. Interval k holds summarising interval k plus judging and publishing interval k-1. ' +
      'Published bytes: summary JSON bytes plus raw event line bytes (the publisher counters); stored bytes: the serialized records the sink received (what the SQLite sink counts as bytesSent).',
    '',
  );
  out.push(
    '**Load.** The issue says "about 1.8k syscalls/s each, so 18k-90k per 30-s interval" for 10-50 containers; the two figures disagree ' +
      '(1.8k/s for 30 s is 54k per container). The targets are stated per interval (50 containers, 90k syscalls per interval), so the tables use ' +
      `${o.perInterval.toLocaleString('en-US')} syscalls per container per interval (${o.perInterval / 30}/s); the last section runs the literal 1.8k syscalls/s per container (54k per container per interval) for 10 containers.`,
    '',
  );
  out.push(
    '**Three adaptive columns.** "adaptive" is the real system with its defaults: the VAE judges every interval against r_th = r_mean + 3 r_sd, and the default hysteresis rule makes an exceedance unstable when it is 2x r_th, ' +
      'or the third in a row, or within 2 intervals of an alarm (docs/runtime.md). "adaptive, paper rule" makes every exceedance unstable (the SRI paper, `alarm: paper`): a false alarm on a normal interval ships that interval, ' +
      'the cached context and the cool-down interval in full. "adaptive, all stable" sets k so high that every interval is judged stable: it isolates the publisher in stable operation (summaries only), what Table 2 of the paper compares.',
    '',
  );
  out.push('## Processing per interval (Table 1 shape)', '');
  out.push(`CPU ms per interval, mean / median / max over the measured intervals. Each case ran ${results[0]?.runsCpuMsMean?.length ?? 1} times in fresh processes; the run with the median mean is shown (every run's mean is in the JSON).`, '');
  out.push('| containers | syscalls / interval | adaptive | adaptive, paper rule | adaptive, all stable | standard | unstable verdicts (false alarms): adaptive / paper rule |');
  out.push('|---:|---:|---:|---:|---:|---:|---:|');
  const fa = (r: CaseResult | undefined) => (r ? String(r.unstableIntervals) : 'n/a');
  for (const n of counts) {
    const a = find(`${n}-adaptive`);
    const ap = find(`${n}-adaptive-paper`);
    const as = find(`${n}-adaptive-stable`);
    const s = find(`${n}-standard`);
    if (!s) continue;
    out.push(`| ${n} | ${s.eventsPerInterval.toLocaleString('en-US')} | ${cpu(a)} | ${cpu(ap)} | ${cpu(as)} | ${cpu(s)} | ${fa(a)} / ${fa(ap)} of ${a ? judged(a) : 'n/a'} container-intervals |`);
  }
  out.push('');
  const st = find(`${top}-adaptive-stable`);
  if (st) {
    const avg = st.measured.reduce(
      (acc, q) => {
        for (const k of Object.keys(acc) as (keyof typeof acc)[]) acc[k] += q.stagesMs[k] / st.measured.length;
        return acc;
      },
      { summarizeMs: 0, assessMs: 0, trainMs: 0, publishMs: 0, deliverMs: 0 },
    );
    out.push(
      `Stage wall times per interval at ${top} containers, adaptive, all stable: summarise ${ms(avg.summarizeMs)} ms, score ${ms(avg.assessMs)} ms, publish ${ms(avg.publishMs)} ms (raw events into the per-container cache, verdicts, spool), deliver ${ms(avg.deliverMs)} ms; wall ${ms(st.wallMsMean)} ms in all.`,
      '',
    );
  }
  const pc = find(`${top}-adaptive-stable-per-container-models`);
  if (pc) out.push(`With one model per container instead of one per image (${pc.config.containers} VAEs, each scored on its own), adaptive, all stable: CPU per interval ${cpu(pc)} ms.`, '');
  out.push(`## Bytes over ${o.intervals} intervals of stable operation (Table 2 shape)`, '');
  out.push('| containers | adaptive: published / stored MB | adaptive, paper rule: published / stored MB | adaptive all stable: published / stored MB | standard: published / stored MB | standard / adaptive: published, stored | standard / adaptive paper rule: published, stored | standard / adaptive all stable: published, stored |');
  out.push('|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const n of counts) {
    const a = find(`${n}-adaptive`);
    const ap = find(`${n}-adaptive-paper`);
    const as = find(`${n}-adaptive-stable`);
    const s = find(`${n}-standard`);
    if (!a || !as || !s) continue;
    const pair = (r: CaseResult | undefined) => (r ? `${mb(r.publishedBytes)} / ${mb(r.storedBytes)}` : 'n/a');
    const ratios = (r: CaseResult | undefined) => (r ? `${ratio(s.publishedBytes, r.publishedBytes)}, ${ratio(s.storedBytes, r.storedBytes)}` : 'n/a');
    out.push(`| ${n} | ${pair(a)} | ${pair(ap)} | ${pair(as)} | ${pair(s)} | ${ratios(a)} | ${ratios(ap)} | ${ratios(as)} |`);
  }
  out.push('');
  if (st) out.push(`A summary record averages ${Math.round(st.summaryBytesMean)} bytes (ids, times, score and threshold at 4 significant digits, latent mean and variance of 10 dimensions at 2 significant digits, non-zero class counts; fullLog, contextIntervals and droppedEvents left out at their defaults: docs/publish.md); an event line ${Math.round(find(`${top}-standard`)?.lineBytesMean ?? 0)} bytes; a stored event record (line plus id, container, group, interval, offset, time, reason) about twice that.`, '');
  const fla = find(`${top}-adaptive-stable-falco-lines`);
  const fs = find(`${top}-standard-falco-lines`);
  if (fla && fs) {
    out.push(
      `With Falco JSON lines as the raw events (about ${Math.round(fs.lineBytesMean)} bytes each: what a Falco-based agent would ship), ${top} containers: ` +
        `standard publishes ${mb(fs.publishedBytes)} MB and stores ${mb(fs.storedBytes)} MB, adaptive (all stable) ${mb(fla.publishedBytes)} MB and ${mb(fla.storedBytes)} MB: ${ratio(fs.publishedBytes, fla.publishedBytes)} published, ${ratio(fs.storedBytes, fla.storedBytes)} stored; ` +
        `CPU per interval ${cpu(fla)} ms adaptive, ${cpu(fs)} ms standard.`,
      '',
    );
  }
  const la = find('10-adaptive-1800-per-second');
  const las = find('10-adaptive-stable-1800-per-second');
  const ls = find('10-standard-1800-per-second');
  if (la && las && ls) {
    out.push('## The literal load: 1.8k syscalls/s per container', '');
    out.push(
      `10 containers at 1,800 syscalls/s (${ls.eventsPerInterval.toLocaleString('en-US')} per 30-s interval), ${ls.measured.length} measured intervals. CPU per interval: adaptive ${cpu(la)} ms, all stable ${cpu(las)} ms, standard ${cpu(ls)} ms. ` +
        `Bytes: standard ${mb(ls.publishedBytes)} MB published, ${mb(ls.storedBytes)} MB stored; adaptive all stable ${ratio(ls.publishedBytes, las.publishedBytes)} fewer published, ${ratio(ls.storedBytes, las.storedBytes)} fewer stored; ` +
        `adaptive (${la.unstableIntervals} false alarms of ${judged(la)}) ${ratio(ls.publishedBytes, la.publishedBytes)} and ${ratio(ls.storedBytes, la.storedBytes)}.`,
      '',
    );
  }
  out.push('## Decode + summarise throughput (one core)', '');
  out.push('Synthetic events of 50 containers written as Falco JSON lines and compact NDJSON, read back through the decoder and the summarizer (30-s windows); best of 3 runs; src/features/summarizers/syscall/bench.ts.', '');
  out.push('| format | parser | stage | events | MB | events/s (wall) | events/s (CPU) |', '|---|---|---|---:|---:|---:|---:|');
  for (const r of tp) out.push(`| ${r.format} | ${r.parser} | ${r.stage} | ${r.events} | ${(r.bytes / 1e6).toFixed(1)} | ${Math.round(r.eventsPerSecond).toLocaleString('en-US')} | ${Math.round(r.eventsPerCpuSecond).toLocaleString('en-US')} |`);
  out.push('');
  out.push('## Against the issue targets', '');
  const a = find(`${top}-adaptive`);
  const ap = find(`${top}-adaptive-paper`);
  const s = find(`${top}-standard`);
  const falcoBest = Math.max(...tp.filter((r) => r.format === 'falco' && r.stage === 'decode+summarise').map((r) => r.eventsPerSecond));
  if (a && st && s) {
    const met = (ok: boolean) => (ok ? 'met' : 'not met');
    out.push(
      `- ${top} containers, ${s.eventsPerInterval.toLocaleString('en-US')} syscalls per interval, summarise + score + publish <= 50 ms CPU per interval: adaptive (defaults, ${a.unstableIntervals} unstable verdicts) mean ${ms(a.cpuMsMean)} ms, median ${ms(a.cpuMsMedian)} ms, max ${ms(a.cpuMsMax)} ms ` +
        `(${met(a.cpuMsMean <= 50)} on the mean, ${met(a.cpuMsMax <= 50)} on every interval); all stable mean ${ms(st.cpuMsMean)} ms (${met(st.cpuMsMean <= 50)}); ` +
        (ap ? `paper rule (${ap.unstableIntervals} false alarms) mean ${ms(ap.cpuMsMean)} ms (${met(ap.cpuMsMean <= 50)}); ` : '') +
        `standard ${ms(s.cpuMsMean)} ms.`,
    );
    const x = (r: CaseResult) => ({ p: s.publishedBytes / r.publishedBytes, s: s.storedBytes / r.storedBytes });
    const xa = x(a);
    const xs = x(st);
    out.push(
      `- adaptive publishes and stores >= 1000x fewer bytes than standard over 5 minutes of stable operation, compact NDJSON lines: adaptive (defaults) ${Math.round(xa.p)}x published, ${Math.round(xa.s)}x stored (${met(xa.p >= 1000 && xa.s >= 1000)}); ` +
        `all stable ${Math.round(xs.p)}x and ${Math.round(xs.s)}x (${met(xs.p >= 1000 && xs.s >= 1000)})` +
        (ap ? `; paper rule ${Math.round(x(ap).p)}x and ${Math.round(x(ap).s)}x (${met(x(ap).p >= 1000 && x(ap).s >= 1000)})` : '') +
        '.' +
        (fla && fs ? ` With Falco lines (all stable): ${ratio(fs.publishedBytes, fla.publishedBytes)} and ${ratio(fs.storedBytes, fla.storedBytes)}.` : ''),
    );
  }
  out.push(`- decode + summarise of Falco-style JSON lines >= 250k events/s on one core: best ${Math.round(falcoBest).toLocaleString('en-US')} events/s (wall) (${falcoBest >= 250_000 ? 'met' : 'not met'}).`);
  out.push('');
  out.push('Reproduce: `npm run bench:runtime` (about 17 minutes on 2 cores; `npm run bench:runtime -- --quick` for a short smoke run).', '');
  return out.join('\n');
}

const isEntry = process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isEntry) {
  main().catch((e: unknown) => {
    process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  });
}

export { runCase };
