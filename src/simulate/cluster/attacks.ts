/**
 * Attack scenarios. Each names its victim, its flow-generator counterpart (so the addresses in the syscall
 * events are the ones in the CICFlowMeter rows), and its syscall/audit/resource side. `slow` stretches the
 * scenario ten times and divides its rates by ten.
 */
import type { Rng } from '../../core/rng.js';
import type { SyscallEvent } from '../../ingest/events/types.js';
import type { AttackWindow } from '../flows/attacks/registry.js';
import type { Proc, Tag } from '../events/emit.js';
import { MINER_STAGES } from '../events/miner.js';
import type { AuditEvent } from './formats.js';
import {
  Emitter, NginxServer, StagedMiner, commandsOver, firstOfProfile, identity, label, placed, registerClusterScenario, relabel, spawn,
  type ScenarioEnv, type ScenarioInstance, type SliceEffects,
} from './scenarios.js';
import type { SimPod } from './topology.js';

const rel = (env: ScenarioEnv, us: number): number => (us - env.simStartUs) / 1e6;
const tagOf = (name: string): Tag => ({ label: 1, attackClass: name });
const pod0 = (env: ScenarioEnv, profile: Parameters<typeof firstOfProfile>[1], rng: Rng): SimPod => {
  const w = firstOfProfile(env.topo, profile);
  return w.pods[rng.int(w.pods.length)];
};
const SHELL_CMDS = [['/usr/bin/id', ''], ['/bin/uname', '/proc/version'], ['/bin/cat', '/etc/passwd'], ['/bin/ls', '/tmp'], ['/bin/ps', '/proc/1/cmdline'], ['/usr/bin/env', '/proc/self/environ']] as const;

/** An interactive shell in `victim` over its window: spawned from the app's main process, commands every gapS. */
function shellSession(env: ScenarioEnv, victim: SimPod, rng: Rng, tag: Tag, gapS: number, net: () => [string, number] | null): (s: number, e: number, fx: SliceEffects) => void {
  const em = new Emitter(identity(victim));
  const app: Proc = { name: victim.profile === 'java-api' ? 'java' : victim.profile === 'nginx' ? 'nginx' : 'node', exe: '', parent: 'containerd-shim', pid: 1, tid: 1 };
  let shell: Proc | null = null;
  const end = env.startUs + env.durationSeconds * 1e6;
  return (s, e, fx) => {
    em.out = fx.objs;
    if (!shell && env.startUs >= s && env.startUs < e) {
      const t = env.startUs + 2e5;
      shell = spawn(em, t, app, '/bin/sh', 4100, tag);
      const peer = net();
      if (peer) {
        em.net(t + 300, shell, 'connect', 0, victim.ip, 40000 + rng.int(20000), peer[0], peer[1], tag);
        for (let fd = 0; fd < 3; fd++) em.call(t + 400 + fd * 20, shell, 'dup2', fd, `${victim.ip}:0->${peer[0]}:${peer[1]}`, tag);
      }
    }
    if (shell) commandsOver(em, rng, shell, s, e, env.startUs + 3e6, end, gapS, SHELL_CMDS, tag, 4200);
  };
}

