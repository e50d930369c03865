/**
 * The cluster simulator's stream: one-second slices holding every modality of that second (syscall columns and
 * attack events, finished CICFlowMeter flows, audit events, and a metrics scrape every `scrapeSeconds`), with the
 * scenario labels known up front. `streamClusterTelemetry` is the async form (optionally paced to wall-clock
 * time, so it can feed a service as a demo source or load generator).
 */
import { setImmediate as yieldLoop } from 'node:timers/promises';
import { PeregrineError } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import type { SyscallEvent } from '../../ingest/events/types.js';
import type { FlowRecord } from '../flows/columns.js';
import { fnv1a } from '../flows/cluster.js';
import { generateFlows } from '../flows/generate.js';
import './attacks.js';
import { AuditBackground, MetricsState } from './background.js';
import './chaos.js';
import type { AuditEvent, ContainerSample } from './formats.js';
import { createScenario, type ScenarioInstance, type ScenarioLabel, type SliceEffects } from './scenarios.js';
import { SyscallColumns, SyscallSim } from './syscalls.js';
import { buildTopology, containerIdOf, type Topology } from './topology.js';

export interface ScenarioRun {
  name: string;
  /** Seconds after the simulation start. */
  startSeconds: number;
}

export interface ClusterSimOptions {
  seed: number;
  nodes: number;
  podsPerNode?: number;
  /** Simulation start (default 2024-03-19T14:00:00Z). */
  startTime?: Date;
  durationSeconds: number;
  scenarios?: ScenarioRun[];
  /** Multiplies every container's syscall rate (default 1: ~200-600 syscalls/s per container). */
  rateScale?: number;
  /** Benign flows per second per pod (default 0.6). */
  flowsPerPodPerSecond?: number;
  /** Metrics scrape interval (default 15 s). */
  scrapeSeconds?: number;
  /** Container restarts per pod per hour (default 0.02) and rollouts per Deployment per hour (default 0.05). */
  restartsPerPodHour?: number;
  rolloutsPerDeploymentHour?: number;
  /** Generate flows (default true; the flow engine is the slowest modality). */
  flows?: boolean;
}

export interface TelemetrySlice {
  startUs: number;
  endUs: number;
  /** Benign (and flood) syscalls as columns; templates and classes in `sim`. */
  syscalls: SyscallColumns;
  /** Attack syscalls (and start-up sequences are in the columns). */
  attackEvents: SyscallEvent[];
  flows: FlowRecord[];
  audit: AuditEvent[];
  /** Present on scrape slices. */
  metrics: ContainerSample[] | null;
}

export const DEFAULT_SIM_START = new Date('2024-03-19T14:00:00.000Z');

export class ClusterSimulation {
  readonly topo: Topology;
  readonly sim: SyscallSim;
  readonly scenarios: ScenarioInstance[];
  readonly labels: ScenarioLabel[];
  readonly startUs: number;
  readonly endUs: number;

  constructor(readonly options: ClusterSimOptions) {
    if (!(options.durationSeconds > 0 && Number.isFinite(options.durationSeconds))) {
      throw new PeregrineError('PGN_ERR_BAD_PARAM', `invalid duration ${options.durationSeconds}`, { where: '--duration', hint: 'use a positive number of seconds, or 30m / 2h' });
    }
    this.topo = buildTopology({ nodes: options.nodes, podsPerNode: options.podsPerNode }, options.seed);
    this.sim = new SyscallSim(this.topo, { seed: options.seed, rateScale: options.rateScale });
    this.startUs = (options.startTime ?? DEFAULT_SIM_START).getTime() * 1000;
    this.endUs = this.startUs + Math.round(options.durationSeconds * 1e6);
    this.scenarios = (options.scenarios ?? []).map((r) => {
      if (!(r.startSeconds >= 0 && r.startSeconds < options.durationSeconds)) {
        throw new PeregrineError('PGN_ERR_BAD_PARAM', `scenario ${r.name} starts at ${r.startSeconds} s, outside the ${options.durationSeconds} s simulation`, { where: '--scenarios' });
      }
      return createScenario(r.name, { topo: this.topo, sim: this.sim, seed: options.seed, simStartUs: this.startUs, startUs: this.startUs + r.startSeconds * 1e6 });
    });
    // a scenario cut short by the end of the simulation is labelled with the part that ran
    for (const s of this.scenarios) s.label.endUs = Math.min(s.label.endUs, this.endUs);
    this.labels = this.scenarios.map((s) => s.label);
  }

