import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { repoRoot } from '../testing/paths.js';
import { loadChart, parseObjects, renderChart, renderedObjects, type K8sObject } from './chart.js';
import { chartDir, expectedManifests } from './manifests.js';
import { validateObject } from './k8s-validate.js';
import { configSchema } from '../core/config.js';
import { responseConfigSchema } from '../response/options.js';

const root = repoRoot();
const chart = loadChart(chartDir(root));
const token = { secrets: { token: 'a'.repeat(32) } };

/** Value sets the tests render: defaults, and everything switched on. */
const everything = {
  secrets: { token: 'b'.repeat(32), busToken: 'nats-token-123', files: { 'slack-webhook-url': 'https://hooks.slack.com/services/T/B/X' } },
  imagePullSecrets: [{ name: 'regcred' }],
  cluster: 'prod-eu',
  alerting: { sinks: [{ type: 'slack', webhookUrl: { file: '/etc/peregrine/secret/slack-webhook-url' } }] },
  response: { enabled: true, dryRun: false, allowNamespaces: ['shop', 'payments'], deletePod: true, quotaClamp: true },
  bus: { kind: 'nats', url: 'nats://nats.nats.svc:4222' },
  agent: { transport: 'bus' },
  hub: { persistence: { enabled: true, storageClassName: 'fast' }, nodeSelector: { role: 'infra' }, podAnnotations: { a: 'b' } },
  agentDaemonSet: { format: 'tetragon', hostPath: '/var/run/cilium/tetragon', file: 'tetragon.log', nodeSelector: { 'kubernetes.io/os': 'linux' } },
  serviceMonitor: { enabled: true, labels: { release: 'kube-prometheus-stack' }, tlsConfig: { serverName: 'sec-peregrine-hub.security.svc' } },
  tls: { hubSecret: 'hub-tls', agentSecret: 'agent-tls' },
};
const renders: Array<[string, K8sObject[]]> = [
  ['defaults', renderedObjects(renderChart(chart, { values: token }))],
  ['everything on', renderedObjects(renderChart(chart, { values: everything, releaseName: 'sec', namespace: 'security' }))],
];

const byKind = (objs: K8sObject[], kind: string): K8sObject[] => objs.filter((o) => o.kind === kind);
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

describe('Helm chart files', () => {
  it('Chart.yaml is a v2 application chart with semver versions', () => {
    assert.equal(chart.meta.apiVersion, 'v2');
    assert.equal(chart.meta.name, 'peregrine');
    assert.equal(chart.meta.type, 'application');
    assert.match(String(chart.meta.version), /^\d+\.\d+\.\d+$/);
    assert.equal(chart.meta.appVersion, JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version);
  });

  it('values.yaml config keys are exactly Peregrine config: the rendered config.yaml passes the config schema', () => {
    for (const [name, objs] of renders) {
      const cm = byKind(objs, 'ConfigMap')[0] as Any;
      const cfg = parse(cm.data['config.yaml']);
      const r = configSchema.safeParse(cfg);
      assert.ok(r.success, `${name}: ${r.success ? '' : JSON.stringify(r.error.issues[0])}`);
      const resp = responseConfigSchema.safeParse(cfg.response);
      assert.ok(resp.success, `${name}: response section: ${resp.success ? '' : JSON.stringify(resp.error.issues[0])}`);
      assert.equal(cfg.server.port, 8080);
    }
  });

  it('a misspelt config value is caught by the same check (the check can fail)', () => {
    const objs = renderedObjects(renderChart(chart, { values: { ...token, detection: { intervalSecs: 30 } } }));
    const cfg = parse((byKind(objs, 'ConfigMap')[0] as Any).data['config.yaml']);
    assert.equal(configSchema.safeParse(cfg).success, false);
  });

  it('pods carry a checksum of the ConfigMap, so a config change rolls them', () => {
    const podChecksums = (values: Record<string, unknown>): string[] =>
      renderedObjects(renderChart(chart, { values: { ...token, ...values } }))
        .filter((o) => o.kind === 'Deployment' || o.kind === 'DaemonSet')
        .map((o) => (o as Any).spec.template.metadata.annotations['checksum/config']);
    const [a, b] = [podChecksums({}), podChecksums({ detection: { intervalSeconds: 10 } })];
    assert.equal(a.length, 2);
    assert.equal(a[0], a[1]);
    assert.match(a[0], /^[0-9a-f]{64}$/);
    assert.notEqual(a[0], b[0]);
    assert.deepEqual(podChecksums({ hub: { replicas: 1 } }), a, 'a non-config value does not roll the pods');
  });

  it('renders NOTES.txt with the port-forward hint', () => {
    const notes = renderChart(chart, { values: everything }).notes;
    assert.match(notes, /port-forward svc\/peregrine-hub 8080/);
    assert.match(notes, /namespaces: \[shop payments\]/);
    assert.match(notes, /NATS JetStream at nats:\/\/nats\.nats\.svc:4222/);
  });

  it('fails clearly without a token and on namespace patterns RBAC cannot express', () => {
    assert.throws(() => renderChart(chart, {}), /set secrets\.token/);
    assert.throws(
      () => renderChart(chart, { values: { ...token, response: { enabled: true, allowNamespaces: ['team-*'] } } }),
      /team-\*: the chart grants RBAC per namespace/,
    );
  });
});

