/**
 * The simulated cluster: a declarative `ClusterSpec` (nodes, namespaces, workloads with a traffic profile) and
 * its resolution into pods with IPs on nodes. Resolution is a pure function of the spec (no randomness), so the
 * same spec always yields the same addresses and pod names, whatever the seed. Pod churn, services and more
 * telemetry formats can be layered on top of `ResolvedCluster` later without touching the profiles.
 */
import { PeregrineError } from '../../core/errors.js';

export type HostKind = 'pod' | 'node' | 'external';

/** Anything with an address that traffic flows between. */
export interface Host {
  name: string;
  ip: string;
  kind: HostKind;
  /** Node the host runs on (pods and nodes). */
  node?: string;
  /** One-way latency to the cluster for external hosts (microseconds). */
  latencyUs?: number;
}

export interface NodeSpec {
  name: string;
  role?: 'control-plane' | 'worker';
}

export interface WorkloadSpec {
  name: string;
  namespace: string;
  /** Key of a registered workload profile (`web-frontend`, `kube-dns`, ...). */
  profile: string;
  replicas?: number;
  /** One pod per node (kubelet agents, node exporters). */
  daemonSet?: boolean;
  /** Pods use their node's IP (kube-apiserver, kubelet). */
  hostNetwork?: boolean;
  /** Restrict scheduling to these nodes. */
  nodes?: string[];
  /** Service port (the profile's default when absent). */
  port?: number;
  /** Kubelet probe kind for the workload's pods (default: `http` on the service port). */
  probe?: 'http' | 'tcp' | 'none';
  probePort?: number;
  /** Port Prometheus scrapes (none when absent). */
  metricsPort?: number;
  /** Workloads this one calls (its pods become their clients). */
  dependsOn?: string[];
  /** Share of the benign flow rate (the profile's default when absent). */
  weight?: number;
  params?: Record<string, number | string | boolean>;
}

export interface ExternalService {
  name: string;
  ip: string;
  port: number;
  latencyUs?: number;
}

export interface ClusterSpec {
  name: string;
  /** Pod network, e.g. `10.16.0.0/16`. */
  podCidr: string;
  /** Node network, e.g. `100.64.0.0/16`. */
  nodeCidr: string;
  nodes: NodeSpec[];
  namespaces: string[];
  workloads: WorkloadSpec[];
  /** Where ingress clients come from, and how many distinct client addresses there are. */
  externalClients: { cidrs: string[]; count: number };
  /** External endpoints pods talk to legitimately (upstream DNS, SaaS APIs, object storage). */
  externalServices: ExternalService[];
}

export interface Pod extends Host {
  namespace: string;
  workload: string;
  node: string;
}

export interface ResolvedWorkload {
  spec: WorkloadSpec;
  pods: Pod[];
}

export interface ResolvedCluster {
  spec: ClusterSpec;
  nodes: Host[];
  pods: Pod[];
  workloads: ResolvedWorkload[];
  externalClients: Host[];
  externalServices: (Host & { port: number })[];
  workload(name: string): ResolvedWorkload;
  /** Pods of the workloads that list `name` in `dependsOn`. */
  clientsOf(name: string): Pod[];
  service(name: string): Host & { port: number };
}

export function ipToInt(ip: string): number {
  const p = ip.split('.').map(Number);
  return ((p[0] << 24) | (p[1] << 16) | (p[2] << 8) | p[3]) >>> 0;
}

