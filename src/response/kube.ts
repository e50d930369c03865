/**
 * The engine's whole view of the Kubernetes API: five reads and one `run(op)` for the mutating requests, so the
 * plan (a list of KubeOp) is exactly what gets sent and the RBAC the engine needs is this file's verb list.
 * `ClientKubeApi` implements it with @kubernetes/client-node 1.x (request-object calls).
 */
import {
  ApiException,
  AppsV1Api,
  CoreV1Api,
  KubeConfig,
  NetworkingV1Api,
  PatchStrategy,
  setHeaderOptions,
  type V1Namespace,
  type V1NetworkPolicy,
  type V1Pod,
  type V1ReplicaSet,
  type V1ResourceQuota,
} from '@kubernetes/client-node';
import type { KubeOp, ScalableKind } from './types.js';

export interface WorkloadObject {
  metadata?: { name?: string; annotations?: Record<string, string>; resourceVersion?: string };
  spec?: { replicas?: number };
}

export interface RunOptions {
  dryRun: boolean;
  /** Sent as `fieldManager`, so `kubectl get -o yaml --show-managed-fields` shows who changed what. */
  fieldManager: string;
}

export interface KubeApi {
  readNamespace(name: string): Promise<V1Namespace>;
  readPod(namespace: string, name: string): Promise<V1Pod>;
  readReplicaSet(namespace: string, name: string): Promise<V1ReplicaSet>;
  readWorkload(kind: ScalableKind, namespace: string, name: string): Promise<WorkloadObject>;
  listNetworkPolicies(namespace: string): Promise<V1NetworkPolicy[]>;
  run(op: KubeOp, opts: RunOptions): Promise<unknown>;
}

/** A failed API call with its HTTP status (0 = no answer) and the Status `reason` (`AlreadyExists`, `NotFound`...). */
export class KubeError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = 'KubeError';
  }
}

/** Normalises whatever the client threw into a KubeError (never leaks tokens: only status + Status message). */
export function toKubeError(e: unknown): KubeError {
  if (e instanceof KubeError) return e;
  if (e instanceof ApiException) {
    let reason = '';
    let message = `HTTP ${e.code}`;
    try {
      const body = typeof e.body === 'string' ? JSON.parse(e.body) : e.body;
      if (body && typeof body === 'object') {
        reason = String((body as { reason?: unknown }).reason ?? '');
        message = String((body as { message?: unknown }).message ?? message);
      }
    } catch {
      // Not a Status object (a proxy's HTML page, say): the code is all we have.
    }
    return new KubeError(e.code, reason, message);
  }
  return new KubeError(0, 'Unreachable', e instanceof Error ? e.message : String(e));
}

const CORE = '/api/v1/namespaces';
const APPS = '/apis/apps/v1/namespaces';
const NET = '/apis/networking.k8s.io/v1/namespaces';
const plural: Record<ScalableKind, string> = { Deployment: 'deployments', StatefulSet: 'statefulsets' };

/** The HTTP method and path of an op: what the audit log and the docs show, and what the fake API server checks. */
export function describeOp(op: KubeOp): { method: string; path: string; verb: string; resource: string } {
  switch (op.op) {
    case 'patchPod':
      return { method: 'PATCH', path: `${CORE}/${op.namespace}/pods/${op.name}`, verb: 'patch', resource: 'pods' };
    case 'deletePod':
      return { method: 'DELETE', path: `${CORE}/${op.namespace}/pods/${op.name}`, verb: 'delete', resource: 'pods' };
    case 'createNetworkPolicy':
      return { method: 'POST', path: `${NET}/${op.namespace}/networkpolicies`, verb: 'create', resource: 'networkpolicies' };
    case 'deleteNetworkPolicy':
      return { method: 'DELETE', path: `${NET}/${op.namespace}/networkpolicies/${op.name}`, verb: 'delete', resource: 'networkpolicies' };
    case 'patchWorkload':
      return { method: 'PATCH', path: `${APPS}/${op.namespace}/${plural[op.kind]}/${op.name}`, verb: 'patch', resource: plural[op.kind] };
    case 'createResourceQuota':
      return { method: 'POST', path: `${CORE}/${op.namespace}/resourcequotas`, verb: 'create', resource: 'resourcequotas' };
    case 'deleteResourceQuota':
      return { method: 'DELETE', path: `${CORE}/${op.namespace}/resourcequotas/${op.name}`, verb: 'delete', resource: 'resourcequotas' };
  }
}

