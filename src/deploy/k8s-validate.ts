/**
 * Schema validation of Kubernetes objects, the offline stand-in for `kubeconform -strict`:
 *  1. `kubernetes-models` (ajv validators generated from the Kubernetes OpenAPI schemas): types, required
 *     fields, formats. It ignores unknown fields, so
 *  2. a strict pass walks the object along @kubernetes/client-node's model attribute maps (generated from the
 *     same OpenAPI document) and rejects any field the API does not define (a typo the API server would drop).
 * Only GA API versions pass (the chart declares kubeVersion >= 1.25, where the beta workload APIs are gone).
 * CRDs without a model (the Prometheus Operator's ServiceMonitor) get a structural check of the fields we set.
 */
import { createRequire } from 'node:module';
import * as k8s from '@kubernetes/client-node';
import type { K8sObject } from './chart.js';

const require = createRequire(import.meta.url);

/** `apps/v1` + `Deployment` -> `kubernetes-models/apps/v1/Deployment`; core `v1` -> `kubernetes-models/v1/...`. */
export function modelPath(apiVersion: string, kind: string): string {
  return `kubernetes-models/${apiVersion}/${kind}`;
}

type Model = new (obj: unknown) => { validate(): void };

/** Throws `kind/name: <json path> <problem>` when the object does not match its schema. */
export function validateObject(obj: K8sObject): void {
  const id = `${obj.kind}/${obj.metadata?.name ?? '?'}`;
  if (/alpha|beta/.test(obj.apiVersion) || obj.apiVersion.startsWith('extensions/')) {
    throw new Error(`${id}: ${obj.apiVersion} is not a GA API version (removed or not served on Kubernetes >= 1.25)`);
  }
  if (obj.apiVersion === 'monitoring.coreos.com/v1' && obj.kind === 'ServiceMonitor') return validateServiceMonitor(obj, id);
  let mod: Record<string, Model>;
  try {
    mod = require(modelPath(obj.apiVersion, obj.kind)) as Record<string, Model>;
  } catch (e) {
    throw new Error(`${id}: no schema for ${obj.apiVersion} ${obj.kind} (unknown or removed API version)`, { cause: e });
  }
  const M = mod[obj.kind];
  try {
    new M(obj).validate();
  } catch (e) {
    throw new Error(`${id}: ${(e as Error).message}`, { cause: e });
  }
  const unknown: string[] = [];
  strictFields(obj, `V1${obj.kind}`, '', unknown);
  if (unknown.length > 0) throw new Error(`${id}: unknown field ${unknown.join(', ')}`);
}

interface Attr {
  baseName: string;
  type: string;
}
type ModelClass = { getAttributeTypeMap(): Attr[] };
const models = k8s as unknown as Record<string, ModelClass | undefined>;

/** Collects the JSON paths of fields the client-node model `type` does not define. */
export function strictFields(v: unknown, type: string, path: string, out: string[]): void {
  if (v === null || v === undefined) return;
  const arr = /^Array<(.+)>$/.exec(type);
  if (arr) {
    if (Array.isArray(v)) v.forEach((x, i) => strictFields(x, arr[1], `${path}[${i}]`, out));
    return;
  }
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) {
    if (typeof v === 'object') for (const [k, x] of Object.entries(v)) strictFields(x, map[1], `${path}.${k}`, out);
    return;
  }
  const cls = models[type];
  if (!cls || typeof cls.getAttributeTypeMap !== 'function' || typeof v !== 'object' || Array.isArray(v)) return;
  const attrs = new Map(cls.getAttributeTypeMap().map((a) => [a.baseName, a.type]));
  for (const [k, x] of Object.entries(v)) {
    const t = attrs.get(k);
    if (t === undefined) out.push(`${path}.${k}`.replace(/^\./, ''));
    else strictFields(x, t, `${path}.${k}`, out);
  }
}

function validateServiceMonitor(o: K8sObject, id: string): void {
  const spec = o.spec as { selector?: { matchLabels?: Record<string, string> }; endpoints?: Array<Record<string, unknown>> } | undefined;
  const fail = (m: string): never => {
    throw new Error(`${id}: ${m}`);
  };
  if (!spec) fail('spec is required');
  if (!spec!.selector?.matchLabels || Object.keys(spec!.selector.matchLabels).length === 0) fail('spec.selector.matchLabels is required');
  if (!Array.isArray(spec!.endpoints) || spec!.endpoints.length === 0) fail('spec.endpoints must list at least one endpoint');
  for (const [i, ep] of spec!.endpoints!.entries()) {
    if (typeof ep.port !== 'string' || ep.port === '') fail(`spec.endpoints[${i}].port must name a Service port`);
    if (ep.path !== undefined && (typeof ep.path !== 'string' || !ep.path.startsWith('/'))) fail(`spec.endpoints[${i}].path must start with /`);
    if (ep.interval !== undefined && !/^(\d+(ms|s|m|h))+$/.test(String(ep.interval))) fail(`spec.endpoints[${i}].interval must be a duration like 30s`);
  }
}
