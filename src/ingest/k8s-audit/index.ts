/**
 * Kubernetes audit events (audit.k8s.io/v1 and v1beta1 `Event` JSON, one per line as the log backend writes them;
 * `apiVersion` is optional, as in real exports) to the fields Peregrine's audit detectors use. Malformed input is a
 * one-line PGN_ERR_BAD_ROW naming file:line.
 */
import { PeregrineError } from '../../core/errors.js';
import type { AuditEvent } from '../../simulate/cluster/formats.js';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | null => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : null);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** One audit event (a JSON line) to the fields the detectors use. */
export function parseAuditLine(text: string, where = '-:1'): AuditEvent {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new PeregrineError('PGN_ERR_BAD_ROW', `invalid JSON: ${(e as Error).message}`, { where });
  }
  const o = obj(v);
  const bad = (what: string): never => {
    throw new PeregrineError('PGN_ERR_BAD_ROW', `not a Kubernetes audit event: ${what}`, { where, hint: 'expected audit.k8s.io Event JSON lines (the API server log backend)' });
  };
  if (!o) return bad('not a JSON object');
  if (o.kind !== undefined && o.kind !== 'Event') bad(`kind is ${JSON.stringify(o.kind)}`);
  const verb = str(o.verb);
  if (!verb) bad('no verb');
  const user = obj(o.user) ?? {};
  const ref = obj(o.objectRef) ?? {};
  const time = Date.parse(str(o.requestReceivedTimestamp) || str(o.stageTimestamp) || str(o.timestamp));
  if (!Number.isFinite(time)) bad('no requestReceivedTimestamp');
  const frac = /\.(\d+)Z$/.exec(str(o.requestReceivedTimestamp))?.[1] ?? '';
  const us = time * 1000 + (frac.length > 3 ? Number(frac.slice(3, 6).padEnd(3, '0')) : 0);
  const apiVersion = str(ref.apiVersion);
  const group = str(ref.apiGroup) || (apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '');
  const sourceIps = Array.isArray(o.sourceIPs) ? o.sourceIPs : [];
  return {
    timeUs: us,
    verb,
    username: str(user.username),
    groups: Array.isArray(user.groups) ? user.groups.filter((g): g is string => typeof g === 'string') : [],
    sourceIp: str(sourceIps[0]),
    userAgent: str(o.userAgent),
    resource: str(ref.resource),
    subresource: str(ref.subresource) || undefined,
    namespace: str(ref.namespace) || undefined,
    name: str(ref.name) || undefined,
    apiGroup: group || undefined,
    code: typeof obj(o.responseStatus)?.code === 'number' ? (obj(o.responseStatus)?.code as number) : 0,
    requestObject: o.requestObject,
    label: 0,
    attackClass: '',
  };
}
