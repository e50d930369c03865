/**
 * Quarantine NetworkPolicies. NetworkPolicy is an allow-list and policies are additive: a pod selected by any
 * policy of a direction may only do what the union of those policies allows. So "deny one peer" is written as
 * "allow everything except that peer" (ipBlock `except` plus the peer's other ports), and "deny all" as a policy
 * with both directions and no rules. The first would ADD allowances to a pod other policies already restrict, so
 * it is only used when no other policy selects the pod in that direction; the second never adds anything.
 */
import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import type { V1LabelSelector } from '@kubernetes/client-node';

export const QUARANTINE_LABEL = 'peregrine.io/quarantine';

export interface Endpoint {
  srcIp: string;
  srcPort: number;
  dstIp: string;
  dstPort: number;
  /** TCP | UDP | SCTP, or another name NetworkPolicy cannot express (ICMP). */
  proto: string;
}

function hostPort(s: string): [string, number] | null {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(s) ?? /^([^:]+):(\d+)$/.exec(s);
  if (!m || !isIP(m[1])) return null;
  const port = Number(m[2]);
  return port >= 0 && port <= 65535 ? [m[1], port] : null;
}

/** Parses the Entity.endpoint form `srcIp:srcPort->dstIp:dstPort/proto` (IPv6 in brackets); null when it is not one. */
export function parseEndpoint(s: string): Endpoint | null {
  const m = /^(.+)->(.+)\/([A-Za-z0-9]+)$/.exec(s.trim());
  if (!m) return null;
  const src = hostPort(m[1]);
  const dst = hostPort(m[2]);
  if (!src || !dst) return null;
  return { srcIp: src[0], srcPort: src[1], dstIp: dst[0], dstPort: dst[1], proto: m[3].toUpperCase() };
}

export function shortHash(s: string, n = 10): string {
  return createHash('sha256').update(s).digest('hex').slice(0, n);
}

/** The value of the quarantine label for one pod: deterministic, a valid label value, unique per namespace/pod. */
export function quarantineKey(namespace: string, pod: string): string {
  return shortHash(`${namespace}/${pod}`);
}

/** The offending peer as seen from the pod, or null when the endpoint does not involve the pod's IPs. */
export function peerOf(ep: Endpoint, podIPs: string[]): { direction: 'egress' | 'ingress'; ip: string; port: number; proto: string } | null {
  if (podIPs.includes(ep.srcIp)) return { direction: 'egress', ip: ep.dstIp, port: ep.dstPort, proto: ep.proto };
  if (podIPs.includes(ep.dstIp)) return { direction: 'ingress', ip: ep.srcIp, port: ep.dstPort, proto: ep.proto };
  return null;
}

const PROTOCOLS = ['TCP', 'UDP', 'SCTP'];

/** Every (protocol, port) except `port` on `proto`: the complement NetworkPolicy can express (needs endPort, K8s 1.25+). */
function otherPorts(port: number, proto: string): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  // Port 0 (unknown): every port of that protocol to the peer is denied.
  if (port === 0) return PROTOCOLS.filter((p) => p !== proto).map((p) => ({ protocol: p }));
  if (port > 1) out.push(port === 2 ? { protocol: proto, port: 1 } : { protocol: proto, port: 1, endPort: port - 1 });
  if (port < 65535) out.push(port === 65534 ? { protocol: proto, port: 65535 } : { protocol: proto, port: port + 1, endPort: 65535 });
  for (const p of PROTOCOLS) if (p !== proto) out.push({ protocol: p });
  return out;
}

export interface QuarantineSpec {
  name: string;
  body: Record<string, unknown>;
  /** `egress to 203.0.113.9 port 4444/TCP`, or `all ingress and egress`. */
  denies: string;
}

function policy(name: string, namespace: string, key: string, spec: Record<string, unknown>, annotations: Record<string, string>): QuarantineSpec {
  return {
    name,
    denies: annotations['peregrine.io/denies'],
    body: {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name, namespace, labels: { 'app.kubernetes.io/managed-by': 'peregrine' }, annotations },
      spec: { podSelector: { matchLabels: { [QUARANTINE_LABEL]: key } }, ...spec },
    },
  };
}

/** Deny all ingress and egress of the pod carrying `QUARANTINE_LABEL=key`. */
export function isolateAll(namespace: string, pod: string, alertId: string): QuarantineSpec {
  const key = quarantineKey(namespace, pod);
  return policy(`peregrine-quarantine-${key}`, namespace, key, { policyTypes: ['Ingress', 'Egress'], ingress: [], egress: [] }, {
    'peregrine.io/pod': pod,
    'peregrine.io/alert-id': alertId,
    'peregrine.io/mode': 'isolate-all',
    'peregrine.io/denies': 'all ingress and egress',
  });
}

/** Deny only one peer/port in one direction; everything else stays allowed. */
export function denyPeer(namespace: string, pod: string, alertId: string, peer: NonNullable<ReturnType<typeof peerOf>>): QuarantineSpec {
  const key = quarantineKey(namespace, pod);
  const v6 = isIP(peer.ip) === 6;
  const host = `${peer.ip}/${v6 ? 128 : 32}`;
  // The other family stays fully allowed: only the offending address family gets the `except`.
  const everyoneElse = v6
    ? [{ ipBlock: { cidr: '::/0', except: [host] } }, { ipBlock: { cidr: '0.0.0.0/0' } }]
    : [{ ipBlock: { cidr: '0.0.0.0/0', except: [host] } }, { ipBlock: { cidr: '::/0' } }];
  const peerOtherPorts = [{ ipBlock: { cidr: host } }];
  const ports = otherPorts(peer.port, peer.proto);
  const rules =
    peer.direction === 'egress'
      ? { policyTypes: ['Egress'], egress: [{ to: everyoneElse }, { to: peerOtherPorts, ports }] }
      : { policyTypes: ['Ingress'], ingress: [{ from: everyoneElse }, { from: peerOtherPorts, ports }] };
  const what = `${peer.direction} ${peer.direction === 'egress' ? 'to' : 'from'} ${peer.ip} port ${peer.port}/${peer.proto}`;
  const name = `peregrine-quarantine-${key}-${shortHash(what, 8)}`;
  return policy(name, namespace, key, rules, {
    'peregrine.io/pod': pod,
    'peregrine.io/alert-id': alertId,
    'peregrine.io/mode': 'deny-peer',
    'peregrine.io/denies': what,
  });
}

/** Does a LabelSelector match these labels (matchLabels AND every matchExpression)? `{}` matches everything. */
export function selectorMatches(sel: V1LabelSelector | undefined, labels: Record<string, string>): boolean {
  if (!sel) return true;
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of sel.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    const values = e.values ?? [];
    switch (e.operator) {
      case 'In':
        if (!has || !values.includes(labels[e.key])) return false;
        break;
      case 'NotIn':
        if (has && values.includes(labels[e.key])) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}
