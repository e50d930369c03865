import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { repoRoot } from '../testing/paths.js';
import { loadChart, renderChart, renderedObjects, type K8sObject } from './chart.js';
import { chartDir } from './manifests.js';
import { describeOp } from '../response/kube.js';
import type { KubeOp } from '../response/types.js';

const chart = loadChart(chartDir(repoRoot()));
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;
interface Rule { apiGroups: string[]; resources: string[]; verbs: string[] }

const render = (response: Record<string, unknown>): K8sObject[] =>
  renderedObjects(renderChart(chart, { values: { secrets: { token: 'a'.repeat(32) }, response } }));
const roles = (objs: K8sObject[], kind: 'Role' | 'ClusterRole'): Array<K8sObject & { rules: Rule[] }> =>
  objs.filter((o) => o.kind === kind) as Array<K8sObject & { rules: Rule[] }>;
const allows = (rules: Rule[], group: string, resource: string, verb: string): boolean =>
  rules.some((r) => r.apiGroups.includes(group) && r.resources.includes(resource) && r.verbs.includes(verb));

/** Every mutating request the response engine can send (src/response/kube.ts describeOp), one per op kind. */
const ops: KubeOp[] = [
  { op: 'patchPod', namespace: 'ns', name: 'p', patch: {} },
  { op: 'deletePod', namespace: 'ns', name: 'p' },
  { op: 'createNetworkPolicy', namespace: 'ns', body: {} },
  { op: 'deleteNetworkPolicy', namespace: 'ns', name: 'np' },
  { op: 'patchWorkload', kind: 'Deployment', namespace: 'ns', name: 'd', patch: {} },
  { op: 'patchWorkload', kind: 'StatefulSet', namespace: 'ns', name: 's', patch: {} },
  { op: 'createResourceQuota', namespace: 'ns', body: {} },
  { op: 'deleteResourceQuota', namespace: 'ns', name: 'q' },
];
const groupOf = (path: string): string => (path.startsWith('/api/v1/') ? '' : path.split('/')[2]);
/** The reads of KubeApi (readPod, readReplicaSet, readWorkload, listNetworkPolicies). */
const reads: Array<[string, string, string]> = [
  ['', 'pods', 'get'],
  ['apps', 'replicasets', 'get'],
  ['apps', 'deployments', 'get'],
  ['apps', 'statefulsets', 'get'],
  ['networking.k8s.io', 'networkpolicies', 'list'],
];

describe('RBAC: least privilege', () => {
  it('response off (the default): no Role, no ClusterRole, no API token for the hub', () => {
    const objs = render({});
    assert.equal(roles(objs, 'Role').length + roles(objs, 'ClusterRole').length, 0);
    const sa = objs.find((o) => o.kind === 'ServiceAccount' && o.metadata.name.endsWith('-hub')) as Any;
    assert.equal(sa.automountServiceAccountToken, false);
  });

  for (const [label, response] of [
    ['default steps', { enabled: true, allowNamespaces: ['shop', 'payments'] }],
    ['deletePod and quotaClamp on', { enabled: true, allowNamespaces: ['shop'], deletePod: true, quotaClamp: true }],
  ] as const) {
    it(`${label}: one Role per allowed namespace covering exactly the engine's requests`, () => {
      const objs = render(response);
      const rs = roles(objs, 'Role');
      assert.deepEqual(rs.map((r) => r.metadata.namespace).sort(), [...response.allowNamespaces].sort());
      const bindings = objs.filter((o) => o.kind === 'RoleBinding') as Any[];
      assert.deepEqual(bindings.map((b) => b.metadata.namespace).sort(), [...response.allowNamespaces].sort());
      for (const role of rs) {
        for (const op of ops) {
          const d = describeOp(op);
          const enabled =
            (op.op !== 'deletePod' || 'deletePod' in response) && (!op.op.endsWith('ResourceQuota') || 'quotaClamp' in response);
          assert.equal(allows(role.rules, groupOf(d.path), d.resource, d.verb), enabled, `${d.verb} ${d.resource} (${op.op})`);
        }
        for (const [g, res, verb] of reads) assert.ok(allows(role.rules, g, res, verb), `${verb} ${res}`);
        // Nothing beyond those: count the (group, resource, verb) triples granted.
        const granted = role.rules.flatMap((r) => r.apiGroups.flatMap((g) => r.resources.flatMap((res) => r.verbs.map((v) => `${g}/${res}/${v}`))));
        const needed = new Set([
          ...reads.map(([g, res, v]) => `${g}/${res}/${v}`),
          ...ops.map(describeOp).map((d) => `${groupOf(d.path)}/${d.resource}/${d.verb}`),
        ]);
        for (const gr of granted) assert.ok(needed.has(gr), `${gr} is granted but the engine never needs it`);
      }
    });
  }

  it('no wildcards anywhere, the ClusterRole is read-only, and nobody can read Secrets', () => {
    const objs = render({ enabled: true, allowNamespaces: ['shop'], deletePod: true, quotaClamp: true });
    const all = [...roles(objs, 'Role'), ...roles(objs, 'ClusterRole')];
    assert.ok(all.length >= 2);
    for (const r of all) {
      for (const rule of r.rules) {
        for (const list of [rule.apiGroups, rule.resources, rule.verbs]) assert.ok(!list.includes('*'), `${r.metadata.name}: wildcard`);
        assert.ok(!rule.resources.includes('secrets'), `${r.metadata.name}: secrets`);
        assert.ok(!rule.verbs.some((v) => ['escalate', 'bind', 'impersonate'].includes(v)));
      }
    }
    for (const cr of roles(objs, 'ClusterRole')) {
      for (const rule of cr.rules) for (const v of rule.verbs) assert.ok(['get', 'list', 'watch'].includes(v), `ClusterRole verb ${v}`);
      assert.deepEqual(cr.rules, [{ apiGroups: [''], resources: ['namespaces'], verbs: ['get'] }]);
    }
    const hubSa = objs.find((o) => o.kind === 'ServiceAccount' && o.metadata.name.endsWith('-hub')) as Any;
    assert.equal(hubSa.automountServiceAccountToken, true);
  });
});
