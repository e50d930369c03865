import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FakeApiServer } from './fake-apiserver.testing.js';
import { alert, deployment, harness, namespace, pod, POD, statefulSet } from './fixtures.testing.js';
import type { ResponseConfigInput } from './options.js';
import type { Alert } from '../alerting/types.js';

/**
 * THE safety table: resource x rule -> act / skip / deny, end to end through the engine and the fake API server.
 * The allow-list below deliberately includes kube-system, Peregrine's own namespace and a protected namespace, to
 * show that the hard rules win over the allow-list. `requests` is what reached the API server: 'none' (not even a
 * read), 'reads' (GET/LIST only) or 'dry-run' (mutations, every one with dryRun=All).
 */
interface Extra {
  /** captureForensics rejects. */
  forensicsFail?: boolean;
  /** [method, path, status, reason]: the API server answers this once. */
  fault?: [string, string, number, string];
}
type Row = [name: string, alert: Partial<Alert> & { namespace?: string; pod?: string }, expect: string[], requests: 'none' | 'reads' | 'dry-run', config?: ResponseConfigInput, extra?: Extra];

const ALLOW = ['shop', 'team-*', 'kube-system', 'kube-public', 'kube-node-lease', 'peregrine', 'vault'];
const WEB = 'web-7d9f-abcde';

const TABLE: Row[] = [
  ['Deployment pod in an allowed namespace', { pod: WEB }, ['label act allowed', 'quarantine act allowed'], 'dry-run'],
  ['allow-list prefix glob team-*', { namespace: 'team-a', pod: WEB }, ['label act allowed', 'quarantine act allowed'], 'dry-run'],
  ['kube-system even when allow-listed', { namespace: 'kube-system', pod: 'coredns-1' }, ['label deny system-namespace', 'quarantine deny system-namespace'], 'none'],
  ['kube-public', { namespace: 'kube-public', pod: 'x' }, ['label deny system-namespace', 'quarantine deny system-namespace'], 'none'],
  ['kube-node-lease', { namespace: 'kube-node-lease', pod: 'x' }, ['label deny system-namespace', 'quarantine deny system-namespace'], 'none'],
  ["Peregrine's own namespace", { namespace: 'peregrine', pod: 'hub-0' }, ['label deny own-namespace', 'quarantine deny own-namespace'], 'none'],
  ['namespace not in the allow-list', { namespace: 'other', pod: WEB }, ['label deny allow-list', 'quarantine deny allow-list'], 'none'],
  ['empty allow-list acts nowhere', { pod: WEB }, ['label deny allow-list', 'quarantine deny allow-list'], 'none', { allowNamespaces: [] }],
  ['namespace labelled protected', { namespace: 'vault', pod: WEB }, ['label deny protected-namespace', 'quarantine deny protected-namespace'], 'reads'],
  ['pod labelled protected', { pod: 'vip-7d9f-abcde' }, ['label deny protected-pod', 'quarantine deny protected-pod'], 'reads'],
  ['DaemonSet pod', { pod: 'agent-x' }, ['label deny daemonset', 'quarantine deny daemonset'], 'reads'],
  ['hostNetwork pod', { pod: 'hn-7d9f-abcde' }, ['label deny host-network', 'quarantine deny host-network'], 'reads'],
  ['static (mirror) pod', { pod: 'etcd-node1' }, ['label skip static-pod', 'quarantine skip static-pod'], 'reads'],
  ['pod that has finished', { pod: 'done-1' }, ['label skip pod-finished', 'quarantine skip pod-finished'], 'reads'],
  ['pod that is gone', { pod: 'ghost-1' }, ['label skip not-found', 'quarantine skip not-found'], 'reads'],
  ['pod read forbidden (RBAC)', { pod: 'secret-1' }, ['label skip read-failed', 'quarantine skip read-failed'], 'reads'],
  ['alert without a pod', { pod: '', pods: [] }, ['label skip no-target', 'quarantine skip no-target'], 'none'],
  ['warning with one finding: label only', { pod: WEB, severity: 'warning', findings: 1 }, ['label act allowed'], 'dry-run'],
  ['info: below every step', { pod: WEB, severity: 'info', findings: 1 }, ['- skip below-threshold'], 'none'],
  ['resolved alert', { pod: WEB, status: 'resolved' }, ['label skip alert-resolved', 'quarantine skip alert-resolved'], 'none'],
  ['StatefulSet pod at the contain step', { pod: 'db-0', findings: 25 }, ['label act allowed', 'quarantine act allowed', 'contain act allowed'], 'dry-run'],
  ['Job pod at the contain step, quotaClamp off', { pod: 'job-x', findings: 25 }, ['label act allowed', 'quarantine act allowed', 'contain skip no-scalable-owner'], 'dry-run'],
  ['Job pod at the contain step, quotaClamp on', { pod: 'job-x', findings: 25 }, ['label act allowed', 'quarantine act allowed', 'contain act allowed'], 'dry-run', { quotaClamp: true }],
  [
    'bare pod at the delete step',
    { pod: 'bare-1', findings: 200 },
    ['label act allowed', 'quarantine act allowed', 'contain skip no-scalable-owner', 'delete-pod skip bare-pod'],
    'dry-run',
    { deletePod: true, ladder: { deletePod: { enabled: true } } },
  ],
  [
    'delete step without the deletePod switch',
    { pod: WEB, findings: 200 },
    ['label act allowed', 'quarantine act allowed', 'contain act allowed', 'delete-pod skip delete-disabled'],
    'dry-run',
    { ladder: { deletePod: { enabled: true } } },
  ],
  ['pod already labelled suspect', { pod: 'marked-1' }, ['label skip idempotent', 'quarantine act allowed'], 'dry-run'],
  ['rate limit reached', { pod: WEB }, ['label act allowed', 'quarantine skip rate-limit'], 'dry-run', { rateLimit: { actionsPerMinute: 1, burst: 1 } }],
  [
    'circuit breaker opened by a failure',
    { pod: WEB, pods: [WEB, 'db-0'] },
    ['label act allowed', 'label skip circuit-open', 'quarantine skip circuit-open'],
    'dry-run',
    { circuitBreaker: { failureThreshold: 1 } },
    { fault: ['PATCH', POD('shop', WEB), 500, 'InternalError'] },
  ],
  ['forensics capture failed', { pod: WEB }, ['label deny forensics-failed'], 'reads', {}, { forensicsFail: true }],
];

