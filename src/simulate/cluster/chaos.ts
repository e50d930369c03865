/**
 * Benign chaos faults (what Chaos Mesh / Litmus experiments do to a cluster), which a detector must not call
 * attacks: a node lost and its pods restarted, a pod killed, CPU and memory pressure from a stressor on the node
 * (outside the application containers), network latency that slows the application down.
 */
import { label, registerClusterScenario } from './scenarios.js';
import type { SimPod } from './topology.js';

registerClusterScenario({
  name: 'nodeloss',
  kind: 'chaos',
  description: 'a worker node goes NotReady: its pods stop, and restart when it comes back',
  seconds: 180,
  create(env, rng) {
    const workers = env.topo.nodes.filter((n) => n !== 'cp-1');
    const node = workers[rng.int(workers.length)];
    const pods = env.topo.pods.filter((p) => p.node === node);
    const ips = new Set(pods.map((p) => p.ip));
    const end = env.startUs + env.durationSeconds * 1e6;
    let restarted = false;
    return {
      label: { ...label(env, 'chaos', pods, ['syscalls', 'flows', 'metrics']), nodes: [node] },
      flowAttacks: [],
      bind() {},
      dropsFlow: (src, dst, t) => t >= env.startUs && t < end && (ips.has(src) || ips.has(dst)),
      slice(s, e, fx) {
        if (e <= env.startUs) return;
        if (s < end) for (const p of pods) env.sim.podLoad[p.index] = 0;
        else if (!restarted) {
          restarted = true;
          for (const p of pods) {
            env.sim.podLoad[p.index] = 1;
            fx.restarts.push(p);
          }
        }
      },
    };
  },
});

registerClusterScenario({
  name: 'podkill',
  kind: 'chaos',
  description: 'a pod is killed; the kubelet restarts its container',
  seconds: 60,
  create(env, rng) {
    const candidates = env.topo.pods.filter((p) => p.profile !== 'prometheus');
    const pod = candidates[rng.int(candidates.length)];
    let done = false;
    return {
      label: label(env, 'chaos', [pod], ['syscalls', 'metrics']),
      flowAttacks: [],
      bind() {},
      slice(s, e, fx) {
        if (e <= env.startUs) return;
        const back = env.startUs + 5e6;
        env.sim.podLoad[pod.index] = s < back ? 0 : 1;
        if (!done && e > back) {
          done = true;
          fx.restarts.push(pod);
        }
      },
    };
  },
});

function stress(name: string, description: string, apply: (pods: SimPod[], fx: Parameters<Parameters<typeof registerClusterScenario>[0]['create']>[0], on: boolean, extra: { cpu: Float64Array; mem: Float64Array }) => void): void {
  registerClusterScenario({
    name,
    kind: 'chaos',
    description,
    seconds: 240,
    create(env, rng) {
      const workers = env.topo.nodes.filter((n) => n !== 'cp-1');
      const node = workers[rng.int(workers.length)];
      const pods = env.topo.pods.filter((p) => p.node === node);
      const end = env.startUs + env.durationSeconds * 1e6;
      return {
        label: { ...label(env, 'chaos', pods, ['metrics']), nodes: [node] },
        flowAttacks: [],
        bind() {},
        slice(s, e, fx) {
          const on = s >= env.startUs && s < end;
          apply(pods, env, on, { cpu: fx.extraCpu, mem: fx.extraMem });
        },
      };
    },
  });
}

// The stressor runs on the node, outside the application containers: they get less CPU, serve less, use less.
stress('cpustress', 'stress-ng on the node saturates its CPUs: containers there are throttled (slower, same behaviour)', (pods, env, on) => {
  for (const p of pods) env.sim.podLoad[p.index] = on ? 0.75 : 1;
});
stress('memstress', 'a memory hog on the node: containers there page more (working sets grow)', (pods, _env, on, x) => {
  for (const p of pods) if (on) x.mem[p.index] += 150e6;
});
stress('netlatency', 'tc netem adds 100 ms to the node: its containers serve fewer requests per second', (pods, env, on) => {
  for (const p of pods) env.sim.podLoad[p.index] = on ? 0.8 : 1;
});
