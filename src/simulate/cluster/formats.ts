/**
 * The non-Falco wire formats of the simulator: Tetragon JSON export lines, Kubernetes audit events
 * (audit.k8s.io/v1 Event, one JSON object per line, as the API server's log backend writes them) and Prometheus
 * exposition text (cAdvisor container metrics as the kubelet serves them, with timestamps).
 */
import type { SyscallEvent } from '../../ingest/events/types.js';
import { fnv1a } from '../flows/cluster.js';

/** Syscalls a typical Tetragon policy reports: exec/exit always, kprobes on these syscalls. */
const TETRAGON_KPROBES = new Set(['openat', 'connect', 'setns', 'mount', 'unshare', 'ptrace', 'fchmodat', 'chmod', 'dup2']);

export function tetragonCovers(e: SyscallEvent): boolean {
  return e.syscall === 'execve' || e.syscall === 'exit_group' || TETRAGON_KPROBES.has(e.syscall);
}

const iso = (us: number): string => {
  const ms = Math.floor(us / 1000);
  const sub = String(Math.round((us - ms * 1000) * 1000)).padStart(6, '0');
  return new Date(ms).toISOString().slice(0, 23) + sub + 'Z';
};

/** The 64-hex id container runtimes report; Falco prints its first 12 characters (SyscallEvent.containerId). */
export function fullContainerId(short: string): string {
  let s = short;
  while (s.length < 64) s += fnv1a(s).toString(16).padStart(8, '0');
  return s.slice(0, 64);
}

function processOf(e: SyscallEvent, parent: boolean): Record<string, unknown> {
  const binary = parent ? (e.parent === 'containerd-shim' ? '/usr/bin/containerd-shim-runc-v2' : `/usr/bin/${e.parent || 'sh'}`) : e.exe || `/usr/bin/${e.process}`;
  const pid = parent ? Math.max(1, e.pid - 1) : e.pid;
  const p: Record<string, unknown> = {
    exec_id: Buffer.from(`${e.node}:${e.containerId}:${pid}:${binary}`).toString('base64'),
    pid,
    uid: 0,
    cwd: '/',
    binary,
    flags: 'execve clone',
    start_time: iso(Math.floor(e.timeUs / 1e6) * 1e6 - 60e6),
    auid: 4294967295,
  };
  if (e.containerId !== 'host') {
    p.pod = {
      namespace: e.namespace,
      name: e.pod,
      container: { id: `containerd://${fullContainerId(e.containerId)}`, name: e.pod.split('-')[0], image: { id: `${e.image}@sha256:${fullContainerId(e.image)}`, name: e.image }, start_time: iso(0), pid: 1 },
    };
    p.docker = fullContainerId(e.containerId).slice(0, 31);
  }
  if (!parent) p.tid = e.tid;
  return p;
}

/** One event as a Tetragon JSON line, or null when a Tetragon policy would not report it. */
export function encodeTetragonEvent(e: SyscallEvent): string | null {
  if (!tetragonCovers(e)) return null;
  const head = { process: processOf(e, false), parent: processOf(e, true) };
  let body: Record<string, unknown>;
  let kind: string;
  if (e.syscall === 'execve') {
    kind = 'process_exec';
    (head.process as Record<string, unknown>).binary = e.fd || e.exe;
    body = head;
  } else if (e.syscall === 'exit_group') {
    kind = 'process_exit';
    body = { ...head, signal: '', status: 0 };
  } else {
    kind = 'process_kprobe';
    const args: unknown[] = [];
    if (e.dstPort >= 0) args.push({ sock_arg: { family: 'AF_INET', type: 'SOCK_STREAM', protocol: 'IPPROTO_TCP', saddr: e.srcAddr, daddr: e.dstAddr, sport: e.srcPort, dport: e.dstPort } });
    else if (e.fd.startsWith('/')) args.push({ file_arg: { path: e.fd } });
    else args.push({ int_arg: 0 });
    body = { ...head, function_name: `__x64_sys_${e.syscall}`, args, return: { int_arg: Number.isFinite(e.ret) ? e.ret : 0 }, action: 'KPROBE_ACTION_POST' };
  }
  return JSON.stringify({ [kind]: body, node_name: e.node, time: iso(e.timeUs) });
}

/** A Kubernetes audit event (the fields the simulator varies). */
export interface AuditEvent {
  timeUs: number;
  verb: string;
  username: string;
  groups: string[];
  sourceIp: string;
  userAgent: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  apiGroup?: string;
  code: number;
  /** For create/patch: the object sent (privileged pods carry their securityContext and hostPath volumes). */
  requestObject?: unknown;
  label: 0 | 1;
  attackClass: string;
}