  /** The slices, in time order (synchronous; see streamClusterTelemetry for the async, paced form). */
  *slices(): Generator<TelemetrySlice> {
    const o = this.options;
    const topo = this.topo;
    const rng = new Rng(fnv1a(`${o.seed}/cluster`));
    const audit = new AuditBackground(topo, new Rng(fnv1a(`${o.seed}/audit`)));
    const metrics = new MetricsState(topo, new Rng(fnv1a(`${o.seed}/metrics`)));
    const flowAttacks = this.scenarios.flatMap((s) => s.flowAttacks).filter((a) => a.startSeconds < o.durationSeconds);
    const flowStream = o.flows === false
      ? null
      : generateFlows({ seed: o.seed, startTime: new Date(this.startUs / 1000), durationSeconds: o.durationSeconds, cluster: topo.spec, benignFlowsPerSecond: (o.flowsPerPodPerSecond ?? 0.6) * topo.flows.pods.length, attacks: flowAttacks.map((a) => ({ ...a, durationSeconds: Math.min(a.durationSeconds, o.durationSeconds - a.startSeconds) })), load: { kind: 'diurnal', amplitude: 0.4, peakHourUtc: 15 } });
    for (const s of this.scenarios) s.bind(flowStream ? [...flowStream.attackWindows] : []);
    const flowIt = flowStream ? flowStream[Symbol.iterator]() : null;
    let pending: FlowRecord | null = null;
    const scrape = (o.scrapeSeconds ?? 15) * 1e6;
    const restartP = (o.restartsPerPodHour ?? 0.02) / 3600;
    const rolloutP = (o.rolloutsPerDeploymentHour ?? 0.05) / 3600;
    const deployments = topo.workloads.filter((w) => w.kind === 'Deployment' && w.namespace.startsWith('shop'));
    const cols = new SyscallColumns();
    for (let s = this.startUs; s < this.endUs; s += 1e6) {
      const e = Math.min(this.endUs, s + 1e6);
      cols.clear();
      const fx: SliceEffects = { cols, objs: [], audit: [], extraCpu: metrics.extraCpu.fill(0), extraMem: metrics.extraMem.fill(0), restarts: [] };
      for (const sc of this.scenarios) sc.slice(s, e, fx);
      // churn: container restarts and rollouts (seeded, independent of the scenarios)
      for (const p of topo.pods) if (rng.next() < restartP && this.sim.podLoad[p.index] > 0) fx.restarts.push(p);
      for (const w of deployments) {
        if (rng.next() >= rolloutP) continue;
        const old = w.pods.map((p) => p.name);
        for (const p of w.pods) {
          p.name = `${w.name}-${containerIdOf(o.seed, `${w.name}/${s}`, 0).slice(0, 10).replace(/[0-3]/g, 'x')}-${containerIdOf(o.seed, `${p.index}/${s}`, 1).slice(0, 5)}`;
          fx.restarts.push(p);
        }
        audit.rollout(w.name, w.namespace, old, w.pods, s, fx.audit);
      }
      for (const p of fx.restarts) {
        p.generation++;
        p.containerId = containerIdOf(o.seed, p.name, p.generation);
        this.sim.restart(p, s + rng.int(9e5), cols);
        audit.restart(p, s, fx.audit);
      }
      this.sim.generate(s, e, cols);
      audit.generate(s, e, fx.audit);
      fx.audit.sort((a, b) => a.timeUs - b.timeUs);
      fx.objs.sort((a, b) => a.timeUs - b.timeUs);
      const flows: FlowRecord[] = [];
      if (flowIt) {
        for (;;) {
          const f: FlowRecord | null = pending ?? (flowIt.next().value as FlowRecord | undefined) ?? null;
          pending = null;
          if (!f) break;
          if (f.timestampUs >= e) {
            pending = f;
            break;
          }
          if (this.scenarios.some((sc) => sc.dropsFlow?.(f.srcIp, f.dstIp, f.timestampUs))) continue;
          flows.push(f);
          metrics.addFlow(f);
        }
      }
      metrics.advance(s, e, this.sim.podLoad);
      const isScrape = Math.floor((e - this.startUs) / scrape) > Math.floor((s - this.startUs) / scrape);
      yield { startUs: s, endUs: e, syscalls: cols, attackEvents: fx.objs, flows, audit: fx.audit, metrics: isScrape ? metrics.scrape(this.sim.podLoad) : null };
    }
  }
}

export interface StreamOptions extends ClusterSimOptions {
  /** Pace the stream: simulated seconds per wall-clock second (e.g. 1 = real time); default unpaced. */
  speed?: number;
  signal?: AbortSignal;
}

/**
 * The async stream of a simulated cluster's telemetry, one slice per simulated second. Syscall events come as
 * materialised SyscallEvent objects (benign, flood and attack events merged, sorted by time). With `speed` the
 * slices are released at that many simulated seconds per wall-clock second.
 */
export async function* streamClusterTelemetry(options: StreamOptions): AsyncGenerator<TelemetrySlice & { events: SyscallEvent[]; labels: ScenarioLabel[] }> {
  const simulation = new ClusterSimulation(options);
  const t0 = performance.now();
  let n = 0;
  for (const slice of simulation.slices()) {
    if (options.signal?.aborted) return;
    const events = simulation.sim.toEvents(slice.syscalls);
    for (const e of slice.attackEvents) events.push(e);
    events.sort((a, b) => a.timeUs - b.timeUs);
    yield { ...slice, events, labels: simulation.labels };
    n++;
    if (options.speed && options.speed > 0) {
      const due = (n / options.speed) * 1000 - (performance.now() - t0);
      if (due > 0) await new Promise((r) => setTimeout(r, due));
    } else if (n % 16 === 0) await yieldLoop();
  }
}