registerClusterScenario({
  name: 'cryptominer',
  kind: 'attack',
  description: "hijacked nginx container: shell -> commands -> download -> compile -> mining (the SRI paper's staged miner), stratum to an external pool",
  seconds: 300,
  create(env, rng): ScenarioInstance {
    let victim = pod0(env, 'nginx', rng);
    const stage = (env.durationSeconds * 0.4) / 4;
    const miningFrom = env.startUs + 4 * stage * 1e6;
    let miner: StagedMiner | null = null;
    let em = new Emitter(identity(victim));
    let pool: [string, string] = ['198.51.100.23', '198.51.100.23'];
    let next = 0;
    const queue: SyscallEvent[] = [];
    const end = env.startUs + env.durationSeconds * 1e6;
    const lab = label(env, 'attack', [victim], ['syscalls', 'flows', 'metrics']);
    return {
      label: lab,
      flowAttacks: [{ scenario: 'cryptomining', label: env.name, startSeconds: rel(env, miningFrom), durationSeconds: env.durationSeconds * 0.6, source: victim.workload, intensity: env.slow ? 0.1 : 1 }],
      bind(windows: AttackWindow[]) {
        const pl = placed(env.topo, windows, env.name);
        const ip = pl.window?.targets[0]?.ip;
        if (ip) pool = ['198.51.100.23', ip];
        if (pl.pod) {
          victim = pl.pod;
          relabel(lab, [victim]);
        }
      },
      slice(s, e, fx) {
        if (!miner) {
          miner = new StagedMiner(identity(victim), rng, new NginxServer(new Emitter(identity(victim)), rng, { rate: 1 }), env.slow ? { threads: 1, futexPerThreadPerSecond: 200 } : {});
          em = new Emitter(identity(victim));
        }
        const fix = (ev: (typeof fx.objs)[number]): void => {
          if (ev.dstAddr === pool[0]) ev.dstAddr = pool[1];
          if (ev.fd.includes(pool[0])) ev.fd = ev.fd.replace(pool[0], pool[1]);
          ev.attackClass = 'cryptominer';
        };
        while (next < MINER_STAGES.length && env.startUs + next * stage * 1e6 < e) {
          const t0 = env.startUs + next * stage * 1e6;
          const st = MINER_STAGES[next++];
          // a stage's events span the stage: they wait in the queue for their slice
          for (const ev of miner.stage(st, t0, st === 'mining' ? t0 + 1e6 : t0 + stage * 1e6)) {
            fix(ev);
            queue.push(ev);
          }
          queue.sort((a, b) => b.timeUs - a.timeUs);
        }
        while (queue.length > 0 && queue[queue.length - 1].timeUs < e) fx.objs.push(queue.pop() as (typeof queue)[number]);
        if (e > miningFrom && s < end) {
          em.out = [];
          miner.mine(em, Math.max(s, miningFrom + 5e5), Math.min(e, end));
          for (const ev of em.out) {
            fix(ev);
            fx.objs.push(ev);
          }
          fx.extraCpu[victim.index] += env.slow ? 0.4 : 4;
        }
      },
    };
  },
});

registerClusterScenario({
  name: 'reverseshell',
  kind: 'attack',
  description: 'API pod runs /bin/sh connected back to an external listener (:4444) and takes commands',
  seconds: 240,
  create(env, rng) {
    let victim = pod0(env, 'node-api', rng);
    let c2: [string, number] | null = ['203.0.113.66', 4444];
    let session: ReturnType<typeof shellSession> | null = null;
    const lab = label(env, 'attack', [victim], ['syscalls', 'flows']);
    return {
      label: lab,
      flowAttacks: [{ scenario: 'reverseshell', label: env.name, startSeconds: rel(env, env.startUs), durationSeconds: env.durationSeconds, params: { thinkSeconds: env.slow ? 70 : 7, failedAttempts: 0 } }],
      bind(windows) {
        const w = placed(env.topo, windows, env.name).window;
        const t = w?.targets[0];
        if (t) c2 = [t.ip, t.port ?? 4444];
        const pod = placed(env.topo, windows, env.name).pod;
        if (pod) {
          victim = pod;
          relabel(lab, [victim]);
        }
      },
      slice(s, e, fx) {
        session ??= shellSession(env, victim, rng, tagOf('reverseshell'), env.slow ? 70 : 7, () => c2);
        session(s, e, fx);
      },
    };
  },
});

/** Connect probes of a scan from `attacker`: `rate` per second over the targets' ports, refused or timing out. */
function probes(em: Emitter, rng: Rng, proc: Proc, attacker: SimPod, targets: string[], s: number, e: number, rate: number, tag: Tag): void {
  let t = s + (-Math.log(1 - rng.next()) * 1e6) / rate;
  while (t < e) {
    const dst = targets[rng.int(targets.length)];
    const port = [21, 22, 23, 25, 53, 80, 110, 135, 139, 443, 445, 2375, 3306, 5432, 6379, 8080, 9200, 10250][rng.int(18)] + (rng.next() < 0.5 ? 0 : rng.int(2000));
    em.net(t, proc, 'connect', rng.next() < 0.9 ? -111 : -115, attacker.ip, 40000 + rng.int(20000), dst, port, tag);
    t += (-Math.log(1 - rng.next()) * 1e6) / rate;
  }
}