function requestUri(a: AuditEvent): string {
  const base = a.apiGroup ? `/apis/${a.apiGroup}/v1` : '/api/v1';
  let u = base + (a.namespace ? `/namespaces/${a.namespace}` : '') + `/${a.resource}`;
  if (a.name && a.verb !== 'create') u += `/${a.name}`;
  else if (a.name && a.subresource) u += `/${a.name}`;
  if (a.subresource) u += `/${a.subresource}`;
  if (a.verb === 'watch') u += '?watch=true';
  return u;
}

/** audit.k8s.io/v1 Event JSON (one line, no newline). */
export function encodeAuditEvent(a: AuditEvent): string {
  const h = fnv1a(`${a.timeUs}/${a.username}/${a.verb}/${a.resource}/${a.name ?? ''}`);
  const h2 = fnv1a(`${h}/${a.sourceIp}`);
  const hex = (h.toString(16).padStart(8, '0') + h2.toString(16).padStart(8, '0')).padEnd(32, '0');
  const auditID = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32).padEnd(12, '0')}`;
  const objectRef: Record<string, unknown> = { resource: a.resource };
  if (a.namespace) objectRef.namespace = a.namespace;
  if (a.name) objectRef.name = a.name;
  objectRef.apiVersion = a.apiGroup ? `${a.apiGroup}/v1` : 'v1';
  if (a.apiGroup) objectRef.apiGroup = a.apiGroup;
  if (a.subresource) objectRef.subresource = a.subresource;
  const ev: Record<string, unknown> = {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: a.requestObject === undefined ? 'Metadata' : 'Request',
    auditID,
    stage: a.subresource === 'exec' ? 'ResponseStarted' : 'ResponseComplete',
    requestURI: requestUri(a),
    verb: a.verb,
    user: { username: a.username, groups: a.groups },
    sourceIPs: [a.sourceIp],
    userAgent: a.userAgent,
    objectRef,
    responseStatus: a.code >= 400 ? { metadata: {}, status: 'Failure', reason: a.code === 403 ? 'Forbidden' : 'NotFound', code: a.code } : { metadata: {}, code: a.code },
  };
  if (a.requestObject !== undefined) ev.requestObject = a.requestObject;
  ev.requestReceivedTimestamp = iso(a.timeUs);
  ev.stageTimestamp = iso(a.timeUs + 1500 + (h % 9000));
  ev.annotations = { 'authorization.k8s.io/decision': a.code === 403 ? 'forbid' : 'allow', 'authorization.k8s.io/reason': a.code === 403 ? '' : 'RBAC: allowed' };
  return JSON.stringify(ev);
}

/** One container's cAdvisor figures at a scrape. */
export interface ContainerSample {
  namespace: string;
  pod: string;
  container: string;
  image: string;
  containerId: string;
  node: string;
  cpuSeconds: number;
  memoryBytes: number;
  rxBytes: number;
  txBytes: number;
}

const METRICS: [string, 'counter' | 'gauge', string, (s: ContainerSample) => number][] = [
  ['container_cpu_usage_seconds_total', 'counter', 'Cumulative cpu time consumed in seconds.', (s) => s.cpuSeconds],
  ['container_memory_working_set_bytes', 'gauge', 'Current working set in bytes.', (s) => s.memoryBytes],
  ['container_network_receive_bytes_total', 'counter', 'Cumulative count of bytes received', (s) => s.rxBytes],
  ['container_network_transmit_bytes_total', 'counter', 'Cumulative count of bytes transmitted', (s) => s.txBytes],
];

const esc = (v: string): string => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

/** A scrape as Prometheus exposition text (text/plain; version=0.0.4), every sample stamped `timeMs`. */
export function encodeExposition(samples: readonly ContainerSample[], timeMs: number): string {
  let out = '';
  for (const [name, type, help, value] of METRICS) {
    out += `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n`;
    for (const s of samples) {
      const id = `/kubepods/burstable/pod${s.pod}/${fullContainerId(s.containerId)}`;
      const v = value(s);
      out += `${name}{container="${esc(s.container)}",id="${esc(id)}",image="${esc(s.image)}",name="${s.containerId}",namespace="${esc(s.namespace)}",node="${esc(s.node)}",pod="${esc(s.pod)}"} ${Number.isInteger(v) ? v : v.toFixed(6)} ${timeMs}\n`;
    }
  }
  return out;
}
