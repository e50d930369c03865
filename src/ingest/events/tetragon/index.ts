/**
 * Tetragon JSON export (`tetra getevents -o json`, the export file): one event object per line, or pretty-printed
 * objects (the older examples). Each object has one `process_*` member:
 *
 * | kind | syscall | extra |
 * |---|---|---|
 * | `process_exec` | `execve` | fd = the binary |
 * | `process_exit` | `exit` | |
 * | `process_kprobe`, `process_lsm` | `function_name` via functionToSyscall (`__x64_sys_openat` -> `openat`; `security_file_permission` kept) | `file_arg`/`path_arg` path -> fd, `sock_arg` -> endpoints, `return.int_arg` -> ret |
 * | `process_tracepoint` | `syscalls/sys_enter_X` -> `X` (dir `>`), else `subsys/event` | |
 * | `process_uprobe` | `uprobe/<symbol>` | |
 * | `process_connect` / `process_listen` / `process_accept` / `process_close` (older schema) | `connect` / `listen` / `accept` / `close` | endpoints |
 *
 * Process context: binary -> exe (basename -> process), parent binary basename -> parent, pid, tid; pod container
 * id (runtime scheme stripped; else the `docker` short id; else `host`), image name, pod name and namespace;
 * `node_name` -> node. Time: the top-level `time`, else the process start time. Other kinds (`process_loader`,
 * `process_throttle`, `rate_limit_info`, ...) are ignored and counted. Kprobe paths of the older schema lack the
 * leading `/` (`etc/passwd`); it is restored.
 */
import { RecordError } from '../json/cursor.js';
import { baseName, parseIsoUs, stripRuntime } from '../fields.js';
import { decodeText, type DecodeContext } from '../read.js';
import { blankEvent, type EventBatch, type SyscallEvent } from '../types.js';
import { functionToSyscall, tracepointToSyscall } from './functions.js';

type Obj = Record<string, unknown>;

const obj = (v: unknown): Obj | null => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : null);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const num = (v: unknown, fallback = -1): number => {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : fallback;
};
const port = (v: unknown): number => {
  const p = num(v);
  return Number.isInteger(p) && p >= 0 && p <= 65535 ? p : -1;
};

const EVENT_KINDS = new Set([
  'process_exec',
  'process_exit',
  'process_kprobe',
  'process_tracepoint',
  'process_uprobe',
  'process_lsm',
  'process_connect',
  'process_listen',
  'process_accept',
  'process_close',
]);

const SOCKET_KINDS: Record<string, string> = { process_connect: 'connect', process_listen: 'listen', process_accept: 'accept', process_close: 'close' };

function absolutePath(p: string): string {
  return p.length > 0 && p.charCodeAt(0) !== 47 ? `/${p}` : p;
}

/** Kprobe/LSM arguments: the first path, the first socket. */
function applyArgs(e: SyscallEvent, args: unknown): void {
  if (!Array.isArray(args)) return;
  for (const a of args) {
    const arg = obj(a);
    if (!arg) continue;
    const file = obj(arg.file_arg) ?? obj(arg.path_arg);
    if (file && e.fd === '') {
      e.fd = absolutePath(str(file.path));
      continue;
    }
    const sock = obj(arg.sock_arg) ?? obj(arg.sockaddr_arg);
    if (sock && e.dstPort < 0) {
      e.srcAddr = str(sock.saddr);
      e.srcPort = port(sock.sport);
      e.dstAddr = str(sock.daddr ?? sock.addr);
      e.dstPort = port(sock.dport ?? sock.port);
      continue;
    }
    const s = arg.string_arg;
    if (typeof s === 'string' && e.fd === '' && s.startsWith('/')) e.fd = s;
  }
}

/** One Tetragon event object to a SyscallEvent, or the kind of an ignored object. */
export function tetragonToEvent(value: unknown, file: string, line: number): SyscallEvent | string {
  const o = obj(value);
  if (!o) throw new RecordError('not a JSON object');
  let kind = '';
  let body: Obj | null = null;
  for (const k of Object.keys(o)) {
    if (EVENT_KINDS.has(k)) {
      body = obj(o[k]);
      kind = k;
      if (!body) throw new RecordError(`${k} is not an object`);
      break;
    }
  }
  if (!body) {
    const first = Object.keys(o).find((k) => k !== 'node_name' && k !== 'time' && k !== 'cluster_name' && k !== 'aggregation_info');
    return `tetragon:${first ?? 'empty'}`;
  }
  const proc = obj(body.process);
  const parent = obj(body.parent);
  const pod = obj(proc?.pod);
  const container = obj(pod?.container);
  let timeUs = parseIsoUs(str(o.time));
  if (timeUs !== timeUs) timeUs = parseIsoUs(str(proc?.start_time));
  if (timeUs !== timeUs) throw new RecordError(`${kind}: no time (time or process.start_time)`);
  const e = blankEvent(file, line);
  e.timeUs = timeUs;
  e.node = str(o.node_name);
  e.containerId = stripRuntime(str(container?.id)) || str(proc?.docker) || 'host';
  e.image = str(obj(container?.image)?.name);
  e.pod = str(pod?.name);
  e.namespace = str(pod?.namespace);
  e.exe = str(proc?.binary);
  e.process = baseName(e.exe);
  e.parent = baseName(str(parent?.binary));
  e.pid = num(proc?.pid);
  e.tid = num(proc?.tid);
  switch (kind) {
    case 'process_exec':
      e.syscall = 'execve';
      e.fd = e.exe;
      break;
    case 'process_exit':
      e.syscall = 'exit';
      break;
    case 'process_kprobe':
    case 'process_lsm': {
      const fn = str(body.function_name);
      if (fn === '') throw new RecordError(`${kind} without function_name`);
      e.syscall = functionToSyscall(fn);
      applyArgs(e, body.args);
      const ret = obj(body.return);
      if (ret) {
        const r = num(ret.int_arg ?? ret.size_arg ?? ret.long_arg, NaN);
        if (r === r) e.ret = r;
      }
      break;
    }
    case 'process_tracepoint': {
      const tp = tracepointToSyscall(str(body.subsys), str(body.event));
      if (tp.syscall === '') throw new RecordError('process_tracepoint without subsys/event');
      e.syscall = tp.syscall;
      e.dir = tp.dir;
      applyArgs(e, body.args);
      break;
    }
    case 'process_uprobe':
      e.syscall = `uprobe/${str(body.symbol) || 'unknown'}`;
      break;
    default: {
      e.syscall = SOCKET_KINDS[kind];
      e.srcAddr = str(body.source_ip);
      e.srcPort = port(body.source_port);
      e.dstAddr = str(body.destination_ip ?? body.ip);
      e.dstPort = port(body.destination_port ?? body.port);
    }
  }
  return e;
}

export function decodeTetragon(file: string, ctx: DecodeContext): AsyncGenerator<EventBatch> {
  return decodeText(
    file,
    ctx,
    (text, line, out) => {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (err) {
        throw new RecordError(`invalid JSON: ${(err as Error).message}`);
      }
      const e = tetragonToEvent(value, file, line);
      if (typeof e === 'string') ctx.ignore(e);
      else out.push(e);
    },
    { framing: 'json' },
  );
}
