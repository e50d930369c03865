import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { isPeregrineError } from '../core/errors.js';
import { FakeApiServer } from './fake-apiserver.testing.js';
import { alert, DEPLOY, deployment, harness, namespace, NETPOLS, POD, QUOTAS } from './fixtures.testing.js';
import { quarantineKey } from './netpol.js';

const T0 = Date.UTC(2026, 0, 1, 12);
const POD_NAME = 'web-7d9f-abcde';
const NP = `${NETPOLS('shop')}/peregrine-quarantine-${quarantineKey('shop', POD_NAME)}`;
const live = { dryRun: false } as const;

describe('response lifecycle: contain, TTL, revert, forensics, breaker, rate limit', () => {
  const h = harness(FakeApiServer);
  const { api } = h;
  before(() => h.start());
  after(() => api.stop());
  beforeEach(() => {
    h.state.clock = T0;
    api.reset();
    namespace(api, 'shop');
    deployment(api, 'shop', 'web', 3);
  });
  afterEach(() => h.closeEngines());

  it('contain scales the Deployment to 0 with the old count in an annotation; revert restores it from the annotation', async () => {
    const engine = h.make(live);
    const rv = String(api.get(DEPLOY('shop', 'web'))!.metadata.resourceVersion);
    const recs = await engine.onAlert(alert({ findings: 25 }));
    assert.deepEqual(recs.map((r) => [r.action, r.state]), [
      ['label', 'active'],
      ['quarantine', 'active'],
      ['contain', 'active'],
    ]);
    const patch = api.mutations().find((r) => r.path === DEPLOY('shop', 'web'))!;
    assert.deepEqual(patch, {
      method: 'PATCH',
      path: DEPLOY('shop', 'web'),
      query: { fieldManager: 'peregrine-response' },
      contentType: 'application/merge-patch+json',
      body: { metadata: { resourceVersion: rv, annotations: { 'peregrine.io/original-replicas': '3', 'peregrine.io/alert-id': 'inc-1' } }, spec: { replicas: 0 } },
    });
    assert.equal((api.get(DEPLOY('shop', 'web'))!.spec as { replicas: number }).replicas, 0);
    // Someone scales it by hand meanwhile: revert still restores what the annotation says.
    const scaled = api.get(DEPLOY('shop', 'web'))!;
    api.put(DEPLOY('shop', 'web'), { ...scaled, spec: { replicas: 1 } });
    api.clear();
    const contain = recs[2];
    const reverted = await engine.revert(contain.id);
    assert.equal(reverted.state, 'reverted');
    assert.deepEqual(api.requests.map((r) => `${r.method} ${r.path}`), [`GET ${DEPLOY('shop', 'web')}`, `PATCH ${DEPLOY('shop', 'web')}`]);
    assert.deepEqual(api.requests[1].body, { metadata: { annotations: { 'peregrine.io/original-replicas': null, 'peregrine.io/alert-id': null } }, spec: { replicas: 3 } });
    const dep = api.get(DEPLOY('shop', 'web'))!;
    assert.equal((dep.spec as { replicas: number }).replicas, 3);
    assert.deepEqual(dep.metadata.annotations, {});
    // Reverting twice is harmless, and the same alert does not scale it down again.
    assert.equal((await engine.revert(contain.id)).state, 'reverted');
    api.clear();
    assert.deepEqual((await engine.onAlert(alert({ findings: 30 }))).map((r) => r.action), []);
    assert.deepEqual(api.mutations(), []);
    assert.ok(engine.auditTrail.query({ action: 'contain', decision: 'skip' }).some((r) => r.rule === 'reverted-for-alert'));
  });

  it('a stale resourceVersion (the workload changed since it was read) is a 409 Conflict: nothing overwritten, breaker counts it', async () => {
    api.fail('PATCH', DEPLOY('shop', 'web'), 409, 'Conflict');
    const engine = h.make({ ...live, ladder: { label: { enabled: false }, quarantine: { enabled: false } } });
    const [rec] = await engine.onAlert(alert({ findings: 25 }));
    assert.equal(rec.state, 'failed');
    assert.match(rec.error, /409 Conflict/);
    assert.equal((api.get(DEPLOY('shop', 'web'))!.spec as { replicas: number }).replicas, 3);
  });

  it('TTL: policy deleted and labels removed once ttlSeconds pass; the same alert does not re-quarantine, a new incident does', async () => {
    const engine = h.make({ ...live, ttlSeconds: 60 });
    const recs = await engine.onAlert(alert());
    assert.ok(recs.every((r) => r.expiresAt === T0 + 60_000));
    assert.ok(api.get(NP));
    assert.deepEqual(await engine.revertExpired(T0 + 59_000), []);
    api.clear();
    const expired = await engine.revertExpired(T0 + 61_000);
    assert.deepEqual(expired.map((r) => [r.action, r.state]), [
      ['label', 'expired'],
      ['quarantine', 'expired'],
    ]);
    assert.equal(api.get(NP), undefined);
    assert.deepEqual(api.get(POD('shop', POD_NAME))!.metadata.labels, { app: 'web' });
    assert.deepEqual(api.get(POD('shop', POD_NAME))!.metadata.annotations, {});
    assert.deepEqual(api.requests.filter((r) => r.method === 'DELETE').map((r) => [r.path, r.query]), [[NP, {}]]);
    assert.equal(engine.auditTrail.query({ action: 'quarantine' })[0].trigger, 'ttl');
    h.state.clock = T0 + 120_000;
    assert.deepEqual(await engine.onAlert(alert()), []);
    assert.ok(!api.get(NP));
    assert.equal((await engine.onAlert(alert({ id: 'inc-2' }))).length, 2);
    assert.ok(api.get(NP));
  });

  it('the TTL fires on its own (sweep timer) when nobody calls revertExpired', async () => {
    const engine = h.make({ ...live, ttlSeconds: 60, ttlSweepSeconds: 1 });
    await engine.onAlert(alert());
    assert.ok(api.get(NP));
    h.state.clock = T0 + 61_000;
    const settled = () => engine.list().every((r) => r.state === 'expired');
    for (let i = 0; i < 40 && !settled(); i++) await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(engine.list().map((r) => r.state), ['expired', 'expired']);
    assert.equal(api.get(NP), undefined);
  });

  it('state survives a restart (SQLite under dataDir): the new engine reverts what the old one did once the TTL passes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pgn-response-'));
    try {
      const first = h.make({ ...live, ttlSeconds: 60 }, { dataDir: dir });
      await first.onAlert(alert());
      await first.close();
      const second = h.make({ ...live, ttlSeconds: 60 }, { dataDir: dir });
      assert.equal(second.list().length, 2);
      assert.deepEqual(await second.onAlert(alert()), [], 'idempotent across the restart');
      const done = await second.revertExpired(T0 + 61_000);
      assert.equal(done.length, 2);
      assert.equal(api.get(NP), undefined);
      const trail = second.auditTrail.query({ alertId: 'inc-1' });
      assert.deepEqual([...new Set(trail.map((r) => r.trigger))].sort(), ['alert', 'ttl']);
    } finally {
      await h.closeEngines();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('forensics are captured before the first request that changes anything, once per alert; failure blocks acting', async () => {
    let mutationsAtCapture = -1;
    let calls = 0;
    const engine = h.make(live, {
      captureForensics: async () => {
        calls++;
        mutationsAtCapture = api.mutations().length;
        return 'sqlite:forensics.db?alert=inc-1';
      },
    });
    const recs = await engine.onAlert(alert());
    assert.equal(mutationsAtCapture, 0);
    assert.equal(calls, 1);
    assert.ok(recs.every((r) => r.forensicsRef === 'sqlite:forensics.db?alert=inc-1'));

    // requireForensics: false acts without them (ref ''); the strict default is the next test.
    const lax = h.make({ ...live, requireForensics: false }, { captureForensics: async () => Promise.reject(new Error('store down')) });
    deployment(api, 'shop', 'api', 2);
    const laxRecs = await lax.onAlert(alert({ id: 'inc-8', pod: 'api-7d9f-abcde', pods: [] }));
    assert.deepEqual(laxRecs.map((r) => [r.state, r.forensicsRef]), [
      ['active', ''],
      ['active', ''],
    ]);
  });

  it('forensics failure with requireForensics: denied with the reason, no change made', async () => {
    const engine = h.make(live, { captureForensics: async () => Promise.reject(new Error('store down')) });
    assert.deepEqual(await engine.onAlert(alert()), []);
    assert.deepEqual(api.mutations(), []);
    const [d] = engine.auditTrail.query({ decision: 'deny' });
    assert.equal(d.rule, 'forensics-failed');
  });

  it('circuit breaker: N failures in a row open it (gauge 1, no requests), a trial after openSeconds closes it', async () => {
    const registry = new Registry();
    const engine = h.make({ ...live, circuitBreaker: { failureThreshold: 2, openSeconds: 30 }, ladder: { quarantine: { enabled: false } } }, { registry });
    api.fail('PATCH', POD('shop', POD_NAME), 500, 'InternalError', 2);
    assert.equal((await engine.onAlert(alert({ id: 'a1' })))[0].state, 'failed');
    assert.equal((await engine.onAlert(alert({ id: 'a2' })))[0].state, 'failed');
    assert.match(await registry.metrics(), /peregrine_response_circuit_open 1/);
    api.clear();
    assert.deepEqual(await engine.onAlert(alert({ id: 'a3' })), []);
    assert.deepEqual(api.requests, [], 'not even a read while open');
    assert.equal(engine.auditTrail.query({ alertId: 'a3' })[0].rule, 'circuit-open');
    h.state.clock = T0 + 31_000;
    assert.equal((await engine.onAlert(alert({ id: 'a4' })))[0].state, 'active');
    assert.match(await registry.metrics(), /peregrine_response_circuit_open 0/);
    assert.match(await registry.metrics(), /peregrine_response_actions_total\{action="label",result="failed",dry_run="false"\} 2/);
  });

  it('rate limit: at most burst actions at once, then actionsPerMinute', async () => {
    const pods = ['a', 'b', 'c'].map((n) => deployment(api, 'shop', n, 1));
    const engine = h.make({ rateLimit: { actionsPerMinute: 1, burst: 2 }, ladder: { quarantine: { enabled: false } } });
    const recs = await engine.onAlert(alert({ severity: 'warning', findings: 1, pod: pods[0], pods }));
    assert.equal(recs.length, 2);
    assert.equal(engine.auditTrail.query({ decision: 'skip' })[0].rule, 'rate-limit');
    h.state.clock = T0 + 60_000;
    assert.equal((await engine.onAlert(alert({ severity: 'warning', findings: 1, pod: pods[0], pods }))).length, 1);
  });

  it('StatefulSets scale too; bare/Job pods get the namespace quota clamp only with quotaClamp; deletePod needs two switches', async () => {
    const { statefulSet, pod } = await import('./fixtures.testing.js');
    const sts = statefulSet(api, 'shop', 'db', 2);
    const only = (step: string) => ({ label: { enabled: step === 'label' }, quarantine: { enabled: step === 'quarantine' }, contain: { enabled: step === 'contain', minFindings: 1 } });
    const [s] = await h.make({ ...live, ladder: only('contain') }).onAlert(alert({ pod: sts, pods: [] }));
    assert.equal(s.target, 'StatefulSet/db');
    assert.equal((api.get('/apis/apps/v1/namespaces/shop/statefulsets/db')!.spec as { replicas: number }).replicas, 0);

    pod(api, 'shop', 'job-x', { owner: { kind: 'Job', name: 'job' } });
    const off = h.make({ ...live, ladder: only('contain') });
    assert.deepEqual(await off.onAlert(alert({ id: 'j1', pod: 'job-x', pods: [] })), []);
    assert.equal(off.auditTrail.query()[0].rule, 'no-scalable-owner');
    const on = h.make({ ...live, quotaClamp: true, ladder: only('contain') });
    const [q] = await on.onAlert(alert({ id: 'j2', pod: 'job-x', pods: [] }));
    assert.equal(q.target, 'ResourceQuota/peregrine-clamp');
    assert.deepEqual(api.get(`${QUOTAS('shop')}/peregrine-clamp`)!.spec, { hard: { pods: '0' } });
    await on.revert(q.id);
    assert.equal(api.get(`${QUOTAS('shop')}/peregrine-clamp`), undefined);

    const del = { label: { enabled: false }, quarantine: { enabled: false }, contain: { enabled: false }, deletePod: { enabled: true, minFindings: 1 } };
    const noSwitch = h.make({ ...live, ladder: del });
    assert.deepEqual(await noSwitch.onAlert(alert({ id: 'd1' })), []);
    assert.equal(noSwitch.auditTrail.query()[0].rule, 'delete-disabled');
    api.clear();
    const deleter = h.make({ ...live, deletePod: true, ladder: del });
    const [d] = await deleter.onAlert(alert({ id: 'd2' }));
    assert.equal(d.plan.reversible, false);
    assert.equal(d.expiresAt, null);
    assert.deepEqual(api.mutations().map((r) => `${r.method} ${r.path}`), [`DELETE ${POD('shop', POD_NAME)}`]);
    assert.equal(api.get(POD('shop', POD_NAME)), undefined);
    await assert.rejects(deleter.revert(d.id), (e: unknown) => isPeregrineError(e) && e.code === 'PGN_ERR_BAD_PARAM');
    await assert.rejects(deleter.revert('nope'), /no response action "nope"/);
  });
});