/** Merge patch (RFC 7386): plain JSON, `null` removes a key. Strategic merge would need the schema per type. */
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

export class ClientKubeApi implements KubeApi {
  private readonly core: CoreV1Api;
  private readonly apps: AppsV1Api;
  private readonly net: NetworkingV1Api;

  /** Default: ~/.kube/config or $KUBECONFIG, else the in-cluster service account (loadFromDefault does both). */
  constructor(kc?: KubeConfig) {
    const config = kc ?? ClientKubeApi.defaultConfig();
    this.core = config.makeApiClient(CoreV1Api);
    this.apps = config.makeApiClient(AppsV1Api);
    this.net = config.makeApiClient(NetworkingV1Api);
  }

  static defaultConfig(): KubeConfig {
    const kc = new KubeConfig();
    kc.loadFromDefault();
    return kc;
  }

  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw toKubeError(e);
    }
  }

  readNamespace(name: string): Promise<V1Namespace> {
    return this.call(() => this.core.readNamespace({ name }));
  }

  readPod(namespace: string, name: string): Promise<V1Pod> {
    return this.call(() => this.core.readNamespacedPod({ namespace, name }));
  }

  readReplicaSet(namespace: string, name: string): Promise<V1ReplicaSet> {
    return this.call(() => this.apps.readNamespacedReplicaSet({ namespace, name }));
  }

  readWorkload(kind: ScalableKind, namespace: string, name: string): Promise<WorkloadObject> {
    return this.call<WorkloadObject>(() =>
      kind === 'Deployment'
        ? this.apps.readNamespacedDeployment({ namespace, name })
        : this.apps.readNamespacedStatefulSet({ namespace, name }),
    );
  }

  async listNetworkPolicies(namespace: string): Promise<V1NetworkPolicy[]> {
    const list = await this.call(() => this.net.listNamespacedNetworkPolicy({ namespace }));
    return list.items ?? [];
  }

  run(op: KubeOp, opts: RunOptions): Promise<unknown> {
    const q = { dryRun: opts.dryRun ? 'All' : undefined, fieldManager: opts.fieldManager };
    // DELETE has no fieldManager parameter in the API.
    const d = { dryRun: q.dryRun };
    const { namespace } = op;
    return this.call<unknown>(() => {
      switch (op.op) {
        case 'patchPod':
          return this.core.patchNamespacedPod({ namespace, name: op.name, body: op.patch, ...q }, mergePatch);
        case 'deletePod':
          return this.core.deleteNamespacedPod({ namespace, name: op.name, ...d });
        case 'createNetworkPolicy':
          return this.net.createNamespacedNetworkPolicy({ namespace, body: op.body as V1NetworkPolicy, ...q });
        case 'deleteNetworkPolicy':
          return this.net.deleteNamespacedNetworkPolicy({ namespace, name: op.name, ...d });
        case 'patchWorkload':
          return op.kind === 'Deployment'
            ? this.apps.patchNamespacedDeployment({ namespace, name: op.name, body: op.patch, ...q }, mergePatch)
            : this.apps.patchNamespacedStatefulSet({ namespace, name: op.name, body: op.patch, ...q }, mergePatch);
        case 'createResourceQuota':
          return this.core.createNamespacedResourceQuota({ namespace, body: op.body as V1ResourceQuota, ...q });
        case 'deleteResourceQuota':
          return this.core.deleteNamespacedResourceQuota({ namespace, name: op.name, ...d });
      }
    });
  }
}
