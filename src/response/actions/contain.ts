/**
 * Step 3, contain: scale the pod's Deployment / StatefulSet down to `scaleTo` (default 0), writing the replica count
 * it had into an annotation on the same object in the same request, so revert restores exactly that even after a
 * restart. The patch carries the resourceVersion read at plan time: if someone changed the workload meanwhile the
 * API answers 409 Conflict and nothing is overwritten. Pods without a scalable owner (bare pods, Jobs) can instead
 * get a namespace ResourceQuota clamp (`quotaClamp`, off by default because it affects the whole namespace).
 */
import type { Alert } from '../../alerting/types.js';
import { toKubeError } from '../kube.js';
import type { ActionPlan, ExecOptions, ExecResult, KubeOp, PlanContext, ResponseAction } from '../types.js';
import { ALERT_ANNOTATION, ORIGINAL_REPLICAS, runOps } from './common.js';

export const QUOTA_NAME = 'peregrine-clamp';

function scalePlan(alert: Alert, ctx: PlanContext): ActionPlan {
  const w = ctx.pod.workload!;
  const { namespace } = ctx.pod;
  const to = ctx.config.scaleTo;
  const patch = (replicas: number, annotations: Record<string, string | null>, rv?: string): KubeOp => ({
    op: 'patchWorkload',
    kind: w.kind,
    namespace,
    name: w.name,
    patch: { metadata: { ...(rv ? { resourceVersion: rv } : {}), annotations }, spec: { replicas } },
  });
  return {
    key: `contain:${namespace}/${w.kind}/${w.name}`,
    action: 'contain',
    alertId: alert.id,
    namespace,
    target: `${w.kind}/${w.name}`,
    requests: [patch(to, { [ORIGINAL_REPLICAS]: String(w.replicas), [ALERT_ANNOTATION]: alert.id }, w.resourceVersion)],
    revertRequests: [patch(w.replicas, { [ORIGINAL_REPLICAS]: null, [ALERT_ANNOTATION]: null })],
    reversible: true,
    reason: `scale ${w.kind} ${w.name} from ${w.replicas} to ${to} replicas (owner of pod ${ctx.pod.name})`,
    warnings: ['a HorizontalPodAutoscaler or a GitOps controller targeting this workload may scale it back up'],
  };
}

function quotaPlan(alert: Alert, ctx: PlanContext): ActionPlan {
  const { namespace } = ctx.pod;
  const hard = ctx.config.quotaHard;
  return {
    key: `contain:${namespace}/ResourceQuota/${QUOTA_NAME}`,
    action: 'contain',
    alertId: alert.id,
    namespace,
    target: `ResourceQuota/${QUOTA_NAME}`,
    requests: [
      {
        op: 'createResourceQuota',
        namespace,
        body: {
          apiVersion: 'v1',
          kind: 'ResourceQuota',
          metadata: { name: QUOTA_NAME, namespace, labels: { 'app.kubernetes.io/managed-by': 'peregrine' }, annotations: { [ALERT_ANNOTATION]: alert.id } },
          spec: { hard },
        },
      },
    ],
    revertRequests: [{ op: 'deleteResourceQuota', namespace, name: QUOTA_NAME }],
    reversible: true,
    reason: `clamp namespace ${namespace} with ResourceQuota ${JSON.stringify(hard)}: pod ${ctx.pod.name} has no scalable owner (${ctx.pod.ownerKind || 'bare pod'})`,
    warnings: ['a ResourceQuota stops new pods in the whole namespace; running pods keep running'],
  };
}

/** Revert of a scale: read the annotation now (it is the truth, whatever the plan saw), restore, drop it. */
async function revertScale(plan: ActionPlan, opts: ExecOptions): Promise<ExecResult> {
  const op = plan.revertRequests[0];
  if (op?.op !== 'patchWorkload') return runOps(plan.revertRequests, opts, 'reverted');
  const line = `GET /apis/apps/v1/namespaces/${op.namespace}/${op.kind === 'Deployment' ? 'deployments' : 'statefulsets'}/${op.name}`;
  let original: string | undefined;
  try {
    const w = await opts.kube.readWorkload(op.kind, op.namespace, op.name);
    original = w.metadata?.annotations?.[ORIGINAL_REPLICAS];
  } catch (err) {
    const e = toKubeError(err);
    if (e.status === 404) return { result: 'noop', requests: [`${line} -> 404 NotFound`], error: '', status: 0 };
    return { result: 'failed', requests: [`${line} -> ${e.status || 'no answer'}`], error: `${line}: ${e.status} ${e.message}`, status: e.status };
  }
  if (original === undefined || !/^\d+$/.test(original)) {
    return { result: 'noop', requests: [`${line} -> ok (no ${ORIGINAL_REPLICAS} annotation: already restored)`], error: '', status: 0 };
  }
  const restore: KubeOp = { ...op, patch: { metadata: { annotations: { [ORIGINAL_REPLICAS]: null, [ALERT_ANNOTATION]: null } }, spec: { replicas: Number(original) } } };
  const r = await runOps([restore], opts, 'reverted');
  return { ...r, requests: [`${line} -> ok`, ...r.requests] };
}

export const containAction: ResponseAction = {
  type: 'contain',
  step: 'contain',
  check(_alert, ctx) {
    const w = ctx.pod.workload;
    if (w) {
      if (w.annotations[ORIGINAL_REPLICAS] !== undefined) {
        return { decision: 'skip', rule: 'idempotent', reason: `${w.kind} ${w.name} is already scaled down by Peregrine (original replicas ${w.annotations[ORIGINAL_REPLICAS]})` };
      }
      if (w.replicas <= ctx.config.scaleTo) return { decision: 'skip', rule: 'nothing-to-do', reason: `${w.kind} ${w.name} already has ${w.replicas} replicas` };
      return null;
    }
    if (!ctx.config.quotaClamp) {
      return {
        decision: 'skip',
        rule: 'no-scalable-owner',
        reason: `pod ${ctx.pod.name} has no Deployment/StatefulSet owner (${ctx.pod.ownerKind || 'bare pod'}) and response.quotaClamp is off`,
      };
    }
    return null;
  },
  plan: (alert, ctx) => (ctx.pod.workload ? scalePlan(alert, ctx) : quotaPlan(alert, ctx)),
  execute: (plan, opts) => runOps(plan.requests, opts, 'applied'),
  revert: (plan, opts) => (plan.target.startsWith('ResourceQuota/') ? runOps(plan.revertRequests, opts, 'reverted') : revertScale(plan, opts)),
};
