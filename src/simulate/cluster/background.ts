/**
 * Benign control-plane and resource telemetry: the audit events a quiet cluster produces all day (node and
 * leader-election leases, Prometheus service discovery, kubelets fetching config, an operator running kubectl,
 * rollouts and restarts), and the per-container cAdvisor figures (CPU from the container's load, memory, network
 * bytes from the very flows the flow generator emitted).
 */
import type { Rng } from '../../core/rng.js';
import type { FlowRecord } from '../flows/columns.js';
import type { AuditEvent, ContainerSample } from './formats.js';
import { PROFILES, diurnal } from './profiles.js';
import type { SimPod, Topology } from './topology.js';

const CONTROLLER = 'system:kube-controller-manager';
const sysGroups = ['system:authenticated'];
const saGroups = (ns: string): string[] => ['system:serviceaccounts', `system:serviceaccounts:${ns}`, 'system:authenticated'];

function benign(a: Omit<AuditEvent, 'label' | 'attackClass' | 'groups'> & { groups?: string[] }): AuditEvent {
  return { groups: sysGroups, ...a, label: 0, attackClass: 'benign' };
}

export class AuditBackground {
  private readonly nodeIps: Map<string, string>;
  private readonly cpIp: string;

  constructor(
    private readonly topo: Topology,
    private readonly rng: Rng,
  ) {
    this.nodeIps = new Map(topo.flows.nodes.map((n) => [n.name, n.ip]));
    this.cpIp = topo.flows.nodes[0].ip;
  }

  /** Periodic events whose period divides into [s, e) (epoch us). */
  generate(s: number, e: number, out: AuditEvent[]): void {
    const every = (periodS: number, phase: number, fn: (t: number) => void): void => {
      const p = periodS * 1e6;
      for (let k = Math.ceil((s - phase) / p); k * p + phase < e; k++) fn(k * p + phase);
    };
    this.topo.nodes.forEach((node, i) => {
      every(10, (i * 7919) % 10e6, (t) =>
        out.push(benign({ timeUs: t, verb: 'update', username: `system:node:${node}`, groups: ['system:nodes', 'system:authenticated'], sourceIp: this.nodeIps.get(node) ?? this.cpIp, userAgent: 'kubelet/v1.29.2 (linux/amd64) kubernetes/4b8e819', resource: 'leases', apiGroup: 'coordination.k8s.io', namespace: 'kube-node-lease', name: node, code: 200 })),
      );
      every(60, (i * 104729) % 60e6, (t) =>
        out.push(benign({ timeUs: t, verb: 'get', username: `system:node:${node}`, groups: ['system:nodes', 'system:authenticated'], sourceIp: this.nodeIps.get(node) ?? this.cpIp, userAgent: 'kubelet/v1.29.2 (linux/amd64) kubernetes/4b8e819', resource: 'configmaps', namespace: 'kube-system', name: 'kube-root-ca.crt', code: 200 })),
      );
    });
    for (const [who, name] of [[CONTROLLER, 'kube-controller-manager'], ['system:kube-scheduler', 'kube-scheduler']] as const) {
      every(2, name.length * 1000, (t) => out.push(benign({ timeUs: t, verb: 'update', username: who, sourceIp: this.cpIp, userAgent: `${name}/v1.29.2 (linux/amd64) kubernetes/4b8e819/leader-election`, resource: 'leases', apiGroup: 'coordination.k8s.io', namespace: 'kube-system', name, code: 200 })));
    }
    const prom = this.topo.pods.find((p) => p.profile === 'prometheus');
    if (prom) {
      for (const res of ['pods', 'endpoints', 'services']) {
        every(300, res.length * 1e6, (t) => out.push(benign({ timeUs: t, verb: 'watch', username: `system:serviceaccount:${prom.namespace}:${prom.serviceAccount}`, groups: saGroups(prom.namespace), sourceIp: prom.ip, userAgent: 'prometheus/2.50.1', resource: res, code: 200 })));
      }
    }
    // an operator's kubectl now and then
    const span = (e - s) / 1e6;
    if (this.rng.next() < span / 300) {
      const ns = this.topo.namespaces[2 + this.rng.int(Math.max(1, this.topo.namespaces.length - 2))] ?? 'default';
      const [verb, resource, apiGroup] = [['list', 'pods', undefined], ['get', 'deployments', 'apps'], ['list', 'events', undefined]][this.rng.int(3)] as [string, string, string | undefined];
      out.push(benign({ timeUs: s + this.rng.next() * (e - s), verb, username: 'alice@example.com', groups: ['sre', 'system:authenticated'], sourceIp: '192.0.2.200', userAgent: 'kubectl/v1.29.2 (linux/amd64) kubernetes/4b8e819', resource, apiGroup, namespace: ns, code: 200 }));
    }
  }

  /** A container restart: the kubelet reports the pod's new status. */
  restart(pod: SimPod, t: number, out: AuditEvent[]): void {
    out.push(benign({ timeUs: t + 3e5, verb: 'patch', username: `system:node:${pod.node}`, groups: ['system:nodes', 'system:authenticated'], sourceIp: this.nodeIps.get(pod.node) ?? this.cpIp, userAgent: 'kubelet/v1.29.2 (linux/amd64) kubernetes/4b8e819', resource: 'pods', subresource: 'status', namespace: pod.namespace, name: pod.name, code: 200 }));
  }

