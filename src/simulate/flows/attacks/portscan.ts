/**
 * Port scan (nmap -sS from a compromised pod): SYNs with nmap's window (1024-4096) and MSS-only options to many
 * ports of several pods in random order. Closed ports answer RST-ACK (2-packet rows), open ports SYN-ACK and the
 * scanner resets (3 packets); an unanswered probe is retried once or left as a single-packet row (0 bytes in 0 us:
 * NaN Flow Bytes/s). Easy to spot on purpose: the point of this scenario is breadth, not stealth.
 */
import type { Rng } from '../../../core/rng.js';
import type { Pod } from '../cluster.js';
import { chance, ephemeralPort, lognormal, pick } from '../dist.js';
import { ACK, RST, SYN } from '../meter.js';
import { servicePort } from '../profiles/registry.js';
import { poissonSource } from '../time.js';
import { compromisedPod, entity, externalHost, registerScenario, workloadPods, type AttackEnv } from './registry.js';
import { STACKS, stack } from '../tcp.js';

/** nmap's most-scanned ports first; the rest of a scan draws from the whole range. */
const TOP_PORTS = [
  80, 23, 443, 21, 22, 25, 3389, 110, 445, 139, 143, 53, 135, 3306, 8080, 1723, 111, 995, 993, 5900, 1025, 587, 8888,
  199, 1720, 465, 548, 113, 81, 6001, 10000, 514, 5060, 179, 1026, 2000, 8443, 8000, 32768, 554, 26, 1433, 49152,
  2001, 515, 8008, 49154, 1027, 5666, 646, 5000, 5631, 631, 49153, 8081, 2049, 88, 79, 5800, 106, 2121, 1110, 49155,
  6000, 513, 990, 5357, 427, 49156, 543, 544, 5101, 144, 7, 389, 6443, 10250, 2379, 9090, 9100, 5432, 6379, 27017,
];

function scanPorts(rng: Rng, count: number): number[] {
  const ports = new Set<number>(TOP_PORTS.slice(0, Math.min(count, TOP_PORTS.length)));
  while (ports.size < count) ports.add(1 + rng.int(65535));
  return rng.shuffle([...ports]);
}

export const portscan = registerScenario({
  type: 'portscan',
  description: 'nmap SYN scan from a compromised pod (or external) across many ports of several pods',
  plan(env: AttackEnv) {
    const { rng, label } = env;
    const attacker = env.spec.source === 'external' ? externalHost(rng, 'scanner') : compromisedPod(env, 'web-frontend');
    const candidates = env.spec.target
      ? workloadPods(env, env.spec.target, '')
      : env.cluster.pods.filter((p) => p.kind === 'pod' && p.ip !== attacker.ip);
    const victims = rng.shuffle([...candidates]).slice(0, Math.max(1, env.num('targets', 4)));
    const open = new Map<string, Set<number>>();
    for (const v of victims) {
      const w = env.cluster.workload(v.workload);
      open.set(v.ip, new Set([servicePort(w), w.spec.probePort ?? 0, w.spec.metricsPort ?? 0]));
    }
    const ports = scanPorts(rng, env.num('ports', 300));
    const probes: [Pod, number][] = [];
    for (const p of ports) for (const v of victims) probes.push([v, p]);
    let next = 0;
    let srcPort = ephemeralPort(rng);
    const scanner = stack(rng, STACKS.nmap, 1);
    scanner.synWin = pick(rng, [1024, 2048, 3072, 4096]);
    const rate = env.num('probesPerSecond', 30) * env.intensity;
    const source = poissonSource(
      rng,
      rate,
      env.time,
      (ctx, t) => {
        const [victim, port] = probes[next++ % probes.length];
        if (chance(rng, 0.02)) srcPort = ephemeralPort(rng); // nmap changes source port now and then
        const c = ctx.tcp(rng, { client: attacker, server: victim, serverPort: port, clientPort: srcPort, startUs: t, label, clientStack: scanner });
        c.seg(true, 0, SYN, 0);
        const u = rng.next();
        if (open.get(victim.ip)?.has(port)) {
          c.seg(false, 0, SYN | ACK, c.lat(false));
          c.seg(true, 0, RST, c.lat(true));
        } else if (u < 0.95) {
          c.seg(false, 0, RST | ACK, c.lat(false));
        } else if (u < 0.975) {
          c.seg(true, 0, SYN, lognormal(rng, 1e6, 0.1, 5e5, 2e6)); // retransmitted probe, still no answer
        }
        c.close();
      },
      env.startUs,
      env.endUs,
    );
    return { sources: [source], attackers: [entity(attacker)], targets: victims.map((v) => entity(v)) };
  },
});
