/**
 * A fake Kubernetes API server for tests (node:http on 127.0.0.1, port 0). It answers like the real one for the
 * calls the response engine makes: stored objects, GET/LIST, POST (201, 409 AlreadyExists, 422 Invalid), merge
 * PATCH (415 for another content type, 409 Conflict on a stale resourceVersion), DELETE (404 NotFound), bearer
 * auth (401), `dryRun=All` (validated and answered, nothing persisted), and injected faults (403, 500, ...).
 * Every request is recorded (method, path, query, content type, body) so tests assert the exact requests.
 * No real API server can run in this environment; this is the closest honest substitute.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  contentType: string;
  body: unknown;
}

interface Fault {
  method: string;
  path: string;
  status: number;
  reason: string;
  times: number;
}

type Obj = Record<string, unknown> & { metadata: Record<string, unknown> };

const KIND: Record<string, [string, string]> = {
  pods: ['Pod', 'v1'],
  replicasets: ['ReplicaSet', 'apps/v1'],
  deployments: ['Deployment', 'apps/v1'],
  statefulsets: ['StatefulSet', 'apps/v1'],
  daemonsets: ['DaemonSet', 'apps/v1'],
  networkpolicies: ['NetworkPolicy', 'networking.k8s.io/v1'],
  resourcequotas: ['ResourceQuota', 'v1'],
};

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** RFC 7386 JSON merge patch. */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> = target && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(patch as Record<string, unknown>)) {
    if (v === null) delete out[k];
    else out[k] = applyMergePatch(out[k], v);
  }
  return out;
}

export class FakeApiServer {
  readonly requests: RecordedRequest[] = [];
  private readonly objects = new Map<string, Obj>();
  private readonly faults: Fault[] = [];
  private server: Server | null = null;
  private rv = 100;
  url = '';

  constructor(readonly token = 'test-token-0123456789') {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((ok) => this.server!.listen(0, '127.0.0.1', ok));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((ok) => this.server!.close(() => ok()));
    this.server = null;
  }