registerClusterScenario({
  name: 'portscan',
  kind: 'attack',
  description: 'in-cluster reconnaissance: a scanner dropped into a web pod probes other pods across many ports',
  seconds: 120,
  create(env, rng) {
    let attacker = pod0(env, 'nginx', rng);
    const rate = env.slow ? 3 : 30;
    let targets = env.topo.pods.filter((p) => p.workload !== attacker.workload).slice(0, 4).map((p) => p.ip);
    let em = new Emitter(identity(attacker));
    const tag = tagOf('portscan');
    const scanner: Proc = { name: 'nmap', exe: '/tmp/nmap', parent: 'sh', pid: 4300, tid: 4300 };
    let started = false;
    const lab = label(env, 'attack', [attacker], ['syscalls', 'flows']);
    return {
      label: lab,
      flowAttacks: [{ scenario: 'portscan', label: env.name, startSeconds: rel(env, env.startUs), durationSeconds: env.durationSeconds, source: attacker.workload, intensity: env.slow ? 0.1 : 1 }],
      bind(windows) {
        const pl = placed(env.topo, windows, env.name);
        if (pl.window && pl.window.targets.length > 0) targets = pl.window.targets.map((x) => x.ip);
        if (pl.pod) {
          attacker = pl.pod;
          em = new Emitter(identity(attacker));
        }
        relabel(lab, [attacker], targets);
      },
      slice(s, e, fx) {
        em.out = fx.objs;
        if (!started && env.startUs < e) {
          started = true;
          spawn(em, env.startUs, { name: 'sh', exe: '/bin/sh', parent: 'nginx', pid: 4299, tid: 4299 }, '/tmp/nmap', 4300, tag);
        }
        probes(em, rng, scanner, attacker, targets, Math.max(s, env.startUs + 1e6), Math.min(e, env.startUs + env.durationSeconds * 1e6), rate, tag);
      },
    };
  },
});

registerClusterScenario({
  name: 'httpflood',
  kind: 'attack',
  description: 'layer-7 flood on the web frontend in cycles: 1 minute on, 4 off (the SRI paper), 8x the normal request rate',
  seconds: 600,
  create(env, rng) {
    const web = firstOfProfile(env.topo, 'nginx');
    const cls = env.sim.classId('httpflood');
    const factor = env.slow ? 0.8 : 8;
    const on = env.slow ? 600 : 60;
    const period = env.slow ? 3000 : 300;
    const cycles = Math.ceil(env.durationSeconds / period);
    const flowAttacks = Array.from({ length: cycles }, (_, k) => ({ scenario: 'httpflood', label: env.name, startSeconds: rel(env, env.startUs) + k * period, durationSeconds: on, target: web.name, intensity: env.slow ? 0.1 : 1 }));
    return {
      label: label(env, 'attack', web.pods, ['syscalls', 'flows', 'metrics']),
      flowAttacks,
      bind() {},
      slice(s, e, fx) {
        if (e <= env.startUs) return;
        const k = Math.floor((Math.max(s, env.startUs) - env.startUs) / (period * 1e6));
        const a = env.startUs + k * period * 1e6;
        const b = Math.min(a + on * 1e6, env.startUs + env.durationSeconds * 1e6);
        const from = Math.max(s, a);
        const to = Math.min(e, b);
        if (to <= from) return;
        for (const p of web.pods) {
          env.sim.requests(p.index, from, to, 40 * factor, cls, fx.cols, rng);
          fx.extraCpu[p.index] += 0.05 * factor;
        }
      },
    };
  },
});

registerClusterScenario({
  name: 'synflood',
  kind: 'attack',
  description: 'spoofed SYN flood against the web Service (the kernel answers: a network-only attack)',
  seconds: 120,
  create(env) {
    const web = firstOfProfile(env.topo, 'nginx');
    return {
      label: label(env, 'attack', web.pods, ['flows', 'metrics']),
      flowAttacks: [{ scenario: 'synflood', label: env.name, startSeconds: rel(env, env.startUs), durationSeconds: env.durationSeconds, target: web.name, intensity: env.slow ? 0.1 : 1 }],
      bind() {},
      slice() {},
    };
  },
});

