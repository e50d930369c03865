/**
 * API server (Node.js or Java) on :8080, called by the pods that depend on it (the web frontend's upstream
 * keep-alive connections). Node closes idle keep-alive sockets after 5 s (server FIN), Java/Tomcat after 20 s and
 * writes headers and body as separate segments. API pods also call external HTTPS APIs (a payment provider),
 * benign egress that an exfiltration has to hide among. The database calls are the database profiles' flows.
 */
import type { Rng } from '../../../core/rng.js';
import { httpRequestBytes, httpResponseBytes, tlsHandshake, tlsWrap } from '../apps.js';
import type { Host, Pod } from '../cluster.js';
import { chance, geometric, lognormal, pick } from '../dist.js';
import type { SimContext } from '../engine.js';
import { poissonSource } from '../time.js';
import { clientPods, registerProfile, type ProfileEnv } from './registry.js';

interface Runtime {
  keepAliveUs: number;
  thinkUs: number;
  respMedian: number;
  splitHeaders: boolean;
  requests: number;
}

const RUNTIMES: Record<string, Runtime> = {
  node: { keepAliveUs: 5e6, thinkUs: 3500, respMedian: 700, splitHeaders: false, requests: 2 },
  java: { keepAliveUs: 20e6, thinkUs: 8000, respMedian: 1400, splitHeaders: true, requests: 3 },
};

function call(ctx: SimContext, rng: Rng, t: number, client: Pod, server: Pod, port: number, rt: Runtime, label: string): void {
  const conn = ctx.tcp(rng, { client, server, serverPort: port, startUs: t, label });
  conn.handshake();
  const n = geometric(rng, rt.requests);
  for (let i = 0; i < n; i++) {
    const req = httpRequestBytes(rng, 'service') + (chance(rng, 0.3) ? Math.round(lognormal(rng, 400, 1, 20, 50_000)) : 0);
    const resp = httpResponseBytes(rng, rt.respMedian, 1.1);
    const think = lognormal(rng, rt.thinkUs, 0.8, 200, 2e6);
    const gap = i === 0 ? conn.lat(true) : lognormal(rng, 40_000, 1.3, 100, rt.keepAliveUs * 0.9);
    if (rt.splitHeaders) {
      conn.send(true, req, gap, chance(rng, 0.85));
      conn.send(false, 150 + rng.int(120), think + conn.lat(false), false);
      conn.send(false, Math.max(1, resp - 200), conn.gap(0));
    } else {
      conn.exchange(req, resp, think, gap);
    }
  }
  const end = rng.next();
  if (end < 0.25) conn.finish(false, rt.keepAliveUs + rng.int(5000)); // server closes the idle keep-alive socket
  else if (end < 0.92) conn.finish(true, lognormal(rng, 50_000, 1.5, 100, rt.keepAliveUs * 0.9));
  else conn.reset(true, lognormal(rng, 100_000, 1.5, 100, rt.keepAliveUs * 0.9));
}

/** A call to an external HTTPS API: TLS from a service client, one or two JSON requests, client closes. */
export function egressCall(ctx: SimContext, rng: Rng, t: number, client: Host, api: Host & { port: number }, label: string): void {
  const conn = ctx.tcp(rng, { client, server: api, serverPort: api.port, startUs: t, label });
  conn.handshake();
  tlsHandshake(conn, rng, { client: chance(rng, 0.5) ? 'node' : 'java', certBytes: 3800 });
  const n = chance(rng, 0.7) ? 1 : 2;
  for (let i = 0; i < n; i++) {
    const req = tlsWrap(Math.round(lognormal(rng, 1100, 0.5, 300, 8000)));
    const resp = tlsWrap(Math.round(lognormal(rng, 1200, 0.7, 200, 20_000)));
    conn.exchange(req, resp, lognormal(rng, 80_000, 0.7, 5000, 2e6), i === 0 ? conn.lat(true) : lognormal(rng, 30_000, 1, 100, 1e6));
  }
  if (chance(rng, 0.85)) conn.finish(true, lognormal(rng, 2000, 1, 100, 1e6));
  else conn.finish(false, 60e6 + rng.int(1e6)); // provider closes the idle connection
}

export const apiServer = registerProfile({
  type: 'api-server',
  description: 'HTTP JSON API on :8080 (params.runtime node|java): keep-alive calls from dependent pods, HTTPS egress',
  defaultPort: 8080,
  defaultWeight: 2,
  sources(env: ProfileEnv) {
    const { rng, time, label } = env;
    const pods = env.workload.pods;
    const clients = clientPods(env, env.cluster.pods.filter((p) => p.kind === 'pod' && p.workload !== env.workload.spec.name));
    if (pods.length === 0 || clients.length === 0) return [];
    const rt = RUNTIMES[env.str('runtime', 'node')] ?? RUNTIMES.node;
    const egress = env.cluster.externalServices.filter((s) => s.port === 443 && s.name !== 'object-storage');
    const egressShare = egress.length > 0 ? env.num('egressShare', 0.1) : 0;
    return [
      poissonSource(rng, env.ratePerSecond * (1 - egressShare), time, (ctx, t) =>
        call(ctx, rng, t, pick(rng, clients), pick(rng, pods), env.port, rt, label),
      ),
      poissonSource(rng, env.ratePerSecond * egressShare, time, (ctx, t) =>
        egressCall(ctx, rng, t, pick(rng, pods), pick(rng, egress), label),
      ),
    ];
  },
});
