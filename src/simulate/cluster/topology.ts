/**
 * The simulated cluster's shape: nodes, namespaces, deployments (workloads with a profile), services and pods.
 * The flow generator's `ClusterSpec`/`resolveCluster` gives every pod its name, IP and node, so the syscall,
 * metric and audit telemetry below name exactly the pods the CICFlowMeter rows show. Here each pod also gets its
 * image, container id (which changes on restarts and rollouts: see churn.ts), service account and Service.
 */
import { PeregrineError } from '../../core/errors.js';
import { defaultCluster } from '../flows/defaults.js';
import { fnv1a, intToIp, resolveCluster, type ClusterSpec, type Pod, type ResolvedCluster, type WorkloadSpec } from '../flows/cluster.js';

/** Syscall/metric behaviour of a workload (see profiles.ts). */
export type SysProfile = 'nginx' | 'node-api' | 'java-api' | 'postgres' | 'redis' | 'worker' | 'cron' | 'coredns' | 'prometheus';

export interface TopologyOptions {
  /** Nodes, control plane included (>= 2: one control plane, the rest workers). */
  nodes: number;
  /** Application pods per worker node (default 10; 500 nodes -> ~10k pods with the system pods). */
  podsPerNode?: number;
}

export interface SimPod {
  /** Index in Topology.pods. */
  index: number;
  name: string;
  ip: string;
  node: string;
  namespace: string;
  workload: string;
  profile: SysProfile;
  image: string;
  /** Container name (one app container per pod). */
  container: string;
  serviceAccount: string;
  /** Incremented on each restart or rollout; the container id derives from it. */
  generation: number;
  containerId: string;
  /** The flow generator's pod (its IP and name as the flows show them). */
  flowPod: Pod;
}

export interface SimService {
  name: string;
  namespace: string;
  clusterIp: string;
  port: number;
  workload: string;
}

export interface SimWorkload {
  name: string;
  namespace: string;
  profile: SysProfile;
  image: string;
  kind: 'Deployment' | 'StatefulSet' | 'CronJob' | 'DaemonSet';
  serviceAccount: string;
  pods: SimPod[];
}

export interface Topology {
  spec: ClusterSpec;
  flows: ResolvedCluster;
  nodes: string[];
  namespaces: string[];
  workloads: SimWorkload[];
  pods: SimPod[];
  services: SimService[];
  /** The kubernetes Service (API server) ClusterIP. */
  apiServerIp: string;
}

/** A team's shop: the demo cluster's application workloads plus a queue worker and a cron job. */
const TEAM: { name: string; profile: string; sys: SysProfile; image: string; replicas: number; kind: SimWorkload['kind']; port: number; deps: string[]; extra?: Partial<WorkloadSpec> }[] = [
  { name: 'web', profile: 'web-frontend', sys: 'nginx', image: 'nginx:1.25.3', replicas: 2, kind: 'Deployment', port: 80, deps: ['api', 'orders'], extra: { probePort: 8080, metricsPort: 9113 } },
  { name: 'api', profile: 'api-server', sys: 'node-api', image: 'registry.example/shop/api:2.4.1', replicas: 3, kind: 'Deployment', port: 8080, deps: ['postgres', 'redis'], extra: { metricsPort: 9464, params: { runtime: 'node' } } },
  { name: 'orders', profile: 'api-server', sys: 'java-api', image: 'registry.example/shop/orders:1.9.0', replicas: 2, kind: 'Deployment', port: 8080, deps: ['postgres'], extra: { metricsPort: 8081, params: { runtime: 'java' } } },
  { name: 'postgres', profile: 'postgres', sys: 'postgres', image: 'postgres:16.2', replicas: 1, kind: 'StatefulSet', port: 5432, deps: [], extra: { probe: 'tcp', metricsPort: 9187 } },
  { name: 'redis', profile: 'redis', sys: 'redis', image: 'redis:7.2.4', replicas: 1, kind: 'StatefulSet', port: 6379, deps: [], extra: { probe: 'tcp', metricsPort: 9121 } },
  { name: 'worker', profile: 'api-server', sys: 'worker', image: 'registry.example/shop/worker:2.4.1', replicas: 2, kind: 'Deployment', port: 8080, deps: ['redis', 'postgres'], extra: { weight: 0.3, params: { runtime: 'node' } } },
  { name: 'cron', profile: 'api-server', sys: 'cron', image: 'registry.example/shop/report-job:1.2.0', replicas: 1, kind: 'CronJob', port: 8080, deps: ['postgres'], extra: { weight: 0.05, probe: 'none', params: { runtime: 'node' } } },
];
const TEAM_PODS = TEAM.reduce((s, w) => s + w.replicas, 0);

const SYSTEM: Record<string, { sys: SysProfile | null; image: string; kind: SimWorkload['kind'] }> = {
  'kube-apiserver': { sys: null, image: 'registry.k8s.io/kube-apiserver:v1.29.2', kind: 'Deployment' },
  coredns: { sys: 'coredns', image: 'registry.k8s.io/coredns/coredns:v1.11.1', kind: 'Deployment' },
  kubelet: { sys: null, image: '', kind: 'DaemonSet' },
  'node-health': { sys: null, image: '', kind: 'DaemonSet' },
  prometheus: { sys: 'prometheus', image: 'quay.io/prometheus/prometheus:v2.50.1', kind: 'Deployment' },
};

