/**
 * Generated container syscall activity: N nginx containers serving HTTP, optionally with attacks (the staged
 * cryptominer, an HTTP flood in cycles), streamed as time-ordered slices of SyscallEvents. Seeded: the same options
 * give the same events; each container and each attack draws from its own stream, so adding an attack never
 * changes the benign events.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { Rng } from '../../core/rng.js';
import { encodeFalcoEvent } from '../../ingest/events/falco/encode.js';
import { encodeEvent } from '../../ingest/events/ndjson/index.js';
import type { SyscallEvent } from '../../ingest/events/types.js';
import { Emitter, containerIdentity, streamSeed, type ContainerIdentity, type Tag } from './emit.js';
import { MINER_STAGES, StagedMiner, type MinerOptions, type MinerStage } from './miner.js';
import { EVENTS_PER_REQUEST, NginxServer, type NginxOptions } from './nginx.js';

/** 2024-01-01T00:00:00Z in epoch microseconds (aligned to every interval length that divides a day). */
export const DEFAULT_START_US = Date.UTC(2024, 0, 1) * 1000;
/** Normal load of the SRI paper's containers: ~1.8k syscalls/s each. */
export const DEFAULT_RATE = 1800;

export interface StageWindow {
  stage: MinerStage;
  /** Seconds from the scenario start. */
  startSeconds: number;
  durationSeconds: number;
}

export interface MinerAttack {
  type: 'cryptominer';
  /** Indices of the attacked containers (default [0]). */
  containers?: number[];
  /** Start of the first stage (seconds from the scenario start). */
  startSeconds: number;
  /** Length of each stage before mining (default 60 s); mining lasts until the scenario ends. */
  stageSeconds?: number;
  /** Explicit stage windows (instead of startSeconds/stageSeconds). */
  stages?: StageWindow[];
  miner?: MinerOptions;
}

export interface FloodAttack {
  type: 'httpflood';
  containers?: number[];
  startSeconds: number;
  /** Flood on for this long, then off for offSeconds, repeated (default 60 on, 240 off: 1 minute in 5). */
  onSeconds?: number;
  offSeconds?: number;
  /** Flood requests per second as a multiple of the normal request rate (default 8). */
  factor?: number;
  /** When the cycles stop (default: the end of the scenario). */
  durationSeconds?: number;
}

export type AttackSpec = MinerAttack | FloodAttack;

export interface ScenarioOptions {
  seed?: number;
  /** Number of nginx containers (default 1). */
  containers?: number;
  /** Distinct images the containers are spread over (default 1: all replicas of one Deployment). */
  images?: number;
  /** Normal syscalls per second per container (default 1800). */
  rate?: number;
  /** Scenario start, epoch microseconds. */
  startUs?: number;
  durationSeconds: number;
  /** Length of the time slices yielded (default 1 s). */
  sliceSeconds?: number;
  attacks?: AttackSpec[];
  nginx?: Omit<NginxOptions, 'rate'>;
}

/** The staged miner's windows: each stage `stageSeconds` long from `startSeconds`, mining to the end. */
export function minerSchedule(startSeconds: number, stageSeconds: number, durationSeconds: number): StageWindow[] {
  return MINER_STAGES.map((stage, i) => {
    const start = startSeconds + i * stageSeconds;
    return { stage, startSeconds: start, durationSeconds: stage === 'mining' ? Math.max(stageSeconds, durationSeconds - start) : stageSeconds };
  });
}

interface ContainerSim {
  id: ContainerIdentity;
  em: Emitter;
  server: NginxServer;
  /** Attack-side state (its own random stream). */
  attackEm: Emitter;
  floodServer: NginxServer | null;
  floods: FloodAttack[];
  miner: StagedMiner | null;
  stages: StageWindow[];
  nextStage: number;
  miningFrom: number;
  /** One-off attack events waiting for their slice, time-ordered. */
  queue: SyscallEvent[];
  head: number;
}

