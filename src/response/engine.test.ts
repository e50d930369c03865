import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { FakeApiServer } from './fake-apiserver.testing.js';
import { alert, DEPLOY, deployment, harness, namespace, NETPOLS, POD } from './fixtures.testing.js';
import { quarantineKey } from './netpol.js';

const T0 = Date.UTC(2026, 0, 1, 12);
const POD_NAME = 'web-7d9f-abcde';
const KEY = quarantineKey('shop', POD_NAME);

describe('ResponseEngine against the fake API server', () => {
  const h = harness(FakeApiServer);
  const { api } = h;
  const make = h.make;
  before(() => h.start());
  after(() => api.stop());
  beforeEach(() => {
    h.state.clock = T0;
    api.reset();
    namespace(api, 'shop');
    deployment(api, 'shop', 'web', 3);
  });
  afterEach(() => h.closeEngines());

  it('dry run by default: reads, then sends exactly the planned requests with dryRun=All, persists nothing', async () => {
    const registry = new Registry();
    const engine = make({}, { registry });
    const recs = await engine.onAlert(alert());
    assert.deepEqual(
      recs.map((r) => [r.action, r.state, r.dryRun]),
      [
        ['label', 'dry-run', true],
        ['quarantine', 'dry-run', true],
      ],
    );
    assert.deepEqual(
      api.requests.filter((r) => r.method === 'GET').map((r) => r.path),
      ['/api/v1/namespaces/shop', POD('shop', POD_NAME), '/apis/apps/v1/namespaces/shop/replicasets/web-7d9f', DEPLOY('shop', 'web'), NETPOLS('shop')],
    );
    const q = { dryRun: 'All', fieldManager: 'peregrine-response' };
    assert.deepEqual(api.mutations(), [
      {
        method: 'PATCH',
        path: POD('shop', POD_NAME),
        query: q,
        contentType: 'application/merge-patch+json',
        body: { metadata: { labels: { 'peregrine.io/suspect': 'true' }, annotations: { 'peregrine.io/alert-id': 'inc-1', 'peregrine.io/suspect-since': '2026-01-01T00:00:00.000Z' } } },
      },
      {
        method: 'POST',
        path: NETPOLS('shop'),
        query: q,
        contentType: 'application/json',
        body: {
          apiVersion: 'networking.k8s.io/v1',
          kind: 'NetworkPolicy',
          metadata: {
            name: `peregrine-quarantine-${KEY}`,
            namespace: 'shop',
            labels: { 'app.kubernetes.io/managed-by': 'peregrine' },
            annotations: { 'peregrine.io/pod': POD_NAME, 'peregrine.io/alert-id': 'inc-1', 'peregrine.io/mode': 'isolate-all', 'peregrine.io/denies': 'all ingress and egress' },
          },
          spec: { podSelector: { matchLabels: { 'peregrine.io/quarantine': KEY } }, policyTypes: ['Ingress', 'Egress'], ingress: [], egress: [] },
        },
      },
      { method: 'PATCH', path: POD('shop', POD_NAME), query: q, contentType: 'application/merge-patch+json', body: { metadata: { labels: { 'peregrine.io/quarantine': KEY } } } },
    ]);
    assert.equal(api.get(`${NETPOLS('shop')}/peregrine-quarantine-${KEY}`), undefined, 'dry run created nothing');
    assert.deepEqual(api.get(POD('shop', POD_NAME))!.metadata.labels, { app: 'web' });
    const text = await registry.metrics();
    assert.match(text, /peregrine_response_actions_total\{action="quarantine",result="dry-run",dry_run="true"\} 1/);
    assert.match(text, /peregrine_response_circuit_open 0/);
    // An update of the same alert that reaches no new step is not evaluated again: no request, no audit line.
    api.clear();
    const lines = engine.auditTrail.query().length;
    assert.deepEqual(await engine.onAlert(alert({ findings: 6 })), []);
    assert.deepEqual(api.requests, []);
    assert.equal(engine.auditTrail.query().length, lines);
    // Escalating to a new step re-evaluates: the done steps are idempotent skips, the new one acts.
    const more = await engine.onAlert(alert({ findings: 25 }));
    assert.deepEqual(more.map((r) => r.action), ['contain']);
    assert.deepEqual(
      engine.auditTrail.query({ decision: 'skip' }).map((r) => `${r.action} ${r.rule}`).sort(),
      ['label idempotent', 'quarantine idempotent'],
    );
  });

  it('idempotency: the same alert twice gives ONE NetworkPolicy, also across a restart (409 AlreadyExists -> no-op)', async () => {
    const engine = make({ dryRun: false });
    await engine.onAlert(alert());
    await engine.onAlert(alert({ findings: 9 }));
    const policies = () => api.keys(NETPOLS('shop'));
    assert.deepEqual(policies(), [`${NETPOLS('shop')}/peregrine-quarantine-${KEY}`]);
    assert.equal(api.mutations().filter((r) => r.method === 'POST').length, 1, 'the second alert made no create');
    // A new engine without the first one's state (memory audit): the API's 409 keeps it at one policy.
    api.clear();
    const again = make({ dryRun: false });
    const recs = await again.onAlert(alert());
    assert.deepEqual(recs.map((r) => r.action), ['quarantine'], 'the label step saw the pod already labelled');
    assert.match(engine.list().find((r) => r.action === 'quarantine')!.state, /active/);
    const post = api.mutations().find((r) => r.method === 'POST')!;
    assert.equal(post.path, NETPOLS('shop'));
    assert.match(again.auditTrail.query({ action: 'quarantine' })[0].requests[0], /POST \/apis\/networking.k8s.io\/v1\/namespaces\/shop\/networkpolicies\?fieldManager=peregrine-response -> 409 AlreadyExists/);
    assert.deepEqual(policies().length, 1);
    const pod = api.get(POD('shop', POD_NAME))!;
    assert.deepEqual(pod.metadata.labels, { app: 'web', 'peregrine.io/suspect': 'true', 'peregrine.io/quarantine': KEY });
  });

  it('precise quarantine: the alert endpoint names an egress peer -> deny only that peer and port', async () => {
    const engine = make({ ladder: { label: { enabled: false } } });
    const [rec] = await engine.onAlert(alert({ endpoint: '10.0.0.5:43512->203.0.113.9:4444/tcp' }));
    assert.equal(rec.action, 'quarantine');
    assert.match(rec.plan.reason, /^precise: deny egress to 203\.0\.113\.9 port 4444\/TCP/);
    const post = api.mutations().find((r) => r.method === 'POST')!;
    const body = post.body as { metadata: { name: string }; spec: unknown };
    assert.match(body.metadata.name, new RegExp(`^peregrine-quarantine-${KEY}-[0-9a-f]{8}$`));
    assert.deepEqual(body.spec, {
      podSelector: { matchLabels: { 'peregrine.io/quarantine': KEY } },
      policyTypes: ['Egress'],
      egress: [
        { to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['203.0.113.9/32'] } }, { ipBlock: { cidr: '::/0' } }] },
        {
          to: [{ ipBlock: { cidr: '203.0.113.9/32' } }],
          ports: [
            { protocol: 'TCP', port: 1, endPort: 4443 },
            { protocol: 'TCP', port: 4445, endPort: 65535 },
            { protocol: 'UDP' },
            { protocol: 'SCTP' },
          ],
        },
      ],
    });
  });

  it('precise quarantine of an ingress peer (IPv6 too)', async () => {
    api.reset();
    namespace(api, 'shop');
    deployment(api, 'shop', 'web', 3, { ip: 'fd00::5' });
    const engine = make({ ladder: { label: { enabled: false } } });
    const [rec] = await engine.onAlert(alert({ endpoint: '[2001:db8::66]:51000->[fd00::5]:22/tcp' }));
    const spec = (rec.plan.requests[0] as unknown as { body: { spec: { policyTypes: string[]; ingress: Array<{ from: unknown[] }> } } }).body.spec;
    assert.deepEqual(spec.policyTypes, ['Ingress']);
    assert.deepEqual(spec.ingress[0].from, [{ ipBlock: { cidr: '::/0', except: ['2001:db8::66/128'] } }, { ipBlock: { cidr: '0.0.0.0/0' } }]);
  });

  it('falls back to full isolation when another policy already restricts that direction (never widens it), and says isolation is partial', async () => {
    api.put(`${NETPOLS('shop')}/web-egress`, {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'web-egress', namespace: 'shop' },
      spec: { podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['web', 'api'] }] }, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8' } }] }] },
    });
    const engine = make({ ladder: { label: { enabled: false } } });
    const [rec] = await engine.onAlert(alert({ endpoint: '10.0.0.5:43512->203.0.113.9:4444/tcp' }));
    assert.match(rec.plan.reason, /^isolate: deny all ingress and egress \(NetworkPolicies web-egress already restrict egress/);
    assert.match(rec.plan.warnings.join(' '), /additive allow-lists: web-egress also select this pod/);
    const audit = engine.auditTrail.query({ action: 'quarantine' })[0];
    assert.match(audit.reason, /isolation is partial/);
  });

  it('an endpoint that does not involve the pod, or ICMP, isolates fully with the reason', async () => {
    const engine = make({ ladder: { label: { enabled: false } } });
    const [rec] = await engine.onAlert(alert({ endpoint: '10.9.9.9:1->10.9.9.8:2/tcp' }));
    assert.match(rec.plan.reason, /does not involve the pod's IPs \(10\.0\.0\.5\)/);
    const [icmp] = await make({ ladder: { label: { enabled: false } } }).onAlert(alert({ id: 'inc-2', pod: POD_NAME, endpoint: '10.0.0.5:0->198.51.100.1:0/icmp' }));
    assert.match(icmp.plan.reason, /NetworkPolicy cannot express protocol ICMP/);
    assert.equal(icmp.key, rec.key, 'same pod, same isolate-all policy name');
    assert.deepEqual(await engine.onAlert(alert()), [], 'the same alert again: idempotent');
    // A dry run changed nothing, so a new incident on the same pod shows its own plan.
    assert.equal((await engine.onAlert(alert({ id: 'inc-3' }))).length, 1);
  });
});
