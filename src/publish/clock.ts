import { setTimeout as delay } from 'node:timers/promises';
import type { Clock } from './types.js';

/** The real clock. Sleeps end early (without error) when the signal aborts. */
export const realClock: Clock = {
  now: () => Date.now(),
  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (ms <= 0 || signal?.aborted) return;
    try {
      await delay(ms, undefined, { signal });
    } catch {
      // aborted: return at once
    }
  },
};

/**
 * A clock for tests: `sleep` records the requested delay, advances `now` by it and resolves on the next tick, so
 * retry schedules are asserted without waiting. `realDelayMs` (optional) makes each sleep also take a little real
 * time, for tests against a server that must get a chance to come back.
 */
export class ManualClock implements Clock {
  readonly sleeps: number[] = [];
  constructor(
    private t = 0,
    private readonly realDelayMs = 0,
  ) {}

  now(): number {
    return this.t;
  }

  advance(ms: number): void {
    this.t += ms;
  }

  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeps.push(ms);
    this.t += Math.max(0, ms);
    if (this.realDelayMs > 0) await realClock.sleep(this.realDelayMs, signal);
    else await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
