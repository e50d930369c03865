/**
 * Stability assessment (the SRI paper's design): per baseline group (image or workload, the summarizer's group,
 * so new pods inherit their group's model) a small state machine:
 *
 *   no model -> learning: accumulate N activity vectors -> train the VAE (min-max scaler stored with it)
 *            -> store it in the model registry -> evaluating: each new vector gets its reconstruction error
 *               L_rec; L_rec > r_th = r_mean + k * r_sd means the container is unstable in that interval.
 *
 * From exceedance to verdict: the `alarm` option (alarm.ts): the paper's rule (every exceedance is unstable) or, by
 * default, hysteresis per container (2x r_th at once, a milder exceedance after 3 in a row).
 *
 * A group whose model is in the registry (a restart) starts in evaluation. Vectors are judged in batches per group
 * (one score and one encode call per group per batch), since each VAE call has a fixed cost. Every vector gets an
 * IntervalVerdict for the publisher: while learning, score and threshold are NaN (published as null) and the
 * interval counts as stable (summary only).
 */
import { createMatrix } from '../core/matrix.js';
import { createDetector } from '../detectors/detector.js';
import type { VaeDetector } from '../detectors/vae/index.js';
import '../detectors/vae/index.js';
import type { ActivityVector } from '../features/summarizers/syscall/summarizer.js';
import { FEATURE_COUNT, FEATURE_NAMES, F_EXE_UNSEEN, F_FAILED_TOTAL, OFF_BIGRAM, OFF_CLASS, BIGRAM_BUCKETS } from '../features/summarizers/syscall/schema.js';
import { SYSCALL_CLASSES } from '../features/summarizers/syscall/catalog.js';
import type { IntervalVerdict } from '../publish/types.js';
import { AlarmRule } from './alarm.js';
import { FastVae } from './fast-vae.js';
import { parseStabilityOptions, type StabilityInput, type StabilityOptions } from './options.js';
import { MemoryModelRegistry, type ModelRegistry, type StoredModel } from './registry.js';

export type Phase = 'learning' | 'evaluating';

export interface Assessment {
  vector: ActivityVector;
  verdict: IntervalVerdict;
  phase: Phase;
  /** On the vector that completed its group's training set: the model trained and stored. */
  trained?: StoredModel;
  /** L_rec > r_th (the paper's test); with the hysteresis rule an exceedance need not be unstable (yet). */
  exceeded?: boolean;
}

export interface StabilityStats {
  vectors: number;
  learning: number;
  evaluated: number;
  unstable: number;
  /** Evaluated vectors with L_rec > r_th (with the paper's rule, equal to unstable). */
  exceeded: number;
  trainings: number;
  trainSeconds: number;
  /** Wall seconds in score + encode calls. */
  scoreSeconds: number;
}

interface Learning {
  phase: 'learning';
  rows: Float32Array[];
  containers: Set<string>;
}
interface Evaluating {
  phase: 'evaluating';
  model: StoredModel;
  threshold: number;
  /** The plain-JavaScript scorer (inference 'js' and score 'mse'). */
  fast: FastVae | null;
}
type GroupState = Learning | Evaluating;


// events_total is left out: it is the verdict's eventCount
const CLASS_COUNTS = SYSCALL_CLASSES.map((_, i) => OFF_CLASS + i);
const IF_NONZERO = [F_EXE_UNSEEN, F_FAILED_TOTAL];

export class StabilityMonitor {
  readonly options: StabilityOptions;
  readonly registry: ModelRegistry;
  private readonly states = new Map<string, GroupState>();
  private readonly alarms: AlarmRule;
  private readonly s: StabilityStats = { vectors: 0, learning: 0, evaluated: 0, unstable: 0, exceeded: 0, trainings: 0, trainSeconds: 0, scoreSeconds: 0 };
  private started = false;

