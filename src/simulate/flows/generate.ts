/**
 * `generateFlows`: the cluster, its workload profiles and the attack scenarios wired into the engine. The result
 * is a lazy, re-iterable stream of FlowRecords in Timestamp order; each iteration starts from the seed again, so
 * iterating twice gives the same flows. Every workload and every attack draws from its own random stream derived
 * from (seed, name), so adding an attack leaves the benign traffic unchanged, flow for flow.
 */
import { PeregrineError } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import './attacks/index.js';
import { attackScenarios, type AttackWindow } from './attacks/registry.js';
import { fnv1a, resolveCluster, type ResolvedCluster } from './cluster.js';
import { BENIGN_LABEL, type FlowRecord } from './columns.js';
import { DEFAULT_BENIGN_FLOWS_PER_SECOND, DEFAULT_START_TIME, defaultCluster } from './defaults.js';
import { runEngine, SimContext, type FlowSource } from './engine.js';
import { validateOptions, type GenerateFlowsOptions } from './options.js';
import './profiles/index.js';
import { paramAccessors, servicePort, workloadProfiles } from './profiles/registry.js';
import { TimeBase } from './time.js';

export type { GenerateFlowsOptions } from './options.js';

export interface FlowStream extends Iterable<FlowRecord> {
  readonly cluster: ResolvedCluster;
  readonly startTime: Date;
  readonly endTime: Date;
  /** Where and when each attack runs, known before any flow is generated. */
  readonly attackWindows: readonly AttackWindow[];
}

/** A stream seed from the run seed and a name (stable under reordering of workloads and attacks). */
export function deriveSeed(seed: number, name: string): number {
  return fnv1a(`${seed}/${name}`);
}

interface Plan {
  time: TimeBase;
  sources: FlowSource[];
  windows: AttackWindow[];
}

function plan(o: GenerateFlowsOptions, cluster: ResolvedCluster): Plan {
  const time = new TimeBase(o.startTime ?? DEFAULT_START_TIME, o.durationSeconds, o.load);
  const sources: FlowSource[] = [];
  if (o.benign ?? true) {
    const rate = o.benignFlowsPerSecond ?? DEFAULT_BENIGN_FLOWS_PER_SECOND;
    const weights = cluster.workloads.map((w) => w.spec.weight ?? workloadProfiles.get(w.spec.profile).defaultWeight);
    const total = weights.reduce((a, b) => a + b, 0) || 1;
    cluster.workloads.forEach((w, i) => {
      const profile = workloadProfiles.get(w.spec.profile);
      sources.push(
        ...profile.sources({
          cluster,
          workload: w,
          port: servicePort(w),
          ratePerSecond: (rate * weights[i]) / total,
          rng: new Rng(deriveSeed(o.seed, `benign/${w.spec.namespace}/${w.spec.name}`)),
          time,
          label: BENIGN_LABEL,
          ...paramAccessors(w.spec.params),
        }),
      );
    });
  }
  const windows: AttackWindow[] = [];
  (o.attacks ?? []).forEach((spec, i) => {
    const scenario = attackScenarios.get(spec.scenario);
    const startUs = time.at(spec.startSeconds);
    const endUs = Math.min(time.endUs, time.at(spec.startSeconds + spec.durationSeconds));
    if (startUs >= time.endUs) {
      throw new PeregrineError('PGN_ERR_BAD_PARAM', `attack ${i} (${spec.scenario}) starts after the end of the generated period`, {
        where: `attacks.${i}.startSeconds`,
        hint: `use a start below durationSeconds (${o.durationSeconds})`,
      });
    }
    const label = spec.label ?? scenario.type;
    const p = scenario.plan({
      cluster,
      spec,
      label,
      rng: new Rng(deriveSeed(o.seed, `attack/${i}/${spec.scenario}`)),
      time,
      startUs,
      endUs,
      intensity: spec.intensity ?? 1,
      ...paramAccessors(spec.params),
    });
    sources.push(...p.sources);
    windows.push({
      scenario: scenario.type,
      label,
      start: new Date(startUs / 1000),
      end: new Date(endUs / 1000),
      startUs,
      endUs,
      sources: p.attackers,
      targets: p.targets,
    });
  });
  return { time, sources, windows };
}

/** Stream simulated CICFlowMeter-V4 flows (benign workloads plus the requested attacks), in Timestamp order. */
export function generateFlows(options: GenerateFlowsOptions): FlowStream {
  validateOptions(options);
  const cluster = resolveCluster(options.cluster ?? defaultCluster());
  for (const w of cluster.workloads) workloadProfiles.get(w.spec.profile); // unknown profile: fail now, not mid-stream
  const first = plan(options, cluster);
  return {
    cluster,
    startTime: new Date(first.time.startUs / 1000),
    endTime: new Date(first.time.endUs / 1000),
    attackWindows: first.windows,
    *[Symbol.iterator]() {
      // A fresh plan per iteration: sources carry random state, and a second pass must repeat the first.
      const p = plan(options, cluster);
      yield* runEngine(new SimContext(cluster, p.time.startUs, p.time.endUs), p.sources);
    },
  };
}
