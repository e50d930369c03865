/**
 * The demo cluster: a control plane and three workers running a small shop (nginx frontend, a Node.js and a Java
 * API, PostgreSQL, Redis) plus the system traffic every cluster has (CoreDNS, kube-apiserver watches, kubelet
 * probes, Prometheus, node health checks). Addresses follow the k8s-flows captures (10.16.x pods, 100.64.x
 * nodes); internet addresses come from the RFC 5737 documentation ranges so no real host is named.
 */
import type { ClusterSpec } from './cluster.js';

export const DEFAULT_START_TIME = new Date('2024-03-19T14:00:00.000Z');
/** Benign flows per second by default: ~20k flows in 20 minutes. */
export const DEFAULT_BENIGN_FLOWS_PER_SECOND = 16;

export function defaultCluster(): ClusterSpec {
  return {
    name: 'peregrine-demo',
    podCidr: '10.16.0.0/16',
    nodeCidr: '100.64.0.0/16',
    nodes: [{ name: 'cp-1', role: 'control-plane' }, { name: 'worker-1' }, { name: 'worker-2' }, { name: 'worker-3' }],
    namespaces: ['kube-system', 'monitoring', 'shop'],
    workloads: [
      { name: 'kube-apiserver', namespace: 'kube-system', profile: 'kube-apiserver', hostNetwork: true, nodes: ['cp-1'], probe: 'none' },
      { name: 'coredns', namespace: 'kube-system', profile: 'kube-dns', replicas: 2, probePort: 8080, metricsPort: 9153, dependsOn: ['kube-apiserver'] },
      { name: 'kubelet', namespace: 'kube-system', profile: 'kubelet-probes', daemonSet: true, hostNetwork: true },
      { name: 'node-health', namespace: 'kube-system', profile: 'node-icmp', daemonSet: true, hostNetwork: true },
      { name: 'prometheus', namespace: 'monitoring', profile: 'metrics-scraper', probePort: 9090, dependsOn: ['kube-apiserver'] },
      { name: 'web', namespace: 'shop', profile: 'web-frontend', replicas: 2, probePort: 8080, metricsPort: 9113, dependsOn: ['api', 'orders'] },
      { name: 'api', namespace: 'shop', profile: 'api-server', replicas: 3, metricsPort: 9464, dependsOn: ['postgres', 'redis'], params: { runtime: 'node' } },
      { name: 'orders', namespace: 'shop', profile: 'api-server', replicas: 2, metricsPort: 8081, dependsOn: ['postgres'], params: { runtime: 'java' } },
      { name: 'postgres', namespace: 'shop', profile: 'postgres', probe: 'tcp', metricsPort: 9187 },
      { name: 'redis', namespace: 'shop', profile: 'redis', probe: 'tcp', metricsPort: 9121 },
    ],
    externalClients: { cidrs: ['198.51.100.0/24', '203.0.113.0/24'], count: 240 },
    externalServices: [
      { name: 'upstream-dns-1', ip: '192.0.2.53', port: 53, latencyUs: 900 },
      { name: 'upstream-dns-2', ip: '192.0.2.54', port: 53, latencyUs: 1100 },
      { name: 'payments-api', ip: '192.0.2.80', port: 443 },
      { name: 'object-storage', ip: '192.0.2.120', port: 443 },
    ],
  };
}