  /** A rollout: CI patches the Deployment, the controllers replace its pods (one event set per replaced pod). */
  rollout(workload: string, namespace: string, oldPods: string[], newPods: SimPod[], t: number, out: AuditEvent[]): void {
    out.push(benign({ timeUs: t, verb: 'patch', username: 'system:serviceaccount:ci:deployer', groups: saGroups('ci'), sourceIp: '192.0.2.210', userAgent: 'argocd-application-controller/v2.10.2', resource: 'deployments', apiGroup: 'apps', namespace, name: workload, code: 200 }));
    newPods.forEach((p, i) => {
      const ti = t + 1e6 + i * 2e6;
      out.push(benign({ timeUs: ti, verb: 'create', username: 'system:serviceaccount:kube-system:replicaset-controller', groups: saGroups('kube-system'), sourceIp: this.cpIp, userAgent: 'kube-controller-manager/v1.29.2 (linux/amd64) kubernetes/4b8e819/system:serviceaccount:kube-system:replicaset-controller', resource: 'pods', namespace, code: 201, requestObject: { kind: 'Pod', apiVersion: 'v1', metadata: { generateName: `${workload}-`, namespace }, spec: { serviceAccountName: p.serviceAccount, containers: [{ name: p.container, image: p.image }] } } }));
      out.push(benign({ timeUs: ti + 2e4, verb: 'create', username: 'system:kube-scheduler', sourceIp: this.cpIp, userAgent: 'kube-scheduler/v1.29.2 (linux/amd64) kubernetes/4b8e819/scheduler', resource: 'pods', subresource: 'binding', namespace, name: p.name, code: 201 }));
      if (oldPods[i]) out.push(benign({ timeUs: ti + 5e5, verb: 'delete', username: 'system:serviceaccount:kube-system:replicaset-controller', groups: saGroups('kube-system'), sourceIp: this.cpIp, userAgent: 'kube-controller-manager/v1.29.2 (linux/amd64) kubernetes/4b8e819/system:serviceaccount:kube-system:replicaset-controller', resource: 'pods', namespace, name: oldPods[i], code: 200 }));
    });
  }
}

/** Cumulative cAdvisor counters per pod, advanced by load and attributed flow bytes. */
export class MetricsState {
  readonly cpu: Float64Array;
  readonly rx: Float64Array;
  readonly tx: Float64Array;
  /** Extra CPU cores / memory bytes the scenarios add during the current slice. */
  readonly extraCpu: Float64Array;
  readonly extraMem: Float64Array;
  private readonly byIp = new Map<string, number>();
  private readonly mem: Float64Array;

  constructor(
    private readonly topo: Topology,
    private readonly rng: Rng,
  ) {
    const n = topo.pods.length;
    this.cpu = new Float64Array(n);
    this.rx = new Float64Array(n);
    this.tx = new Float64Array(n);
    this.extraCpu = new Float64Array(n);
    this.extraMem = new Float64Array(n);
    this.mem = new Float64Array(n);
    for (const p of topo.pods) {
      this.byIp.set(p.ip, p.index);
      this.cpu[p.index] = 3600 * rng.next();
      this.mem[p.index] = PROFILES[p.profile].memoryBytes * (0.9 + 0.2 * rng.next());
    }
  }

  /** Advances CPU over [s, e) for pods with load `podLoad` (0 = not running). */
  advance(s: number, e: number, podLoad: Float64Array): void {
    const dt = (e - s) / 1e6;
    const load = diurnal(s);
    for (const p of this.topo.pods) {
      const l = podLoad[p.index];
      if (l <= 0) continue;
      this.cpu[p.index] += dt * (PROFILES[p.profile].cpuCores * load * l * (0.85 + 0.3 * this.rng.next()) + this.extraCpu[p.index]);
    }
  }

  addFlow(f: FlowRecord): void {
    const fwd = f.totalLengthFwdPackets + 40 * f.totalFwdPackets;
    const bwd = f.totalLengthBwdPackets + 40 * f.totalBwdPackets;
    const a = this.byIp.get(f.srcIp);
    const b = this.byIp.get(f.dstIp);
    if (a !== undefined) {
      this.tx[a] += fwd;
      this.rx[a] += bwd;
    }
    if (b !== undefined) {
      this.rx[b] += fwd;
      this.tx[b] += bwd;
    }
  }

  /** The samples of a scrape (running pods only). */
  scrape(podLoad: Float64Array): ContainerSample[] {
    const out: ContainerSample[] = [];
    for (const p of this.topo.pods) {
      if (podLoad[p.index] <= 0) continue;
      const i = p.index;
      this.mem[i] += (PROFILES[p.profile].memoryBytes - this.mem[i]) * 0.05 + PROFILES[p.profile].memoryBytes * 0.01 * this.rng.normal();
      out.push({ namespace: p.namespace, pod: p.name, container: p.container, image: p.image, containerId: p.containerId, node: p.node, cpuSeconds: this.cpu[i], memoryBytes: Math.round(this.mem[i] + this.extraMem[i]), rxBytes: this.rx[i], txBytes: this.tx[i] });
    }
    return out;
  }
}
