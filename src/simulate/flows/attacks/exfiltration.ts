/**
 * Data exfiltration: a compromised pod (the database by default) uploads a large volume to an external host over
 * HTTPS, split into chunks of ~8 MB on separate connections the way staging tools do to blend in: TLS handshake,
 * megabytes forward, only ACKs and a short answer backward. Benign uploads of similar size exist (WAL archiving
 * to object storage, user uploads), so no single per-flow column gives it away; the total and the rhythm do.
 */
import { tlsHandshake, tlsWrap } from '../apps.js';
import { intBetween, lognormal } from '../dist.js';
import { scheduledSource } from '../time.js';
import { compromisedPod, entity, externalHost, registerScenario, type AttackEnv } from './registry.js';

export const exfiltration = registerScenario({
  type: 'exfiltration',
  description: 'compromised pod uploads ~120 MB to an external host in ~8 MB HTTPS chunks',
  plan(env: AttackEnv) {
    const { rng, label } = env;
    const victim = compromisedPod(env, 'postgres');
    const dest = externalHost(rng, 'drop-site');
    const port = env.num('port', 443);
    const connections = Math.max(1, env.num('connections', 16));
    const totalBytes = env.num('megabytes', 120) * 1e6 * env.intensity;
    const spanUs = env.endUs - env.startUs;
    // One upload per slice of the window, starting early in its slice.
    const times = Array.from({ length: connections }, (_, i) => env.startUs + (i * spanUs) / connections + rng.uniform(0, 0.1 * spanUs / connections));
    const uploads = scheduledSource(times, (ctx, t) => {
      const c = ctx.tcp(rng, { client: victim, server: dest, serverPort: port, startUs: t, label });
      c.handshake();
      tlsHandshake(c, rng, { client: 'go', certBytes: 2900 });
      const bytes = (totalBytes / connections) * lognormal(rng, 1, 0.5, 0.2, 3);
      c.send(true, tlsWrap(intBetween(rng, 300, 520)), c.lat(true), false); // PUT / multipart headers
      c.send(true, tlsWrap(Math.round(bytes)), 200 + rng.int(2000));
      c.send(false, tlsWrap(intBetween(rng, 180, 400)), lognormal(rng, 60_000, 0.6, 5000, 2e6) + c.lat(false));
      c.finish(true, lognormal(rng, 2000, 1, 100, 500_000));
    });
    return { sources: [uploads], attackers: [entity(victim)], targets: [entity(dest, port)] };
  },
});
