/**
 * Step 2, quarantine: a NetworkPolicy selecting the pod by a label unique to it (added by this action), either
 * precise (deny the offending peer/port named by the alert's endpoint) or isolating (deny all ingress and egress).
 * Created before the label, so the pod is never selected by a half-made policy; deterministic names make a repeat
 * a 409 AlreadyExists, i.e. a no-op. See netpol.ts for why precise mode falls back to isolation.
 */
import type { Alert } from '../../alerting/types.js';
import { denyPeer, isolateAll, parseEndpoint, peerOf, quarantineKey, type QuarantineSpec } from '../netpol.js';
import type { ActionPlan, ExecOptions, PlanContext, ResponseAction } from '../types.js';
import { QUARANTINE_LABEL, runOps } from './common.js';

function choose(alert: Alert, ctx: PlanContext): { spec: QuarantineSpec; reason: string; warnings: string[] } {
  const { pod } = ctx;
  const warnings: string[] = [];
  const others = pod.selectingPolicies.filter((p) => !p.name.startsWith('peregrine-quarantine-'));
  const ep = alert.entity.endpoint ? parseEndpoint(alert.entity.endpoint) : null;
  let why = 'the alert names no endpoint';
  if (ep) {
    const peer = peerOf(ep, pod.podIPs);
    if (!peer) why = `endpoint ${alert.entity.endpoint} does not involve the pod's IPs (${pod.podIPs.join(', ') || 'none known'})`;
    else if (!['TCP', 'UDP', 'SCTP'].includes(peer.proto)) why = `NetworkPolicy cannot express protocol ${peer.proto}`;
    else {
      const restricting = others.filter((p) => (peer.direction === 'egress' ? p.egress : p.ingress)).map((p) => p.name);
      if (restricting.length) {
        why = `NetworkPolicies ${restricting.join(', ')} already restrict ${peer.direction} of this pod; an "all but one peer" policy would widen what they allow`;
      } else {
        const spec = denyPeer(pod.namespace, pod.name, alert.id, peer);
        warnings.push('ipBlock rules are meant for cluster-external addresses; whether they match pod IPs depends on the CNI');
        return { spec, reason: `precise: deny ${spec.denies} (from the alert's endpoint ${alert.entity.endpoint})`, warnings };
      }
    }
  }
  if (others.length) {
    warnings.push(
      `NetworkPolicies are additive allow-lists: ${others.map((p) => p.name).join(', ')} also select this pod and still allow what they allow; isolation is partial (use a CNI deny policy, or the contain step)`,
    );
  }
  return { spec: isolateAll(pod.namespace, pod.name, alert.id), reason: `isolate: deny all ingress and egress (${why})`, warnings };
}

export const quarantineAction: ResponseAction = {
  type: 'quarantine',
  step: 'quarantine',
  check() {
    // hostNetwork pods are denied by the common rules (a NetworkPolicy cannot isolate them).
    return null;
  },
  plan(alert: Alert, ctx: PlanContext): ActionPlan {
    const { namespace, name } = ctx.pod;
    const key = quarantineKey(namespace, name);
    const { spec, reason, warnings } = choose(alert, ctx);
    return {
      key: `quarantine:${namespace}/${spec.name}`,
      action: 'quarantine',
      alertId: alert.id,
      namespace,
      target: `Pod/${name}`,
      requests: [
        { op: 'createNetworkPolicy', namespace, body: spec.body },
        { op: 'patchPod', namespace, name, patch: { metadata: { labels: { [QUARANTINE_LABEL]: key } } } },
      ],
      revertRequests: [
        { op: 'deleteNetworkPolicy', namespace, name: spec.name },
        { op: 'patchPod', namespace, name, patch: { metadata: { labels: { [QUARANTINE_LABEL]: null } } } },
      ],
      reversible: true,
      reason,
      warnings,
    };
  },
  execute: (plan: ActionPlan, opts: ExecOptions) => runOps(plan.requests, opts, 'applied'),
  revert: (plan: ActionPlan, opts: ExecOptions) => runOps(plan.revertRequests, opts, 'reverted'),
};
