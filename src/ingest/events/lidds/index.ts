/**
 * LID-DS 2021 recordings: `<name>.sc` (sysdig events of the victim container, see sc.ts), with `<name>.json`
 * (metadata: image, container roles, exploit time) and `<name>.res` (per-second resource stats) beside it.
 *
 * - Entry (`>`) and exit (`<`) lines of one call are merged per thread into one event at the exit (exit time and
 *   line; arguments of both; dir `<`). An entry never followed by its exit is emitted on its own (dir `>`).
 * - containerId = the `victim` container name from the .json (else the recording name), image = its `image`.
 * - Labels (LID-DS convention): with `"exploit": true`, events at or after `time.exploit[0].absolute` are attacks
 *   (class = the image name), earlier ones benign; without a .json, unlabelled.
 * - `.res` rows become ResourceSamples (`NULL` -> NaN), interleaved by time with the event batches.
 */
import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { PeregrineError } from '../../../core/errors.js';
import { decodeText, type BatchCollector, type DecodeContext } from '../read.js';
import { blankEvent, type EventBatch, type ResourceSample, type SyscallEvent } from '../types.js';
import { parseScLine, type ScLine } from './sc.js';

export interface LiddsMeta {
  containerId: string;
  image: string;
  /** Epoch microseconds of the first exploit, or null (no exploit / unknown). */
  exploitUs: number | null;
  /** True when a .json was found (events are labelled). */
  labelled: boolean;
}

function recordingName(file: string): string {
  const b = basename(file);
  return b.endsWith('.sc') ? b.slice(0, -3) : b;
}

async function readOptional(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException)?.code === 'ENOENT') return null;
    throw new PeregrineError('PGN_ERR_IO', `cannot read ${path}: ${(e as Error).message}`, { where: path });
  }
}

/** The metadata of a recording (from `<name>.json` beside the .sc, when present). */
export async function readLiddsMeta(scFile: string): Promise<LiddsMeta> {
  const name = recordingName(scFile);
  const meta: LiddsMeta = { containerId: name, image: '', exploitUs: null, labelled: false };
  if (scFile === '-') return { ...meta, containerId: 'stdin' };
  const text = await readOptional(join(dirname(scFile), `${name}.json`));
  if (text === null) return meta;
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(text) as Record<string, unknown>;
  } catch (e) {
    throw new PeregrineError('PGN_ERR_BAD_ROW', `LID-DS metadata is not valid JSON: ${(e as Error).message}`, {
      where: join(dirname(scFile), `${name}.json`),
      hint: 'fix or remove the .json beside the .sc recording',
    });
  }
  meta.labelled = true;
  if (typeof o.image === 'string') meta.image = o.image;
  if (Array.isArray(o.container)) {
    for (const c of o.container as Record<string, unknown>[]) {
      if (c && c.role === 'victim' && typeof c.name === 'string') meta.containerId = c.name;
    }
  }
  const time = o.time as Record<string, unknown> | undefined;
  const exploits = time && Array.isArray(time.exploit) ? (time.exploit as Record<string, unknown>[]) : [];
  if (o.exploit === true && exploits.length > 0 && typeof exploits[0]?.absolute === 'number') meta.exploitUs = exploits[0].absolute * 1e6;
  return meta;
}

const RES_COLUMNS = ['timestamp', 'cpu_usage', 'memory_usage', 'network_received', 'network_send', 'storage_read', 'storage_written'] as const;

