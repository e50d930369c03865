/**
 * The runtime pipeline of the container path, wired end to end:
 *
 *   SyscallEvent batches (+ their raw lines) -> SyscallSummarizer (per-container activity vectors per interval)
 *     -> StabilityMonitor (per-group VAE: learn, then judge) -> AdaptivePublisher | StandardPublisher
 *     -> Delivery (spool, batches, retries) -> a forensic sink (SQLite, NDJSON, Elasticsearch, ... or MemorySink)
 *
 * and measured: for every interval of event time it records the events processed, the vectors and verdicts, the
 * wall time and the process CPU time (process.cpuUsage: user + system, all threads of the process) spent inside
 * `push` and `finish` (summarise + score/train + publish + deliver; reading and decoding the input is the
 * caller's and is not counted), the bytes published (publisher counters) and stored (the sink's bytesSent), and the
 * per-container score timelines the HTML report plots.
 *
 * Interval accounting: interval k's metrics hold the work done while the events of interval k streamed in. The
 * vectors of interval k-1 close during interval k (an interval closes when its container's next event or the
 * latest event time passes its end plus the summarizer's lateness), so in steady state each interval's metrics are
 * one interval's summarising plus the previous interval's scoring and publishing: one interval's worth of work.
 */
import type { SyscallEvent } from '../ingest/events/types.js';
import type { BinaryLabel } from '../ingest/types.js';
import { SyscallSummarizer, type ActivityVector } from '../features/summarizers/syscall/summarizer.js';
import type { SummarizerInput } from '../features/summarizers/syscall/options.js';
import { AdaptivePublisher } from '../publish/adaptive.js';
import { StandardPublisher } from '../publish/standard.js';
import { Delivery, type DeliveryOptions, type DeliveryStats } from '../publish/delivery.js';
import { MemorySpool } from '../publish/spool.js';
import type { AdaptiveOptions } from '../publish/options.js';
import type { ForensicSink, IntervalVerdict, PublishCounters, Publisher, RawEvent, SinkStats } from '../publish/types.js';
import { MemorySink } from './memory-sink.js';
import type { StabilityInput } from './options.js';
import { MemoryModelRegistry, type ModelRegistry, type RegistryProblem, type StoredModel } from './registry.js';
import { StabilityMonitor, type Assessment, type Phase, type StabilityStats } from './stability.js';

export type PublishMode = 'adaptive' | 'standard';

export interface PipelineOptions {
  mode?: PublishMode;
  summarizer?: SummarizerInput;
  stability?: StabilityInput;
  /** Where trained models go (default: in memory). */
  registry?: ModelRegistry;
  /** Default: a MemorySink. */
  sink?: ForensicSink;
  /** Delivery options; the default spool is in memory, bounded at 256 MiB. */
  delivery?: DeliveryOptions;
  /** Adaptive publisher options (cache intervals and bytes, cool-down). */
  adaptive?: Partial<AdaptiveOptions>;
  /** Wait until the sink has the records after each push, so delivery cost lands in its interval (default true). */
  awaitDelivery?: boolean;
  /** How long one such wait may take before the pipeline moves on (the records stay spooled). Default 60 s. */
  deliveryTimeoutMs?: number;
  /**
   * With awaitDelivery, also wait for the sink in the middle of a push once this many bytes are spooled, so one push
   * that publishes a lot (full logs of many containers) never overflows the spool. Default 32 MiB.
   */
  spoolHighWaterBytes?: number;
  /** Points kept per container timeline (the oldest are dropped). Default 10,000. */
  timelinePoints?: number;
  /** Called when an interval's metrics are complete. */
  onInterval?: (m: IntervalMetrics) => void;
}

export interface TimelinePoint {
  /** Interval start and end, epoch ms. */
  start: number;
  end: number;
  /** Reconstruction error (NaN while learning or when not judged). */
  score: number;
  threshold: number;
  unstable: boolean;
  /** `partial`: an interval cut short by the end of the stream, not judged. */
  phase: Phase | 'partial';
  events: number;
  /** Ground truth from the events when they carry it (1 attack, 0 benign, -1 unknown). */
  label: BinaryLabel;
  attackClass: string;
  modelVersion?: string;
}