export function intToIp(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/** Base address and size of an IPv4 CIDR. */
export function parseCidr(cidr: string): { base: number; size: number } {
  const [ip, bits] = cidr.split('/');
  const prefix = Number(bits ?? 32);
  if (!/^\d+\.\d+\.\d+\.\d+$/.test(ip) || !(prefix >= 0 && prefix <= 32)) {
    throw new PeregrineError('PGN_ERR_BAD_PARAM', `invalid CIDR "${cidr}"`, { hint: 'use a.b.c.d/n' });
  }
  const size = 2 ** (32 - prefix);
  return { base: Math.floor(ipToInt(ip) / size) * size, size };
}

/** FNV-1a, for stable names and per-host constants derived from strings. */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

const NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789'; // the alphabet Kubernetes uses for generated suffixes

function suffix(seed: string, len: number): string {
  let h = fnv1a(seed);
  let out = '';
  for (let i = 0; i < len; i++) {
    out += NAME_ALPHABET[h % NAME_ALPHABET.length];
    h = fnv1a(`${seed}:${h}:${i}`);
  }
  return out;
}

export function resolveCluster(spec: ClusterSpec): ResolvedCluster {
  if (spec.nodes.length === 0) throw new PeregrineError('PGN_ERR_BAD_PARAM', 'cluster has no nodes', { where: 'cluster.nodes' });
  const nodeNet = parseCidr(spec.nodeCidr);
  const podNet = parseCidr(spec.podCidr);
  const nodes: Host[] = spec.nodes.map((n, i) => ({ name: n.name, ip: intToIp(nodeNet.base + 1 + i), kind: 'node', node: n.name }));
  const nodeByName = new Map(nodes.map((n) => [n.name, n]));
  const workers = spec.nodes.filter((n) => n.role !== 'control-plane').map((n) => n.name);
  const schedulable = workers.length > 0 ? workers : spec.nodes.map((n) => n.name);
  const pods: Pod[] = [];
  const workloads: ResolvedWorkload[] = [];
  let nextPodIp = podNet.base + 2; // .0 network, .1 gateway
  spec.workloads.forEach((w, wi) => {
    for (const n of w.nodes ?? []) {
      if (!nodeByName.has(n)) throw new PeregrineError('PGN_ERR_BAD_PARAM', `workload "${w.name}" pinned to unknown node "${n}"`, { where: 'cluster.workloads' });
    }
    const allowed = w.nodes ?? (w.daemonSet ? spec.nodes.map((n) => n.name) : schedulable);
    const count = w.daemonSet ? allowed.length : (w.replicas ?? 1);
    const hash = suffix(`${spec.name}/${w.namespace}/${w.name}`, 10);
    const wpods: Pod[] = [];
    for (let i = 0; i < count; i++) {
      const node = w.daemonSet ? allowed[i] : allowed[(wi + i) % allowed.length];
      const sfx = suffix(`${spec.name}/${w.namespace}/${w.name}/${i}`, 5);
      const name = w.daemonSet ? `${w.name}-${sfx}` : `${w.name}-${hash}-${sfx}`;
      const ip = w.hostNetwork ? (nodeByName.get(node) as Host).ip : intToIp(nextPodIp++);
      wpods.push({ name, ip, kind: w.hostNetwork ? 'node' : 'pod', node, namespace: w.namespace, workload: w.name });
    }
    pods.push(...wpods);
    workloads.push({ spec: w, pods: wpods });
  });
  const byName = new Map(workloads.map((w) => [w.spec.name, w]));
  if (byName.size !== workloads.length) throw new PeregrineError('PGN_ERR_BAD_PARAM', 'workload names must be unique', { where: 'cluster.workloads' });
  for (const w of spec.workloads) {
    for (const d of w.dependsOn ?? []) {
      if (!byName.has(d)) throw new PeregrineError('PGN_ERR_BAD_PARAM', `workload "${w.name}" depends on unknown workload "${d}"`, { where: 'cluster.workloads' });
    }
  }
  const externalClients: Host[] = [];
  for (let i = 0; i < spec.externalClients.count; i++) {
    const cidr = parseCidr(spec.externalClients.cidrs[i % spec.externalClients.cidrs.length]);
    const h = fnv1a(`${spec.name}/client/${i}`);
    const ip = intToIp(cidr.base + 1 + (h % Math.max(1, cidr.size - 2)));
    externalClients.push({ name: `client-${i}`, ip, kind: 'external', latencyUs: 2000 + (h >>> 8) % 40000 });
  }
  const externalServices = spec.externalServices.map((s) => ({
    name: s.name,
    ip: s.ip,
    port: s.port,
    kind: 'external' as const,
    latencyUs: s.latencyUs ?? 3000 + (fnv1a(s.name) % 20000),
  }));
  return {
    spec,
    nodes,
    pods,
    workloads,
    externalClients,
    externalServices,
    workload(name) {
      const w = byName.get(name);
      if (!w) throw new PeregrineError('PGN_ERR_BAD_PARAM', `unknown workload "${name}"`, { hint: `choose one of: ${[...byName.keys()].join(', ')}` });
      return w;
    },
    clientsOf(name) {
      return workloads.filter((w) => w.spec.dependsOn?.includes(name)).flatMap((w) => w.pods);
    },
    service(name) {
      const s = externalServices.find((e) => e.name === name);
      if (!s) throw new PeregrineError('PGN_ERR_BAD_PARAM', `unknown external service "${name}"`, { where: 'cluster.externalServices' });
      return s;
    },
  };
}

/** Path properties between two hosts: latency, segment size and how much GRO merges at the capture point. */
export interface Link {
  latencyUs: number;
  /** Payload per wire segment (MSS minus the 12-byte timestamp option). */
  mss: number;
  /** Up to this many segments are merged into one captured packet. */
  gro: number;
  bytesPerUs: number;
  /** Which endpoint is across the internet from the capture point, if any. */
  far?: 'client' | 'server';
}

/** Path from client `a` to server `b`. */
export function linkBetween(a: Host, b: Host): Link {
  const ext = a.kind === 'external' ? a : b.kind === 'external' ? b : null;
  if (ext) return { latencyUs: ext.latencyUs ?? 10000, mss: 1348, gro: 3, bytesPerUs: 12, far: ext === a ? 'client' : 'server' };
  if (a.node !== undefined && a.node === b.node) return { latencyUs: 18, mss: 1348, gro: 12, bytesPerUs: 2500 };
  return { latencyUs: 110, mss: 1348, gro: 8, bytesPerUs: 1200 };
}
