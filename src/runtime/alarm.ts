/**
 * From exceedance to verdict: when does L_rec > r_th make a container unstable?
 *
 * - `paper` (the SRI paper): every exceedance, at once.
 * - `hysteresis` (default), per container: an exceedance by `immediateFactor` (L_rec > factor * r_th) at once; a
 *   milder one once `confirmIntervals` judged intervals in a row have exceeded r_th; and within `holdIntervals`
 *   judged intervals after an unstable one, any exceedance again (a relapse during the publisher's cool-down).
 *
 * Why: the reconstruction errors of normal intervals have a heavier tail than the Gaussian that r_mean + 3 r_sd
 * assumes (about 1-2 % of normal intervals exceed it at N = 20, and a larger N does not change that), while those
 * exceedances are mild (rarely above 2x) and rarely repeat. Attacks exceed by orders of magnitude or keep
 * exceeding. A verdict delayed by the confirmation loses no evidence: the adaptive publisher caches the previous
 * K intervals (default 3 >= confirmIntervals - 1) and ships them as pre-incident context when the container turns
 * unstable.
 */
export type AlarmMode = 'hysteresis' | 'paper';

export interface AlarmOptions {
  alarm: AlarmMode;
  confirmIntervals: number;
  immediateFactor: number;
  holdIntervals: number;
}

interface AlarmState {
  /** Consecutive exceedances so far. */
  run: number;
  /** Judged intervals since the last unstable one (Infinity: none). */
  since: number;
}

export class AlarmRule {
  /** Only containers with a pending run or a recent alarm: quiet containers cost nothing. */
  private readonly states = new Map<string, AlarmState>();

  constructor(readonly options: AlarmOptions) {}

  /** The verdict on a container's next judged interval (call in time order per container). */
  decide(containerId: string, score: number, threshold: number): boolean {
    const exceeded = score > threshold;
    const o = this.options;
    if (o.alarm === 'paper') return exceeded;
    const prev = this.states.get(containerId);
    const run = exceeded ? (prev?.run ?? 0) + 1 : 0;
    const since = prev ? prev.since + 1 : Infinity;
    const unstable = exceeded && (score > o.immediateFactor * threshold || run >= o.confirmIntervals || since <= o.holdIntervals);
    const next = unstable ? 0 : since;
    if (run === 0 && next > o.holdIntervals) this.states.delete(containerId);
    else this.states.set(containerId, { run, since: next });
    return unstable;
  }

  /** Forgets a container (it is gone). */
  remove(containerId: string): void {
    this.states.delete(containerId);
  }

  /** Containers with state (a pending run of exceedances or a recent alarm). */
  get tracked(): number {
    return this.states.size;
  }
}