export interface ContainerTimeline {
  containerId: string;
  group: string;
  image: string;
  pod: string;
  namespace: string;
  points: TimelinePoint[];
}

export interface Detection {
  containerId: string;
  group: string;
  pod: string;
  /** Interval start, epoch ms. */
  intervalStart: number;
  score: number;
  threshold: number;
  label: BinaryLabel;
  attackClass: string;
}

export interface StageTimes {
  /** SyscallSummarizer.push/flush. */
  summarizeMs: number;
  /** StabilityMonitor.assess: scoring and encoding (and training when a group completes its training set). */
  assessMs: number;
  /** The training part of assessMs. */
  trainMs: number;
  /** Publisher: observe (raw-event cache) and onVerdict (records, spool append). */
  publishMs: number;
  /** Waiting for the sink (Delivery.flush). */
  deliverMs: number;
}

export interface IntervalMetrics {
  /** floor(event time / interval length). */
  index: number;
  /** Epoch ms. */
  start: number;
  end: number;
  events: number;
  /** Activity vectors closed during this interval (mostly the previous interval's). */
  vectors: number;
  learning: number;
  evaluated: number;
  unstable: number;
  detections: Detection[];
  trained: { group: string; version: number; vectors: number; seconds: number }[];
  wallMs: number;
  /** Process CPU time (user + system) inside push/finish. */
  cpuMs: number;
  userMs: number;
  systemMs: number;
  stages: StageTimes;
  published: { records: number; bytes: number; summaries: number; events: number; summaryBytes: number; eventBytes: number };
  /** What the sink took in during the interval: records delivered and bytes (the sink's bytesSent). */
  stored: { records: number; bytes: number };
}

export interface RuntimeSummary {
  mode: PublishMode;
  intervalSeconds: number;
  intervals: IntervalMetrics[];
  events: number;
  vectors: number;
  cpuMs: number;
  wallMs: number;
  stages: StageTimes;
  published: PublishCounters;
  sink: SinkStats;
  delivery: DeliveryStats;
  stability: StabilityStats;
  models: { group: string; version: number; vectors: number; containers: number; trainSeconds: number; threshold: number; file?: string }[];
  learningGroups: { group: string; remaining: number }[];
  registryProblems: RegistryProblem[];
  /** Vectors of intervals cut short by the end of the stream (summarised, not judged). */
  partialVectors: number;
}

const zeroStages = (): StageTimes => ({ summarizeMs: 0, assessMs: 0, trainMs: 0, publishMs: 0, deliverMs: 0 });

interface OpenInterval {
  index: number;
  events: number;
  vectors: number;
  learning: number;
  evaluated: number;
  unstable: number;
  detections: Detection[];
  trained: IntervalMetrics['trained'];
  wallMs: number;
  userUs: number;
  systemUs: number;
  stages: StageTimes;
  published0: PublishCounters;
  delivered0: number;
  stored0: number;
}

export class RuntimePipeline {
  readonly mode: PublishMode;
  readonly summarizer: SyscallSummarizer;
  readonly monitor: StabilityMonitor;
  readonly publisher: Publisher;
  readonly sink: ForensicSink;
  readonly delivery: Delivery;
  private readonly intervalUs: number;
  private readonly originUs: number;
  private readonly awaitDelivery: boolean;
  private readonly deliveryTimeoutMs: number;
  private readonly timelineCap: number;
  private readonly spoolHighWater: number;
  private readonly onInterval?: (m: IntervalMetrics) => void;
  private readonly timelineMap = new Map<string, ContainerTimeline>();
  private readonly done: IntervalMetrics[] = [];
  private readonly totalStages = zeroStages();
  private cur: OpenInterval | null = null;
  private enqueued = false;
  private events = 0;
  private vectors = 0;
  private partial = 0;
  private maxTimeUs = -Infinity;
  private finished = false;

