/**
 * Cluster objects and alerts for the response tests: a namespace with a Deployment (ReplicaSet -> pods), a
 * StatefulSet pod, a DaemonSet pod, a hostNetwork pod, a static (mirror) pod, a Job pod and a bare pod, stored in
 * the fake API server the way a real cluster returns them.
 */
import { emptyEntity, emptyEvidence, type Alert } from '../alerting/types.js';
import { ResponseEngine, type ResponseEngineOptions } from './engine.js';
import type { FakeApiServer } from './fake-apiserver.testing.js';
import { ClientKubeApi } from './kube.js';
import type { ResponseConfigInput } from './options.js';

export const NS = (n: string) => `/api/v1/namespaces/${n}`;
export const POD = (ns: string, n: string) => `/api/v1/namespaces/${ns}/pods/${n}`;
export const DEPLOY = (ns: string, n: string) => `/apis/apps/v1/namespaces/${ns}/deployments/${n}`;
export const STS = (ns: string, n: string) => `/apis/apps/v1/namespaces/${ns}/statefulsets/${n}`;
export const NETPOLS = (ns: string) => `/apis/networking.k8s.io/v1/namespaces/${ns}/networkpolicies`;
export const QUOTAS = (ns: string) => `/api/v1/namespaces/${ns}/resourcequotas`;

export function namespace(api: FakeApiServer, name: string, labels: Record<string, string> = {}): void {
  api.put(NS(name), { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'kubernetes.io/metadata.name': name, ...labels } } });
}

interface PodOpts {
  owner?: { kind: string; name: string };
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  hostNetwork?: boolean;
  ip?: string;
  phase?: string;
}

export function pod(api: FakeApiServer, ns: string, name: string, o: PodOpts = {}): void {
  api.put(POD(ns, name), {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: ns,
      uid: `uid-${name}`,
      labels: o.labels ?? { app: name.split('-')[0] },
      annotations: o.annotations ?? {},
      ownerReferences: o.owner ? [{ apiVersion: 'apps/v1', kind: o.owner.kind, name: o.owner.name, uid: `uid-${o.owner.name}`, controller: true }] : [],
    },
    spec: { containers: [{ name: 'main', image: 'example/app:1' }], hostNetwork: o.hostNetwork ?? false },
    status: { phase: o.phase ?? 'Running', podIP: o.ip ?? '10.0.0.5', podIPs: [{ ip: o.ip ?? '10.0.0.5' }] },
  });
}

/** Deployment `name` (replicas) -> ReplicaSet `name-7d9f` -> pod `name-7d9f-abcde`. Returns the pod name. */
export function deployment(api: FakeApiServer, ns: string, name: string, replicas = 3, podOpts: PodOpts = {}): string {
  api.put(DEPLOY(ns, name), { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: ns, annotations: {} }, spec: { replicas } });
  const rs = `${name}-7d9f`;
  api.put(`/apis/apps/v1/namespaces/${ns}/replicasets/${rs}`, {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: rs, namespace: ns, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name, uid: `uid-${name}`, controller: true }] },
    spec: { replicas },
  });
  const p = `${rs}-abcde`;
  pod(api, ns, p, { owner: { kind: 'ReplicaSet', name: rs }, labels: { app: name }, ...podOpts });
  return p;
}

export function statefulSet(api: FakeApiServer, ns: string, name: string, replicas = 2): string {
  api.put(STS(ns, name), { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name, namespace: ns }, spec: { replicas } });
  pod(api, ns, `${name}-0`, { owner: { kind: 'StatefulSet', name }, labels: { app: name } });
  return `${name}-0`;
}

export function alert(over: Partial<Alert> & { namespace?: string; pod?: string; endpoint?: string } = {}): Alert {
  const { namespace: ns = 'shop', pod: p = 'web-7d9f-abcde', endpoint = '', ...rest } = over;
  return {
    id: 'inc-1',
    fingerprint: `${ns}/web/reverse shell`,
    status: 'firing',
    severity: 'critical',
    title: 'reverse shell',
    summary: `outbound shell on ${ns}/web`,
    entity: { ...emptyEntity(), cluster: 'c1', namespace: ns, workload: 'web', workloadKind: 'Deployment', pod: p, endpoint },
    startsAt: Date.UTC(2026, 0, 1),
    updatedAt: Date.UTC(2026, 0, 1),
    endsAt: null,
    findings: 5,
    pods: [p],
    nodes: ['node-1'],
    modalities: ['flows'],
    maxScore: 9,
    modelVersions: ['v1'],
    evidence: emptyEvidence(),
    labels: {},
    ...rest,
  };
}

/** One fake API server per test file, engines built on it with a controllable clock, closed after each test. */
export function harness(FakeApi: typeof FakeApiServer) {
  const api = new FakeApi();
  const state = { clock: Date.UTC(2026, 0, 1, 12) };
  const engines: ResponseEngine[] = [];
  let kube: ClientKubeApi;
  return {
    api,
    state,
    async start() {
      await api.start();
      kube = new ClientKubeApi(api.kubeConfig());
    },
    async closeEngines() {
      for (const e of engines.splice(0)) await e.close();
    },
    make(config: ResponseConfigInput, extra: Partial<ResponseEngineOptions> = {}): ResponseEngine {
      const e = new ResponseEngine({ config: { enabled: true, allowNamespaces: ['shop'], ...config }, kube, now: () => state.clock, ...extra });
      engines.push(e);
      return e;
    },
  };
}