describe('safety table: resource x rule -> act / skip / deny', () => {
  const h = harness(FakeApiServer);
  const { api } = h;
  before(async () => {
    await h.start();
    for (const n of ['shop', 'team-a', 'other', 'kube-system', 'kube-public', 'kube-node-lease', 'peregrine']) namespace(api, n);
    namespace(api, 'vault', { 'peregrine.io/protected': 'true' });
    for (const n of ['shop', 'team-a', 'other', 'vault']) deployment(api, n, 'web', 3);
    deployment(api, 'shop', 'vip', 2, { labels: { app: 'vip', 'peregrine.io/protected': 'true' } });
    deployment(api, 'shop', 'hn', 1, { hostNetwork: true });
    pod(api, 'shop', 'agent-x', { owner: { kind: 'DaemonSet', name: 'agent' } });
    pod(api, 'shop', 'etcd-node1', { owner: { kind: 'Node', name: 'node1' }, annotations: { 'kubernetes.io/config.mirror': 'abc' } });
    pod(api, 'shop', 'done-1', { owner: { kind: 'Job', name: 'done' }, phase: 'Succeeded' });
    pod(api, 'shop', 'job-x', { owner: { kind: 'Job', name: 'job' } });
    pod(api, 'shop', 'bare-1');
    pod(api, 'shop', 'secret-1');
    pod(api, 'shop', 'marked-1', { labels: { app: 'marked', 'peregrine.io/suspect': 'true' }, annotations: { 'peregrine.io/alert-id': 'inc-0' } });
    statefulSet(api, 'shop', 'db', 2);
  });
  after(async () => {
    await h.closeEngines();
    await api.stop();
  });

  for (const [name, over, expect, requests, config, extra = {}] of TABLE) {
    it(`${name} -> ${expect.join(', ')}`, async () => {
      api.clear();
      if (over.pod === 'secret-1') api.fail('GET', POD('shop', 'secret-1'), 403, 'Forbidden');
      if (extra.fault) api.fail(...extra.fault);
      const captureForensics = extra.forensicsFail ? () => Promise.reject(new Error('forensic store down')) : undefined;
      const engine = h.make({ allowNamespaces: ALLOW, ...config }, { captureForensics });
      const a = alert({ ...over, pods: over.pods ?? (over.pod ? [over.pod] : []) });
      await engine.onAlert(a);
      const got = engine.auditTrail
        .query({ alertId: a.id })
        .reverse()
        .map((r) => `${r.action} ${r.decision} ${r.rule}`);
      assert.deepEqual(got, expect);
      const muts = api.mutations();
      if (requests === 'none') assert.deepEqual(api.requests, [], 'not even a read');
      if (requests === 'reads') {
        assert.ok(api.requests.length > 0);
        assert.deepEqual(muts, []);
      }
      if (requests === 'dry-run') {
        assert.ok(muts.length > 0);
        assert.ok(muts.every((r) => r.query.dryRun === 'All'));
      }
      if (name === 'hostNetwork pod') assert.match(engine.auditTrail.query({ alertId: a.id })[0].reason, /a NetworkPolicy cannot isolate it/);
      await h.closeEngines();
    });
  }

  it('a disabled engine records nothing and sends nothing', async () => {
    api.clear();
    const engine = h.make({ enabled: false, allowNamespaces: ALLOW });
    assert.deepEqual(await engine.onAlert(alert()), []);
    assert.deepEqual(engine.auditTrail.query(), []);
    assert.deepEqual(api.requests, []);
  });
});