/** The ClusterSpec of an N-node cluster: system workloads plus as many shops as fill `podsPerNode`. */
export function clusterSpec(options: TopologyOptions): ClusterSpec {
  const n = options.nodes;
  if (!Number.isInteger(n) || n < 2 || n > 5000) {
    throw new PeregrineError('PGN_ERR_BAD_PARAM', `invalid node count ${n}`, { where: '--nodes', hint: 'use an integer from 2 to 5000 (one control plane plus workers)' });
  }
  const base = defaultCluster();
  const workers = n - 1;
  const teams = Math.max(1, Math.round((workers * (options.podsPerNode ?? 10)) / TEAM_PODS));
  const sys = base.workloads.filter((w) => w.namespace !== 'shop');
  for (const w of sys) if (w.name === 'coredns') w.replicas = Math.max(2, Math.ceil(n / 50));
  const workloads: WorkloadSpec[] = [...sys];
  const namespaces = ['kube-system', 'monitoring'];
  for (let t = 0; t < teams; t++) {
    const sfx = teams === 1 ? '' : `-${t + 1}`;
    const ns = `shop${sfx}`;
    namespaces.push(ns);
    for (const w of TEAM) {
      workloads.push({ name: `${w.name}${sfx}`, namespace: ns, profile: w.profile, replicas: w.replicas, port: w.port, dependsOn: w.deps.map((d) => `${d}${sfx}`), ...w.extra });
    }
  }
  return {
    ...base,
    name: `peregrine-sim-${n}`,
    nodes: [{ name: 'cp-1', role: 'control-plane' }, ...Array.from({ length: workers }, (_, i) => ({ name: `worker-${i + 1}` }))],
    namespaces,
    workloads,
    externalClients: { cidrs: base.externalClients.cidrs, count: Math.min(5000, 240 + 20 * n) },
  };
}

/** A 12-hex container id from (pod, generation, seed). */
export function containerIdOf(seed: number, podName: string, generation: number): string {
  const a = fnv1a(`${seed}/${podName}/${generation}`);
  const b = fnv1a(`${generation}/${podName}/${seed}/x`);
  return (a.toString(16).padStart(8, '0') + b.toString(16).padStart(8, '0')).slice(0, 12);
}

export function buildTopology(options: TopologyOptions, seed: number): Topology {
  const spec = clusterSpec(options);
  const flows = resolveCluster(spec);
  const pods: SimPod[] = [];
  const workloads: SimWorkload[] = [];
  const services: SimService[] = [];
  let svc = 11; // 10.96.0.1 is the API server, .10 kube-dns
  for (const rw of flows.workloads) {
    const w = rw.spec;
    const teamName = w.namespace.startsWith('shop') ? w.name.replace(/-\d+$/, '') : '';
    const team = TEAM.find((x) => x.name === teamName);
    const system = SYSTEM[w.name];
    const sys = team?.sys ?? system?.sys ?? null;
    if (sys === null) continue; // host agents and the control plane are not simulated at the syscall level
    const image = team?.image ?? system.image;
    const sa = team ? `${teamName}` : w.name;
    const sw: SimWorkload = { name: w.name, namespace: w.namespace, profile: sys, image, kind: team?.kind ?? system.kind, serviceAccount: sa, pods: [] };
    for (const fp of rw.pods) {
      const p: SimPod = {
        index: pods.length,
        name: fp.name,
        ip: fp.ip,
        node: fp.node,
        namespace: fp.namespace,
        workload: w.name,
        profile: sys,
        image,
        container: teamName || w.name,
        serviceAccount: sa,
        generation: 0,
        containerId: containerIdOf(seed, fp.name, 0),
        flowPod: fp,
      };
      pods.push(p);
      sw.pods.push(p);
    }
    workloads.push(sw);
    if (sys !== 'cron') {
      const ip = w.name.startsWith('coredns') ? '10.96.0.10' : intToIp(0x0a600000 + svc++);
      services.push({ name: w.name, namespace: w.namespace, clusterIp: ip, port: w.port ?? team?.port ?? 80, workload: w.name });
    }
  }
  return { spec, flows, nodes: spec.nodes.map((x) => x.name), namespaces: spec.namespaces, workloads, pods, services, apiServerIp: '10.96.0.1' };
}

/** Pods of a workload by name. */
export function workloadOf(topo: Topology, name: string): SimWorkload {
  const w = topo.workloads.find((x) => x.name === name);
  if (!w) throw new PeregrineError('PGN_ERR_BAD_PARAM', `unknown workload "${name}"`, { hint: `choose one of: ${topo.workloads.map((x) => x.name).join(', ')}` });
  return w;
}

/** The first workload with a given syscall profile (the first shop's, for team workloads). */
export function firstOfProfile(topo: Topology, profile: SysProfile): SimWorkload {
  const w = topo.workloads.find((x) => x.profile === profile && x.pods.length > 0);
  if (!w) throw new PeregrineError('PGN_ERR_BAD_PARAM', `the cluster has no ${profile} workload`);
  return w;
}
