/**
 * HTTP flood from a handful of bots against the web frontend: complete, well-formed, short HTTP connections
 * (handshake, one or two GETs of the same page with minimal bot headers, immediate close) at a high rate. Each row
 * looks like an ordinary short web visit; what stands out is the rate and the few sources.
 */
import { httpRequestBytes, tlsHandshake, tlsWrap } from '../apps.js';
import type { Host } from '../cluster.js';
import { chance, lognormal, pick } from '../dist.js';
import { STACKS, stack } from '../tcp.js';
import { poissonSource } from '../time.js';
import { entity, externalHost, registerScenario, workloadPods, type AttackEnv } from './registry.js';

export const httpflood = registerScenario({
  type: 'httpflood',
  description: 'layer-7 flood: a few bots opening complete short HTTP connections to the frontend at a high rate',
  plan(env: AttackEnv) {
    const { rng, label } = env;
    const victims = workloadPods(env, env.spec.target, 'web-frontend');
    const port = env.num('port', 80);
    const tls = port === 443 || env.num('tls', 0) === 1;
    const bots: Host[] = Array.from({ length: Math.max(1, env.num('bots', 4)) }, (_, i) => externalHost(rng, `bot-${i}`));
    const page = 180 + Math.round(lognormal(rng, 6000, 0.5, 500, 200_000)); // the one URL everybody hammers
    const rate = env.num('requestsPerSecond', 22) * env.intensity;
    const source = poissonSource(
      rng,
      rate,
      env.time,
      (ctx, t) => {
        const bot = pick(rng, bots);
        const c = ctx.tcp(rng, { client: bot, server: pick(rng, victims), serverPort: port, startUs: t, label, clientStack: stack(rng, STACKS.linux) });
        c.handshake();
        if (tls) tlsHandshake(c, rng, { client: 'curl', certBytes: 3100 });
        const n = chance(rng, 0.8) ? 1 : 2;
        for (let i = 0; i < n; i++) {
          const req = httpRequestBytes(rng, 'bot');
          const resp = page + rng.int(40);
          c.exchange(tls ? tlsWrap(req) : req, tls ? tlsWrap(resp) : resp, lognormal(rng, 900, 0.8, 50, 200_000), c.lat(true));
        }
        if (chance(rng, 0.75)) c.finish(true, c.lat(true));
        else c.reset(true, c.lat(true));
      },
      env.startUs,
      env.endUs,
    );
    return { sources: [source], attackers: bots.map((b) => entity(b)), targets: victims.map((v) => entity(v, port)) };
  },
});