  constructor(options: PipelineOptions = {}) {
    this.mode = options.mode ?? 'adaptive';
    this.summarizer = new SyscallSummarizer(options.summarizer);
    this.intervalUs = this.summarizer.options.intervalSeconds * 1e6;
    this.originUs = this.summarizer.options.originSeconds * 1e6;
    this.monitor = new StabilityMonitor(options.stability, options.registry ?? new MemoryModelRegistry());
    this.sink = options.sink ?? new MemorySink();
    this.delivery = new Delivery(this.sink, { ...options.delivery, spool: options.delivery?.spool ?? new MemorySpool(256 * 1024 * 1024) });
    const output = (records: Parameters<Delivery['enqueue']>[0]): void => {
      this.delivery.enqueue(records);
      this.enqueued = true;
    };
    this.publisher = this.mode === 'adaptive' ? new AdaptivePublisher({ ...options.adaptive, output }) : new StandardPublisher({ output });
    this.awaitDelivery = options.awaitDelivery ?? true;
    this.deliveryTimeoutMs = options.deliveryTimeoutMs ?? 60_000;
    this.timelineCap = options.timelinePoints ?? 10_000;
    this.spoolHighWater = options.spoolHighWaterBytes ?? 32 * 1024 * 1024;
    this.onInterval = options.onInterval;
  }

  /** Loads the model registry (groups with a stored model start judging at once) and starts the sink. */
  async start(): Promise<StoredModel[]> {
    const models = this.monitor.start();
    await this.sink.start();
    return models;
  }

  private bucket(t: number): number {
    return Math.floor((t - this.originUs) / this.intervalUs);
  }

  /**
   * Processes events with their raw lines (`lines[i]` is what a forensic log would hold for `events[i]`). Events
   * should come in time order per container (across containers, within the summarizer's lateness). Returns the
   * metrics of the intervals this push completed.
   */
  async push(events: readonly SyscallEvent[], lines: readonly string[]): Promise<IntervalMetrics[]> {
    if (this.finished) throw new Error('runtime pipeline: push after finish');
    if (lines.length !== events.length) throw new Error(`runtime pipeline: ${events.length} events but ${lines.length} lines`);
    const completed: IntervalMetrics[] = [];
    let from = 0;
    while (from < events.length) {
      if (this.cur === null) this.open(this.bucket(events[from].timeUs));
      const index = (this.cur as OpenInterval).index;
      let to = from;
      while (to < events.length && !(this.bucket(events[to].timeUs) > index)) to++;
      if (to > from) await this.process(events, lines, from, to);
      if (to < events.length) {
        completed.push(this.closeInterval());
        this.open(this.bucket(events[to].timeUs));
      }
      from = to;
    }
    return completed;
  }

  private open(index: number): void {
    const index0 = Number.isFinite(index) ? index : (this.cur?.index ?? 0);
    this.cur = {
      index: index0,
      events: 0,
      vectors: 0,
      learning: 0,
      evaluated: 0,
      unstable: 0,
      detections: [],
      trained: [],
      wallMs: 0,
      userUs: 0,
      systemUs: 0,
      stages: zeroStages(),
      published0: this.publisher.stats().total,
      delivered0: this.delivery.stats().delivered,
      stored0: this.sink.stats().bytesSent,
    };
  }

  private async process(events: readonly SyscallEvent[], lines: readonly string[], from: number, to: number): Promise<void> {
    const cur = this.cur as OpenInterval;
    const c0 = process.cpuUsage();
    const w0 = performance.now();
    let maxT = this.maxTimeUs;
    for (let i = from; i < to; i++) if (events[i].timeUs > maxT) maxT = events[i].timeUs;
    this.maxTimeUs = maxT;
    if (this.publisher.observeEvents) this.publisher.observeEvents(events, lines, from, to);
    else {
      const raw = new Array<RawEvent>(to - from);
      for (let i = from; i < to; i++) raw[i - from] = { containerId: events[i].containerId, timeNs: events[i].timeUs * 1000, line: lines[i] };
      this.publisher.observe(raw);
    }
    const w1 = performance.now();
    const vectors = this.summarizer.push(from === 0 && to === events.length ? events : events.slice(from, to));
    const w2 = performance.now();
    cur.stages.publishMs += w1 - w0;
    cur.stages.summarizeMs += w2 - w1;
    await this.handle(vectors, false);
    await this.settle();
    const c = process.cpuUsage(c0);
    cur.userUs += c.user;
    cur.systemUs += c.system;
    cur.wallMs += performance.now() - w0;
    cur.events += to - from;
    this.events += to - from;
  }