registerClusterScenario({
  name: 'escape',
  kind: 'attack',
  description: 'container escape attempt: nsenter into the host namespaces, host paths mounted, a privileged hostPath pod created with the stolen service account',
  seconds: 180,
  create(env, rng) {
    const victim = pod0(env, 'nginx', rng);
    const tag = tagOf('escape');
    const em = new Emitter(identity(victim));
    const sh: Proc = { name: 'sh', exe: '/bin/sh', parent: 'nginx', pid: 4400, tid: 4400 };
    const steps: [number, (t: number, fx: SliceEffects) => void][] = [
      [0.02, (t) => spawn(em, t, { name: 'nginx', exe: '/usr/sbin/nginx', parent: 'containerd-shim', pid: 1, tid: 1 }, '/bin/sh', 4400, tag)],
      [0.05, (t) => {
        const ns = spawn(em, t, sh, '/usr/bin/nsenter', 4401, tag);
        for (const k of ['mnt', 'uts', 'net', 'ipc', 'pid']) em.call(t + 300, ns, 'setns', -1, `/proc/1/ns/${k}`, tag);
      }],
      [0.3, (t) => {
        const m = spawn(em, t, sh, '/bin/mount', 4402, tag);
        em.call(t + 300, m, 'mount', -1, '/dev/sda1', tag);
        em.call(t + 600, sh, 'openat', -13, '/host/etc/shadow', tag);
        em.call(t + 700, sh, 'openat', -2, '/host/etc/kubernetes/admin.conf', tag);
      }],
      [0.1, (t) => em.call(t, sh, 'openat', 3, '/var/run/secrets/kubernetes.io/serviceaccount/token', tag)],
      [0.15, (t, fx) => fx.audit.push(privilegedPod(victim, t))],
      [0.7, (t) => {
        const u = spawn(em, t, sh, '/usr/bin/unshare', 4403, tag);
        em.call(t + 300, u, 'unshare', -1, '', tag);
      }],
    ];
    steps.sort((a, b) => a[0] - b[0]);
    let done = 0;
    return {
      label: label(env, 'attack', [victim], ['syscalls', 'audit']),
      flowAttacks: [],
      bind() {},
      slice(s, e, fx) {
        em.out = fx.objs;
        while (done < steps.length && env.startUs + steps[done][0] * env.durationSeconds * 1e6 < e) {
          const [f, fn] = steps[done++];
          fn(env.startUs + f * env.durationSeconds * 1e6, fx);
        }
      },
    };
  },
});

/** Who the API server sees when an attacker uses the victim pod's stolen service-account token. */
function asServiceAccount(victim: SimPod): Pick<AuditEvent, 'username' | 'groups' | 'sourceIp'> {
  return {
    username: `system:serviceaccount:${victim.namespace}:${victim.serviceAccount}`,
    groups: ['system:serviceaccounts', `system:serviceaccounts:${victim.namespace}`, 'system:authenticated'],
    sourceIp: victim.ip,
  };
}

function privilegedPod(victim: SimPod, t: number): AuditEvent {
  return {
    timeUs: t, verb: 'create', ...asServiceAccount(victim), userAgent: 'curl/8.5.0',
    resource: 'pods', namespace: victim.namespace, code: 201, label: 1, attackClass: 'escape',
    requestObject: { kind: 'Pod', apiVersion: 'v1', metadata: { name: 'debug-host', namespace: victim.namespace }, spec: { hostPID: true, hostNetwork: true, containers: [{ name: 'x', image: 'alpine:3.19', securityContext: { privileged: true }, volumeMounts: [{ name: 'host', mountPath: '/host' }] }], volumes: [{ name: 'host', hostPath: { path: '/' } }] } },
  };
}

function apiCall(victim: SimPod, t: number, verb: string, resource: string, namespace: string | undefined, code: number, cls: string, name?: string, subresource?: string): AuditEvent {
  return {
    timeUs: t, verb, ...asServiceAccount(victim), userAgent: 'kubectl/v1.29.2 (linux/amd64) kubernetes/4b8e819',
    resource, namespace, name, subresource, code, label: 1, attackClass: cls,
  };
}

registerClusterScenario({
  name: 'credaccess',
  kind: 'attack',
  description: 'credential access: the service-account token read from an API pod, then Secrets listed and read through the API',
  seconds: 180,
  create(env, rng) {
    const victim = pod0(env, 'node-api', rng);
    const tag = tagOf('credaccess');
    const em = new Emitter(identity(victim));
    const gap = (env.slow ? 300 : 30) * 1e6;
    let k = 0;
    return {
      label: label(env, 'attack', [victim], ['syscalls', 'audit']),
      flowAttacks: [],
      bind() {},
      slice(s, e, fx) {
        em.out = fx.objs;
        for (; env.startUs + k * gap < Math.min(e, env.startUs + env.durationSeconds * 1e6); k++) {
          const t = env.startUs + k * gap + 1e5;
          const curl = spawn(em, t, { name: 'sh', exe: '/bin/sh', parent: 'node', pid: 4500, tid: 4500 }, '/usr/bin/curl', 4510 + k, tag);
          em.call(t + 400, curl, 'openat', 3, '/var/run/secrets/kubernetes.io/serviceaccount/token', tag);
          em.call(t + 500, curl, 'read', 1012, '/var/run/secrets/kubernetes.io/serviceaccount/token', tag);
          em.net(t + 900, curl, 'connect', -115, victim.ip, 41000 + k, env.topo.apiServerIp, 443, tag);
          const ns = k % 2 === 0 ? victim.namespace : undefined;
          fx.audit.push(apiCall(victim, t + 2e4, 'list', 'secrets', ns, ns ? 200 : 403, 'credaccess'));
          if (ns) fx.audit.push(apiCall(victim, t + 5e4, 'get', 'secrets', ns, 200, 'credaccess', `db-credentials-${k}`));
        }
      },
    };
  },
});

