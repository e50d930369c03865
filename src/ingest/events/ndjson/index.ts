/**
 * Peregrine's compact event NDJSON: one SyscallEvent per line with short keys, written by `encodeEvent` (the
 * simulator, replay) and read by `--format ndjson`. Keys (all but `t` and `s` optional; absent = unknown):
 *
 * | key | field | type |
 * |---|---|---|
 * | `t` | timeUs | number, epoch microseconds (fraction allowed) (required) |
 * | `s` | syscall | string (required) |
 * | `c` | containerId | string (default `host`) |
 * | `i` `ns` `k` `n` | image, namespace, pod, node | string |
 * | `p` `e` `pp` | process, exe, parent | string |
 * | `pid` `tid` | pid, tid | integer |
 * | `d` | dir | `>`, `<` or `` |
 * | `r` | ret | number |
 * | `f` | fd | string |
 * | `sa` `sp` `da` `dp` | srcAddr, srcPort, dstAddr, dstPort | string, integer 0-65535 |
 * | `l` `ac` | label (-1, 0, 1), attackClass | integer, string |
 *
 * Unknown keys are ignored (any JSON value); a known key with a value of the wrong type makes the line bad; null
 * means unknown. Keys may come in any order.
 */
import { flat, jsonString } from '../encode-util.js';
import { PeregrineError } from '../../../core/errors.js';
import { JsonCursor, RecordError } from '../json/cursor.js';
import { decodeText, type DecodeContext } from '../read.js';
import { blankEvent, type EventBatch, type SyscallEvent } from '../types.js';

const STR = 0;
const NUM = 1;

/** Key -> [field index, type]. */
const KEYS = ['t', 'n', 'c', 'i', 'ns', 'k', 'pid', 'tid', 'p', 'e', 'pp', 's', 'd', 'r', 'f', 'sa', 'sp', 'da', 'dp', 'l', 'ac'] as const;
const TYPES = [NUM, STR, STR, STR, STR, STR, NUM, NUM, STR, STR, STR, STR, STR, NUM, STR, STR, NUM, STR, NUM, NUM, STR];
const INDEX: ReadonlyMap<string, number> = new Map(KEYS.map((k, i) => [k, i]));
const [T, N, C, I, NS, K, PID, TID, P, E, PP, S, D, R, F, SA, SP, DA, DP, L, AC] = KEYS.map((_, i) => i);

/** The keys of the compact form, in the order the encoder writes them. */
export const NDJSON_KEYS: readonly string[] = KEYS;

type Value = string | number | null;

function typeError(key: number): never {
  throw new RecordError(`"${KEYS[key]}" must be ${TYPES[key] === NUM ? 'a number' : 'a string'}`);
}

function str(v: Value): string {
  return typeof v === 'string' ? v : '';
}

function intField(v: Value, key: number, min: number, max: number): number {
  if (v === null) return -1;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new RecordError(`"${KEYS[key]}" must be an integer in ${min}..${max}`);
  return v;
}

function build(v: Value[], file: string, line: number): SyscallEvent {
  const t = v[T];
  if (typeof t !== 'number' || !Number.isFinite(t)) throw new RecordError('"t" (epoch microseconds) is missing or not a finite number');
  const s = v[S];
  if (typeof s !== 'string') throw new RecordError('"s" (syscall) is missing');
  const e = blankEvent(file, line);
  e.timeUs = t;
  e.syscall = s;
  e.node = str(v[N]);
  e.containerId = str(v[C]) || 'host';
  e.image = str(v[I]);
  e.namespace = str(v[NS]);
  e.pod = str(v[K]);
  e.pid = intField(v[PID], PID, -1, Number.MAX_SAFE_INTEGER);
  e.tid = intField(v[TID], TID, -1, Number.MAX_SAFE_INTEGER);
  e.process = str(v[P]);
  e.exe = str(v[E]);
  e.parent = str(v[PP]);
  const d = str(v[D]);
  if (d !== '' && d !== '>' && d !== '<') throw new RecordError('"d" must be ">", "<" or ""');
  e.dir = d;
  const r = v[R];
  e.ret = typeof r === 'number' && Number.isFinite(r) ? r : NaN;
  e.fd = str(v[F]);
  e.srcAddr = str(v[SA]);
  e.srcPort = intField(v[SP], SP, 0, 65535);
  e.dstAddr = str(v[DA]);
  e.dstPort = intField(v[DP], DP, 0, 65535);
  const l = intField(v[L], L, -1, 1);
  e.label = l as -1 | 0 | 1;
  e.attackClass = str(v[AC]);
  return e;
}

/** The scanning parser (one reusable cursor and value array): reads the known keys without building an object. */
export class NdjsonScanParser {
  private readonly cur = new JsonCursor();
  private readonly vals: Value[] = new Array<Value>(KEYS.length).fill(null);