  constructor(options: StabilityInput = {}, registry: ModelRegistry = new MemoryModelRegistry()) {
    this.options = parseStabilityOptions(options);
    this.registry = registry;
    this.alarms = new AlarmRule(this.options);
    // validate the VAE parameters now (a typo fails at start, not after N intervals)
    createDetector('vae', this.vaeParams());
  }

  private vaeParams(): Record<string, unknown> {
    return { ...this.options.vae, epochs: this.options.epochs, k: this.options.k };
  }

  /** Loads the registry: groups with a stored model start in evaluation. Called by `assess` when needed. */
  start(): StoredModel[] {
    const models = this.registry.load();
    for (const m of models) this.states.set(m.group, this.evaluating(m));
    this.started = true;
    return models;
  }

  /**
   * Hot swap: reads the registry again and judges each group whose newest stored model differs from the one in use
   * (or that was still learning) with that model from its next vector on. Vectors already assessed keep their
   * verdicts; nothing is dropped. Returns the groups that changed.
   */
  reload(): { group: string; version: number; previous: number | null }[] {
    const changed: { group: string; version: number; previous: number | null }[] = [];
    for (const m of this.registry.reload()) {
      const cur = this.states.get(m.group);
      const previous = cur?.phase === 'evaluating' ? cur.model.version : null;
      if (cur?.phase === 'evaluating' && cur.model.version === m.version && cur.model.createdAt === m.createdAt) continue;
      this.states.set(m.group, this.evaluating(m));
      changed.push({ group: m.group, version: m.version, previous });
    }
    this.started = true;
    return changed;
  }

  private evaluating(model: StoredModel): Evaluating {
    const fast = this.options.inference === 'js' ? FastVae.from(model.detector) : null;
    return { phase: 'evaluating', model, threshold: model.detector.threshold(this.options.k), fast };
  }

  phase(group: string): Phase {
    return this.states.get(group)?.phase ?? 'learning';
  }

  /** Vectors a learning group still needs (0 when evaluating). */
  remaining(group: string): number {
    const st = this.states.get(group);
    if (st?.phase === 'evaluating') return 0;
    return this.options.vectorsToTrain - (st?.rows.length ?? 0);
  }

  /** The model judging a group, when it has one. */
  model(group: string): StoredModel | undefined {
    const st = this.states.get(group);
    return st?.phase === 'evaluating' ? st.model : undefined;
  }

  stats(): StabilityStats {
    return { ...this.s };
  }

  /** Judges vectors (any containers and groups); returns one assessment per vector, in input order. */
  assess(vectors: readonly ActivityVector[]): Assessment[] {
    if (!this.started) this.start();
    const out = new Array<Assessment>(vectors.length);
    const byGroup = new Map<string, number[]>();
    vectors.forEach((v, i) => {
      const list = byGroup.get(v.group);
      if (list) list.push(i);
      else byGroup.set(v.group, [i]);
    });
    for (const [group, idx] of byGroup) {
      let st = this.states.get(group);
      if (!st) {
        st = { phase: 'learning', rows: [], containers: new Set() };
        this.states.set(group, st);
      }
      let k = 0;
      if (st.phase === 'learning') {
        const learning = st;
        for (; k < idx.length && learning.rows.length < this.options.vectorsToTrain; k++) {
          const v = vectors[idx[k]];
          learning.rows.push(v.values.slice());
          learning.containers.add(v.containerId);
          const a: Assessment = { vector: v, verdict: this.verdict(v, NaN, NaN, false, undefined), phase: 'learning' };
          if (learning.rows.length === this.options.vectorsToTrain) {
            a.trained = this.train(group, learning);
            st = this.evaluating(a.trained);
            this.states.set(group, st);
          }
          out[idx[k]] = a;
        }
        this.s.learning += k;
      }
      if (k < idx.length && st.phase === 'evaluating') this.evaluate(st, vectors, idx.slice(k), out);
    }
    this.s.vectors += vectors.length;
    return out;
  }

