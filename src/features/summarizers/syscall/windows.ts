/**
 * Interval edges. Without jitter the windows are [origin + k*I, origin + (k+1)*I), aligned to the epoch by default
 * (so every container's vectors share edges). With jitter J (0 <= J < I/2) every edge k moves by an offset drawn
 * uniformly from [-J, +J] by a seeded hash of (seed, k): windows get unequal lengths in (I - 2J, I + 2J) and edges
 * an attacker cannot predict without the seed, so spreading actions across fixed window boundaries does not hide
 * them. Edges are a pure function of (seed, k): the same seed gives the same windows whatever the order or the
 * batching of the events, and any time maps to its window in O(1).
 */
import { PeregrineError } from '../../../core/errors.js';
import { hash3 } from './hash.js';

export class WindowClock {
  readonly intervalUs: number;
  readonly jitterUs: number;

  constructor(
    intervalSeconds: number,
    jitterSeconds = 0,
    readonly seed = 0,
    readonly originUs = 0,
  ) {
    if (!(intervalSeconds > 0) || !Number.isFinite(intervalSeconds)) {
      throw new PeregrineError('PGN_ERR_BAD_PARAM', `intervalSeconds must be a positive number, got ${intervalSeconds}`, { where: 'intervalSeconds' });
    }
    if (!(jitterSeconds >= 0) || jitterSeconds >= intervalSeconds / 2) {
      throw new PeregrineError('PGN_ERR_BAD_PARAM', `jitterSeconds must be >= 0 and below half the interval (${intervalSeconds / 2}), got ${jitterSeconds}`, {
        where: 'jitterSeconds',
      });
    }
    this.intervalUs = intervalSeconds * 1e6;
    this.jitterUs = jitterSeconds * 1e6;
  }

  /** Offset of edge k in [-J, J]. */
  offset(k: number): number {
    if (this.jitterUs === 0) return 0;
    const hi = Math.floor(k / 4294967296);
    const u = hash3(this.seed | 0, (k - hi * 4294967296) >>> 0, hi | 0) / 4294967296;
    return (2 * u - 1) * this.jitterUs;
  }

  /** Start of window k (= end of window k-1). */
  edge(k: number): number {
    return this.originUs + k * this.intervalUs + this.offset(k);
  }

  /** The window k with edge(k) <= t < edge(k+1). */
  window(t: number): number {
    let k = Math.floor((t - this.originUs) / this.intervalUs);
    while (t < this.edge(k)) k--;
    while (t >= this.edge(k + 1)) k++;
    return k;
  }
}