/** `<name>.res` rows as resource samples (sorted by time); bad rows go through ctx.bad. */
export async function readLiddsResources(scFile: string, containerId: string, image: string, ctx: DecodeContext): Promise<ResourceSample[]> {
  if (scFile === '-') return [];
  const path = join(dirname(scFile), `${recordingName(scFile)}.res`);
  const text = await readOptional(path);
  if (text === null) return [];
  const lines = text.split('\n');
  const header = lines[0].trim().split(',');
  const col = RES_COLUMNS.map((c) => header.indexOf(c));
  if (col[0] < 0) {
    ctx.bad(path, 1, 'resource stats without a timestamp column');
    return [];
  }
  const out: ResourceSample[] = [];
  for (let i = 1; i < lines.length; i++) {
    const row = lines[i].trim();
    if (row === '') continue;
    const cells = row.split(',');
    if (cells.length !== header.length) {
      ctx.bad(path, i + 1, `expected ${header.length} fields, found ${cells.length}`);
      continue;
    }
    const value = (k: number): number => {
      if (col[k] < 0) return NaN;
      const c = cells[col[k]].trim();
      if (c === '' || c === 'NULL') return NaN;
      const v = Number(c);
      return Number.isFinite(v) ? v : NaN;
    };
    const t = value(0);
    if (t !== t) {
      ctx.bad(path, i + 1, `bad timestamp ${JSON.stringify(cells[col[0]])}`);
      continue;
    }
    out.push({
      timeUs: t * 1e6,
      containerId,
      image,
      cpu: value(1),
      memoryBytes: value(2),
      netRxBytes: value(3),
      netTxBytes: value(4),
      storageReadBytes: value(5),
      storageWrittenBytes: value(6),
    });
  }
  return out.sort((a, b) => a.timeUs - b.timeUs);
}

/** Pending entries per thread are bounded; past this many, the oldest are emitted unmatched. */
const MAX_PENDING = 1 << 16;

export async function* decodeLidds(file: string, ctx: DecodeContext): AsyncGenerator<EventBatch> {
  const meta = await readLiddsMeta(file);
  const resources = await readLiddsResources(file, meta.containerId, meta.image, ctx);
  let next = 0;
  const resourcesUpTo = (uptoUs: number): ResourceSample[] => {
    const from = next;
    while (next < resources.length && resources[next].timeUs <= uptoUs) next++;
    return resources.slice(from, next);
  };
  const pending = new Map<number, { sc: ScLine; event: SyscallEvent }>();
  const attackClass = meta.image || 'attack';

  const toEvent = (sc: ScLine, line: number): SyscallEvent => {
    const e = blankEvent(file, line);
    e.timeUs = sc.timeUs;
    e.containerId = meta.containerId;
    e.image = meta.image;
    e.process = sc.process;
    e.pid = sc.pid;
    e.tid = sc.tid;
    e.syscall = sc.syscall;
    e.dir = sc.dir;
    e.ret = sc.dir === '<' ? sc.ret : NaN;
    e.fd = sc.path || sc.tupleText;
    if (sc.tuple) {
      e.srcAddr = sc.tuple.srcAddr;
      e.srcPort = sc.tuple.srcPort;
      e.dstAddr = sc.tuple.dstAddr;
      e.dstPort = sc.tuple.dstPort;
    }
    if (meta.labelled) {
      const attack = meta.exploitUs !== null && sc.timeUs >= meta.exploitUs;
      e.label = attack ? 1 : 0;
      e.attackClass = attack ? attackClass : 'benign';
    }
    return e;
  };

  const decode = (text: string, line: number, out: BatchCollector): void => {
    const sc = parseScLine(text);
    const prev = pending.get(sc.tid);
    if (sc.dir === '>') {
      if (prev) out.push(prev.event);
      else if (pending.size >= MAX_PENDING) {
        const [oldest, p] = pending.entries().next().value as [number, { event: SyscallEvent }];
        out.push(p.event);
        pending.delete(oldest);
      }
      pending.delete(sc.tid);
      pending.set(sc.tid, { sc, event: toEvent(sc, line) });
      return;
    }
    const e = toEvent(sc, line);
    if (prev) {
      pending.delete(sc.tid);
      if (prev.sc.syscall === sc.syscall) {
        // Merge: the exit's values win, the entry fills what the exit lacks.
        if (e.fd === '') e.fd = prev.event.fd;
        if (e.dstPort < 0 && prev.event.dstPort >= 0) {
          e.srcAddr = prev.event.srcAddr;
          e.srcPort = prev.event.srcPort;
          e.dstAddr = prev.event.dstAddr;
          e.dstPort = prev.event.dstPort;
        }
      } else out.push(prev.event);
    }
    out.push(e);
  };

  yield* decodeText(
    file,
    ctx,
    (text, line, out) => {
      if (text.length === 0) return;
      decode(text, line, out);
    },
    {
      framing: 'lines',
      resourcesUpTo,
      finish: (out) => {
        for (const p of pending.values()) out.push(p.event);
        pending.clear();
      },
    },
  );
}

