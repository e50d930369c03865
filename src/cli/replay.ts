import { mkdirSync, writeFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { PeregrineError } from '../core/errors.js';
import { fmtBytes, fmtInt, fmtNum } from '../evaluation/text.js';
import type { IntervalMetrics } from '../runtime/pipeline.js';
import { renderRuntimeReport } from '../runtime/report.js';
import { REPLAY_FORMATS, runReplay, type ReplayResult, type ReplaySinkType } from '../runtime/replay.js';
import { asOnBadRow, describeReadStats, info, onBadRowOption, parseNumber } from './common.js';

/**
 * `peregrine replay`: drives the container runtime path (summarise -> VAE stability -> adaptive or standard
 * forensic publisher -> sink) at a set load from recorded events, and prints per-interval processing time, CPU
 * time, bytes published and stored, and detections. See src/runtime/replay.ts for how the load is made.
 */

interface ReplayCliOptions {
  events: string[];
  format: string;
  containers: number;
  rate: number;
  intervalSeconds: number;
  durationSeconds?: number;
  mode: 'adaptive' | 'standard';
  sink: ReplaySinkType;
  out?: string;
  report?: string;
  vectorsToTrain: number;
  epochs: number;
  k: number;
  alarm: 'hysteresis' | 'paper';
  seed: number;
  realtime?: boolean;
  json?: boolean;
  quiet?: boolean;
  onBadRow: string;
  parser: 'json' | 'scan';
}

const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');
const pad = (s: string, n: number): string => s.padStart(n);

const HEADER =
  `${'interval (UTC)'.padEnd(20)} ${pad('events', 10)} ${pad('vectors', 7)} ${pad('judged', 6)} ${pad('unstable', 8)} ${pad('cpu ms', 8)} ${pad('wall ms', 8)} ${pad('published', 10)} ${pad('stored', 10)}  notes`;

export function formatInterval(m: IntervalMetrics): string {
  const notes: string[] = [];
  for (const t of m.trained) notes.push(`trained ${t.group} v${t.version} on ${t.vectors} vectors in ${t.seconds.toFixed(2)} s`);
  const shown = m.detections.slice(0, 3);
  for (const d of shown) notes.push(`UNSTABLE ${d.pod || d.containerId} L_rec ${fmtNum(d.score, 3)} > r_th ${fmtNum(d.threshold, 3)}`);
  if (m.detections.length > shown.length) notes.push(`+${m.detections.length - shown.length} more unstable`);
  return (
    `${iso(m.start).padEnd(20)} ${pad(fmtInt(m.events), 10)} ${pad(fmtInt(m.vectors), 7)} ${pad(fmtInt(m.evaluated), 6)} ${pad(fmtInt(m.unstable), 8)} ` +
    `${pad(m.cpuMs.toFixed(1), 8)} ${pad(m.wallMs.toFixed(1), 8)} ${pad(fmtBytes(m.published.bytes), 10)} ${pad(fmtBytes(m.stored.bytes), 10)}  ${notes.join('; ')}`
  );
}

function totals(r: ReplayResult): string[] {
  const s = r.summary;
  const ivs = s.intervals.filter((m) => m.events > 0);
  const cpu = ivs.map((m) => m.cpuMs);
  const mean = cpu.length ? cpu.reduce((a, b) => a + b, 0) / cpu.length : 0;
  const lines = [
    `replayed ${fmtInt(r.events)} events of ${fmtInt(r.plan.containers)} container(s) over ${fmtInt(ivs.length)} interval(s) of ${s.intervalSeconds} s in ${r.wallSeconds.toFixed(2)} s wall` +
      ` (${fmtInt(r.events / Math.max(r.wallSeconds, 1e-9))} events/s)`,
    `processing: ${s.cpuMs.toFixed(0)} ms CPU, ${s.wallMs.toFixed(0)} ms wall; per interval mean ${mean.toFixed(1)} ms CPU, max ${Math.max(0, ...cpu).toFixed(1)} ms CPU` +
      ` (summarise ${s.stages.summarizeMs.toFixed(0)} ms, score+train ${s.stages.assessMs.toFixed(0)} ms of which training ${s.stages.trainMs.toFixed(0)} ms, publish ${s.stages.publishMs.toFixed(0)} ms, deliver ${s.stages.deliverMs.toFixed(0)} ms wall)`,
    `published (${s.mode}): ${fmtBytes(s.published.bytes)} in ${fmtInt(s.published.records)} records (${fmtInt(s.published.summaries)} summaries, ${fmtInt(s.published.events)} events; full logs for ${fmtInt(s.published.fullLogIntervals)} of ${fmtInt(s.published.intervals)} container-intervals)`,
    `stored (${r.sink.type}): ${fmtBytes(s.sink.bytesSent)} sent in ${fmtInt(s.sink.delivered)} records` + (r.sink.path ? `; ${fmtBytes(r.sink.sizeBytes ?? 0)} on disk at ${r.sink.path}` : ''),
    `stability: ${fmtInt(s.stability.evaluated)} interval(s) judged, ${fmtInt(s.stability.unstable)} unstable, ${fmtInt(s.stability.learning)} learning` +
      (s.partialVectors > 0 ? `, ${fmtInt(s.partialVectors)} cut short by the end of the input (not judged)` : ''),
  ];
  for (const m of s.models) lines.push(`model ${m.group} v${m.version}: ${m.vectors} vectors, r_th ${fmtNum(m.threshold, 4)}` + (m.file ? ` (${m.file})` : ''));
  for (const g of s.learningGroups) lines.push(`group ${g.group}: still learning, ${g.remaining} more vector(s) before its model is trained`);
  if (s.delivery.deadLettered > 0) lines.push(`dead-lettered: ${fmtInt(s.delivery.deadLettered)} record(s)`);
  if (s.delivery.spool.droppedRecords > 0) lines.push(`note: the delivery spool was full and dropped ${fmtInt(s.delivery.spool.droppedRecords)} record(s) (never stored)`);
  if (s.published.droppedEvents > 0) lines.push(`note: the adaptive cache byte cap dropped ${fmtInt(s.published.droppedEvents)} event(s) (never published)`);
  return lines;
}

function toJson(r: ReplayResult): unknown {
  const s = r.summary;
  return {
    plan: r.plan,
    mode: s.mode,
    intervalSeconds: s.intervalSeconds,
    events: r.events,
    wallSeconds: r.wallSeconds,
    cpuMs: s.cpuMs,
    processingWallMs: s.wallMs,
    stages: s.stages,
    intervals: s.intervals,
    published: s.published,
    sink: { ...r.sink, stats: s.sink },
    delivery: { delivered: s.delivery.delivered, duplicates: s.delivery.duplicates, deadLettered: s.delivery.deadLettered, retries: s.delivery.retries },
    stability: s.stability,
    models: s.models,
    learningGroups: s.learningGroups,
    registryProblems: s.registryProblems,
    partialVectors: s.partialVectors,
    detections: s.intervals.flatMap((m) => m.detections),
    read: { rowsSkipped: r.read.rowsSkipped, badRows: r.read.badRows },
  };
}

export function replayCommand(): Command {
  return new Command('replay')
    .description('replay recorded syscall events as N containers at a set rate through the runtime path (summarise, VAE stability, forensic publisher, sink) and measure it')
    .requiredOption('--events <paths...>', 'event files or folders, or - for stdin (buffered to a temporary file: the input is read twice)')
    .addOption(new Option('--format <format>', 'event format').choices([...REPLAY_FORMATS]).makeOptionMandatory())
    .requiredOption('--containers <n>', 'replicas of each container of the input', parseNumber('--containers', { integer: true, min: 1, max: 100000 }))
    .requiredOption('--rate <r>', 'events per second of event time per container', parseNumber('--rate', { min: 0.001 }))
    .option('--interval-seconds <s>', 'activity interval length', parseNumber('--interval-seconds', { min: 0.001 }), 30)
    .option('--duration-seconds <s>', 'event time to replay (the input loops to fill it); default one pass', parseNumber('--duration-seconds', { min: 0.001 }))
    .addOption(new Option('--mode <mode>', 'forensic publisher').choices(['adaptive', 'standard']).default('adaptive'))
    .addOption(new Option('--sink <type>', 'where published records go (sqlite and ndjson need --out)').choices(['memory', 'sqlite', 'ndjson']).default('memory'))
    .option('--out <dir>', 'folder for the store (forensics.db or forensics/), the model registry (models/) and dead letters; models there are reused on the next run')
    .option('--report <file>', 'write an HTML report: reconstruction error over time per container with the threshold and unstable intervals')
    .option('--vectors-to-train <n>', 'activity vectors a group accumulates before its VAE is trained', parseNumber('--vectors-to-train', { integer: true, min: 2 }), 20)
    .option('--epochs <n>', 'VAE training epochs', parseNumber('--epochs', { integer: true, min: 1, max: 100000 }), 100)
    .option('--k <k>', 'stability threshold r_th = r_mean + k * r_sd', parseNumber('--k', { min: 0 }), 3)
    .addOption(new Option('--alarm <rule>', 'when an exceedance of r_th is unstable: hysteresis (2x r_th at once, else 3 in a row) or paper (every exceedance)').choices(['hysteresis', 'paper']).default('hysteresis'))
    .option('--seed <n>', 'seed of the VAE training', parseNumber('--seed', { integer: true, min: 0 }), 0)
    .option('--realtime', 'pace the replay so event time advances with the wall clock')
    .option('--json', 'print one JSON object instead of the table')
    .addOption(new Option('--parser <kind>', 'Falco/NDJSON line parser').choices(['json', 'scan']).default('json'))
    .addOption(onBadRowOption())
    .option('--quiet', 'no notes on stderr')
    .action(async (o: ReplayCliOptions) => {
      if (o.sink !== 'memory' && !o.out) throw new PeregrineError('PGN_ERR_USAGE', `--sink ${o.sink} needs an output folder`, { where: '--sink', hint: 'add --out DIR' });
      if (o.out) {
        try {
          mkdirSync(o.out, { recursive: true });
        } catch (e) {
          throw new PeregrineError('PGN_ERR_IO', `cannot create ${o.out}: ${(e as Error).message}`, { where: '--out' });
        }
      }
      const text = !o.json;
      const r = await runReplay({
        format: o.format,
        files: o.events,
        containers: o.containers,
        rate: o.rate,
        intervalSeconds: o.intervalSeconds,
        durationSeconds: o.durationSeconds,
        realtime: o.realtime,
        mode: o.mode,
        sink: o.sink,
        outDir: o.out,
        stability: { vectorsToTrain: o.vectorsToTrain, epochs: o.epochs, k: o.k, alarm: o.alarm, seed: o.seed },
        onBadRow: asOnBadRow(o.onBadRow),
        parser: o.parser,
        onPlan: (p) => {
          info(
            o.quiet,
            `replaying ${fmtInt(p.inputEvents)} events of ${p.inputContainers} container(s) as ${p.containers} container(s) at ${o.rate} events/s each` +
              ` (${p.passes} pass(es) of ${fmtNum(p.passSeconds, 4)} s event time, from ${iso(p.startUs / 1000)})`,
          );
          if (text) process.stdout.write(HEADER + '\n');
        },
        onInterval: text ? (m) => process.stdout.write(formatInterval(m) + '\n') : undefined,
      });
      for (const line of describeReadStats(r.read)) info(o.quiet, `note: ${line}`);
      for (const p of r.summary.registryProblems) info(o.quiet, `note: model file skipped: ${p.file}: ${p.reason}`);
      if (o.report) {
        try {
          writeFileSync(o.report, renderRuntimeReport(r.timelines, r.summary, { title: `Peregrine replay: ${r.plan.containers} container(s) at ${o.rate} events/s (${r.summary.mode})` }));
        } catch (e) {
          throw new PeregrineError('PGN_ERR_IO', `cannot write the report: ${(e as Error).message}`, { where: '--report' });
        }
      }
      if (o.json) process.stdout.write(JSON.stringify(toJson(r), null, 1) + '\n');
      else process.stdout.write(totals(r).join('\n') + '\n');
      if (o.report) info(o.quiet, `wrote ${o.report}`);
    });
}