  private train(group: string, st: Learning): StoredModel {
    const t0 = performance.now();
    const n = st.rows.length;
    const data = new Float32Array(n * FEATURE_COUNT);
    st.rows.forEach((r, i) => data.set(r, i * FEATURE_COUNT));
    const det = createDetector('vae', this.vaeParams()).fit(createMatrix(n, FEATURE_COUNT, data), { seed: this.options.seed }) as VaeDetector;
    const trainSeconds = (performance.now() - t0) / 1000;
    this.s.trainings++;
    this.s.trainSeconds += trainSeconds;
    return this.registry.put(group, det, { vectors: n, containers: st.containers.size, trainSeconds });
  }

  private evaluate(st: Evaluating, vectors: readonly ActivityVector[], idx: number[], out: Assessment[]): void {
    const t0 = performance.now();
    const n = idx.length;
    const data = new Float32Array(n * FEATURE_COUNT);
    idx.forEach((i, r) => data.set(vectors[i].values, r * FEATURE_COUNT));
    let scores: Float64Array;
    let mean: Float32Array;
    let variance: Float32Array;
    if (st.fast) ({ scores, mean, variance } = st.fast.run(data, n));
    else {
      const x = createMatrix(n, FEATURE_COUNT, data);
      const det = st.model.detector;
      scores = det.score(x);
      const latent = det.encode(x);
      mean = latent.mean.data;
      variance = latent.variance.data;
    }
    this.s.scoreSeconds += (performance.now() - t0) / 1000;
    const L = mean.length / n;
    const digits = this.options.latentDigits;
    const round = (a: Float32Array, r: number): number[] => {
      const o = new Array<number>(L);
      for (let j = 0; j < L; j++) o[j] = Number(a[r * L + j].toPrecision(digits));
      return o;
    };
    const version = `v${st.model.version}`;
    for (let r = 0; r < n; r++) {
      const v = vectors[idx[r]];
      const exceeded = scores[r] > st.threshold;
      const verdict = this.verdict(v, scores[r], st.threshold, this.alarms.decide(v.containerId, scores[r], st.threshold), version);
      verdict.latentMean = round(mean, r);
      verdict.latentVar = round(variance, r);
      if (verdict.unstable) this.s.unstable++;
      if (exceeded) this.s.exceeded++;
      out[idx[r]] = { vector: v, verdict, phase: 'evaluating', exceeded };
    }
    this.s.evaluated += n;
  }

  /** Forgets a container's alarm state (it is gone). */
  removeContainer(containerId: string): void {
    this.alarms.remove(containerId);
  }

  /**
   * The verdict of a vector that is not judged (an interval cut short by the end of the stream): score and
   * threshold NaN, stable. It does not join a training set.
   */
  unjudged(v: ActivityVector): IntervalVerdict {
    return this.verdict(v, NaN, NaN, false, undefined);
  }

  private verdict(v: ActivityVector, score: number, threshold: number, unstable: boolean, modelVersion: string | undefined): IntervalVerdict {
    const verdict: IntervalVerdict = {
      containerId: v.containerId,
      group: v.group,
      intervalStart: v.intervalStart / 1000,
      intervalEnd: v.intervalEnd / 1000,
      score,
      threshold,
      unstable,
      counts: this.counts(v.values),
      eventCount: v.eventCount,
    };
    if (modelVersion !== undefined) verdict.modelVersion = modelVersion;
    return verdict;
  }

  private counts(values: Float32Array): Record<string, number> {
    const out: Record<string, number> = {};
    const mode = this.options.counts;
    if (mode === 'classes') {
      for (const j of CLASS_COUNTS) if (values[j] !== 0) out[FEATURE_NAMES[j]] = values[j];
      for (const j of IF_NONZERO) if (values[j] !== 0) out[FEATURE_NAMES[j]] = values[j];
    } else if (mode === 'nonzero') {
      for (let j = 0; j < FEATURE_COUNT; j++) {
        if (j >= OFF_BIGRAM && j < OFF_BIGRAM + BIGRAM_BUCKETS) continue;
        if (values[j] !== 0) out[FEATURE_NAMES[j]] = values[j];
      }
    }
    return out;
  }
}
