/**
 * Replay: drives the runtime pipeline at a set load from recorded events. The events of the input are replayed as
 * N replicas of each container they hold (container ids and pod names rewritten per replica, so the replicas share
 * the original's image and workload and so its baseline group), with event times rebased:
 *
 * - one factor scales all times so that the average container produces R events per second of event time (the
 *   relative timing of the input, bursts and gaps, is kept; an input whose events all share one time is spaced
 *   evenly), and the first event lands on an interval edge (so the first interval is complete);
 * - replica i is shifted by i/N of the mean gap between events, so replicas interleave rather than collide;
 * - with a duration D, the input is replayed again and again (each pass after the previous one) until D seconds of
 *   event time have gone by; without one, it is replayed once.
 *
 * Replay runs as fast as it can (event time is decoupled from wall time) unless `realtime` is set, then it sleeps
 * so that event time advances with the wall clock. The forensic log lines are the compact NDJSON form of the
 * rewritten events (the original lines name the original containers). LID-DS resource samples are not replayed.
 *
 * Stdin (`-`) is copied to a temporary file first (the input is read twice: once to plan the timing). Trace formats
 * (ADFA-LD: one trace per file, no timestamps, each trace named as its own container) are replayed as one
 * container's activity: the traces back to back in input order, evenly spaced at the rate, then replicated.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { createWriteStream, mkdtempSync, rmSync, statSync, readdirSync } from 'node:fs';
import { pipeline as pipe } from 'node:stream/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PeregrineError } from '../core/errors.js';
import { fmix32, fnv1a32 } from '../features/summarizers/syscall/hash.js';
import { eventFormatRegistry, openEvents, encodeEvent, type EventFormat } from '../ingest/events/index.js';
import type { EventReadStats, SyscallEvent } from '../ingest/events/types.js';
import type { OnBadRow } from '../ingest/types.js';
import { createSink } from '../publish/sinks/index.js';
import { DeadLetterFile, DeadLetterMemory } from '../publish/delivery.js';
import type { AdaptiveOptions } from '../publish/options.js';
import type { ForensicSink } from '../publish/types.js';
import { MemorySink } from './memory-sink.js';
import type { StabilityInput } from './options.js';
import { RuntimePipeline, type ContainerTimeline, type IntervalMetrics, type PublishMode, type RuntimeSummary } from './pipeline.js';
import { DirectoryModelRegistry, MemoryModelRegistry } from './registry.js';

export type ReplaySinkType = 'memory' | 'sqlite' | 'ndjson';
export const REPLAY_FORMATS = ['falco', 'tetragon', 'lidds', 'adfa-ld', 'ndjson'] as const;

export interface ReplayOptions {
  format: EventFormat | string;
  files: string[];
  /** Replicas of each input container. */
  containers: number;
  /** Events per second of event time per container. */
  rate: number;
  intervalSeconds?: number;
  /** Event-time length of the replay; the input loops to fill it. Default: one pass. */
  durationSeconds?: number;
  realtime?: boolean;
  mode?: PublishMode;
  sink?: ReplaySinkType;
  /** Folder for the store (sqlite: forensics.db, ndjson: forensics/), the model registry (models/) and dead letters. */
  outDir?: string;
  stability?: StabilityInput;
  adaptive?: Partial<AdaptiveOptions>;
  onBadRow?: OnBadRow;
  parser?: 'json' | 'scan';
  onInterval?: (m: IntervalMetrics) => void;
  /** Called once the input has been scanned (before any event is replayed). */
  onPlan?: (plan: ReplayPlan) => void;
  /** What `-` in `files` reads (default process.stdin). */
  stdin?: NodeJS.ReadableStream;
}

