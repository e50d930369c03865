/**
 * kube-dns (CoreDNS): every pod resolves names over UDP :53. Shapes seen in real captures: one query and one
 * answer; glibc's parallel A + AAAA on one socket (2 + 2); the ndots:5 search-path walk (several NXDOMAIN rounds);
 * a socket reused seconds later (active/idle periods); and single-packet flows (a query whose answer never came,
 * an answer arriving after its flow ended): Duration 0, so Infinity in Flow Bytes/s and Packets/s and NaN in the
 * Flow IAT columns, as in the real files. CoreDNS forwards cache misses to the upstream resolvers.
 */
import type { Rng } from '../../../core/rng.js';
import type { Host, Pod } from '../cluster.js';
import { chance, ephemeralPort, exponential, intBetween, lognormal, pick, weighted } from '../dist.js';
import type { SimContext } from '../engine.js';
import { poissonSource } from '../time.js';
import { registerProfile, type ProfileEnv } from './registry.js';

type Shape = 'single' | 'pair' | 'search' | 'reuse' | 'lost' | 'late';

const SHAPES: readonly (readonly [Shape, number])[] = [
  ['single', 0.43],
  ['pair', 0.36],
  ['search', 0.12],
  ['reuse', 0.065],
  ['lost', 0.015],
  ['late', 0.01],
];

/** DNS message sizes: header 12 + name + type/class 4, plus an EDNS OPT record when the client adds one. */
function querySize(rng: Rng): number {
  const name = Math.round(lognormal(rng, 24, 0.3, 8, 70));
  return 12 + name + 2 + 4 + (chance(rng, 0.3) ? 11 : 0);
}

/** Answers: the question echoed plus A/AAAA records (16/28 bytes each) or an SOA on NXDOMAIN / empty answers. */
function answerSize(rng: Rng, query: number, kind: 'a' | 'aaaa' | 'nx'): number {
  if (kind === 'nx') return query + intBetween(rng, 58, 92);
  const per = kind === 'a' ? 16 : 28;
  const cname = chance(rng, 0.15) ? intBetween(rng, 20, 120) : 0;
  return query + per * intBetween(rng, 1, 3) + cname;
}

/** Resolver turnaround: CoreDNS cache hit, or a miss forwarded upstream (milliseconds). */
function serverTime(rng: Rng): number {
  return chance(rng, 0.9) ? lognormal(rng, 90, 0.7, 10, 3000) : lognormal(rng, 6000, 0.9, 800, 80000);
}

function lookup(ctx: SimContext, rng: Rng, t: number, client: Pod, server: Host, port: number, label: string): void {
  const shape = weighted(rng, SHAPES);
  if (shape === 'late') {
    // The answer to a query whose flow already ended: a flow of one packet from the server.
    const c = ctx.udp(rng, { client: server, server: client, serverPort: ephemeralPort(rng), clientPort: port, startUs: t, label });
    c.send(true, answerSize(rng, querySize(rng), 'nx')).close();
    return;
  }
  const c = ctx.udp(rng, { client, server, serverPort: port, startUs: t, label });
  const q = querySize(rng);
  if (shape === 'lost') {
    c.send(true, q).close();
    return;
  }
  if (shape === 'pair') {
    const q2 = q + (chance(rng, 0.5) ? 0 : 1);
    c.send(true, q).send(true, q2, intBetween(rng, 8, 90));
    c.send(false, answerSize(rng, q, 'a'), c.lat(false) + c.lat(true) + serverTime(rng));
    c.send(false, answerSize(rng, q2, chance(rng, 0.6) ? 'nx' : 'aaaa'), lognormal(rng, 40, 1, 2, 5000));
  } else if (shape === 'search') {
    const rounds = intBetween(rng, 2, 4);
    for (let i = 0; i < rounds; i++) {
      const qi = q + 6 * (rounds - i);
      c.send(true, qi, i === 0 ? 0 : lognormal(rng, 60, 0.6, 5, 2000));
      c.send(false, answerSize(rng, qi, i === rounds - 1 ? 'a' : 'nx'), c.lat(false) + c.lat(true) + serverTime(rng));
    }
  } else {
    const rounds = shape === 'reuse' ? intBetween(rng, 2, 3) : 1;
    for (let i = 0; i < rounds; i++) {
      c.send(true, q + (i === 0 ? 0 : intBetween(rng, -10, 10)), i === 0 ? 0 : 1_000_000 + exponential(rng, 5_000_000));
      c.send(false, answerSize(rng, q, chance(rng, 0.2) ? 'nx' : 'a'), c.lat(false) + c.lat(true) + serverTime(rng));
    }
  }
  c.close();
}

/** CoreDNS forwarding a miss upstream: one query, one (often larger, CNAME-laden) answer. */
function forward(ctx: SimContext, rng: Rng, t: number, coredns: Pod, upstream: Host & { port: number }, label: string): void {
  const c = ctx.udp(rng, { client: coredns, server: upstream, serverPort: upstream.port, startUs: t, label });
  const q = querySize(rng) + 11;
  c.send(true, q);
  c.send(false, answerSize(rng, q, chance(rng, 0.25) ? 'nx' : 'a') + intBetween(rng, 0, 120), c.lat(false) + c.lat(true) + lognormal(rng, 600, 0.8, 50, 50000));
  c.close();
}

export const kubeDns = registerProfile({
  type: 'kube-dns',
  description: 'CoreDNS on UDP :53: single, A+AAAA, search-path and reused-socket lookups; upstream forwarding',
  defaultPort: 53,
  defaultWeight: 3,
  sources(env: ProfileEnv) {
    const { rng, time, label } = env;
    const servers = env.workload.pods;
    const clients = env.cluster.pods.filter((p) => p.kind === 'pod' && p.workload !== env.workload.spec.name);
    if (servers.length === 0 || clients.length === 0) return [];
    const upstream = env.cluster.externalServices.filter((s) => s.port === 53);
    const fwdShare = upstream.length > 0 ? env.num('upstreamShare', 0.12) : 0;
    return [
      poissonSource(rng, env.ratePerSecond * (1 - fwdShare), time, (ctx, t) =>
        lookup(ctx, rng, t, pick(rng, clients), pick(rng, servers), env.port, label),
      ),
      poissonSource(rng, env.ratePerSecond * fwdShare, time, (ctx, t) =>
        forward(ctx, rng, t, pick(rng, servers), pick(rng, upstream), label),
      ),
    ];
  },
});