  read(text: string, file: string, line: number): SyscallEvent {
    const cur = this.cur.reset(text);
    const v = this.vals;
    v.fill(null);
    if (!cur.beginObject()) {
      do {
        const k = INDEX.get(cur.key());
        if (k === undefined) {
          cur.skip();
          continue;
        }
        const c = cur.ws();
        if (c === 110) v[k] = cur.scalar();
        else if (TYPES[k] === STR) {
          if (c !== 34) typeError(k);
          v[k] = cur.string();
        } else {
          if (!((c >= 48 && c <= 57) || c === 45)) typeError(k);
          v[k] = cur.number();
        }
      } while (cur.nextMember());
    }
    cur.end();
    return build(v, file, line);
  }
}

/** Checks one member's type (null/absent = unknown). */
function member(v: unknown, k: number): Value {
  if (v === undefined || v === null) return null;
  if (TYPES[k] === STR ? typeof v !== 'string' : typeof v !== 'number') typeError(k);
  return v as Value;
}

/** The JSON.parse parser: parse, then read the keys by name. */
export function readNdjsonJson(text: string, file: string, line: number): SyscallEvent {
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch (e) {
    throw new RecordError(`invalid JSON: ${(e as Error).message}`);
  }
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw new RecordError('invalid JSON at column 1: expected an object');
  const o = obj as Record<string, unknown>;
  const v: Value[] = [
    member(o.t, T),
    member(o.n, N),
    member(o.c, C),
    member(o.i, I),
    member(o.ns, NS),
    member(o.k, K),
    member(o.pid, PID),
    member(o.tid, TID),
    member(o.p, P),
    member(o.e, E),
    member(o.pp, PP),
    member(o.s, S),
    member(o.d, D),
    member(o.r, R),
    member(o.f, F),
    member(o.sa, SA),
    member(o.sp, SP),
    member(o.da, DA),
    member(o.dp, DP),
    member(o.l, L),
    member(o.ac, AC),
  ];
  return build(v, file, line);
}

/** Parses one compact NDJSON line; throws PeregrineError PGN_ERR_BAD_ROW (and nothing else) when malformed. */
export function parseNdjsonEvent(text: string, opts: { parser?: 'json' | 'scan'; file?: string; line?: number } = {}): SyscallEvent {
  const file = opts.file ?? '-';
  const line = opts.line ?? 1;
  try {
    return opts.parser === 'scan' ? new NdjsonScanParser().read(text, file, line) : readNdjsonJson(text, file, line);
  } catch (e) {
    if (e instanceof RecordError) throw new PeregrineError('PGN_ERR_BAD_ROW', e.reason, { where: `${file}:${line}` });
    throw e;
  }
}

const q = jsonString;

/** One event in the compact form (no newline), a flat string. Unknown fields are left out; `source` is not written. */
export function encodeEvent(e: SyscallEvent): string {
  let s = `{"t":${Number.isFinite(e.timeUs) ? e.timeUs : 0}`;
  if (e.node) s += `,"n":${q(e.node)}`;
  s += `,"c":${q(e.containerId || 'host')}`;
  if (e.image) s += `,"i":${q(e.image)}`;
  if (e.namespace) s += `,"ns":${q(e.namespace)}`;
  if (e.pod) s += `,"k":${q(e.pod)}`;
  if (e.pid >= 0) s += `,"pid":${e.pid}`;
  if (e.tid >= 0) s += `,"tid":${e.tid}`;
  if (e.process) s += `,"p":${q(e.process)}`;
  if (e.exe) s += `,"e":${q(e.exe)}`;
  if (e.parent) s += `,"pp":${q(e.parent)}`;
  s += `,"s":${q(e.syscall)}`;
  if (e.dir) s += `,"d":${q(e.dir)}`;
  if (Number.isFinite(e.ret)) s += `,"r":${e.ret}`;
  if (e.fd) s += `,"f":${q(e.fd)}`;
  if (e.srcAddr) s += `,"sa":${q(e.srcAddr)}`;
  if (e.srcPort >= 0) s += `,"sp":${e.srcPort}`;
  if (e.dstAddr) s += `,"da":${q(e.dstAddr)}`;
  if (e.dstPort >= 0) s += `,"dp":${e.dstPort}`;
  if (e.label >= 0) s += `,"l":${e.label}`;
  if (e.attackClass) s += `,"ac":${q(e.attackClass)}`;
  return flat(s + '}');
}

/** Events as NDJSON text (one line each, newline-terminated). */
export function encodeEvents(events: readonly SyscallEvent[]): string {
  let out = '';
  for (const e of events) out += encodeEvent(e) + '\n';
  return out;
}

export function decodeNdjson(file: string, ctx: DecodeContext): AsyncGenerator<EventBatch> {
  const scan = new NdjsonScanParser();
  const json = ctx.options.parser !== 'scan';
  return decodeText(file, ctx, (text, line, out) => out.push(json ? readNdjsonJson(text, file, line) : scan.read(text, file, line)), { framing: 'json' });
}