export interface ReplayPlan {
  files: string[];
  /** Events and distinct containers in one pass over the input. */
  inputEvents: number;
  inputContainers: number;
  /** Containers replayed (replicas x input containers). */
  containers: number;
  /** Event time of the first replayed event, epoch us (an interval edge). */
  startUs: number;
  /** Seconds of event time one pass covers. */
  passSeconds: number;
  passes: number;
  /** Microseconds of replayed time per microsecond of input time. */
  timeScale: number;
}

export interface ReplayResult {
  plan: ReplayPlan;
  summary: RuntimeSummary;
  timelines: ContainerTimeline[];
  read: EventReadStats;
  sink: { type: ReplaySinkType; path?: string; sizeBytes?: number };
  modelsDir?: string;
  /** Events replayed (all replicas). */
  events: number;
  wallSeconds: number;
}

const HEX = '0123456789abcdef';
const SAFE = 'bcdfghjklmnpqrstvwxz2456789';

function derive(alphabet: string, text: string, n: number): string {
  let h = fnv1a32(text);
  let s = '';
  for (let i = 0; i < n; i++) {
    h = fmix32((h + 0x9e3779b9) >>> 0);
    s += alphabet[h % alphabet.length];
  }
  return s;
}

/** The container id of replica `i` of `id`: 12 hex characters derived from both (deterministic). */
export function replicaContainerId(id: string, i: number): string {
  return derive(HEX, `${id}\0${i}`, 12);
}

/**
 * The pod name of replica `i`: the last dash-separated part (the random suffix of Deployment/DaemonSet pods)
 * replaced by a derived 5-character suffix, so the workload name, and with it the baseline group, is kept.
 */
export function replicaPod(pod: string, i: number): string {
  if (pod === '') return '';
  const dash = pod.lastIndexOf('-');
  const base = dash > 0 ? pod.slice(0, dash) : pod;
  return `${base}-${derive(SAFE, `${pod}\0${i}`, 5)}`;
}

/**
 * encodeEvent builds its line by concatenation, a rope that takes ~5x the memory of the flat string; the adaptive
 * publisher keeps lines for several intervals, so they are flattened first (reading the last character does it).
 */
function flat(s: string): string {
  s.charCodeAt(s.length - 1);
  return s;
}

interface Scan {
  events: number;
  containers: Map<string, number>;
  first: number;
  last: number;
  read: EventReadStats;
  files: string[];
}

/** The container a trace-format event is replayed as: all traces of an image back to back as one container. */
const traceContainer = (e: SyscallEvent): string => `${e.image || 'trace'}-replay`;

async function scan(o: ReplayOptions, traces: boolean): Promise<Scan> {
  const src = await openEvents(o.format, o.files, { onBadRow: o.onBadRow ?? 'fail', parser: o.parser, stdin: o.stdin });
  const s: Scan = { events: 0, containers: new Map(), first: Infinity, last: -Infinity, read: src.stats, files: [...src.files] };
  for await (const b of src.batches()) {
    for (const e of b.events) {
      if (!Number.isFinite(e.timeUs)) continue;
      s.events++;
      const id = traces ? traceContainer(e) : e.containerId;
      s.containers.set(id, (s.containers.get(id) ?? 0) + 1);
      if (e.timeUs < s.first) s.first = e.timeUs;
      if (e.timeUs > s.last) s.last = e.timeUs;
    }
  }
  return s;
}

function sinkFor(o: ReplayOptions): { sink: ForensicSink; type: ReplaySinkType; path?: string } {
  const type = o.sink ?? 'memory';
  if (type === 'memory') return { sink: new MemorySink({ maxRecords: 0, keepIds: false }), type };
  if (!o.outDir) throw new PeregrineError('PGN_ERR_USAGE', `the ${type} sink needs an output folder`, { where: '--sink', hint: 'add --out DIR' });
  if (type === 'sqlite') {
    const path = join(o.outDir, 'forensics.db');
    return { sink: createSink('sqlite', { path }), type, path };
  }
  const path = join(o.outDir, 'forensics');
  return { sink: createSink('ndjson', { dir: path, maxBytes: 256 * 1024 * 1024 }), type, path };
}

