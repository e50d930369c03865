/**
 * Known executables per workload group: the executables a group ran during its training period (its first N
 * closed vectors, across all its containers). After that the set is frozen and each vector counts the distinct
 * executables of its interval that are not in it (`exe_unseen`): a new pod of a known image inherits the baseline;
 * a shell or a miner dropped into it shows up at once. Bounded: at most `maxPerGroup` executables per group.
 * Saved and loaded as JSON (`toJSON` / `fromJSON`) so a baseline learned on one run applies to the next.
 */
import { PeregrineError } from '../../../core/errors.js';
import { detach } from '../../../ingest/events/json/cursor.js';

export const BASELINE_FORMAT = 'peregrine.executable-baseline/v1';

interface GroupBaseline {
  /** Vectors of the group closed so far (training while below trainingIntervals). */
  intervals: number;
  known: Set<string>;
}

export interface BaselineJson {
  format: typeof BASELINE_FORMAT;
  trainingIntervals: number;
  groups: Record<string, { intervals: number; executables: string[] }>;
}

export class ExecutableBaseline {
  private readonly groups = new Map<string, GroupBaseline>();

  constructor(
    readonly trainingIntervals = 10,
    readonly maxPerGroup = 4096,
  ) {}

  private group(g: string): GroupBaseline {
    let b = this.groups.get(g);
    if (!b) {
      b = { intervals: 0, known: new Set() };
      this.groups.set(detach(g), b);
    }
    return b;
  }

  /** True while the group is in its training period. */
  isTraining(group: string): boolean {
    return (this.groups.get(group)?.intervals ?? 0) < this.trainingIntervals;
  }

  /**
   * One closed interval of a group: returns how many of `exes` are unseen (0 while training, when they are
   * learned instead).
   */
  observe(group: string, exes: Iterable<string>): number {
    const b = this.group(group);
    let unseen = 0;
    if (b.intervals < this.trainingIntervals) {
      for (const x of exes) if (b.known.size < this.maxPerGroup && !b.known.has(x)) b.known.add(detach(x));
    } else {
      for (const x of exes) if (!b.known.has(x)) unseen++;
    }
    b.intervals++;
    return unseen;
  }

  known(group: string): ReadonlySet<string> {
    return this.groups.get(group)?.known ?? new Set();
  }

  toJSON(): BaselineJson {
    const groups: BaselineJson['groups'] = {};
    for (const [g, b] of [...this.groups.entries()].sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0))) {
      Object.defineProperty(groups, g, { value: { intervals: b.intervals, executables: [...b.known].sort() }, enumerable: true, writable: true, configurable: true });
    }
    return { format: BASELINE_FORMAT, trainingIntervals: this.trainingIntervals, groups };
  }

  /** Loads a saved baseline; its groups count as trained (their sets are frozen). */
  static fromJSON(json: unknown, trainingIntervals = 10, maxPerGroup = 4096): ExecutableBaseline {
    const o = json as Partial<BaselineJson> | null;
    if (!o || o.format !== BASELINE_FORMAT || typeof o.groups !== 'object' || o.groups === null) {
      throw new PeregrineError('PGN_ERR_BAD_PARAM', `not an executable baseline (expected format "${BASELINE_FORMAT}")`, {
        hint: 'pass a file written by peregrine summarize --save-exe-baseline',
      });
    }
    const b = new ExecutableBaseline(trainingIntervals, maxPerGroup);
    for (const [g, v] of Object.entries(o.groups)) {
      if (!v || !Array.isArray(v.executables)) throw new PeregrineError('PGN_ERR_BAD_PARAM', `baseline group ${JSON.stringify(g)} has no executables list`);
      const known = new Set(v.executables.filter((x): x is string => typeof x === 'string').slice(0, maxPerGroup));
      b.groups.set(g, { intervals: Math.max(trainingIntervals, Number(v.intervals) || 0), known });
    }
    return b;
  }
}
