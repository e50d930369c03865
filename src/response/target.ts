/**
 * Reading the facts the safety rules and plans need, with GET/LIST requests only: the namespace's labels, the
 * pod, its controller chain (ReplicaSet -> Deployment, or StatefulSet) and the NetworkPolicies that select it.
 * The live objects are the truth, not the alert's entity (which may be stale or forged by a noisy source).
 */
import type { V1NetworkPolicy } from '@kubernetes/client-node';
import type { KubeApi } from './kube.js';
import { toKubeError } from './kube.js';
import { selectorMatches } from './netpol.js';
import type { NamespaceFacts, PodFacts, ScalableKind } from './types.js';

export async function readNamespaceFacts(kube: KubeApi, name: string): Promise<NamespaceFacts> {
  const ns = await kube.readNamespace(name);
  return { name, labels: { ...(ns.metadata?.labels ?? {}) } };
}

/** Directions a policy restricts: explicit policyTypes, else Ingress always and Egress when it has egress rules. */
export function policyDirections(p: V1NetworkPolicy): { ingress: boolean; egress: boolean } {
  const types = p.spec?.policyTypes;
  if (types && types.length) return { ingress: types.includes('Ingress'), egress: types.includes('Egress') };
  return { ingress: true, egress: (p.spec?.egress?.length ?? 0) > 0 };
}

async function workloadFacts(kube: KubeApi, kind: ScalableKind, namespace: string, name: string): Promise<PodFacts['workload']> {
  const w = await kube.readWorkload(kind, namespace, name);
  return {
    kind,
    name,
    replicas: w.spec?.replicas ?? 1,
    annotations: { ...(w.metadata?.annotations ?? {}) },
    resourceVersion: w.metadata?.resourceVersion ?? '',
  };
}

export async function readPodFacts(kube: KubeApi, namespace: string, name: string): Promise<PodFacts> {
  const pod = await kube.readPod(namespace, name);
  const owner = pod.metadata?.ownerReferences?.find((o) => o.controller) ?? pod.metadata?.ownerReferences?.[0];
  const labels = { ...(pod.metadata?.labels ?? {}) };
  let workload: PodFacts['workload'] = null;
  if (owner?.kind === 'StatefulSet') workload = await workloadFacts(kube, 'StatefulSet', namespace, owner.name);
  if (owner?.kind === 'ReplicaSet') {
    try {
      const rs = await kube.readReplicaSet(namespace, owner.name);
      const dep = rs.metadata?.ownerReferences?.find((o) => o.controller && o.kind === 'Deployment');
      if (dep) workload = await workloadFacts(kube, 'Deployment', namespace, dep.name);
    } catch (e) {
      // A ReplicaSet deleted under us: the pod is going away with it; anything else is a real failure.
      if (toKubeError(e).status !== 404) throw e;
    }
  }
  const policies = await kube.listNetworkPolicies(namespace);
  const selectingPolicies = policies
    .filter((p) => selectorMatches(p.spec?.podSelector, labels))
    .map((p) => ({ name: p.metadata?.name ?? '', ...policyDirections(p) }));
  const ips = (pod.status?.podIPs ?? []).map((i) => i.ip).filter((ip): ip is string => !!ip);
  if (pod.status?.podIP && !ips.includes(pod.status.podIP)) ips.push(pod.status.podIP);
  return {
    namespace,
    name,
    uid: pod.metadata?.uid ?? '',
    labels,
    annotations: { ...(pod.metadata?.annotations ?? {}) },
    hostNetwork: pod.spec?.hostNetwork === true,
    podIPs: ips,
    phase: pod.status?.phase ?? '',
    terminating: !!pod.metadata?.deletionTimestamp,
    ownerKind: owner?.kind ?? '',
    ownerName: owner?.name ?? '',
    workload,
    selectingPolicies,
  };
}
