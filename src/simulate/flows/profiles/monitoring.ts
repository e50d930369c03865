/**
 * Node-local health traffic. Kubelet probes: every probed pod gets liveness and readiness checks from its node's
 * IP; an HTTP probe is the same ~110 B `GET /healthz` and ~137 B answer each time, closed by the server (5 + 5
 * packets, a few hundred microseconds: the most regular rows of the real captures). TCP probes only connect.
 * Prometheus scrapes `/metrics` on every pod that exposes it, over keep-alive or fresh connections.
 */
import type { Rng } from '../../../core/rng.js';
import { fnv1a, type Host, type Pod } from '../cluster.js';
import { chance, intBetween, lognormal } from '../dist.js';
import type { FlowSource, SimContext } from '../engine.js';
import { persistentTcp } from '../sessions.js';
import type { TcpConn } from '../tcp.js';
import { periodicSource, sessionSource, type Session } from '../time.js';
import { probeOf, registerProfile, type ProfileEnv } from './registry.js';

interface ProbeTarget {
  pod: Pod;
  kind: 'http' | 'tcp';
  port: number;
  /** Probe request and answer sizes are fixed per pod (same path, same headers, same body). */
  req: number;
  resp: number;
}

function probe(ctx: SimContext, rng: Rng, t: number, node: Host, p: ProbeTarget, label: string): void {
  const c = ctx.tcp(rng, { client: node, server: p.pod, serverPort: p.port, startUs: t, label });
  c.handshake();
  if (p.kind === 'tcp') {
    if (chance(rng, 0.7)) c.finish(true, c.lat(true));
    else c.reset(true, c.lat(true));
    return;
  }
  c.exchange(p.req, p.resp + (chance(rng, 0.1) ? 1 : 0), lognormal(rng, 60, 0.6, 8, 5000), c.lat(true), 0.95);
  c.finish(false, lognormal(rng, 30, 0.5, 5, 2000));
}

/** Periodic arrivals spread over all targets, the period derived from this workload's share of the flow rate. */
function periodFor(env: ProfileEnv, arrivals: number, lo: number, hi: number): number {
  const seconds = env.ratePerSecond > 0 ? arrivals / env.ratePerSecond : hi;
  return Math.min(hi, Math.max(lo, seconds)) * 1e6;
}

export const kubeletProbes = registerProfile({
  type: 'kubelet-probes',
  description: 'kubelet liveness/readiness probes from each node IP to the pods on it (HTTP GET or TCP connect)',
  defaultPort: 10250,
  defaultWeight: 2.5,
  sources(env: ProfileEnv) {
    const { rng, time, label } = env;
    const targets: { node: Host; t: ProbeTarget }[] = [];
    for (const kubelet of env.workload.pods) {
      const node = env.cluster.nodes.find((n) => n.name === kubelet.node) as Host;
      for (const w of env.cluster.workloads) {
        const pr = probeOf(w);
        if (!pr) continue;
        for (const pod of w.pods.filter((p) => p.node === kubelet.node && p.kind === 'pod')) {
          const h = fnv1a(pod.name);
          const t = { pod, kind: pr.kind, port: pr.port, req: 98 + (h % 22), resp: 120 + ((h >>> 8) % 30) };
          targets.push({ node, t }, { node, t }); // liveness and readiness
        }
      }
    }
    const period = periodFor(env, targets.length, 2, 60);
    return targets.map(({ node, t }) => periodicSource(rng, period, 0.02 * period, time, (ctx, at) => probe(ctx, rng, at, node, t, label)));
  },
});

function scrape(c: TcpConn, rng: Rng, gap: number, req: number, body: number): void {
  c.exchange(req, Math.round(body * (0.97 + 0.06 * rng.next())), lognormal(rng, 2500, 0.8, 200, 500_000), gap, 0.9);
}

export const metricsScraper = registerProfile({
  type: 'metrics-scraper',
  description: 'Prometheus scraping /metrics of every pod with a metricsPort and node exporters on :9100',
  defaultPort: 9090,
  defaultWeight: 1,
  sources(env: ProfileEnv) {
    const { rng, time, label } = env;
    const scrapers = env.workload.pods;
    if (scrapers.length === 0) return [];
    const targets: { host: Host; port: number }[] = [];
    for (const w of env.cluster.workloads) {
      if (w.spec.metricsPort) for (const p of w.pods) targets.push({ host: p, port: w.spec.metricsPort });
    }
    for (const n of env.cluster.nodes) targets.push({ host: n, port: env.num('nodeExporterPort', 9100) });
    const keepAlive = env.num('keepAliveShare', 0.5);
    const interval = periodFor(env, targets.length * (1 - keepAlive), 5, 120);
    const sessions: Session[] = [];
    const sources: FlowSource[] = [];
    targets.forEach(({ host, port }, i) => {
      const scraper = scrapers[i % scrapers.length];
      const h = fnv1a(`${host.ip}:${port}`);
      const req = 215 + (h % 70);
      const body = Math.round(lognormal(rng, 7000, 1, 600, 400_000));
      if (chance(rng, keepAlive)) {
        const firstUs = time.startUs + Math.round(rng.next() * interval);
        sessions.push(
          persistentTcp(rng, {
            client: scraper,
            server: host,
            serverPort: port,
            label,
            firstUs,
            connStartUs: firstUs - Math.round(rng.uniform(60, 1800) * 1e6),
            activity: (c, gap) => {
              scrape(c, rng, gap, req, body);
              return interval * (0.995 + 0.01 * rng.next());
            },
          }),
        );
      } else {
        sources.push(
          periodicSource(rng, interval, 0.01 * interval, time, (ctx, at) => {
            const c = ctx.tcp(rng, { client: scraper, server: host, serverPort: port, startUs: at, label });
            c.handshake();
            scrape(c, rng, c.lat(true), req, body);
            c.finish(intBetween(rng, 0, 1) === 0, lognormal(rng, 200, 1, 10, 50_000));
          }),
        );
      }
    });
    return [sessionSource(sessions), ...sources];
  },
});
