/**
 * Step 1, label/annotate: marks the pod `peregrine.io/suspect=true` with the alert id, so people, dashboards and
 * other controllers can find it. Changes nothing about how the pod runs. Revert removes exactly those keys.
 */
import type { Alert } from '../../alerting/types.js';
import type { ActionPlan, ExecOptions, PlanContext, ResponseAction } from '../types.js';
import { ALERT_ANNOTATION, runOps, SUSPECT_LABEL } from './common.js';

export const SINCE_ANNOTATION = 'peregrine.io/suspect-since';

export const labelAction: ResponseAction = {
  type: 'label',
  step: 'label',
  check(_alert, ctx) {
    if (ctx.pod.labels[SUSPECT_LABEL] === 'true' && ctx.pod.annotations[ALERT_ANNOTATION]) {
      return { decision: 'skip', rule: 'idempotent', reason: `pod ${ctx.pod.name} is already labelled ${SUSPECT_LABEL}=true (alert ${ctx.pod.annotations[ALERT_ANNOTATION]})` };
    }
    return null;
  },
  plan(alert: Alert, ctx: PlanContext): ActionPlan {
    const { namespace, name } = ctx.pod;
    const at = new Date(alert.startsAt).toISOString();
    return {
      key: `label:${namespace}/${name}`,
      action: 'label',
      alertId: alert.id,
      namespace,
      target: `Pod/${name}`,
      requests: [
        {
          op: 'patchPod',
          namespace,
          name,
          patch: { metadata: { labels: { [SUSPECT_LABEL]: 'true' }, annotations: { [ALERT_ANNOTATION]: alert.id, [SINCE_ANNOTATION]: at } } },
        },
      ],
      revertRequests: [
        {
          op: 'patchPod',
          namespace,
          name,
          patch: { metadata: { labels: { [SUSPECT_LABEL]: null }, annotations: { [ALERT_ANNOTATION]: null, [SINCE_ANNOTATION]: null } } },
        },
      ],
      reversible: true,
      reason: `mark pod ${name} as suspect of alert ${alert.id} (${alert.severity}, ${alert.findings} findings)`,
      warnings: [],
    };
  },
  execute: (plan: ActionPlan, opts: ExecOptions) => runOps(plan.requests, opts, 'applied'),
  revert: (plan: ActionPlan, opts: ExecOptions) => runOps(plan.revertRequests, opts, 'reverted'),
};
