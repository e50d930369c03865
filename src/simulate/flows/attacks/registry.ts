/**
 * Attack scenarios: one module per scenario, each planning traffic sources over a time window against the
 * simulated cluster and labelling its flows with the class name. A scenario registers itself in
 * `attackScenarios`; adding one is a new file plus one import line in `attacks/index.ts`.
 */
import type { Rng } from '../../../core/rng.js';
import { Registry } from '../../../core/registry.js';
import type { Host, HostKind, Pod, ResolvedCluster } from '../cluster.js';
import type { FlowSource } from '../engine.js';
import { intToIp, ipToInt } from '../cluster.js';
import { pick } from '../dist.js';
import type { TimeBase } from '../time.js';

export interface AttackSpec {
  /** Registered scenario name: `portscan`, `synflood`, `httpflood`, `reverseshell`, `exfiltration`, `cryptomining`. */
  scenario: string;
  /** Start, seconds after the generation's start time. */
  startSeconds: number;
  durationSeconds: number;
  /** Value of the Label column (default: the scenario name). */
  label?: string;
  /** Rate multiplier over the scenario's default (1). */
  intensity?: number;
  /** Workload whose (first) pod is compromised, or `external`. Scenario default when absent. */
  source?: string;
  /** Targeted workload. Scenario default when absent. */
  target?: string;
  params?: Record<string, number | string | boolean>;
}

/** A host named in an attack window, for evaluation and alert matching. */
export interface EntityRef {
  kind: HostKind;
  name: string;
  ip: string;
  namespace?: string;
  workload?: string;
  port?: number;
}

export interface AttackWindow {
  scenario: string;
  label: string;
  start: Date;
  end: Date;
  startUs: number;
  endUs: number;
  sources: EntityRef[];
  targets: EntityRef[];
}

export interface AttackEnv {
  readonly cluster: ResolvedCluster;
  readonly spec: AttackSpec;
  readonly label: string;
  readonly rng: Rng;
  readonly time: TimeBase;
  readonly startUs: number;
  readonly endUs: number;
  readonly intensity: number;
  num(name: string, fallback: number): number;
  str(name: string, fallback: string): string;
}

export interface AttackPlan {
  sources: FlowSource[];
  attackers: EntityRef[];
  targets: EntityRef[];
}

export interface AttackScenario {
  readonly type: string;
  readonly description: string;
  plan(env: AttackEnv): AttackPlan;
}

export const attackScenarios = new Registry<AttackScenario>('attack scenario');

export function registerScenario<T extends AttackScenario>(s: T): T {
  attackScenarios.register(s);
  return s;
}

export function entity(h: Host | Pod, port?: number): EntityRef {
  const e: EntityRef = { kind: h.kind, name: h.name, ip: h.ip };
  if ('namespace' in h) {
    e.namespace = h.namespace;
    e.workload = h.workload;
  }
  if (port !== undefined) e.port = port;
  return e;
}

/** Pods of the workload named `name`, or of the first workload running `profile`. */
export function workloadPods(env: AttackEnv, name: string | undefined, profile: string): Pod[] {
  if (name) return env.cluster.workload(name).pods;
  const w = env.cluster.workloads.find((x) => x.spec.profile === profile && x.pods.length > 0);
  return w ? w.pods : env.cluster.pods.filter((p) => p.kind === 'pod');
}

/** The compromised pod an in-cluster attack starts from. */
export function compromisedPod(env: AttackEnv, defaultProfile: string): Pod {
  return pick(env.rng, workloadPods(env, env.spec.source, defaultProfile));
}

const EXTERNAL_POOLS = ['198.51.100.0', '203.0.113.0', '192.0.2.0'];

/** An internet host in the same documentation ranges benign clients use (the address alone gives nothing away). */
export function externalHost(rng: Rng, name: string): Host {
  const base = ipToInt(pick(rng, EXTERNAL_POOLS));
  return { name, ip: intToIp(base + 2 + rng.int(250)), kind: 'external', latencyUs: 4000 + rng.int(60_000) };
}

/** A random routable-looking source address, as a spoofing flooder draws them. */
export function spoofedHost(rng: Rng): Host {
  for (;;) {
    const a = 1 + rng.int(223);
    if (a === 10 || a === 127 || a === 100 || a === 169 || a === 172 || a === 192) continue;
    const ip = `${a}.${rng.int(256)}.${rng.int(256)}.${1 + rng.int(254)}`;
    return { name: ip, ip, kind: 'external', latencyUs: 5000 + rng.int(80_000) };
  }
}