describe('plain manifests (deploy/manifests)', () => {
  it('equal the chart rendered with their documented values (regenerate: node dist/src/deploy/write-manifests.js)', () => {
    const expected = expectedManifests(chart);
    const dir = join(root, 'deploy', 'manifests');
    const onDisk = readdirSync(dir, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => `deploy/manifests/${f}`)
      .sort();
    assert.deepEqual(onDisk, [...expected.keys()].sort());
    for (const [file, text] of expected) assert.equal(readFileSync(join(root, file), 'utf8'), text, `${file} is stale`);
  });

  it('parse into objects that all validate', () => {
    const dir = join(root, 'deploy', 'manifests');
    let n = 0;
    for (const f of readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((x) => x.endsWith('.yaml'))) {
      for (const o of parseObjects(readFileSync(join(dir, f), 'utf8'), f)) {
        validateObject(o);
        n++;
      }
    }
    assert.ok(n >= 8, `${n} objects`);
  });

  it('kubectl create --dry-run=client accepts them (skipped: kubectl needs an API server even for client dry runs)', (t) => {
    const r = spawnSync('kubectl', ['create', '--dry-run=client', '--validate=false', '-o', 'name', '-f', join(root, 'deploy', 'manifests'), '-R'], {
      encoding: 'utf8',
      timeout: 20000,
    });
    if (r.error || /connection refused|unable to recognize|couldn't get current server/i.test(r.stderr)) {
      t.skip(`kubectl unusable offline: ${(r.error?.message ?? r.stderr.split('\n').find((l) => l.trim() !== '') ?? '').slice(0, 120)}`);
      return;
    }
    assert.equal(r.status, 0, r.stderr);
  });
});

describe('schema validation (kubernetes-models, Kubernetes OpenAPI)', () => {
  for (const [name, objs] of renders) {
    it(`every object of the ${name} render validates`, () => {
      assert.ok(objs.length >= 6);
      for (const o of objs) validateObject(o);
    });
  }

  it('catches a broken object (the validator can fail)', () => {
    const dep = structuredClone(byKind(renders[0][1], 'Deployment')[0]) as Any;
    dep.spec.template.spec.containers[0].ports[0].containerPort = 'http';
    assert.throws(() => validateObject(dep), /containerPort must be integer/);
    const svc = structuredClone(byKind(renders[0][1], 'Service')[0]) as Any;
    delete svc.spec.ports[0].port;
    assert.throws(() => validateObject(svc), /port/);
    assert.throws(() => validateObject({ apiVersion: 'extensions/v1beta1', kind: 'Deployment', metadata: { name: 'x' } }), /not a GA API/);
    assert.throws(() => validateObject({ apiVersion: 'apps/v2', kind: 'Deployment', metadata: { name: 'x' } }), /no schema/);
    const typo = structuredClone(byKind(renders[0][1], 'DaemonSet')[0]) as Any;
    typo.spec.template.spec.containers[0].volumeMounts[0].readonly = true;
    assert.throws(() => validateObject(typo), /unknown field spec\.template\.spec\.containers\[0\]\.volumeMounts\[0\]\.readonly/);
    const role = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'r' }, rules: [{ apiGroups: [''], resource: ['pods'], verbs: ['get'] }] };
    assert.throws(() => validateObject(role as never), /unknown field rules\[0\]\.resource/);
  });
});

