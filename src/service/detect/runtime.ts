/**
 * Streaming detection on syscall events: the runtime pipeline (src/runtime: per-container activity vectors per
 * interval, per-group VAE stability, adaptive forensic publisher into SQLite under the data dir), plus what the
 * service adds around it: hysteresis (a container raises a finding when `openAfterIntervals` of its last
 * `windowIntervals` judged intervals are unstable, and stays open until `closeAfterIntervals` stable ones in a row),
 * evidence (top features from the VAE's per-feature reconstruction-error shares, key events, lineage, forensics
 * reference) and Findings tagged with the model version.
 */
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Finding, Severity } from '../../alerting/types.js';
import { emptyEntity } from '../../alerting/types.js';
import type { PeregrineConfig } from '../../core/config.js';
import { createMatrix } from '../../core/matrix.js';
import { workloadOf } from '../../features/summarizers/syscall/classify.js';
import { FEATURE_COUNT, FEATURE_NAMES } from '../../features/summarizers/syscall/schema.js';
import { createSink } from '../../publish/index.js';
import { DirectoryModelRegistry, RuntimePipeline, type Assessment, type ContainerTimeline, type StoredModel } from '../../runtime/index.js';
import type { ServiceMetrics } from '../metrics.js';
import type { StreamRecords } from '../ingest/source.js';
import { EvidenceTracker } from './evidence.js';

/**
 * Per-entity hysteresis: an entity opens after `openAfterIntervals` unstable of its last `windowIntervals` judged
 * intervals, and closes after `closeAfterIntervals` stable ones in a row. While open, every unstable interval is
 * reported (the alert pipeline aggregates them); a lone unstable interval of a closed entity is not.
 */
export class HysteresisGate {
  private readonly state = new Map<string, { recent: boolean[]; open: boolean; stableRun: number }>();

  constructor(
    private readonly h: { openAfterIntervals: number; windowIntervals: number; closeAfterIntervals: number },
    private readonly maxEntities = 100_000,
  ) {}

  /** Records one judged interval; true when it should be reported. */
  observe(entity: string, unstable: boolean): boolean {
    let s = this.state.get(entity);
    if (!s) {
      s = { recent: [], open: false, stableRun: 0 };
      this.state.set(entity, s);
      if (this.state.size > this.maxEntities) this.state.delete(this.state.keys().next().value as string);
    }
    s.recent.push(unstable);
    if (s.recent.length > this.h.windowIntervals) s.recent.shift();
    if (!unstable) {
      s.stableRun++;
      if (s.open && s.stableRun >= this.h.closeAfterIntervals) s.open = false;
      return false;
    }
    s.stableRun = 0;
    if (!s.open && s.recent.filter(Boolean).length < this.h.openAfterIntervals) return false;
    s.open = true;
    return true;
  }

  isOpen(entity: string): boolean {
    return this.state.get(entity)?.open ?? false;
  }
}

export interface RuntimeDetectorOptions {
  config: PeregrineConfig;
  logger: Logger;
  emit: (f: Finding) => void;
  /** Each judged interval's score / threshold (peregrine_scores{modality="syscalls"}). */
  onScore?: (ratio: number) => void;
  /** A group's model version changed (peregrine_model_info); `previous` is `` for a new group. */
  onModel?: (group: string, version: string, previous: string) => void;
}

/** The metrics callbacks of a detector running in this thread. */
export function metricsCallbacks(m: ServiceMetrics): Pick<RuntimeDetectorOptions, 'onScore' | 'onModel'> {
  return {
    onScore: (ratio) => m.scores.observe({ modality: 'syscalls' }, ratio),
    onModel: (group, version, previous) => {
      if (previous !== '') m.modelInfo.remove({ group, version: previous });
      m.modelInfo.set({ group, version }, 1);
    },
  };
}

export function severityOf(score: number, threshold: number): Severity {
  return threshold > 0 && score / threshold >= 100 ? 'critical' : 'warning';
}

