/**
 * Redis on :6379: RESP commands are tiny (GET/SET/INCR of a session key: 30-120 B) and so are most replies
 * (`+OK`, `:1`, `$-1`, a small bulk string), answered in tens of microseconds. Clients hold one pooled connection
 * with a PING health check every few seconds and also open short connections (AUTH, a few commands, QUIT).
 */
import type { Rng } from '../../../core/rng.js';
import type { Pod } from '../cluster.js';
import { chance, exponential, intBetween, lognormal, pick, weighted } from '../dist.js';
import type { SimContext } from '../engine.js';
import { persistentTcp } from '../sessions.js';
import type { TcpConn } from '../tcp.js';
import { poissonSource, sessionSource } from '../time.js';
import { clientPods, registerProfile, type ProfileEnv } from './registry.js';

type Reply = 'ok' | 'int' | 'nil' | 'bulk' | 'array';

function replyBytes(rng: Rng, kind: Reply): number {
  switch (kind) {
    case 'ok':
      return 5;
    case 'int':
      return 4 + rng.int(4);
    case 'nil':
      return 5;
    case 'bulk':
      return 8 + Math.round(lognormal(rng, 90, 1, 1, 60_000));
    case 'array':
      return 12 + Math.round(lognormal(rng, 300, 1, 10, 100_000));
  }
}

const REPLIES: readonly (readonly [Reply, number])[] = [
  ['bulk', 0.45],
  ['ok', 0.2],
  ['int', 0.15],
  ['nil', 0.12],
  ['array', 0.08],
];

export function redisCommand(conn: TcpConn, rng: Rng, gapUs: number): void {
  const cmd = Math.round(lognormal(rng, 48, 0.45, 14, 8000));
  conn.exchange(cmd, replyBytes(rng, weighted(rng, REPLIES)), lognormal(rng, 25, 0.6, 3, 3000), gapUs, 0.3);
}

function shortConnection(ctx: SimContext, rng: Rng, t: number, client: Pod, server: Pod, port: number, label: string): void {
  const c = ctx.tcp(rng, { client, server, serverPort: port, startUs: t, label });
  c.handshake();
  if (chance(rng, 0.7)) c.exchange(intBetween(rng, 32, 60), 5, 20, c.lat(true), 0.3); // AUTH -> +OK
  const n = intBetween(rng, 1, 8);
  for (let i = 0; i < n; i++) redisCommand(c, rng, lognormal(rng, 150, 1, 10, 100_000));
  if (chance(rng, 0.6)) {
    c.exchange(14, 5, 15, lognormal(rng, 100, 1, 10, 10_000), 0.2); // QUIT -> +OK, server closes
    c.finish(false, c.lat(false));
  } else {
    c.finish(true, lognormal(rng, 200, 1, 10, 100_000));
  }
}

export const redis = registerProfile({
  type: 'redis',
  description: 'Redis :6379: tiny RESP commands on pooled connections with PING checks, short AUTH/QUIT connections',
  defaultPort: 6379,
  defaultWeight: 1.5,
  sources(env: ProfileEnv) {
    const { rng, time, label } = env;
    const servers = env.workload.pods;
    const clients = clientPods(env);
    if (servers.length === 0 || clients.length === 0) return [];
    const ops = env.num('pooledOpsPerSecond', 1.5);
    const sessions = clients.map((client) => {
      const firstUs = time.startUs + Math.round(exponential(rng, 1e6 / ops));
      return persistentTcp(rng, {
        client,
        server: pick(rng, servers),
        serverPort: env.port,
        label,
        firstUs,
        connStartUs: firstUs - Math.round(rng.uniform(30, 1800) * 1e6),
        activity: (conn, gap) => {
          if (chance(rng, 0.2)) conn.exchange(14, 7, 12, gap, 0.2); // PING -> +PONG
          else redisCommand(conn, rng, gap);
          return exponential(rng, 1e6 / ops);
        },
      });
    });
    return [
      sessionSource(sessions),
      poissonSource(rng, env.ratePerSecond, time, (ctx, t) =>
        shortConnection(ctx, rng, t, pick(rng, clients), pick(rng, servers), env.port, label),
      ),
    ];
  },
});
