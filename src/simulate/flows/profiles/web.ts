/**
 * Web frontend (nginx): internet clients -> :443 (TLS, several requests per keep-alive connection, page bursts
 * then think time) and :80 (mostly redirects to https). Client operating systems differ in SYN window and TCP
 * options. Closing varies as in real logs: the browser closes, nginx's 65 s keepalive_timeout closes idle
 * connections (long flows with idle periods), or a RST. A few clients upload files (large forward bytes), so a
 * big upload is not by itself unusual.
 */
import type { Rng } from '../../../core/rng.js';
import { httpRequestBytes, httpResponseBytes, tlsHandshake, tlsWrap } from '../apps.js';
import type { Host, Pod } from '../cluster.js';
import { chance, exponential, geometric, lognormal, pick } from '../dist.js';
import type { SimContext } from '../engine.js';
import { poissonSource } from '../time.js';
import { registerProfile, type ProfileEnv } from './registry.js';

export interface WebVisit {
  client: Host;
  server: Pod;
  port: number;
  tls: boolean;
  label: string;
}

/** nginx keepalive_timeout default. */
const KEEPALIVE_US = 65_000_000;

function visit(ctx: SimContext, rng: Rng, t: number, v: WebVisit, upstreamThinkUs: number): void {
  const conn = ctx.tcp(rng, { client: v.client, server: v.server, serverPort: v.port, startUs: t, label: v.label });
  conn.handshake();
  if (!v.tls) {
    // Plain HTTP: mostly a 301 to https and the server closes (Connection: close).
    if (chance(rng, 0.6)) {
      conn.exchange(httpRequestBytes(rng, 'browser'), 160 + rng.int(60), lognormal(rng, 120, 0.5, 20, 2000), conn.lat(true));
      conn.finish(false, conn.lat(false));
      return;
    }
  } else {
    tlsHandshake(conn, rng, { client: 'browser', certBytes: pick(rng, [2400, 3100, 4300]) });
  }
  const wrap = (n: number): number => (v.tls ? tlsWrap(n) : n);
  const requests = geometric(rng, v.tls ? 4 : 2);
  for (let i = 0; i < requests; i++) {
    // Requests of one page come in a burst; a new page follows after reading time.
    const gap = i === 0 ? conn.lat(true) : chance(rng, 0.75) ? lognormal(rng, 25_000, 1, 200, 2e6) : exponential(rng, 6e6);
    const upload = chance(rng, 0.02);
    const req = upload ? lognormal(rng, 400_000, 1, 20_000, 8e6) : httpRequestBytes(rng, 'browser');
    const resp = upload ? 250 + rng.int(200) : httpResponseBytes(rng, 3200, 1.4);
    const think = chance(rng, 0.5) ? lognormal(rng, 300, 0.6, 30, 5000) : upstreamThinkUs * Math.exp(0.8 * rng.normal());
    conn.exchange(wrap(req), wrap(resp), think, gap);
  }
  const end = rng.next();
  if (end < 0.55) conn.finish(true, lognormal(rng, 400_000, 1.5, 1000, 30e6));
  else if (end < 0.75) conn.finish(false, KEEPALIVE_US + rng.int(2000)); // idle until nginx gives up
  else if (end < 0.9) conn.finish(true, 10e6 + exponential(rng, 20e6)); // browser closes its idle socket
  else conn.reset(true, lognormal(rng, 2e6, 1.5, 1000, 60e6));
}

/** Ingress source address: the client itself, or a node when kube-proxy masquerades (NodePort SNAT). */
export function ingressClient(env: Pick<ProfileEnv, 'cluster'>, rng: Rng): Host {
  const client = pick(rng, env.cluster.externalClients);
  if (!chance(rng, 0.2)) return client;
  const node = pick(rng, env.cluster.nodes);
  return { name: node.name, ip: node.ip, kind: 'external', latencyUs: client.latencyUs };
}

export const webFrontend = registerProfile({
  type: 'web-frontend',
  description: 'nginx: internet clients to :443 (TLS keep-alive page loads) and :80 (redirects), uploads, idle timeouts',
  defaultPort: 443,
  defaultWeight: 2.5,
  sources(env: ProfileEnv) {
    const { rng, time, label } = env;
    const pods = env.workload.pods;
    if (pods.length === 0 || env.cluster.externalClients.length === 0) return [];
    const tlsShare = env.num('tlsShare', 0.7);
    const httpPort = env.num('httpPort', 80);
    const upstreamThinkUs = env.num('upstreamThinkMs', 12) * 1000;
    return [
      poissonSource(rng, env.ratePerSecond, time, (ctx, t) => {
        const tls = chance(rng, tlsShare);
        const v = { client: ingressClient(env, rng), server: pick(rng, pods), port: tls ? env.port : httpPort, tls, label };
        visit(ctx, rng, t, v, upstreamThinkUs);
      }),
    ];
  },
});
