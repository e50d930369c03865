import { createWriteStream, readFileSync, rmSync, writeFileSync, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { Command, Option } from 'commander';
import { PeregrineError } from '../core/errors.js';
import { EVENT_FORMATS, eventFormatRegistry, openEvents } from '../ingest/events/index.js';
import {
  ExecutableBaseline,
  FEATURE_COUNT,
  SCHEMA_ID,
  SyscallSummarizer,
  csvHeader,
  vectorFormatOf,
  vectorToCsv,
  vectorToNdjson,
  type ActivityVector,
} from '../features/summarizers/index.js';
import { asOnBadRow, describeReadStats, info, onBadRowOption, parseNumber, progressBar } from './common.js';

export interface SummarizeCliOptions {
  format: string;
  data: string[];
  out: string;
  intervalSeconds: number;
  jitterSeconds: number;
  seed: number;
  groupBy: 'image' | 'workload' | 'container';
  latenessSeconds: number;
  baselineIntervals: number;
  exeBaseline?: string;
  saveExeBaseline?: string;
  parser: 'json' | 'scan';
  onBadRow: string;
  quiet?: boolean;
}

function loadBaseline(path: string, trainingIntervals: number): ExecutableBaseline {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EACCES') {
      throw new PeregrineError('PGN_ERR_FILE_NOT_FOUND', `cannot read ${path} (${code})`, { where: '--exe-baseline', hint: 'check the path' });
    }
    throw new PeregrineError('PGN_ERR_BAD_PARAM', `${path} is not JSON: ${(e as Error).message}`, { where: '--exe-baseline' });
  }
  try {
    return ExecutableBaseline.fromJSON(json, trainingIntervals);
  } catch (e) {
    if (e instanceof PeregrineError) throw new PeregrineError(e.code, e.message, { where: '--exe-baseline', hint: e.hint });
    throw e;
  }
}

/** Streams events through the summarizer into the output file; returns what it did. */
export async function runSummarize(o: SummarizeCliOptions): Promise<{ events: number; vectors: number; seconds: number; stats: string[] }> {
  const t0 = performance.now();
  const spec = eventFormatRegistry.get(o.format);
  if (o.jitterSeconds >= o.intervalSeconds / 2) {
    throw new PeregrineError('PGN_ERR_USAGE', `--jitter-seconds (${o.jitterSeconds}) must be below half of --interval-seconds (${o.intervalSeconds})`, {
      where: '--jitter-seconds',
    });
  }
  const baseline = o.exeBaseline ? loadBaseline(o.exeBaseline, o.baselineIntervals) : undefined;
  const summarizer = new SyscallSummarizer(
    {
      mode: spec.traces ? 'trace' : 'interval',
      intervalSeconds: o.intervalSeconds,
      jitterSeconds: o.jitterSeconds,
      seed: o.seed,
      groupBy: o.groupBy,
      latenessSeconds: o.latenessSeconds,
      baselineIntervals: o.baselineIntervals,
    },
    baseline,
  );
  const bar = progressBar('summarize', o.quiet);
  const source = await openEvents(o.format, o.data, { onBadRow: asOnBadRow(o.onBadRow), parser: o.parser, onProgress: (d, t) => bar.update(d, t) });

  const toStdout = o.out === '-';
  const format = toStdout ? 'ndjson' : vectorFormatOf(o.out);
  const out: NodeJS.WritableStream | WriteStream = toStdout ? process.stdout : createWriteStream(o.out);
  if (!toStdout) {
    await new Promise<void>((resolve, reject) => {
      (out as WriteStream).once('open', () => resolve());
      (out as WriteStream).once('error', (e) =>
        reject(new PeregrineError('PGN_ERR_IO', `cannot write vectors: ${e.message}`, { where: o.out, hint: 'check the folder exists and is writable' })),
      );
    });
  }
  const write = async (s: string): Promise<void> => {
    if (s.length > 0 && !out.write(s)) await once(out, 'drain');
  };
  const encode = format === 'csv' ? vectorToCsv : vectorToNdjson;
  const emit = async (vectors: ActivityVector[]): Promise<void> => {
    if (vectors.length === 0) return;
    let s = '';
    for (const v of vectors) s += encode(v) + '\n';
    await write(s);
  };
  let vectors = 0;
  try {
    if (format === 'csv') await write(csvHeader() + '\n');
    for await (const batch of source.batches()) {
      const closed = summarizer.push(batch);
      vectors += closed.length;
      await emit(closed);
    }
    const rest = summarizer.flush();
    vectors += rest.length;
    await emit(rest);
    if (!toStdout) {
      (out as WriteStream).end();
      await once(out as WriteStream, 'finish');
    }
  } catch (e) {
    // No partial vectors file behind a failed run.
    if (!toStdout) {
      (out as WriteStream).destroy();
      rmSync(o.out, { force: true });
    }
    throw e;
  } finally {
    bar.stop();
  }
  if (o.saveExeBaseline) {
    try {
      writeFileSync(o.saveExeBaseline, JSON.stringify(summarizer.baseline.toJSON(), null, 1) + '\n');
    } catch (e) {
      throw new PeregrineError('PGN_ERR_IO', `cannot write ${o.saveExeBaseline}: ${(e as Error).message}`, { where: '--save-exe-baseline' });
    }
  }
  const notes = describeReadStats(source.stats);
  const ignored = Object.entries(source.stats.ignoredKinds);
  if (ignored.length > 0) notes.push(`ignored ${source.stats.ignored} record(s) that are not syscall events: ${ignored.map(([k, n]) => `${k} ${n}`).join(', ')}`);
  if (summarizer.stats.lateEvents > 0) notes.push(`${summarizer.stats.lateEvents} late event(s) counted into their container's open interval`);
  if (summarizer.stats.outOfOrder > 0) notes.push(`${summarizer.stats.outOfOrder} event(s) out of time order closed their container's interval early (input not sorted by time?)`);
  if (summarizer.stats.noTime > 0) notes.push(`${summarizer.stats.noTime} event(s) without a time were not counted`);
  return { events: source.stats.events, vectors, seconds: (performance.now() - t0) / 1000, stats: notes };
}