registerClusterScenario({
  name: 'exfiltration',
  kind: 'attack',
  description: 'data exfiltration: pg_dump of the database streamed to an external host over HTTPS',
  seconds: 180,
  create(env, rng) {
    let victim = pod0(env, 'postgres', rng);
    const tag = tagOf('exfiltration');
    let em = new Emitter(identity(victim));
    let dest: [string, number] = ['203.0.113.99', 443];
    let dump: Proc | null = null;
    const rate = env.slow ? 2 : 20;
    const lab = label(env, 'attack', [victim], ['syscalls', 'flows', 'metrics']);
    return {
      label: lab,
      flowAttacks: [{ scenario: 'exfiltration', label: env.name, startSeconds: rel(env, env.startUs), durationSeconds: env.durationSeconds, source: victim.workload, intensity: env.slow ? 0.1 : 1 }],
      bind(windows) {
        const pl = placed(env.topo, windows, env.name);
        const t = pl.window?.targets[0];
        if (t) dest = [t.ip, t.port ?? 443];
        if (pl.pod) {
          victim = pl.pod;
          em = new Emitter(identity(victim));
          relabel(lab, [victim]);
        }
      },
      slice(s, e, fx) {
        em.out = fx.objs;
        if (!dump && env.startUs < e) {
          dump = spawn(em, env.startUs, { name: 'sh', exe: '/bin/sh', parent: 'postgres', pid: 4600, tid: 4600 }, '/usr/bin/pg_dump', 4601, tag);
          em.net(env.startUs + 2000, dump, 'connect', -115, victim.ip, 45000, dest[0], dest[1], tag);
        }
        const d = dump;
        if (!d) return;
        for (let t = Math.max(s, env.startUs + 1e4); t < Math.min(e, env.startUs + env.durationSeconds * 1e6); t += 1e6 / rate) {
          em.call(t, d, 'pread64', 8192, `/var/lib/postgresql/data/base/16384/${16384 + rng.int(400)}`, tag);
          em.net(t + 50, d, 'sendto', 65536, victim.ip, 45000, dest[0], dest[1], tag);
        }
      },
    };
  },
});

registerClusterScenario({
  name: 'lateral',
  kind: 'attack',
  description: "lateral movement: the API pod's service account execs into the database and cache pods, which then run shells",
  seconds: 180,
  create(env, rng) {
    let from = pod0(env, 'node-api', rng);
    const targets = [pod0(env, 'postgres', rng), pod0(env, 'redis', rng)];
    const tag = tagOf('lateral');
    const sessions = targets.map((t) => ({ pod: t, em: new Emitter(identity(t)), shell: null as Proc | null }));
    const gap = env.slow ? 90 : 9;
    const lab = label(env, 'attack', [from, ...targets], ['syscalls', 'audit', 'flows']);
    return {
      label: lab,
      flowAttacks: [{ scenario: 'portscan', label: env.name, startSeconds: rel(env, env.startUs), durationSeconds: env.durationSeconds, source: from.workload, target: targets[0].workload, params: { ports: 6, targets: 1, probesPerSecond: env.slow ? 0.1 : 1 } }],
      bind(windows) {
        const pod = placed(env.topo, windows, env.name).pod;
        if (pod) {
          from = pod;
          relabel(lab, [from, ...targets]);
        }
      },
      slice(s, e, fx) {
        sessions.forEach((x, i) => {
          x.em.out = fx.objs;
          const t0 = env.startUs + i * 20e6;
          if (!x.shell && t0 < e) {
            fx.audit.push(apiCall(from, t0, 'create', 'pods', x.pod.namespace, 101, 'lateral', x.pod.name, 'exec'));
            x.shell = spawn(x.em, t0 + 3e5, { name: 'runc', exe: '/usr/bin/runc', parent: 'containerd-shim', pid: 4700, tid: 4700 }, '/bin/sh', 4701, tag);
          }
          if (x.shell) commandsOver(x.em, rng, x.shell, s, e, t0 + 2e6, env.startUs + env.durationSeconds * 1e6, gap, SHELL_CMDS, tag, 4800);
        });
      },
    };
  },
});