export class RuntimeDetector {
  readonly pipeline: RuntimePipeline;
  readonly evidence: EvidenceTracker;
  readonly forensicsPath: string;
  readonly modelDir: string;
  private readonly gate: HysteresisGate;
  private readonly models = new Map<string, string>();
  private processing: Promise<void> = Promise.resolve();

  constructor(private readonly o: RuntimeDetectorOptions) {
    const d = o.config.detection;
    this.gate = new HysteresisGate(d.hysteresis);
    this.evidence = new EvidenceTracker(d.evidenceEvents);
    this.forensicsPath = join(o.config.dataDir, 'forensics.db');
    this.modelDir = d.modelDir || join(o.config.dataDir, 'models');
    const registry = new DirectoryModelRegistry(this.modelDir);
    this.pipeline = new RuntimePipeline({
      mode: 'adaptive',
      summarizer: { intervalSeconds: d.intervalSeconds, latenessSeconds: d.latenessSeconds, groupBy: d.groupBy },
      stability: { vectorsToTrain: d.vectorsToTrain, k: d.k, epochs: d.epochs, seed: d.seed },
      registry,
      sink: d.forensics === 'sqlite' ? createSink('sqlite', { path: this.forensicsPath }) : undefined,
      deliveryTimeoutMs: 5000,
      adaptive: { cacheIntervals: d.contextIntervals, cacheMaxBytes: d.contextMaxBytes },
      timelinePoints: 2000,
    });
    // The pipeline reports detections per closed interval without the vector; the service needs the vector for
    // the VAE's per-feature error shares and every judged interval for hysteresis, so it observes the monitor's
    // public assess() (TODO(runtime): an onAssessment hook in RuntimePipeline would replace this wrapper).
    const monitor = this.pipeline.monitor;
    const assess = monitor.assess.bind(monitor);
    monitor.assess = (vectors) => {
      const out = assess(vectors);
      try {
        this.onAssessments(out);
      } catch (e) {
        o.logger.error({ err: e }, 'runtime detector: evidence failed');
      }
      return out;
    };
  }

  async start(): Promise<StoredModel[]> {
    const models = await this.pipeline.start();
    for (const m of models) this.noteModel(m.group, m.version);
    for (const p of this.pipeline.monitor.registry.problems()) this.o.logger.warn({ file: p.file, reason: p.reason }, 'model registry: skipped a file');
    return models;
  }

