import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseResponseConfig } from './options.js';
import { checkNamespace, checkNamespaceName, checkPod, CircuitBreaker, namespaceAllowed, RateLimiter } from './safety.js';
import type { PodFacts } from './types.js';
import { isPeregrineError } from '../core/errors.js';

const config = parseResponseConfig({ enabled: true, allowNamespaces: ['shop', 'team-*'], ownNamespace: 'peregrine' });

const basePod: PodFacts = {
  namespace: 'shop',
  name: 'web-1',
  uid: 'u',
  labels: { app: 'web' },
  annotations: {},
  hostNetwork: false,
  podIPs: ['10.0.0.5'],
  phase: 'Running',
  terminating: false,
  ownerKind: 'ReplicaSet',
  ownerName: 'web-7d9f',
  workload: null,
  selectingPolicies: [],
};

describe('safety rules (pure): facts x rule -> decision', () => {
  const nsRows: Array<[string, Record<string, string>, string]> = [
    ['shop', {}, 'act allowed'],
    ['team-red', {}, 'act allowed'],
    ['team', {}, 'deny allow-list'],
    ['kube-system', {}, 'deny system-namespace'],
    ['kube-public', {}, 'deny system-namespace'],
    ['kube-node-lease', {}, 'deny system-namespace'],
    ['peregrine', {}, 'deny own-namespace'],
    ['shop', { 'peregrine.io/protected': 'true' }, 'deny protected-namespace'],
    ['shop', { 'peregrine.io/protected': 'false' }, 'act allowed'],
    ['', {}, 'skip no-target'],
  ];
  for (const [name, labels, want] of nsRows) {
    it(`namespace "${name}" ${JSON.stringify(labels)} -> ${want}`, () => {
      const v = checkNamespace({ name, labels }, config);
      assert.equal(`${v.decision} ${v.rule}`, want);
    });
  }

  const podRows: Array<[string, Partial<PodFacts>, string]> = [
    ['ReplicaSet pod', {}, 'act allowed'],
    ['DaemonSet pod', { ownerKind: 'DaemonSet', ownerName: 'cilium' }, 'deny daemonset'],
    ['hostNetwork pod', { hostNetwork: true }, 'deny host-network'],
    ['mirror pod (annotation)', { annotations: { 'kubernetes.io/config.mirror': 'x' } }, 'skip static-pod'],
    ['mirror pod (Node owner)', { ownerKind: 'Node', ownerName: 'n1' }, 'skip static-pod'],
    ['protected pod', { labels: { 'peregrine.io/protected': 'true' } }, 'deny protected-pod'],
    ['terminating pod', { terminating: true }, 'skip pod-finished'],
    ['failed pod', { phase: 'Failed' }, 'skip pod-finished'],
    ['bare pod', { ownerKind: '', ownerName: '' }, 'act allowed'],
    // The protected label wins over every other rule: it is the operator's explicit word.
    ['protected DaemonSet pod', { ownerKind: 'DaemonSet', labels: { 'peregrine.io/protected': 'true' } }, 'deny protected-pod'],
  ];
  for (const [name, over, want] of podRows) {
    it(`${name} -> ${want}`, () => {
      const v = checkPod({ ...basePod, ...over }, config);
      assert.equal(`${v.decision} ${v.rule}`, want);
    });
  }

  it('the empty allow-list acts nowhere; globs only match as prefixes', () => {
    const none = parseResponseConfig({});
    assert.deepEqual(none.allowNamespaces, []);
    assert.match(checkNamespaceName('shop', none).reason, /empty: act nowhere/);
    assert.equal(namespaceAllowed('team-a', ['team-*']), true);
    assert.equal(namespaceAllowed('xteam-a', ['team-*']), false);
    assert.equal(namespaceAllowed('shop2', ['shop']), false);
  });

  it('defaults are the safe ones, and a bad value is one PGN_ERR_BAD_PARAM line naming the key', () => {
    const d = parseResponseConfig({});
    assert.equal(d.enabled, false);
    assert.equal(d.dryRun, true);
    assert.equal(d.deletePod, false);
    assert.equal(d.ladder.deletePod.enabled, false);
    assert.equal(d.ladder.label.minSeverity, 'warning');
    assert.throws(
      () => parseResponseConfig({ ladder: { quarantine: { minFindings: 0 } } }),
      (e: unknown) => isPeregrineError(e) && e.code === 'PGN_ERR_BAD_PARAM' && e.oneLine().startsWith('PGN_ERR_BAD_PARAM: response.ladder.quarantine.minFindings: '),
    );
    assert.throws(() => parseResponseConfig({ protectedNamespaceLabel: 'nolabel' } as never), /protectedNamespaceLabel/);
    assert.throws(() => parseResponseConfig({ dryrun: false } as never), /response: .*dryrun|Unrecognized key/);
  });
});

describe('rate limiter and circuit breaker', () => {
  it('token bucket: burst at once, then actionsPerMinute', () => {
    const rl = new RateLimiter(6, 2, 0);
    assert.equal(rl.take(0).decision, 'act');
    assert.equal(rl.take(0).decision, 'act');
    assert.equal(rl.take(0).rule, 'rate-limit');
    assert.equal(rl.take(9_000).rule, 'rate-limit');
    assert.equal(rl.take(10_000).decision, 'act');
    assert.equal(rl.take(10_000).rule, 'rate-limit');
  });

  it('breaker: opens after N failures, half-opens once, closes on success, reopens on failure', () => {
    const changes: boolean[] = [];
    const cb = new CircuitBreaker(2, 1000, (o) => changes.push(o));
    cb.failure(0);
    assert.equal(cb.check(0).decision, 'act');
    cb.failure(0);
    assert.equal(cb.check(500).rule, 'circuit-open');
    assert.equal(cb.check(1000).decision, 'act', 'trial');
    assert.equal(cb.check(1000).rule, 'circuit-open', 'only one trial at a time');
    cb.failure(1000);
    assert.equal(cb.check(1500).rule, 'circuit-open');
    assert.equal(cb.check(2000).decision, 'act');
    cb.success();
    assert.equal(cb.check(2000).decision, 'act');
    assert.equal(cb.open, false);
    assert.deepEqual(changes, [true, false]);
  });

  it('breaker: a trial slot that was not used (rate limited) is given back, so the breaker cannot stick open', () => {
    const cb = new CircuitBreaker(1, 1000);
    cb.failure(0);
    assert.equal(cb.check(1000).decision, 'act');
    cb.release();
    assert.equal(cb.check(1001).decision, 'act', 'the next action gets the trial');
  });
});