describe('references between objects', () => {
  for (const [name, objs] of renders) {
    it(`${name}: selectors, ports, volumes, service accounts, config and secret names line up`, () => {
      const names = (kind: string): Set<string> => new Set(byKind(objs, kind).map((o) => o.metadata.name));
      const workloads = [...byKind(objs, 'Deployment'), ...byKind(objs, 'DaemonSet')] as Any[];
      assert.equal(workloads.length, 2);
      for (const w of workloads) {
        const sel = w.spec.selector.matchLabels;
        for (const [k, v] of Object.entries(sel)) assert.equal(w.spec.template.metadata.labels[k], v, `${w.metadata.name} selector`);
        const pod = w.spec.template.spec;
        assert.ok(names('ServiceAccount').has(pod.serviceAccountName), `${w.metadata.name}: service account ${pod.serviceAccountName}`);
        const vols = new Set(pod.volumes.map((v: Any) => v.name));
        for (const c of pod.containers) {
          for (const m of c.volumeMounts) assert.ok(vols.has(m.name), `${c.name}: volume ${m.name}`);
          const ports = new Set((c.ports ?? []).map((p: Any) => p.name));
          for (const probe of [c.readinessProbe, c.livenessProbe].filter(Boolean)) assert.ok(ports.has(probe.httpGet.port), 'probe port');
        }
        for (const v of pod.volumes) {
          if (v.configMap) assert.ok(names('ConfigMap').has(v.configMap.name), `configmap ${v.configMap.name}`);
          if (v.persistentVolumeClaim) assert.ok(names('PersistentVolumeClaim').has(v.persistentVolumeClaim.claimName));
          // TLS Secrets are managed outside the chart (cert-manager or by hand): named in values.tls, not rendered.
          if (v.secret) assert.ok(names('Secret').has(v.secret.secretName) || Object.values(everything.tls).includes(v.secret.secretName), `secret ${v.secret.secretName}`);
        }
      }
      const hub = workloads.find((w) => w.kind === 'Deployment');
      const svc = byKind(objs, 'Service')[0] as Any;
      for (const [k, v] of Object.entries(svc.spec.selector)) assert.equal(hub.spec.template.metadata.labels[k], v, 'service selects the hub');
      const hubPorts = hub.spec.template.spec.containers[0].ports.map((p: Any) => p.name);
      assert.ok(hubPorts.includes(svc.spec.ports[0].targetPort));
      const agent = workloads.find((w) => w.kind === 'DaemonSet');
      const hubUrl = agent.spec.template.spec.containers[0].env.find((e: Any) => e.name === 'PEREGRINE_HUB_URL').value;
      assert.equal(hubUrl, `${name === 'defaults' ? 'http' : 'https'}://${svc.metadata.name}.${svc.metadata.namespace}.svc:${svc.spec.ports[0].port}`, 'the agents reach the hub service (https with tls.hubSecret)');
      for (const sm of byKind(objs, 'ServiceMonitor') as Any[]) {
        for (const [k, v] of Object.entries(sm.spec.selector.matchLabels)) assert.equal(svc.metadata.labels[k], v, 'servicemonitor selects the hub service');
        assert.ok(svc.spec.ports.some((p: Any) => p.name === sm.spec.endpoints[0].port));
        assert.equal(sm.spec.endpoints[0].path, '/metrics');
      }
      for (const rb of [...byKind(objs, 'RoleBinding'), ...byKind(objs, 'ClusterRoleBinding')] as Any[]) {
        assert.ok(names(rb.roleRef.kind).has(rb.roleRef.name), `${rb.metadata.name}: roleRef`);
        for (const s of rb.subjects) assert.ok(names('ServiceAccount').has(s.name), `${rb.metadata.name}: subject ${s.name}`);
      }
    });
  }

  it('the Secret carries the token, bus token and sink files; the ConfigMap carries none of them', () => {
    const objs = renders[1][1];
    const sec = byKind(objs, 'Secret')[0] as Any;
    assert.deepEqual(Object.keys(sec.data).sort(), ['bus-token', 'slack-webhook-url', 'token']);
    assert.equal(Buffer.from(sec.data.token, 'base64').toString(), 'b'.repeat(32));
    const cm = JSON.stringify(byKind(objs, 'ConfigMap'));
    for (const secret of ['b'.repeat(32), 'nats-token-123', 'hooks.slack.com']) assert.ok(!cm.includes(secret), `${secret} leaked into the ConfigMap`);
  });
});