  /**
   * Hot swap of the per-image models: re-reads the registry (for example models trained elsewhere and copied in) and
   * judges each changed group with its newest model from the next interval on. Serialised with the batches, so no
   * request waits on it and none is dropped; every later score carries the new version.
   */
  reload(): Promise<{ group: string; version: string; previous: string }[]> {
    const run = this.processing.then(() =>
      this.pipeline.monitor.reload().map((c) => {
        this.noteModel(c.group, c.version);
        return { group: c.group, version: `v${c.version}`, previous: c.previous === null ? '' : `v${c.previous}` };
      }),
    );
    this.processing = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /** Processes one batch (serialised: the pipeline takes one push at a time). */
  process(records: ReadonlyArray<StreamRecords['syscalls']>): Promise<void> {
    const run = this.processing.then(() => this.push(records));
    this.processing = run.catch(() => undefined);
    return run;
  }

  private async push(records: ReadonlyArray<StreamRecords['syscalls']>): Promise<void> {
    const sorted = records.slice().sort((a, b) => a.event.timeUs - b.event.timeUs);
    const events = sorted.map((r) => r.event);
    const lines = sorted.map((r) => r.line);
    for (const e of events) this.evidence.observe(e);
    await this.pipeline.push(events, lines);
  }

  private noteModel(group: string, version: number): void {
    const prev = this.models.get(group);
    const v = `v${version}`;
    if (prev === v) return;
    this.models.set(group, v);
    this.o.onModel?.(group, v, prev ?? '');
  }

  private onAssessments(list: Assessment[]): void {
    for (const a of list) {
      if (a.trained) {
        this.noteModel(a.trained.group, a.trained.version);
        this.o.logger.info({ group: a.trained.group, version: a.trained.version, vectors: a.trained.vectors }, 'runtime model trained');
      }
      if (a.phase !== 'evaluating' || !Number.isFinite(a.verdict.score)) continue;
      const v = a.verdict;
      if (v.threshold > 0) this.o.onScore?.(v.score / v.threshold);
      if (!this.gate.observe(v.containerId, v.unstable)) continue; // one noisy interval does not flap
      this.o.emit(this.finding(a));
    }
  }

  private finding(a: Assessment): Finding {
    const v = a.verdict;
    const vec = a.vector;
    const entity = emptyEntity();
    entity.cluster = this.o.config.cluster;
    entity.namespace = vec.namespace;
    entity.pod = vec.pod;
    entity.workload = vec.pod ? workloadOf(vec.pod) : '';
    entity.containerId = vec.containerId;
    entity.image = vec.image;
    entity.node = this.evidence.node(vec.containerId);
    const model = this.pipeline.monitor.model(vec.group);
    const version = v.modelVersion ?? (model ? `v${model.version}` : '');
    return {
      id: `syscalls:${vec.containerId}:${v.intervalStart}`,
      modality: 'syscalls',
      detector: 'vae',
      modelVersion: `${vec.group}@${version}`,
      entity,
      windowStart: v.intervalStart,
      windowEnd: v.intervalEnd,
      score: v.score,
      threshold: v.threshold,
      severity: severityOf(v.score, v.threshold),
      title: 'container activity departs from its baseline',
      evidence: {
        topFeatures: this.topFeatures(a, model),
        keyEvents: this.evidence.keyEvents(vec.containerId),
        processLineage: this.evidence.lineage(vec.containerId),
        forensicsRef:
          this.o.config.detection.forensics === 'sqlite'
            ? `peregrine forensics query --db ${this.forensicsPath} --container ${vec.containerId} --since ${new Date(v.intervalStart).toISOString()}`
            : '',
      },
      labels: { group: vec.group, events: String(vec.eventCount) },
    };
  }

  private topFeatures(a: Assessment, model: StoredModel | undefined): Finding['evidence']['topFeatures'] {
    if (!model) return [];
    const x = createMatrix(1, FEATURE_COUNT, a.vector.values.slice());
    const shares = model.detector.explain(x).data;
    const idx = Array.from({ length: FEATURE_COUNT }, (_, j) => j)
      .filter((j) => shares[j] > 0)
      .sort((p, q) => shares[q] - shares[p])
      .slice(0, 8);
    return idx.map((j) => ({ name: FEATURE_NAMES[j], value: a.vector.values[j], share: Number(shares[j].toFixed(4)) }));
  }

  timelines(): ContainerTimeline[] {
    return this.pipeline.timelines();
  }

  modelList(): Array<{ group: string; version: string; vectors: number; containers: number; trainSeconds: number; createdAt: string; threshold: number; file?: string }> {
    const k = this.pipeline.monitor.options.k;
    const out = [];
    for (const g of this.pipeline.monitor.registry.groups()) {
      const m = this.pipeline.monitor.model(g) ?? this.pipeline.monitor.registry.get(g);
      if (m) out.push({ group: g, version: `v${m.version}`, vectors: m.vectors, containers: m.containers, trainSeconds: m.trainSeconds, createdAt: m.createdAt, threshold: m.detector.threshold(k), file: m.file });
    }
    return out;
  }

  learning(): Array<{ group: string; remaining: number }> {
    const groups = new Set(this.pipeline.timelines().map((t) => t.group));
    return [...groups].filter((g) => this.pipeline.monitor.phase(g) === 'learning').map((g) => ({ group: g, remaining: this.pipeline.monitor.remaining(g) }));
  }

  /** Drains the pending push, closes open intervals (judging them), flushes the forensic store and closes it. */
  async close(): Promise<void> {
    await this.processing;
    await this.pipeline.finish();
    await this.pipeline.close();
  }
}
