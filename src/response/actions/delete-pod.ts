/**
 * Step 4 (optional, off by default: `deletePod: true` and `ladder.deletePod.enabled: true` both needed): delete
 * the pod. Its controller starts a fresh one from the image; the compromised process and its in-memory state go
 * away, which is why forensics are captured first. Irreversible, so no TTL; bare pods are skipped (nothing would
 * bring them back).
 */
import type { ActionPlan, ResponseAction } from '../types.js';
import { runOps } from './common.js';

export const deletePodAction: ResponseAction = {
  type: 'delete-pod',
  step: 'deletePod',
  check(_alert, ctx) {
    if (!ctx.config.deletePod) return { decision: 'skip', rule: 'delete-disabled', reason: 'response.deletePod is false' };
    if (!ctx.pod.ownerKind) return { decision: 'skip', rule: 'bare-pod', reason: `pod ${ctx.pod.name} has no controller: deleting it would remove the workload for good` };
    return null;
  },
  plan(alert, ctx): ActionPlan {
    const { namespace, name } = ctx.pod;
    return {
      key: `delete-pod:${namespace}/${name}/${ctx.pod.uid}`,
      action: 'delete-pod',
      alertId: alert.id,
      namespace,
      target: `Pod/${name}`,
      requests: [{ op: 'deletePod', namespace, name }],
      revertRequests: [],
      reversible: false,
      reason: `delete pod ${name}; ${ctx.pod.ownerKind} ${ctx.pod.ownerName} replaces it`,
      warnings: ['irreversible: the process and its memory are gone after this'],
    };
  },
  execute: (plan, opts) => runOps(plan.requests, opts, 'applied'),
  revert: async () => ({ result: 'failed', requests: [], error: 'a deleted pod cannot be restored', status: 0 }),
};
