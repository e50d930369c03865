import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { ResponseEngine } from './engine.js';
import { FakeApiServer } from './fake-apiserver.testing.js';
import { alert, deployment, namespace } from './fixtures.testing.js';
import { ClientKubeApi, describeOp, KubeError } from './kube.js';
import type { KubeOp } from './types.js';

/** The client wrapper against the fake API server: the exact requests @kubernetes/client-node 1.x sends. */
describe('ClientKubeApi', () => {
  const api = new FakeApiServer();
  let kube: ClientKubeApi;
  before(async () => {
    await api.start();
    kube = new ClientKubeApi(api.kubeConfig());
    api.put('/api/v1/namespaces/shop', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { team: 'a' } } });
    api.put('/api/v1/namespaces/shop/pods/web-1', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-1', namespace: 'shop', labels: { app: 'web' } }, spec: { containers: [] } });
  });
  after(() => api.stop());

  it('reads with GET and sends the bearer token', async () => {
    api.clear();
    const ns = await kube.readNamespace('shop');
    assert.deepEqual(ns.metadata?.labels, { team: 'a' });
    assert.deepEqual(api.requests.map((r) => `${r.method} ${r.path}`), ['GET /api/v1/namespaces/shop']);
  });

  it('patches with a JSON merge patch, dryRun=All and the fieldManager', async () => {
    api.clear();
    const op: KubeOp = { op: 'patchPod', namespace: 'shop', name: 'web-1', patch: { metadata: { labels: { 'peregrine.io/suspect': 'true' } } } };
    const pod = (await kube.run(op, { dryRun: true, fieldManager: 'peregrine-response' })) as { metadata: { labels: Record<string, string> } };
    assert.equal(pod.metadata.labels['peregrine.io/suspect'], 'true');
    assert.deepEqual(api.requests, [
      {
        method: 'PATCH',
        path: '/api/v1/namespaces/shop/pods/web-1',
        query: { dryRun: 'All', fieldManager: 'peregrine-response' },
        contentType: 'application/merge-patch+json',
        body: op.patch,
      },
    ]);
    // A dry run persists nothing.
    const stored = api.get('/api/v1/namespaces/shop/pods/web-1')!;
    assert.equal((stored.metadata.labels as Record<string, string>)['peregrine.io/suspect'], undefined);
    assert.equal(describeOp(op).path, api.requests[0].path);
  });

  it('creates, then answers 409 AlreadyExists, and deletes then 404 NotFound', async () => {
    api.clear();
    const body = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'np-1', namespace: 'shop' }, spec: { podSelector: {}, policyTypes: ['Ingress'] } };
    await kube.run({ op: 'createNetworkPolicy', namespace: 'shop', body }, { dryRun: false, fieldManager: 'f' });
    await assert.rejects(kube.run({ op: 'createNetworkPolicy', namespace: 'shop', body }, { dryRun: false, fieldManager: 'f' }), (e: unknown) => {
      assert.ok(e instanceof KubeError);
      assert.equal(e.status, 409);
      assert.equal(e.reason, 'AlreadyExists');
      return true;
    });
    assert.equal((await kube.listNetworkPolicies('shop')).length, 1);
    await kube.run({ op: 'deleteNetworkPolicy', namespace: 'shop', name: 'np-1' }, { dryRun: false, fieldManager: 'f' });
    await assert.rejects(kube.run({ op: 'deleteNetworkPolicy', namespace: 'shop', name: 'np-1' }, { dryRun: false, fieldManager: 'f' }), { status: 404, reason: 'NotFound' });
    const [post] = api.requests;
    assert.equal(post.method, 'POST');
    assert.equal(post.path, '/apis/networking.k8s.io/v1/namespaces/shop/networkpolicies');
    assert.deepEqual(post.query, { fieldManager: 'f' });
    assert.deepEqual(post.body, body);
    const del = api.requests.find((r) => r.method === 'DELETE')!;
    assert.deepEqual(del.query, {});
  });

  it('turns 403, 422, 500 and a wrong token into KubeErrors with status and reason', async () => {
    api.fail('GET', '/api/v1/namespaces/shop', 403, 'Forbidden');
    await assert.rejects(kube.readNamespace('shop'), { status: 403, reason: 'Forbidden' });
    api.fail('GET', '/api/v1/namespaces/shop', 500, 'InternalError');
    await assert.rejects(kube.readNamespace('shop'), { status: 500, reason: 'InternalError' });
    const bad = { op: 'patchPod', namespace: 'shop', name: 'web-1', patch: { metadata: { labels: { x: 'not a valid value!' } } } } as KubeOp;
    await assert.rejects(kube.run(bad, { dryRun: true, fieldManager: 'f' }), { status: 422, reason: 'Invalid' });
    await assert.rejects(new ClientKubeApi(api.kubeConfig('wrong-token')).readNamespace('shop'), { status: 401 });
  });

  it('reports an unreachable server as status 0', async () => {
    const gone = new FakeApiServer();
    await gone.start();
    const kc = gone.kubeConfig();
    await gone.stop();
    await assert.rejects(new ClientKubeApi(kc).readNamespace('shop'), { status: 0, reason: 'Unreachable' });
  });
});

describe('ResponseEngine defaults', () => {
  it('a disabled engine (the default) reads no kubeconfig, opens no store, makes no request', async () => {
    const saved = process.env.KUBECONFIG;
    process.env.KUBECONFIG = '/nonexistent/kubeconfig';
    try {
      const engine = new ResponseEngine({ config: {} });
      assert.deepEqual(await engine.onAlert(alert()), []);
      assert.deepEqual(engine.list(), []);
      await engine.close();
      assert.deepEqual(await engine.onAlert(alert()), [], 'after close: nothing, no throw');
    } finally {
      if (saved === undefined) delete process.env.KUBECONFIG;
      else process.env.KUBECONFIG = saved;
    }
  });

  it('without a kube option the client comes from $KUBECONFIG (loadFromDefault); pino logger and a shared registry work', async () => {
    const api = new FakeApiServer();
    await api.start();
    const dir = mkdtempSync(join(tmpdir(), 'pgn-kc-'));
    const saved = process.env.KUBECONFIG;
    try {
      namespace(api, 'shop');
      deployment(api, 'shop', 'web', 2);
      const file = join(dir, 'config');
      writeFileSync(
        file,
        `apiVersion: v1\nkind: Config\nclusters:\n- name: fake\n  cluster:\n    server: ${api.url}\n    insecure-skip-tls-verify: true\nusers:\n- name: u\n  user:\n    token: ${api.token}\ncontexts:\n- name: fake\n  context:\n    cluster: fake\n    user: u\ncurrent-context: fake\n`,
      );
      process.env.KUBECONFIG = file;
      const registry = new Registry();
      const logger = pino({ level: 'silent' });
      const a = new ResponseEngine({ config: { enabled: true, allowNamespaces: ['shop'] }, registry, logger });
      const b = new ResponseEngine({ config: { enabled: true, allowNamespaces: ['shop'] }, registry, logger });
      assert.equal((await a.onAlert(alert())).length, 2);
      assert.equal((await b.onAlert(alert())).length, 2);
      assert.match(await registry.metrics(), /peregrine_response_actions_total\{action="label",result="dry-run",dry_run="true"\} 2/);
      assert.ok(api.mutations().every((r) => r.query.dryRun === 'All'));
      await a.close();
      await b.close();
    } finally {
      if (saved === undefined) delete process.env.KUBECONFIG;
      else process.env.KUBECONFIG = saved;
      rmSync(dir, { recursive: true, force: true });
      await api.stop();
    }
  });
});
