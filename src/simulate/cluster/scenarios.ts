/**
 * The scenario library: attacks (each with a low-and-slow variant `<name>-slow`: a tenth of the rate, spread over
 * ten times as long) and benign chaos faults that must not be called attacks. A scenario picks its entities,
 * asks the flow generator for its network side (flow AttackSpecs, whose chosen hosts it then reuses), and adds
 * its syscall, audit and resource side slice by slice, so every modality tells the same story.
 */
import { PeregrineError } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import type { SyscallEvent } from '../../ingest/events/types.js';
import type { AttackSpec, AttackWindow } from '../flows/attacks/registry.js';
import { fnv1a } from '../flows/cluster.js';
import { Emitter, type ContainerIdentity, type Proc, type Tag } from '../events/emit.js';
import { StagedMiner } from '../events/miner.js';
import { NginxServer } from '../events/nginx.js';
import type { AuditEvent } from './formats.js';
import type { SyscallColumns, SyscallSim } from './syscalls.js';
import { firstOfProfile, type SimPod, type Topology } from './topology.js';

export type ScenarioKind = 'attack' | 'chaos';

export interface ScenarioLabel {
  name: string;
  kind: ScenarioKind;
  startUs: number;
  endUs: number;
  /** Pods, nodes and addresses involved (attacker side first). */
  pods: string[];
  nodes: string[];
  ips: string[];
  /** Modalities the scenario leaves traces in. */
  modalities: string[];
}

/** What a scenario may touch in a slice. */
export interface SliceEffects {
  cols: SyscallColumns;
  objs: SyscallEvent[];
  audit: AuditEvent[];
  extraCpu: Float64Array;
  extraMem: Float64Array;
  /** Pods restarted in this slice (new container id, start-up events). */
  restarts: SimPod[];
}

export interface ScenarioInstance {
  label: ScenarioLabel;
  flowAttacks: AttackSpec[];
  /** Called once the flow generator has placed the attacks (their hosts and addresses). */
  bind(windows: AttackWindow[]): void;
  /** Flows to drop (a lost node sends nothing). */
  dropsFlow?(srcIp: string, dstIp: string, tUs: number): boolean;
  slice(s: number, e: number, fx: SliceEffects): void;
}

export interface ScenarioEnv {
  topo: Topology;
  sim: SyscallSim;
  seed: number;
  /** Simulation start, epoch us, and this scenario's window. */
  simStartUs: number;
  startUs: number;
  durationSeconds: number;
  slow: boolean;
  /** The run's name (`portscan`, `portscan-slow`): flows carry it as their Label. */
  name: string;
}

export interface ScenarioDef {
  name: string;
  kind: ScenarioKind;
  description: string;
  /** Length of the normal variant, seconds (the slow variant lasts ten times as long). */
  seconds: number;
  create(env: ScenarioEnv, rng: Rng): ScenarioInstance;
}

const defs = new Map<string, ScenarioDef>();

export function registerClusterScenario(d: ScenarioDef): void {
  if (defs.has(d.name)) throw new Error(`duplicate scenario ${d.name}`);
  defs.set(d.name, d);
}

/** Every scenario name, slow variants included, attacks first. */
export function scenarioNames(): string[] {
  const all = [...defs.values()];
  const attacks = all.filter((d) => d.kind === 'attack').map((d) => d.name);
  return [...attacks, ...attacks.map((a) => `${a}-slow`), ...all.filter((d) => d.kind === 'chaos').map((d) => d.name)];
}

export function scenarioDef(name: string): { def: ScenarioDef; slow: boolean } {
  const slow = name.endsWith('-slow');
  const def = defs.get(slow ? name.slice(0, -5) : name);
  if (!def || (slow && def.kind !== 'attack')) {
    throw new PeregrineError('PGN_ERR_BAD_PARAM', `unknown scenario "${name}"`, { where: '--scenario', hint: `choose all or one of: ${scenarioNames().join(', ')}` });
  }
  return { def, slow };
}

/** Length of a scenario run, seconds. */
export function scenarioSeconds(name: string): number {
  const { def, slow } = scenarioDef(name);
  return def.seconds * (slow ? 10 : 1);
}