export function summarizeCommand(): Command {
  return new Command('summarize')
    .description(`summarise syscall events into per-container activity vectors (${SCHEMA_ID}, ${FEATURE_COUNT} features)`)
    .addOption(new Option('--format <format>', 'event format').choices([...EVENT_FORMATS]).makeOptionMandatory())
    .requiredOption('--data <paths...>', 'input files or folders (folders are read recursively); - for stdin')
    .requiredOption('--out <file>', 'vectors file: .csv for CSV, anything else NDJSON; - for NDJSON on stdout')
    .option('--interval-seconds <s>', 'interval length', parseNumber('--interval-seconds', { min: 0.001 }), 30)
    .option('--jitter-seconds <s>', 'move each interval edge by a seeded random offset in [-s, +s] (below half the interval)', parseNumber('--jitter-seconds', { min: 0 }), 0)
    .option('--seed <n>', 'seed of the edge jitter', parseNumber('--seed', { integer: true, min: 0 }), 0)
    .addOption(new Option('--group-by <key>', 'baseline group of a container').choices(['image', 'workload', 'container']).default('image'))
    .option('--lateness-seconds <s>', 'how long an interval waits for late events (by event time)', parseNumber('--lateness-seconds', { min: 0 }), 5)
    .option('--baseline-intervals <n>', 'vectors per group that form its executable baseline', parseNumber('--baseline-intervals', { integer: true, min: 0 }), 10)
    .option('--exe-baseline <file>', 'start from a saved executable baseline (its groups are frozen)')
    .option('--save-exe-baseline <file>', 'write the executable baseline after the run')
    .addOption(new Option('--parser <kind>', 'Falco/NDJSON line parser').choices(['json', 'scan']).default('json'))
    .addOption(onBadRowOption())
    .option('--quiet', 'no progress or notes on stderr')
    .action(async (o: SummarizeCliOptions) => {
      const r = await runSummarize(o);
      for (const line of r.stats) info(o.quiet, `note: ${line}`);
      info(
        o.quiet,
        `summarized ${r.events} events into ${r.vectors} vector(s) in ${r.seconds.toFixed(2)} s (${Math.round(r.events / Math.max(r.seconds, 1e-9))} events/s)` +
          (o.out === '-' ? '' : `; wrote ${o.out}`),
      );
    });
}