describe('TLS', () => {
  const envOf = (c: Any): Record<string, string> => Object.fromEntries((c.env as Any[]).filter((e) => e.value !== undefined).map((e) => [e.name, e.value]));
  it('tls.hubSecret + tls.agentSecret: HTTPS hub with mutual TLS, https probes and scrape, agents verify the hub and present their certificate', () => {
    const objs = renders[1][1];
    const hub = (byKind(objs, 'Deployment')[0] as Any).spec.template.spec;
    const hubEnv = envOf(hub.containers[0]);
    assert.equal(hubEnv.PEREGRINE_TLS_CERT_FILE, '/etc/peregrine/tls/tls.crt');
    assert.equal(hubEnv.PEREGRINE_TLS_KEY_FILE, '/etc/peregrine/tls/tls.key');
    assert.equal(hubEnv.PEREGRINE_TLS_CLIENT_CA_FILE, '/etc/peregrine/tls/ca.crt');
    assert.equal(hub.containers[0].readinessProbe.httpGet.scheme, 'HTTPS');
    assert.equal(hub.containers[0].livenessProbe.httpGet.scheme, 'HTTPS');
    assert.equal(hub.volumes.find((v: Any) => v.name === 'tls').secret.secretName, 'hub-tls');
    const agent = (byKind(objs, 'DaemonSet')[0] as Any).spec.template.spec;
    const agentEnv = envOf(agent.containers[0]);
    assert.match(agentEnv.PEREGRINE_HUB_URL, /^https:\/\/sec-peregrine-hub\.security\.svc:/);
    assert.equal(agentEnv.PEREGRINE_HUB_CA_FILE, '/etc/peregrine/hub-ca/ca.crt');
    assert.equal(agentEnv.PEREGRINE_CLIENT_CERT_FILE, '/etc/peregrine/tls/tls.crt');
    // only ca.crt of the hub Secret reaches the nodes, never the hub's private key
    assert.deepEqual(agent.volumes.find((v: Any) => v.name === 'hub-ca').secret.items, [{ key: 'ca.crt', path: 'ca.crt' }]);
    assert.equal(agent.volumes.find((v: Any) => v.name === 'tls').secret.secretName, 'agent-tls');
    const sm = byKind(objs, 'ServiceMonitor')[0] as Any;
    assert.equal(sm.spec.endpoints[0].scheme, 'https');
    assert.deepEqual(sm.spec.endpoints[0].tlsConfig, { serverName: 'sec-peregrine-hub.security.svc' });
  });
  it('defaults: plain HTTP, nothing TLS mounted', () => {
    const objs = renders[0][1];
    const text = JSON.stringify(objs);
    assert.ok(!text.includes('PEREGRINE_TLS_') && !text.includes('hub-ca') && !text.includes('"HTTPS"'));
    assert.match(envOf((byKind(objs, 'DaemonSet')[0] as Any).spec.template.spec.containers[0]).PEREGRINE_HUB_URL, /^http:\/\//);
  });
});

describe('pod security', () => {
  for (const [name, objs] of renders) {
    it(`${name}: no host namespaces or privileges; non-root, read-only root, all capabilities dropped`, () => {
      for (const w of [...byKind(objs, 'Deployment'), ...byKind(objs, 'DaemonSet')] as Any[]) {
        const pod = w.spec.template.spec;
        for (const k of ['hostPID', 'hostNetwork', 'hostIPC']) assert.ok(!pod[k], `${w.metadata.name}: ${k}`);
        assert.equal(pod.securityContext.runAsNonRoot, true);
        for (const c of pod.containers) {
          assert.ok(!c.securityContext.privileged);
          assert.equal(c.securityContext.allowPrivilegeEscalation, false);
          assert.equal(c.securityContext.readOnlyRootFilesystem, true);
          assert.deepEqual(c.securityContext.capabilities.drop, ['ALL']);
          assert.ok(!c.securityContext.capabilities.add);
          for (const m of c.volumeMounts) {
            const vol = pod.volumes.find((v: Any) => v.name === m.name);
            if (vol.hostPath) assert.equal(m.readOnly, true, 'hostPath mounts are read-only');
          }
        }
      }
      const agent = byKind(objs, 'DaemonSet')[0] as Any;
      assert.equal(agent.spec.template.spec.automountServiceAccountToken, false, 'the agent gets no API token');
      assert.equal(agent.spec.template.spec.volumes.filter((v: Any) => v.hostPath).length, 1, 'one hostPath: the event directory');
    });
  }
});
