/**
 * PostgreSQL on :5432. Clients keep pooled connections open for hours (many small query/response exchanges in
 * each 120 s flow) and also open short connections with the protocol's distinctive start-up: SSLRequest (8 B) and
 * 'N', StartupMessage, SCRAM-SHA-256 round trips, ParameterStatus burst, then a few extended-protocol queries and
 * Terminate. The database also archives WAL segments to object storage: a benign large upload to an external IP.
 */
import type { Rng } from '../../../core/rng.js';
import { tlsHandshake, tlsWrap } from '../apps.js';
import type { Host, Pod } from '../cluster.js';
import { chance, exponential, intBetween, lognormal, pick } from '../dist.js';
import type { SimContext } from '../engine.js';
import { persistentTcp } from '../sessions.js';
import type { TcpConn } from '../tcp.js';
import { poissonSource, sessionSource } from '../time.js';
import { clientPods, registerProfile, type ProfileEnv } from './registry.js';

/** Parse/Bind/Describe/Execute/Sync and its RowDescription/DataRow/CommandComplete/ReadyForQuery answer. */
export function pgQuery(conn: TcpConn, rng: Rng, gapUs: number): void {
  const q = Math.round(lognormal(rng, 160, 0.6, 40, 4000));
  const rows = chance(rng, 0.3) ? 0 : Math.round(lognormal(rng, 3, 1.3, 1, 2000));
  const r = 20 + (rows === 0 ? 13 : 60 + rows * Math.round(lognormal(rng, 70, 0.6, 12, 2000)));
  conn.exchange(q, r, lognormal(rng, 350, 1, 40, 500_000), gapUs, 0.5);
}

function shortConnection(ctx: SimContext, rng: Rng, t: number, client: Pod, server: Pod, port: number, label: string): void {
  const c = ctx.tcp(rng, { client, server, serverPort: port, startUs: t, label });
  c.handshake();
  const srv = (): number => lognormal(rng, 120, 0.6, 15, 5000) + c.lat(false);
  c.exchange(8, 1, 30, c.lat(true), 0.2); // SSLRequest -> 'N'
  c.send(true, intBetween(rng, 78, 112), c.lat(true), false); // StartupMessage
  c.send(false, 24, srv()); // AuthenticationSASL
  c.send(true, 54 + rng.int(4), c.lat(true), false); // SASLInitialResponse
  c.send(false, 93, srv() + lognormal(rng, 2000, 0.3, 500, 20_000)); // SASLContinue (after the key derivation)
  c.send(true, 109, c.lat(true), false); // SASLResponse
  c.send(false, intBetween(rng, 380, 560), srv()); // SASLFinal, AuthOk, ParameterStatus..., ReadyForQuery
  const n = intBetween(rng, 1, 6);
  for (let i = 0; i < n; i++) pgQuery(c, rng, lognormal(rng, 400, 1, 20, 200_000));
  c.send(true, 5, lognormal(rng, 200, 1, 10, 100_000), false); // Terminate
  c.finish(true, c.gap(0));
}

/** WAL archiving (wal-g / pgBackRest style): TLS to object storage and a PUT of a compressed 16 MiB segment. */
function archiveWal(ctx: SimContext, rng: Rng, t: number, db: Pod, store: Host & { port: number }, label: string): void {
  const c = ctx.tcp(rng, { client: db, server: store, serverPort: store.port, startUs: t, label });
  c.handshake();
  tlsHandshake(c, rng, { client: 'go', certBytes: 3900 });
  c.send(true, tlsWrap(Math.round(lognormal(rng, 4_000_000, 0.7, 200_000, 16_777_216))), c.lat(true));
  c.send(false, tlsWrap(intBetween(rng, 280, 420)), lognormal(rng, 40_000, 0.7, 2000, 2e6) + c.lat(false));
  c.finish(true, lognormal(rng, 3000, 1, 100, 1e6));
}

export const postgres = registerProfile({
  type: 'postgres',
  description: 'PostgreSQL :5432: pooled long-lived connections, short SCRAM-authenticated connections, WAL uploads',
  defaultPort: 5432,
  defaultWeight: 1.5,
  sources(env: ProfileEnv) {
    const { rng, time, label } = env;
    const servers = env.workload.pods;
    const clients = clientPods(env);
    if (servers.length === 0 || clients.length === 0) return [];
    const poolSize = env.num('poolSize', 2);
    const qps = env.num('pooledQueriesPerSecond', 0.8);
    const sessions = [];
    for (const client of clients) {
      for (let i = 0; i < poolSize; i++) {
        const firstUs = time.startUs + Math.round(exponential(rng, 1e6 / qps));
        sessions.push(
          persistentTcp(rng, {
            client,
            server: pick(rng, servers),
            serverPort: env.port,
            label,
            firstUs,
            connStartUs: firstUs - Math.round(rng.uniform(60, 1800) * 1e6),
            activity: (conn, gap) => {
              pgQuery(conn, rng, gap);
              return exponential(rng, 1e6 / qps);
            },
          }),
        );
      }
    }
    const sources = [
      sessionSource(sessions),
      poissonSource(rng, env.ratePerSecond, time, (ctx, t) =>
        shortConnection(ctx, rng, t, pick(rng, clients), pick(rng, servers), env.port, label),
      ),
    ];
    const store = env.cluster.externalServices.find((s) => s.name === 'object-storage');
    const every = env.num('walArchiveSeconds', 60);
    if (store && every > 0) {
      sources.push(poissonSource(rng, servers.length / every, time, (ctx, t) => archiveWal(ctx, rng, t, pick(rng, servers), store, label)));
    }
    return sources;
  },
});
