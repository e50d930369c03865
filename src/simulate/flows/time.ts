/**
 * Time base and arrival processes. All times are integer microseconds since the Unix epoch (exact in a double
 * until year 2255). Arrival processes are `FlowSource`s: the engine asks each source for the connections that
 * start in the next window, so nothing is generated ahead of the output and memory stays flat.
 */
import type { Rng } from '../../core/rng.js';
import { exponential } from './dist.js';
import type { FlowSource, SimContext } from './engine.js';

/** Load over the day: constant, or a sinusoid peaking at `peakHourUtc` (for the future diurnal simulator). */
export type LoadCurve = { kind: 'constant' } | { kind: 'diurnal'; amplitude: number; peakHourUtc: number };

export class TimeBase {
  readonly startUs: number;
  readonly endUs: number;
  readonly maxLoad: number;

  constructor(
    start: Date,
    durationSeconds: number,
    readonly curve: LoadCurve = { kind: 'constant' },
  ) {
    this.startUs = start.getTime() * 1000;
    this.endUs = this.startUs + Math.round(durationSeconds * 1e6);
    this.maxLoad = curve.kind === 'diurnal' ? 1 + Math.abs(curve.amplitude) : 1;
  }

  /** Rate multiplier at time t (1 on average over a day). */
  load(tUs: number): number {
    if (this.curve.kind === 'constant') return 1;
    const hours = (tUs / 3.6e9) % 24;
    return 1 + this.curve.amplitude * Math.cos((2 * Math.PI * (hours - this.curve.peakHourUtc)) / 24);
  }

  /** Microseconds from the capture start as an absolute time. */
  at(offsetSeconds: number): number {
    return this.startUs + Math.round(offsetSeconds * 1e6);
  }
}

export type Spawn = (ctx: SimContext, tUs: number) => void;

/** Poisson arrivals at `ratePerSecond` scaled by the load curve (thinning), between `fromUs` and `untilUs`. */
export function poissonSource(
  rng: Rng,
  ratePerSecond: number,
  time: TimeBase,
  spawn: Spawn,
  fromUs = time.startUs,
  untilUs = time.endUs,
): FlowSource {
  const meanGapUs = 1e6 / (ratePerSecond * time.maxLoad);
  let next = ratePerSecond > 0 ? fromUs + exponential(rng, meanGapUs) : Infinity;
  return {
    advance(ctx, _from, to) {
      while (next < to && next < untilUs) {
        const t = Math.round(next);
        if (time.maxLoad === 1 || rng.next() * time.maxLoad < time.load(t)) spawn(ctx, t);
        next += exponential(rng, meanGapUs);
      }
    },
  };
}

/** Arrivals every `periodUs` with a random phase and +-`jitterUs` (probes, scrapes, health checks). */
export function periodicSource(rng: Rng, periodUs: number, jitterUs: number, time: TimeBase, spawn: Spawn): FlowSource {
  // Jitter below half a period keeps arrivals in order, which the engine's windows rely on.
  const jitter = Math.min(jitterUs, 0.45 * periodUs);
  let tick = time.startUs + rng.next() * periodUs;
  let next = Math.round(tick + rng.next() * jitter);
  return {
    advance(ctx, _from, to) {
      while (next < to) {
        spawn(ctx, next);
        tick += periodUs;
        next = Math.round(tick + (rng.next() * 2 - 1) * jitter);
      }
    },
  };
}

/** Arrivals at given times (one-off events of a scenario: an upload, a lookup, a connection attempt). */
export function scheduledSource(timesUs: readonly number[], spawn: Spawn): FlowSource {
  const times = [...timesUs].map(Math.round).sort((a, b) => a - b);
  let i = 0;
  return {
    advance(ctx, _from, to) {
      while (i < times.length && times[i] < to) spawn(ctx, times[i++]);
    },
  };
}

/**
 * A long-lived conversation generated step by step: `step` emits the packets due at `nextUs` and moves `nextUs`
 * on (Infinity when the session is over). Sessions keep their connection open across engine windows.
 */
export interface Session {
  nextUs: number;
  step(ctx: SimContext): void;
}

export function sessionSource(sessions: Session[]): FlowSource {
  return {
    advance(ctx, _from, to) {
      for (const s of sessions) {
        while (s.nextUs < to) {
          const before = s.nextUs;
          s.step(ctx);
          if (!(s.nextUs > before)) s.nextUs = Infinity; // a step that does not move time on ends the session
        }
      }
    },
  };
}

/** Several sources as one. */
export function combine(sources: FlowSource[]): FlowSource {
  return {
    advance(ctx, from, to) {
      for (const s of sources) s.advance(ctx, from, to);
    },
  };
}
