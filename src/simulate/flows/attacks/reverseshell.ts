/**
 * Reverse shell: a compromised pod connects out to the attacker's listener on an unusual port and keeps the TCP
 * connection open. Commands arrive from the attacker (small backward packets) after human think times of
 * seconds; output goes back (forward, from a few bytes to a few KiB). With a pty upgrade every keystroke is a
 * 1-byte packet echoed back. The rows are long, sparse and small-packeted like watch connections; only the
 * destination and the rhythm differ. Before the listener is up, the implant's retry loop leaves a few failed
 * attempts: SYNs with kernel retransmissions (1, 2, 4 s) and no answer, or an immediate RST.
 */
import type { Rng } from '../../../core/rng.js';
import { chance, intBetween, lognormal } from '../dist.js';
import { persistentTcp } from '../sessions.js';
import type { TcpConn } from '../tcp.js';
import { scheduledSource, sessionSource } from '../time.js';
import { ACK, RST, SYN } from '../meter.js';
import { compromisedPod, entity, externalHost, registerScenario, type AttackEnv } from './registry.js';

function command(conn: TcpConn, rng: Rng, gapUs: number, pty: boolean): void {
  const len = Math.round(lognormal(rng, 14, 0.7, 2, 200));
  if (pty) {
    // Keystrokes at typing speed, each echoed by the remote terminal.
    let gap = gapUs;
    for (let i = 0; i < len; i++) {
      conn.send(false, 1, gap, false);
      conn.send(true, 1, conn.lat(true) + lognormal(rng, 60, 0.5, 10, 2000), false);
      gap = lognormal(rng, 140_000, 0.5, 30_000, 1.5e6);
    }
  } else {
    conn.send(false, len + 1, gapUs); // line-buffered command, ACKed by the victim
  }
  const out = chance(rng, 0.15) ? 0 : Math.round(lognormal(rng, 220, 1.5, 2, 60_000));
  if (out > 0) conn.send(true, out, lognormal(rng, 3000, 1.2, 100, 3e6), true);
  conn.send(true, 18 + rng.int(30), lognormal(rng, 200, 1, 10, 100_000), chance(rng, 0.5)); // prompt
}

export const reverseshell = registerScenario({
  type: 'reverseshell',
  description: 'compromised pod holds an outbound interactive shell to an external listener on an unusual port',
  plan(env: AttackEnv) {
    const { rng, label } = env;
    const victim = compromisedPod(env, 'api-server');
    const c2 = externalHost(rng, 'listener');
    const port = env.num('port', 4444);
    const pty = env.num('pty', chance(rng, 0.5) ? 1 : 0) === 1;
    const think = env.num('thinkSeconds', 7) * 1e6;
    const attempts = Math.max(0, env.num('failedAttempts', 2));
    const retryUs = env.num('retrySeconds', 20) * 1e6;
    const failed = scheduledSource(
      Array.from({ length: attempts }, (_, i) => env.startUs + i * retryUs),
      (ctx, t) => {
        const c = ctx.tcp(rng, { client: victim, server: c2, serverPort: port, startUs: t, label });
        c.seg(true, 0, SYN, 0);
        if (chance(rng, 0.5)) c.seg(false, 0, RST | ACK, c.lat(false));
        else for (let i = 0; i < 3; i++) c.seg(true, 0, SYN, 1e6 * 2 ** i + rng.int(3000));
        c.close();
      },
    );
    const session = persistentTcp(rng, {
      client: victim,
      server: c2,
      serverPort: port,
      label,
      firstUs: env.startUs + attempts * retryUs,
      open: (c) => c.send(true, intBetween(rng, 40, 120), c.lat(true), true), // banner and first prompt
      activity: (c, gap) => {
        command(c, rng, gap, pty);
        return lognormal(rng, think, 0.9, 3e5, 120e6);
      },
      untilUs: env.endUs,
      close: (c) => {
        c.send(false, 5, c.lat(false)); // "exit"
        c.finish(true, c.lat(true));
      },
    });
    return { sources: [failed, sessionSource([session])], attackers: [entity(c2, port)], targets: [entity(victim)] };
  },
});
