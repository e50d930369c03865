/**
 * What every action shares: running a list of KubeOps in order and turning the answers into one result. An op
 * whose error means "already so" (409 AlreadyExists on create, 404 NotFound on delete) counts as a no-op, which is
 * what makes repeating an action, or reverting one twice, harmless.
 */
import { describeOp, KubeError, toKubeError } from '../kube.js';
import { QUARANTINE_LABEL } from '../netpol.js';
import type { ExecOptions, ExecResult, KubeOp } from '../types.js';

export const SUSPECT_LABEL = 'peregrine.io/suspect';
export const ALERT_ANNOTATION = 'peregrine.io/alert-id';
export const ORIGINAL_REPLICAS = 'peregrine.io/original-replicas';
export { QUARANTINE_LABEL };

/** `PATCH /api/v1/...?dryRun=All&fieldManager=x` for the audit log. */
export function requestLine(op: KubeOp, opts: Pick<ExecOptions, 'dryRun' | 'fieldManager'>): string {
  const { method, path } = describeOp(op);
  const q: string[] = [];
  if (opts.dryRun) q.push('dryRun=All');
  if (method !== 'DELETE') q.push(`fieldManager=${opts.fieldManager}`);
  return `${method} ${path}${q.length ? '?' + q.join('&') : ''}`;
}

/** The "already so" answers: creating what exists, deleting what is gone, un-patching what is gone. */
export function alreadySo(op: KubeOp, e: KubeError, reverting: boolean): boolean {
  if (op.op.startsWith('create')) return e.status === 409 && e.reason === 'AlreadyExists';
  if (op.op.startsWith('delete')) return e.status === 404;
  // Undoing a patch on an object that is gone: nothing left to undo.
  return reverting && e.status === 404;
}

export async function runOps(ops: KubeOp[], opts: ExecOptions, done: 'applied' | 'reverted'): Promise<ExecResult> {
  const requests: string[] = [];
  let changed = 0;
  for (const op of ops) {
    const line = requestLine(op, opts);
    try {
      await opts.kube.run(op, { dryRun: opts.dryRun, fieldManager: opts.fieldManager });
      requests.push(`${line} -> ok`);
      changed++;
    } catch (err) {
      const e = toKubeError(err);
      requests.push(`${line} -> ${e.status || 'no answer'}${e.reason ? ' ' + e.reason : ''}`);
      if (alreadySo(op, e, done === 'reverted')) continue;
      return { result: 'failed', requests, error: `${line}: ${e.status || 'no answer'} ${e.reason} ${e.message}`.trim(), status: e.status };
    }
  }
  const result = changed === 0 && ops.length > 0 ? 'noop' : opts.dryRun ? 'dry-run' : done;
  return { result, requests, error: '', status: 0 };
}