  /** Judges closed vectors and publishes their verdicts; records timelines, detections and stage times. */
  private async handle(vectors: ActivityVector[], atEnd: boolean): Promise<void> {
    if (vectors.length === 0) return;
    const cur = this.cur as OpenInterval;
    const t0 = performance.now();
    const train0 = this.monitor.stats().trainSeconds;
    // An interval the stream stopped well before its end is summarised but not judged (nor learnt from).
    const cutShort = (v: ActivityVector): boolean => atEnd && this.maxTimeUs < v.intervalEnd - Math.max(1e6, 0.05 * this.intervalUs);
    const judged = atEnd ? vectors.filter((v) => !cutShort(v)) : vectors;
    const assessments = this.monitor.assess(judged);
    const t1 = performance.now();
    cur.stages.assessMs += t1 - t0;
    cur.stages.trainMs += (this.monitor.stats().trainSeconds - train0) * 1000;
    if (atEnd && judged.length < vectors.length) {
      for (const v of vectors) if (cutShort(v)) assessments.push({ vector: v, verdict: this.monitor.unjudged(v), phase: 'learning' });
    }
    let waited = 0;
    for (const a of assessments) {
      this.publisher.onVerdict(a.verdict);
      if (this.awaitDelivery && this.enqueued && this.delivery.stats().spool.bytes > this.spoolHighWater) {
        const w = performance.now();
        await this.settle();
        waited += performance.now() - w;
      }
      this.record(a, atEnd && cutShort(a.vector));
      if (a.phase === 'learning') cur.learning++;
      else cur.evaluated++;
      if (a.verdict.unstable) {
        cur.unstable++;
        cur.detections.push(detection(a.vector, a.verdict));
      }
      if (a.trained) cur.trained.push({ group: a.trained.group, version: a.trained.version, vectors: a.trained.vectors, seconds: a.trained.trainSeconds });
    }
    cur.stages.publishMs += performance.now() - t1 - waited;
    cur.vectors += vectors.length;
    this.vectors += vectors.length;
  }

  private async settle(): Promise<void> {
    if (!this.awaitDelivery || !this.enqueued) return;
    const t0 = performance.now();
    await this.delivery.flush(this.deliveryTimeoutMs);
    this.enqueued = false;
    (this.cur as OpenInterval).stages.deliverMs += performance.now() - t0;
  }

  private record(a: Assessment, partial: boolean): void {
    const v = a.vector;
    let tl = this.timelineMap.get(v.containerId);
    if (!tl) {
      tl = { containerId: v.containerId, group: v.group, image: v.image, pod: v.pod, namespace: v.namespace, points: [] };
      this.timelineMap.set(v.containerId, tl);
    }
    const d = a.verdict;
    const p: TimelinePoint = {
      start: d.intervalStart,
      end: d.intervalEnd,
      score: d.score,
      threshold: d.threshold,
      unstable: d.unstable,
      phase: partial ? 'partial' : a.phase,
      events: v.eventCount,
      label: v.label,
      attackClass: v.attackClass,
    };
    if (d.modelVersion !== undefined) p.modelVersion = d.modelVersion;
    tl.points.push(p);
    if (tl.points.length > this.timelineCap) tl.points.splice(0, tl.points.length - this.timelineCap);
  }

