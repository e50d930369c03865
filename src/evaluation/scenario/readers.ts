/**
 * Decoders for the two control-plane/resource formats the scenario detectors read: Kubernetes audit events
 * (audit.k8s.io/v1 and v1beta1 Event JSON; `apiVersion` is optional, as in real exports) and Prometheus exposition
 * text of cAdvisor container metrics. (They belong in src/ingest/k8s-audit and src/ingest/prometheus once those
 * folders exist; they live here with their only consumer for now.) Malformed input is a one-line PGN_ERR_BAD_ROW.
 */
import { PeregrineError } from '../../core/errors.js';
import type { AuditEvent, ContainerSample } from '../../simulate/cluster/formats.js';

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

const METRIC_FIELD: Record<string, 'cpuSeconds' | 'memoryBytes' | 'rxBytes' | 'txBytes'> = {
  container_cpu_usage_seconds_total: 'cpuSeconds',
  container_memory_working_set_bytes: 'memoryBytes',
  container_network_receive_bytes_total: 'rxBytes',
  container_network_transmit_bytes_total: 'txBytes',
};

/** `name{labels} value [timestampMs]` -> parts, or null for other metric lines. Label values may hold escapes. */
function sampleLine(line: string, where: string): { name: string; labels: Record<string, string>; value: number; timeMs: number } | null {
  const brace = line.indexOf('{');
  const sp = line.indexOf(' ');
  const name = brace >= 0 && brace < sp ? line.slice(0, brace) : line.slice(0, sp);
  const labels: Record<string, string> = {};
  let p = name.length;
  if (line[p] === '{') {
    p++;
    while (line[p] !== '}') {
      const eq = line.indexOf('=', p);
      if (eq < 0 || line[eq + 1] !== '"') throw new PeregrineError('PGN_ERR_BAD_ROW', 'malformed label set', { where });
      const key = line.slice(p, eq).trim();
      let q = eq + 2;
      let val = '';
      while (q < line.length && line[q] !== '"') {
        if (line[q] === '\\') {
          q++;
          val += line[q] === 'n' ? '\n' : line[q];
        } else val += line[q];
        q++;
      }
      if (q >= line.length) throw new PeregrineError('PGN_ERR_BAD_ROW', 'unterminated label value', { where });
      labels[key] = val;
      p = q + 1;
      if (line[p] === ',') p++;
    }
    p++;
  }
  const rest = line.slice(p).trim().split(/\s+/);
  const value = Number(rest[0]);
  if (rest[0] === undefined || (Number.isNaN(value) && rest[0] !== 'NaN')) throw new PeregrineError('PGN_ERR_BAD_ROW', `bad sample value "${rest[0] ?? ''}"`, { where });
  return { name, labels, value, timeMs: rest[1] !== undefined ? Number(rest[1]) : NaN };
}

/** A scrape's exposition text to container samples (one per container, the four cAdvisor series merged). */
export function parseExposition(text: string, file = '-'): { samples: ContainerSample[]; timeMs: number } {
  const byId = new Map<string, ContainerSample>();
  let timeMs = NaN;
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const s = sampleLine(line, `${file}:${i + 1}`);
    if (!s) return;
    const field = METRIC_FIELD[s.name];
    if (!field) return;
    if (Number.isFinite(s.timeMs)) timeMs = s.timeMs;
    const key = `${s.labels.namespace}/${s.labels.pod}/${s.labels.name}`;
    let c = byId.get(key);
    if (!c) {
      c = { namespace: s.labels.namespace ?? '', pod: s.labels.pod ?? '', container: s.labels.container ?? '', image: s.labels.image ?? '', containerId: s.labels.name ?? '', node: s.labels.node ?? '', cpuSeconds: 0, memoryBytes: 0, rxBytes: 0, txBytes: 0 };
      byId.set(key, c);
    }
    c[field] = s.value;
  });
  return { samples: [...byId.values()], timeMs };
}