  /** A KubeConfig built in code: server URL + bearer token, as a real kubeconfig would give. */
  kubeConfig(token = this.token): KubeConfig {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'fake', server: this.url, skipTLSVerify: true }],
      users: [{ name: 'peregrine', token }],
      contexts: [{ name: 'fake', cluster: 'fake', user: 'peregrine' }],
      currentContext: 'fake',
    });
    return kc;
  }

  /** Stores an object at its REST path (`/api/v1/namespaces/x`, `/apis/apps/v1/namespaces/x/deployments/y`). */
  put(path: string, obj: Record<string, unknown>): void {
    const o = structuredClone(obj) as Obj;
    o.metadata = { resourceVersion: String(++this.rv), ...(o.metadata ?? {}) };
    this.objects.set(path, o);
  }

  get(path: string): Obj | undefined {
    const o = this.objects.get(path);
    return o && structuredClone(o);
  }

  /** The next `times` requests matching method + exact path get this status. */
  fail(method: string, path: string, status: number, reason: string, times = 1): void {
    this.faults.push({ method, path, status, reason, times });
  }

  /** Requests that could change something (everything but GET). */
  mutations(): RecordedRequest[] {
    return this.requests.filter((r) => r.method !== 'GET');
  }

  clear(): void {
    this.requests.length = 0;
  }

  /** Paths of the stored objects under a collection path. */
  keys(prefix: string): string[] {
    return [...this.objects.keys()].filter((k) => k.startsWith(prefix + '/'));
  }

  /** Forget every object, request and fault. */
  reset(): void {
    this.objects.clear();
    this.faults.length = 0;
    this.clear();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const u = new URL(req.url ?? '/', 'http://x');
    const method = req.method ?? 'GET';
    let body: unknown;
    try {
      body = raw ? JSON.parse(raw) : null;
    } catch {
      body = raw;
    }
    this.requests.push({ method, path: u.pathname, query: Object.fromEntries(u.searchParams), contentType: String(req.headers['content-type'] ?? ''), body });
    const reply = (code: number, obj: unknown) => {
      res.writeHead(code, { 'content-type': 'application/json' });
      res.end(JSON.stringify(obj));
    };
    const status = (code: number, reason: string, message: string) =>
      reply(code, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });

    if (req.headers.authorization !== `Bearer ${this.token}`) return status(401, 'Unauthorized', 'Unauthorized');
    const fault = this.faults.find((f) => f.method === method && f.path === u.pathname && f.times > 0);
    if (fault) {
      fault.times--;
      return status(fault.status, fault.reason, `injected ${fault.status} ${fault.reason}`);
    }
    const dry = u.searchParams.get('dryRun');
    if (dry !== null && dry !== 'All') return status(400, 'BadRequest', `invalid dry run value: ${dry}`);
    const dryRun = dry === 'All';

    const m = /^(?:\/api\/v1|\/apis\/[^/]+\/v1)\/namespaces(?:\/([^/]+)(?:\/([^/]+)(?:\/([^/]+))?)?)?$/.exec(u.pathname);
    if (!m) return status(404, 'NotFound', `the server could not find the requested resource (${u.pathname})`);
    const [, , resource, name] = m;
    const path = u.pathname;
    const kind = resource ? KIND[resource] : (['Namespace', 'v1'] as [string, string]);
    if (!kind) return status(404, 'NotFound', `unknown resource ${resource}`);
    const what = (n: string) => `${resource ?? 'namespaces'} "${n}"`;

    if (method === 'GET' && resource && !name) {
      const items = [...this.objects.entries()].filter(([k]) => k.startsWith(path + '/')).map(([, v]) => v);
      return reply(200, { kind: `${kind[0]}List`, apiVersion: kind[1], metadata: { resourceVersion: String(this.rv) }, items });
    }
    if (method === 'POST' && resource && !name) {
      const o = body as Obj | null;
      const n = String(o?.metadata?.name ?? '');
      if (!o || o.kind !== kind[0] || o.apiVersion !== kind[1]) return status(400, 'BadRequest', `expected ${kind[1]} ${kind[0]}`);
      if (!DNS_SUBDOMAIN.test(n) || n.length > 253) return status(422, 'Invalid', `${kind[0]} "${n}" is invalid: metadata.name`);
      if (this.objects.has(`${path}/${n}`)) return status(409, 'AlreadyExists', `${what(n)} already exists`);
      const stored = { ...o, metadata: { ...o.metadata, uid: `uid-${n}`, resourceVersion: String(this.rv + 1) } };
      if (!dryRun) this.put(`${path}/${n}`, stored);
      return reply(201, stored);
    }
    const current = this.objects.get(path);
    const shown = name ?? m[1];
    if (!current) return status(404, 'NotFound', `${what(shown)} not found`);
    if (method === 'GET') return reply(200, current);
    if (method === 'PATCH') {
      if (!String(req.headers['content-type']).startsWith('application/merge-patch+json')) {
        return status(415, 'UnsupportedMediaType', `the body of the request was in an unknown format`);
      }
      const rv = (body as Obj | null)?.metadata?.resourceVersion;
      if (rv !== undefined && rv !== current.metadata.resourceVersion) {
        return status(409, 'Conflict', `Operation cannot be fulfilled on ${what(shown)}: the object has been modified`);
      }
      const next = applyMergePatch(current, body) as Obj;
      const labels = (next.metadata.labels ?? {}) as Record<string, unknown>;
      for (const [k, v] of Object.entries(labels)) {
        if (typeof v !== 'string' || v.length > 63 || !LABEL_VALUE.test(v)) return status(422, 'Invalid', `metadata.labels: Invalid value: "${String(v)}" (${k})`);
      }
      const replicas = (next.spec as { replicas?: unknown } | undefined)?.replicas;
      if (replicas !== undefined && !(Number.isInteger(replicas) && (replicas as number) >= 0)) {
        return status(422, 'Invalid', `spec.replicas: Invalid value: ${String(replicas)}`);
      }
      next.metadata = { ...next.metadata, resourceVersion: String(dryRun ? this.rv : ++this.rv) };
      if (!dryRun) this.objects.set(path, next);
      return reply(200, next);
    }
    if (method === 'DELETE') {
      if (!dryRun) this.objects.delete(path);
      if (resource === 'pods') return reply(200, current);
      return reply(200, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name: shown, kind: resource } });
    }
    return status(405, 'MethodNotAllowed', `${method} is not allowed`);
  }
}
