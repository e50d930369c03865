/**
 * SYN flood (hping3 -S --flood style) against one service: a huge number of half-open connections from spoofed
 * addresses with incrementing source ports, bare 20-byte SYN headers and hping's 512-byte window. The server
 * answers with a SYN cookie (2-packet rows), retransmits its SYN-ACK for a half-open entry (rows lasting seconds),
 * or drops the SYN when the backlog is full (single-packet rows).
 */
import { chance, intBetween, pick } from '../dist.js';
import type { Host } from '../cluster.js';
import { ACK, SYN } from '../meter.js';
import { servicePort } from '../profiles/registry.js';
import { STACKS, stack } from '../tcp.js';
import { poissonSource } from '../time.js';
import { compromisedPod, entity, registerScenario, spoofedHost, workloadPods, type AttackEnv } from './registry.js';

export const synflood = registerScenario({
  type: 'synflood',
  description: 'spoofed SYN flood against one service: SYN-cookie answers, SYN-ACK retransmissions, drops',
  plan(env: AttackEnv) {
    const { rng, label } = env;
    const victims = workloadPods(env, env.spec.target, 'web-frontend');
    const port = env.num('port', servicePort(env.cluster.workload(victims[0].workload)));
    const spoofed = env.spec.source === undefined || env.spec.source === 'external';
    const origin: Host = spoofed ? spoofedHost(rng) : compromisedPod(env, 'web-frontend');
    let srcPort = 1024 + rng.int(30000);
    const rate = env.num('synsPerSecond', 80) * env.intensity;
    const source = poissonSource(
      rng,
      rate,
      env.time,
      (ctx, t) => {
        const client = spoofed ? spoofedHost(rng) : origin;
        srcPort = srcPort >= 65535 ? 1024 : srcPort + 1;
        const st = stack(rng, STACKS.hping, 1);
        const c = ctx.tcp(rng, { client, server: pick(rng, victims), serverPort: port, clientPort: srcPort, startUs: t, label, clientStack: st });
        c.seg(true, 0, SYN, 0);
        const u = rng.next();
        if (u < 0.55) {
          c.seg(false, 0, SYN | ACK, c.lat(false));
        } else if (u < 0.88) {
          // Half-open entry: SYN-ACK retransmitted after 1 s, then 2 s more, until the entry is dropped.
          const tries = intBetween(rng, 2, 3);
          let wait = c.lat(false);
          for (let i = 0; i < tries; i++) {
            c.seg(false, 0, SYN | ACK, wait);
            wait = 1e6 * 2 ** i + rng.int(2000);
          }
        } else if (chance(rng, 0.3)) {
          c.seg(true, 0, SYN, 1e6 + rng.int(1000)); // hping reusing a port within the flow timeout
        }
        c.close();
      },
      env.startUs,
      env.endUs,
    );
    return {
      sources: [source],
      attackers: [spoofed ? { kind: 'external' as const, name: 'spoofed sources', ip: '0.0.0.0/0' } : entity(origin)],
      targets: victims.map((v) => entity(v, port)),
    };
  },
});
