/**
 * Node-to-node health checks below TCP/UDP (ICMP echo, tunnel BFD): the fork reports them as protocol 0 with
 * ports 0 and zero lengths. One echo and its reply every few seconds make the 24 + 24 packet, ~120 s rows that
 * the real captures show between nodes.
 */
import type { Host } from '../cluster.js';
import type { SimContext } from '../engine.js';
import type { RawConn } from '../connection.js';
import { sessionSource, type Session } from '../time.js';
import { registerProfile, type ProfileEnv } from './registry.js';

export const nodeIcmp = registerProfile({
  type: 'node-icmp',
  description: 'protocol-0 echo health checks between neighbouring nodes (each node checks the next one)',
  defaultPort: 0,
  defaultWeight: 0,
  sources(env: ProfileEnv) {
    const { rng, time, label } = env;
    const nodes = env.cluster.nodes;
    if (nodes.length < 2) return [];
    const periodUs = env.num('periodSeconds', 5) * 1e6;
    const sessions: Session[] = env.workload.pods.map((agent) => {
      const i = nodes.findIndex((n) => n.name === agent.node);
      const self = nodes[i];
      const peer: Host = nodes[(i + 1) % nodes.length];
      let conn: RawConn | null = null;
      const s: Session = {
        nextUs: time.startUs + Math.round(rng.next() * periodUs),
        step(ctx: SimContext) {
          conn ??= ctx.raw(rng, { client: self, server: peer, serverPort: 0, startUs: s.nextUs, label });
          conn.send(true, s.nextUs - conn.t).send(false, conn.lat(false) * 2 + 20 + rng.int(80));
          s.nextUs += Math.round(periodUs * (0.995 + 0.01 * rng.next()));
        },
      };
      return s;
    });
    return [sessionSource(sessions)];
  },
});
