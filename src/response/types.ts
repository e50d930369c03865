/**
 * Records of the response engine. A plan lists the exact Kubernetes requests an action would make (so a dry run,
 * the audit log and the real run all show the same thing); a record is what happened to one plan.
 */
import type { Alert } from '../alerting/types.js';
import type { KubeApi } from './kube.js';
import type { LadderStep, ResponseConfig } from './options.js';

/** One Kubernetes request, as data. `path` is the REST path the client sends; dryRun is added at execution. */
export type KubeOp =
  | { op: 'patchPod'; namespace: string; name: string; patch: Record<string, unknown> }
  | { op: 'deletePod'; namespace: string; name: string }
  | { op: 'createNetworkPolicy'; namespace: string; body: Record<string, unknown> }
  | { op: 'deleteNetworkPolicy'; namespace: string; name: string }
  | { op: 'patchWorkload'; kind: ScalableKind; namespace: string; name: string; patch: Record<string, unknown> }
  | { op: 'createResourceQuota'; namespace: string; body: Record<string, unknown> }
  | { op: 'deleteResourceQuota'; namespace: string; name: string };

export type ScalableKind = 'Deployment' | 'StatefulSet';

/** What the engine learned about a target pod before planning (read-only requests only). */
export interface PodFacts {
  namespace: string;
  name: string;
  uid: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  hostNetwork: boolean;
  podIPs: string[];
  /** Pending | Running | Succeeded | Failed | Unknown. */
  phase: string;
  /** deletionTimestamp is set. */
  terminating: boolean;
  /** Controller owner as read from the pod (ReplicaSet, DaemonSet, Job, Node for mirror pods, ...), `` if none. */
  ownerKind: string;
  ownerName: string;
  /** The scalable workload behind the owner (ReplicaSet -> Deployment), null when there is none. */
  workload: { kind: ScalableKind; name: string; replicas: number; annotations: Record<string, string>; resourceVersion: string } | null;
  /** NetworkPolicies in the namespace that already select this pod, with the directions they restrict. */
  selectingPolicies: Array<{ name: string; ingress: boolean; egress: boolean }>;
}

export interface NamespaceFacts {
  name: string;
  labels: Record<string, string>;
}

export type Decision = 'act' | 'skip' | 'deny';

/** The verdict of the safety rules on one (action, target). `rule` names the rule that decided. */
export interface Verdict {
  decision: Decision;
  rule: string;
  reason: string;
}

export interface ActionPlan {
  /** Deterministic: the same action on the same target with the same parameters has the same key. */
  key: string;
  action: string;
  alertId: string;
  namespace: string;
  /** `Pod/name`, `Deployment/name`, `Namespace/name`. */
  target: string;
  /** Forward requests, in order. */
  requests: KubeOp[];
  /** Requests that undo them, in order (empty for irreversible actions, e.g. deletePod). */
  revertRequests: KubeOp[];
  reversible: boolean;
  /** Why this plan looks the way it does (e.g. "precise: deny egress to 203.0.113.9:4444/TCP"). */
  reason: string;
  /** What the plan cannot do (e.g. other NetworkPolicies still allow traffic to this pod). */
  warnings: string[];
}

export type ActionState = 'active' | 'dry-run' | 'noop' | 'failed' | 'reverted' | 'expired';

export interface ActionRecord {
  /** Unique per execution: `<key>@<createdAt>`. Pass it to `revert`. */
  id: string;
  key: string;
  action: string;
  alertId: string;
  namespace: string;
  target: string;
  dryRun: boolean;
  state: ActionState;
  createdAt: number;
  /** Epoch ms when the TTL reverts it; null when it does not expire (dry runs, irreversible, ttlSeconds 0). */
  expiresAt: number | null;
  revertedAt: number | null;
  forensicsRef: string;
  error: string;
  plan: ActionPlan;
}

/** One line of the audit log: every decision (act/skip/deny) and every execution or revert. */
export interface AuditRecord {
  /** Epoch ms. */
  at: number;
  /** Who: the configured actor, plus what triggered it. */
  actor: string;
  trigger: 'alert' | 'ttl' | 'manual';
  alertId: string;
  action: string;
  namespace: string;
  target: string;
  decision: Decision;
  rule: string;
  /** Why. */
  reason: string;
  dryRun: boolean;
  /** applied | dry-run | noop | failed | reverted | skipped | denied */
  result: string;
  /** `METHOD path?query -> status` per request made. */
  requests: string[];
  actionId: string;
  error: string;
}

export interface PlanContext {
  config: ResponseConfig;
  namespace: NamespaceFacts;
  pod: PodFacts;
}

export interface ExecOptions {
  kube: KubeApi;
  dryRun: boolean;
  /** fieldManager of every request (the configured actor). */
  fieldManager: string;
}

export interface ExecResult {
  /** applied | dry-run | noop (it was already so) | failed | reverted */
  result: 'applied' | 'dry-run' | 'noop' | 'failed' | 'reverted';
  /** `METHOD path?query -> status` per request made. */
  requests: string[];
  error: string;
  /** HTTP status of the failing request (0 = no answer), when failed. */
  status: number;
}

/**
 * One rung of the ladder, registered in the action registry. `check` holds the rules specific to this action (the
 * common ones run first) and returns null to act; `plan` is pure (no request); `execute` sends exactly
 * `plan.requests`; `revert` undoes them.
 */
export interface ResponseAction {
  readonly type: string;
  /** The ladder step (config.ladder key) this action belongs to. */
  readonly step: LadderStep;
  check(alert: Alert, ctx: PlanContext): Verdict | null;
  plan(alert: Alert, ctx: PlanContext): ActionPlan;
  execute(plan: ActionPlan, opts: ExecOptions): Promise<ExecResult>;
  revert(plan: ActionPlan, opts: ExecOptions): Promise<ExecResult>;
}