/** Bytes on disk of a file (plus its -wal/-shm companions) or of the files in a folder. */
function diskBytes(path: string): number {
  let total = 0;
  try {
    const st = statSync(path);
    if (st.isDirectory()) {
      for (const name of readdirSync(path)) total += diskBytes(join(path, name));
      return total;
    }
    total += st.size;
  } catch {
    return 0;
  }
  for (const suffix of ['-wal', '-shm']) {
    try {
      total += statSync(path + suffix).size;
    } catch {
      // absent
    }
  }
  return total;
}

/** Copies stdin (`-`) to a temporary file, so the input can be read twice. Returns the options to use and a cleanup. */
async function spoolStdin(o: ReplayOptions): Promise<{ o: ReplayOptions; cleanup: () => void }> {
  const dashes = o.files.filter((f) => f === '-').length;
  if (dashes === 0) return { o, cleanup: () => undefined };
  if (dashes > 1) throw new PeregrineError('PGN_ERR_USAGE', 'stdin (-) given more than once', { where: '--events' });
  const dir = mkdtempSync(join(tmpdir(), 'peregrine-replay-stdin-'));
  const cleanup = (): void => rmSync(dir, { recursive: true, force: true });
  // the format's own extension, so decoders that look at it (and folder expansion rules) treat it as theirs
  const path = join(dir, `stdin${eventFormatRegistry.get(o.format).extensions[0] ?? ''}`);
  try {
    await pipe(o.stdin ?? process.stdin, createWriteStream(path));
  } catch (e) {
    cleanup();
    throw new PeregrineError('PGN_ERR_IO', `cannot buffer stdin for the replay: ${(e as Error).message}`, { where: '--events -', hint: `free space in ${tmpdir()} or save the events to a file` });
  }
  return { o: { ...o, files: o.files.map((f) => (f === '-' ? path : f)) }, cleanup };
}

export async function runReplay(options: ReplayOptions): Promise<ReplayResult> {
  if (options.files.includes('-')) eventFormatRegistry.get(options.format); // an unknown format fails before stdin is read
  const { o, cleanup } = await spoolStdin(options);
  try {
    const r = await replay(o);
    // name stdin as the user did, not by its temporary copy
    const tmp = o.files.find((f, i) => options.files[i] === '-');
    if (tmp) r.plan.files = r.plan.files.map((f) => (f === tmp ? '-' : f));
    return r;
  } finally {
    cleanup();
  }
}

