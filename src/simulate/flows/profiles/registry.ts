/**
 * Workload profiles: one module per kind of workload (web frontend, API server, database, DNS, ...), each turning
 * a workload of the cluster into traffic sources with its own characteristic distributions. A profile registers
 * itself in `workloadProfiles`; adding one is a new file plus one import line in `profiles/index.ts`.
 */
import type { Rng } from '../../../core/rng.js';
import { Registry } from '../../../core/registry.js';
import type { Pod, ResolvedCluster, ResolvedWorkload } from '../cluster.js';
import type { FlowSource } from '../engine.js';
import type { TimeBase } from '../time.js';

export interface ProfileEnv {
  readonly cluster: ResolvedCluster;
  readonly workload: ResolvedWorkload;
  /** The workload's service port (spec `port`, else the profile default). */
  readonly port: number;
  /** This workload's share of the benign flow rate (flows per second, before the load curve). */
  readonly ratePerSecond: number;
  /** A stream of its own: adding a workload or an attack never changes the traffic of the others. */
  readonly rng: Rng;
  readonly time: TimeBase;
  readonly label: string;
  /** Numeric / string parameter from the workload spec's `params`. */
  num(name: string, fallback: number): number;
  str(name: string, fallback: string): string;
}

export interface WorkloadProfile {
  readonly type: string;
  readonly description: string;
  readonly defaultPort: number;
  /** Share of the benign flow rate relative to the other workloads (overridden by the spec's `weight`). */
  readonly defaultWeight: number;
  sources(env: ProfileEnv): FlowSource[];
}

export const workloadProfiles = new Registry<WorkloadProfile>('workload profile');

export function registerProfile<T extends WorkloadProfile>(p: T): T {
  workloadProfiles.register(p);
  return p;
}

/** Service port of a workload. */
export function servicePort(w: ResolvedWorkload): number {
  return w.spec.port ?? workloadProfiles.get(w.spec.profile).defaultPort;
}

/** How the kubelet probes a workload's pods, or null when it does not (exec probes, host agents). */
export function probeOf(w: ResolvedWorkload): { kind: 'http' | 'tcp'; port: number } | null {
  const kind = w.spec.probe ?? (w.spec.hostNetwork ? 'none' : 'http');
  if (kind === 'none') return null;
  return { kind, port: w.spec.probePort ?? servicePort(w) };
}

/** Clients of a workload: pods that depend on it, or `fallback` when none is declared. */
export function clientPods(env: ProfileEnv, fallback: Pod[] = []): Pod[] {
  const c = env.cluster.clientsOf(env.workload.spec.name);
  return c.length > 0 ? c : fallback;
}

export function paramAccessors(params: Record<string, number | string | boolean> | undefined): Pick<ProfileEnv, 'num' | 'str'> {
  return {
    num: (name, fallback) => {
      const v = params?.[name];
      return typeof v === 'number' ? v : typeof v === 'boolean' ? Number(v) : fallback;
    },
    str: (name, fallback) => {
      const v = params?.[name];
      return v === undefined ? fallback : String(v);
    },
  };
}