  private closeInterval(): IntervalMetrics {
    const cur = this.cur as OpenInterval;
    const p1 = this.publisher.stats().total;
    const p0 = cur.published0;
    const m: IntervalMetrics = {
      index: cur.index,
      start: (this.originUs + cur.index * this.intervalUs) / 1000,
      end: (this.originUs + (cur.index + 1) * this.intervalUs) / 1000,
      events: cur.events,
      vectors: cur.vectors,
      learning: cur.learning,
      evaluated: cur.evaluated,
      unstable: cur.unstable,
      detections: cur.detections,
      trained: cur.trained,
      wallMs: cur.wallMs,
      cpuMs: (cur.userUs + cur.systemUs) / 1000,
      userMs: cur.userUs / 1000,
      systemMs: cur.systemUs / 1000,
      stages: cur.stages,
      published: {
        records: p1.records - p0.records,
        bytes: p1.bytes - p0.bytes,
        summaries: p1.summaries - p0.summaries,
        events: p1.events - p0.events,
        summaryBytes: p1.summaryBytes - p0.summaryBytes,
        eventBytes: p1.eventBytes - p0.eventBytes,
      },
      stored: { records: this.delivery.stats().delivered - cur.delivered0, bytes: this.sink.stats().bytesSent - cur.stored0 },
    };
    for (const k of Object.keys(this.totalStages) as (keyof StageTimes)[]) this.totalStages[k] += cur.stages[k];
    this.done.push(m);
    this.cur = null;
    this.onInterval?.(m);
    return m;
  }

  /**
   * End of the stream: closes every open interval (judging all but the ones cut short), waits for the sink (up to
   * the delivery timeout) and completes the last interval's metrics. Returns the run's summary.
   */
  async finish(): Promise<RuntimeSummary> {
    if (!this.finished) {
      this.finished = true;
      if (this.cur === null) this.open(Number.isFinite(this.maxTimeUs) ? this.bucket(this.maxTimeUs) : 0);
      const cur = this.cur as OpenInterval;
      const c0 = process.cpuUsage();
      const w0 = performance.now();
      const vectors = this.summarizer.flush();
      cur.stages.summarizeMs += performance.now() - w0;
      await this.handle(vectors, true);
      this.partial += vectors.filter((v) => this.maxTimeUs < v.intervalEnd - Math.max(1e6, 0.05 * this.intervalUs)).length;
      const t0 = performance.now();
      await this.delivery.flush(this.deliveryTimeoutMs);
      cur.stages.deliverMs += performance.now() - t0;
      const c = process.cpuUsage(c0);
      cur.userUs += c.user;
      cur.systemUs += c.system;
      cur.wallMs += performance.now() - w0;
      this.closeInterval();
    }
    return this.summary();
  }

  /** Stops delivery and closes the sink. */
  async close(): Promise<void> {
    await this.delivery.close();
    await this.sink.close();
  }

  timelines(): ContainerTimeline[] {
    return [...this.timelineMap.values()];
  }

  intervals(): IntervalMetrics[] {
    return [...this.done];
  }

  summary(): RuntimeSummary {
    const st = this.monitor.stats();
    const k = this.monitor.options.k;
    const groups = new Set<string>();
    for (const tl of this.timelineMap.values()) groups.add(tl.group);
    for (const g of this.monitor.registry.groups()) groups.add(g);
    const models: RuntimeSummary['models'] = [];
    const learningGroups: RuntimeSummary['learningGroups'] = [];
    for (const g of [...groups].sort()) {
      const m = this.monitor.model(g) ?? this.monitor.registry.get(g);
      if (m) models.push({ group: g, version: m.version, vectors: m.vectors, containers: m.containers, trainSeconds: m.trainSeconds, threshold: m.detector.threshold(k), file: m.file });
      else learningGroups.push({ group: g, remaining: this.monitor.remaining(g) });
    }
    return {
      mode: this.mode,
      intervalSeconds: this.intervalUs / 1e6,
      intervals: this.intervals(),
      events: this.events,
      vectors: this.vectors,
      cpuMs: this.done.reduce((s, m) => s + m.cpuMs, 0),
      wallMs: this.done.reduce((s, m) => s + m.wallMs, 0),
      stages: { ...this.totalStages },
      published: this.publisher.stats().total,
      sink: this.sink.stats(),
      delivery: this.delivery.stats(),
      stability: st,
      models,
      learningGroups,
      registryProblems: this.monitor.registry.problems(),
      partialVectors: this.partial,
    };
  }
}

function detection(v: ActivityVector, d: IntervalVerdict): Detection {
  return {
    containerId: v.containerId,
    group: v.group,
    pod: v.pod,
    intervalStart: d.intervalStart,
    score: d.score,
    threshold: d.threshold,
    label: v.label,
    attackClass: v.attackClass,
  };
}