async function replay(o: ReplayOptions): Promise<ReplayResult> {
  const t0 = performance.now();
  if (!(Number.isInteger(o.containers) && o.containers >= 1)) throw new PeregrineError('PGN_ERR_USAGE', `containers must be an integer >= 1, got ${o.containers}`, { where: '--containers' });
  if (!(o.rate > 0 && Number.isFinite(o.rate))) throw new PeregrineError('PGN_ERR_USAGE', `rate must be a positive number, got ${o.rate}`, { where: '--rate' });
  const traces = eventFormatRegistry.get(o.format).traces;
  const intervalSeconds = o.intervalSeconds ?? 30;
  const s = await scan(o, traces);
  if (s.events === 0) throw new PeregrineError('PGN_ERR_EMPTY_INPUT', 'no events with a time in the input', { where: s.files.join(', ') || '--events' });
  const n = o.containers;
  const intervalUs = intervalSeconds * 1e6;
  const startUs = Math.floor(s.first / intervalUs) * intervalUs;
  const perContainer = s.events / s.containers.size;
  const span = s.last - s.first;
  // one factor for all containers: the average container emits `rate` events per second of replayed time
  const even = traces || !(span > 0);
  const scale = even ? 0 : (perContainer / o.rate) * 1e6 / span;
  const passUs = even ? (perContainer / o.rate) * 1e6 : span * scale + 1e6 / o.rate;
  const passes = o.durationSeconds === undefined ? 1 : Math.max(1, Math.ceil((o.durationSeconds * 1e6) / passUs));
  const endUs = o.durationSeconds === undefined ? Infinity : startUs + o.durationSeconds * 1e6;
  const plan: ReplayPlan = {
    files: s.files,
    inputEvents: s.events,
    inputContainers: s.containers.size,
    containers: n * s.containers.size,
    startUs,
    passSeconds: passUs / 1e6,
    passes,
    timeScale: scale,
  };
  o.onPlan?.(plan);

  const sinkInfo = sinkFor(o);
  const modelsDir = o.outDir ? join(o.outDir, 'models') : undefined;
  const pipeline = new RuntimePipeline({
    mode: o.mode ?? 'adaptive',
    summarizer: { intervalSeconds },
    stability: o.stability,
    registry: modelsDir ? new DirectoryModelRegistry(modelsDir) : new MemoryModelRegistry(),
    sink: sinkInfo.sink,
    delivery: { deadLetter: o.outDir ? new DeadLetterFile(join(o.outDir, 'dead-letter.ndjson')) : new DeadLetterMemory() },
    adaptive: o.adaptive,
    onInterval: o.onInterval,
  });
  let events = 0;
  let read: EventReadStats = s.read;
  try {
    await pipeline.start();
    const gapUs = 1e6 / o.rate;
    const podCache = new Map<string, string[]>();
    const idCache = new Map<string, string[]>();
    const replicas = (cache: Map<string, string[]>, key: string, f: (k: string, i: number) => string): string[] => {
      let r = cache.get(key);
      if (!r) {
        r = Array.from({ length: n }, (_, i) => f(key, i));
        cache.set(key, r);
      }
      return r;
    };
    const wall0 = performance.now();
    let stop = false;
    for (let pass = 0; pass < passes && !stop; pass++) {
      const src = await openEvents(o.format, o.files, { onBadRow: o.onBadRow ?? 'fail', parser: o.parser });
      if (pass === 0) read = src.stats;
      const offset = startUs + pass * passUs;
      const index = new Map<string, number>();
      for await (const b of src.batches()) {
        const out: SyscallEvent[] = [];
        const lines: string[] = [];
        for (const e of b.events) {
          if (!Number.isFinite(e.timeUs)) continue;
          let t: number;
          const id = traces ? traceContainer(e) : e.containerId;
          if (even) {
            const j = index.get(id) ?? 0;
            index.set(id, j + 1);
            t = offset + j * gapUs;
          } else t = offset + (e.timeUs - s.first) * scale;
          if (t >= endUs) {
            stop = true;
            break;
          }
          const ids = replicas(idCache, id, replicaContainerId);
          const pods = replicas(podCache, e.pod, replicaPod);
          for (let i = 0; i < n; i++) {
            const c: SyscallEvent = { ...e, timeUs: Math.round(t + (i * gapUs) / n), containerId: ids[i], pod: pods[i] };
            out.push(c);
            lines.push(flat(encodeEvent(c)));
          }
        }
        if (out.length > 0) {
          if (o.realtime) {
            const ahead = (out[out.length - 1].timeUs - startUs) / 1000 - (performance.now() - wall0);
            if (ahead > 0) await sleep(ahead);
          }
          await pipeline.push(out, lines);
          events += out.length;
        }
        if (stop) break;
      }
    }
    const summary = await pipeline.finish();
    await pipeline.close();
    return {
      plan,
      summary,
      timelines: pipeline.timelines(),
      read,
      sink: { type: sinkInfo.type, path: sinkInfo.path, sizeBytes: sinkInfo.path ? diskBytes(sinkInfo.path) : undefined },
      modelsDir,
      events,
      wallSeconds: (performance.now() - t0) / 1000,
    };
  } catch (e) {
    await pipeline.close().catch(() => undefined);
    throw e;
  }
}