export function createScenario(name: string, env: Omit<ScenarioEnv, 'slow' | 'durationSeconds' | 'name'>): ScenarioInstance {
  const { def, slow } = scenarioDef(name);
  const rng = new Rng(fnv1a(`${env.seed}/scenario/${name}/${env.startUs}`));
  const inst = def.create({ ...env, slow, name, durationSeconds: scenarioSeconds(name) }, rng);
  inst.label.name = name;
  return inst;
}

// ---- helpers for the scenario modules ----

export function identity(p: SimPod): ContainerIdentity {
  return { containerId: p.containerId, image: p.image, pod: p.name, namespace: p.namespace, node: p.node, podIp: p.ip };
}

export function label(env: ScenarioEnv, kind: ScenarioKind, pods: SimPod[], modalities: string[], ips: string[] = []): ScenarioLabel {
  return {
    name: '',
    kind,
    startUs: env.startUs,
    endUs: env.startUs + env.durationSeconds * 1e6,
    pods: pods.map((p) => p.name),
    nodes: [...new Set(pods.map((p) => p.node))],
    ips: [...pods.map((p) => p.ip), ...ips],
    modalities,
  };
}

/** Points a label at other pods (the flow generator chose the attacker among a workload's replicas). */
export function relabel(l: ScenarioLabel, pods: SimPod[], extraIps: string[] = []): void {
  l.pods = pods.map((p) => p.name);
  l.nodes = [...new Set(pods.map((p) => p.node))];
  l.ips = [...pods.map((p) => p.ip), ...extraIps];
}

/** The window the flow generator placed for attack spec `label`, and the SimPod it chose as attacker (by IP). */
export function placed(topo: Topology, windows: AttackWindow[], flowLabel: string): { window: AttackWindow | undefined; pod: SimPod | undefined } {
  const w = windows.find((x) => x.label === flowLabel);
  const ip = (w?.sources.find((s) => s.kind === 'pod') ?? w?.targets.find((s) => s.kind === 'pod'))?.ip;
  return { window: w, pod: ip ? topo.pods.find((p) => p.ip === ip) : undefined };
}

/** Spawns a program from `parent` in the container (clone + execve), returning the child process. */
export function spawn(em: Emitter, t: number, parent: Proc, exe: string, pid: number, tag: Tag): Proc {
  em.call(t, parent, 'clone', pid, '', tag);
  const name = exe.slice(exe.lastIndexOf('/') + 1);
  const child: Proc = { name, exe, parent: parent.name, pid, tid: pid };
  em.call(t + 150, child, 'execve', 0, exe, tag);
  return child;
}

/** Interactive commands over [from, to): one command every `gapS` seconds (each: spawn, a few file reads, exit). */
export function commandsOver(em: Emitter, rng: Rng, shell: Proc, s: number, e: number, from: number, to: number, gapS: number, cmds: readonly (readonly [string, string])[], tag: Tag, pid0: number): void {
  const gap = gapS * 1e6;
  for (let k = Math.max(0, Math.ceil((s - from) / gap)); from + k * gap < Math.min(e, to); k++) {
    const t = from + k * gap + rng.int(1e5);
    if (t < s || t >= e) continue;
    const [exe, file] = cmds[k % cmds.length];
    const c = spawn(em, t, shell, exe, pid0 + k, tag);
    if (file) {
      em.call(t + 400, c, 'openat', file.startsWith('/nonexistent') ? -2 : 3, file, tag);
      em.call(t + 500, c, 'read', 1024, file, tag);
    }
    em.call(t + 900, c, 'exit_group', 0, '', tag);
    em.call(t + 1000, shell, 'wait4', pid0 + k, '', tag);
  }
}

/** Columns of a slice for the flood requests of `pod` (a share of its own sequences at a multiple of its rate). */
export function flood(sim: SyscallSim, pod: SimPod, s: number, e: number, perSecond: number, cls: number, fx: SliceEffects, rng: Rng): void {
  sim.requests(pod.index, s, e, perSecond, cls, fx.cols, rng);
}

export { StagedMiner, NginxServer, Emitter, firstOfProfile };
