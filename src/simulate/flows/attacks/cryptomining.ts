/**
 * Crypto-mining: a hijacked pod resolves a mining pool and holds a stratum connection (:3333) open: login, then
 * job notifications from the pool every few tens of seconds, share submissions from the miner with their short
 * results, and `keepalived` calls on silence. Small JSON lines both ways over a long-lived connection.
 */
import type { Rng } from '../../../core/rng.js';
import { chance, exponential, intBetween, pick } from '../dist.js';
import type { SimContext } from '../engine.js';
import { persistentTcp } from '../sessions.js';
import type { TcpConn } from '../tcp.js';
import { scheduledSource, sessionSource } from '../time.js';
import { compromisedPod, entity, externalHost, registerScenario, type AttackEnv } from './registry.js';

function stratum(conn: TcpConn, rng: Rng, gapUs: number): void {
  const u = rng.next();
  if (u < 0.45) {
    conn.send(false, intBetween(rng, 330, 470), gapUs, true); // mining.notify / job
  } else if (u < 0.9) {
    conn.send(true, intBetween(rng, 150, 205), gapUs, false); // submit share
    conn.send(false, intBetween(rng, 42, 68), conn.lat(false) + 2000 + rng.int(30_000), true);
  } else {
    conn.exchange(intBetween(rng, 88, 100), intBetween(rng, 66, 80), 1500 + rng.int(20_000), gapUs, 0); // keepalived
  }
}

function poolLookup(ctx: SimContext, rng: Rng, t: number, env: AttackEnv, victimIp: string): void {
  const dns = env.cluster.workloads.find((w) => w.spec.profile === 'kube-dns');
  const victim = env.cluster.pods.find((p) => p.ip === victimIp);
  if (!dns || dns.pods.length === 0 || !victim) return;
  const c = ctx.udp(rng, { client: victim, server: pick(rng, dns.pods), serverPort: 53, startUs: t, label: env.label });
  const q = 12 + 22 + 4 + (chance(rng, 0.3) ? 11 : 0);
  c.send(true, q).send(true, q, 20 + rng.int(40));
  c.send(false, q + 16 * intBetween(rng, 1, 4), c.lat(false) + c.lat(true) + 2000 + rng.int(20_000));
  c.send(false, q + 60, 50 + rng.int(300));
  c.close();
}

export const cryptomining = registerScenario({
  type: 'cryptomining',
  description: 'hijacked pod mining over a long-lived stratum connection to an external pool (:3333)',
  plan(env: AttackEnv) {
    const { rng, label } = env;
    const victim = compromisedPod(env, 'web-frontend');
    const pool = externalHost(rng, 'mining-pool');
    const port = env.num('port', 3333);
    const lookup = scheduledSource([env.startUs + rng.uniform(0, 5e5)], (ctx, t) => poolLookup(ctx, rng, t, env, victim.ip));
    const session = persistentTcp(rng, {
      client: victim,
      server: pool,
      serverPort: port,
      label,
      firstUs: env.startUs + 1_000_000,
      open: (c) => c.exchange(intBetween(rng, 180, 260), intBetween(rng, 380, 520), 20_000 + rng.int(80_000), c.lat(true), 0),
      activity: (c, gap) => {
        stratum(c, rng, gap);
        return exponential(rng, 15e6);
      },
      untilUs: env.endUs,
    });
    return { sources: [lookup, sessionSource([session])], attackers: [entity(victim)], targets: [entity(pool, port)] };
  },
});
