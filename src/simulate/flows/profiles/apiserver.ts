/**
 * kube-apiserver on :6443 (host network on the control plane). Controllers, CoreDNS, Prometheus and every
 * kubelet hold long-lived HTTP/2 watch connections: sparse watch events from the server, small HTTP/2 frames
 * (WINDOW_UPDATE, PING: 30-50 B) from the client, lease renewals every 10 s from kubelets and TCP keepalive pairs
 * every ~30 s of silence. Cut by the 120 s flow timeout, they become the long, low-rate, mostly-small-packet rows
 * of the real captures. Short TLS connections carry one-off list/get calls.
 */
import type { Rng } from '../../../core/rng.js';
import { tlsHandshake, tlsWrap } from '../apps.js';
import type { Host, Pod } from '../cluster.js';
import { chance, exponential, intBetween, lognormal, pick } from '../dist.js';
import type { SimContext } from '../engine.js';
import { persistentTcp } from '../sessions.js';
import type { TcpConn } from '../tcp.js';
import { poissonSource, sessionSource } from '../time.js';
import { registerProfile, type ProfileEnv } from './registry.js';

/** Go's default TCP keepalive period as seen in the captures (30.72 s). */
const KEEPALIVE_US = 30_720_000;

function watchEvent(conn: TcpConn, rng: Rng, gapUs: number): void {
  const records = chance(rng, 0.8) ? 1 : intBetween(rng, 2, 6);
  let gap = gapUs;
  for (let i = 0; i < records; i++) {
    conn.send(false, tlsWrap(Math.round(lognormal(rng, 380, 1, 40, 60_000))), gap, false);
    gap = lognormal(rng, 30, 1, 2, 5000);
  }
  if (chance(rng, 0.5)) conn.send(true, 31 + rng.int(18), conn.lat(true), false); // WINDOW_UPDATE / PING
  else conn.ack(true, conn.lat(true));
}

function leaseRenewal(conn: TcpConn, rng: Rng, gapUs: number): void {
  conn.exchange(tlsWrap(intBetween(rng, 430, 640)), tlsWrap(intBetween(rng, 480, 720)), lognormal(rng, 4000, 0.6, 500, 200_000), gapUs, 0.4);
}

function shortCall(ctx: SimContext, rng: Rng, t: number, client: Host, server: Pod, port: number, label: string): void {
  const c = ctx.tcp(rng, { client, server, serverPort: port, startUs: t, label });
  c.handshake();
  tlsHandshake(c, rng, { client: 'go', certBytes: intBetween(rng, 1100, 1500) });
  const n = chance(rng, 0.7) ? 1 : intBetween(rng, 2, 4);
  for (let i = 0; i < n; i++) {
    const req = tlsWrap(Math.round(lognormal(rng, 260, 0.4, 90, 4000)));
    const resp = tlsWrap(Math.round(lognormal(rng, 2500, 1.3, 150, 3_000_000)));
    c.exchange(req, resp, lognormal(rng, 3000, 1, 300, 500_000), i === 0 ? c.lat(true) : lognormal(rng, 2000, 1, 50, 500_000));
  }
  if (chance(rng, 0.8)) c.finish(true, lognormal(rng, 500, 1, 20, 100_000));
  else c.reset(true, lognormal(rng, 500, 1, 20, 100_000));
}

export const kubeApiserver = registerProfile({
  type: 'kube-apiserver',
  description: 'kube-apiserver :6443: long-lived watch connections (events, leases, keepalives), short TLS API calls',
  defaultPort: 6443,
  defaultWeight: 0.8,
  sources(env: ProfileEnv) {
    const { rng, time, label } = env;
    const servers = env.workload.pods;
    if (servers.length === 0) return [];
    const serverHosts = new Set(servers.map((s) => s.ip));
    const pods: Host[] = env.cluster.clientsOf(env.workload.spec.name).filter((p) => !serverHosts.has(p.ip));
    const nodes: Host[] = env.cluster.nodes.filter((n) => !serverHosts.has(n.ip));
    const eventRate = env.num('watchEventsPerSecond', 0.12);
    const sessions = [];
    for (const client of [...pods, ...nodes, ...nodes]) {
      const isNode = client.kind === 'node';
      const lease = isNode && chance(rng, 0.5); // one of the two node connections is the kubelet's
      const firstUs = time.startUs + Math.round(rng.uniform(0, 10e6));
      sessions.push(
        persistentTcp(rng, {
          client,
          server: pick(rng, servers),
          serverPort: env.port,
          label,
          firstUs,
          connStartUs: firstUs - Math.round(rng.uniform(300, 2400) * 1e6),
          keepaliveUs: KEEPALIVE_US,
          activity: (conn, gap) => {
            if (lease && chance(rng, 0.6)) leaseRenewal(conn, rng, gap);
            else watchEvent(conn, rng, gap);
            return lease ? 10e6 * (0.9 + 0.2 * rng.next()) * (chance(rng, 0.6) ? 1 : 0.5) : exponential(rng, 1e6 / eventRate);
          },
        }),
      );
    }
    const callers: Host[] = [...pods, ...nodes];
    const sources = [sessionSource(sessions)];
    if (callers.length > 0) {
      sources.push(poissonSource(rng, env.ratePerSecond, time, (ctx, t) => shortCall(ctx, rng, t, pick(rng, callers), pick(rng, servers), env.port, label)));
    }
    return sources;
  },
});