/** Yields the events slice by slice (each slice sorted by time, all containers merged). */
export function* generateEvents(options: ScenarioOptions): Generator<SyscallEvent[]> {
  const seed = options.seed ?? 0;
  const n = Math.max(1, options.containers ?? 1);
  const rate = options.rate ?? DEFAULT_RATE;
  const start = options.startUs ?? DEFAULT_START_US;
  const end = start + options.durationSeconds * 1e6;
  const slice = (options.sliceSeconds ?? 1) * 1e6;
  const sims: ContainerSim[] = [];
  for (let i = 0; i < n; i++) {
    const id = containerIdentity(seed, i, { images: options.images });
    const em = new Emitter(id);
    const server = new NginxServer(em, new Rng(streamSeed(seed, 'nginx', i)), { ...options.nginx, rate });
    const attackRng = new Rng(streamSeed(seed, 'attack', i));
    const attackEm = new Emitter(id);
    const mine = (options.attacks ?? []).filter((a): a is MinerAttack => a.type === 'cryptominer' && (a.containers ?? [0]).includes(i));
    const floods = (options.attacks ?? []).filter((a): a is FloodAttack => a.type === 'httpflood' && (a.containers ?? [0]).includes(i));
    const m = mine[0];
    const stages = m ? (m.stages ?? minerSchedule(m.startSeconds, m.stageSeconds ?? 60, options.durationSeconds)) : [];
    stages.sort((a, b) => a.startSeconds - b.startSeconds);
    const mining = stages.find((s) => s.stage === 'mining');
    sims.push({
      id,
      em,
      server,
      attackEm,
      floodServer: floods.length > 0 ? new NginxServer(attackEm, attackRng, { ...options.nginx, rate }) : null,
      floods,
      miner: m ? new StagedMiner(id, attackRng, server, m.miner) : null,
      stages,
      nextStage: 0,
      miningFrom: mining ? start + mining.startSeconds * 1e6 + 5e5 : Infinity,
      queue: [],
      head: 0,
    });
  }
  const requestRate = rate / EVENTS_PER_REQUEST;
  for (let s = start; s < end; s += slice) {
    const e = Math.min(end, s + slice);
    const out: SyscallEvent[] = [];
    for (const c of sims) {
      c.em.out = out;
      c.server.serve(s, e);
      if (c.miner) {
        while (c.nextStage < c.stages.length && start + c.stages[c.nextStage].startSeconds * 1e6 < e) {
          const w = c.stages[c.nextStage++];
          const t0 = start + w.startSeconds * 1e6;
          const evs = c.miner.stage(w.stage, t0, w.stage === 'mining' ? t0 + 1e6 : t0 + w.durationSeconds * 1e6);
          c.queue = c.queue.slice(c.head).concat(evs).sort((a, b) => a.timeUs - b.timeUs);
          c.head = 0;
        }
        if (e > c.miningFrom) {
          c.attackEm.out = out;
          c.miner.mine(c.attackEm, Math.max(s, c.miningFrom), e);
        }
      }
      while (c.head < c.queue.length && c.queue[c.head].timeUs < e) out.push(c.queue[c.head++]);
      for (const f of c.floods) flood(c, f, start, s, e, requestRate, out);
    }
    out.sort((a, b) => a.timeUs - b.timeUs);
    yield out;
  }
}

const FLOOD_TAG: Tag = { label: 1, attackClass: 'httpflood' };

function flood(c: ContainerSim, f: FloodAttack, start: number, s: number, e: number, requestRate: number, out: SyscallEvent[]): void {
  const on = (f.onSeconds ?? 60) * 1e6;
  const period = on + (f.offSeconds ?? 240) * 1e6;
  const from = start + f.startSeconds * 1e6;
  const until = f.durationSeconds === undefined ? Infinity : from + f.durationSeconds * 1e6;
  const server = c.floodServer as NginxServer;
  c.attackEm.out = out;
  // the on-phases overlapping [s, e)
  const k0 = Math.max(0, Math.floor((s - from) / period));
  for (let k = k0; from + k * period < e; k++) {
    const a = Math.max(s, from + k * period);
    const b = Math.min(e, from + k * period + on, until);
    if (b > a) server.flood(a, b, requestRate * (f.factor ?? 8), FLOOD_TAG);
  }
}

/** Every event of a scenario in one array (small scenarios and tests). */
export function generateAllEvents(options: ScenarioOptions): SyscallEvent[] {
  const all: SyscallEvent[] = [];
  for (const part of generateEvents(options)) for (const e of part) all.push(e);
  return all;
}

export type GeneratedFormat = 'ndjson' | 'falco';

/** Writes a scenario as compact NDJSON (encodeEvent) or Falco JSON lines; returns the event and byte counts. */
export async function writeEventsFile(path: string, options: ScenarioOptions, format: GeneratedFormat = 'ndjson'): Promise<{ events: number; bytes: number }> {
  const out = createWriteStream(path);
  const encode = format === 'falco' ? (e: SyscallEvent) => encodeFalcoEvent(e) : encodeEvent;
  let events = 0;
  let bytes = 0;
  try {
    for (const part of generateEvents(options)) {
      let text = '';
      for (const e of part) text += encode(e) + '\n';
      events += part.length;
      bytes += Buffer.byteLength(text);
      if (!out.write(text)) await once(out, 'drain');
    }
  } finally {
    out.end();
    await once(out, 'close');
  }
  return { events, bytes };
}
