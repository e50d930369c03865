/**
 * Streaming detection on flows: each flow is scored by the configured model (a `peregrine train` model file),
 * flows are windowed per endpoint pair (source IP -> destination IP:port/protocol), and a window with at least
 * `minAnomalousFlows` flows above the model's threshold becomes one Finding. The model is hot-swapped (admin route
 * or file watch): a new file is loaded and verified beside the old one, then the reference is swapped, so no
 * request is dropped and every score carries the version of the model that produced it.
 */
import { unwatchFile, watchFile } from 'node:fs';
import type { Logger } from 'pino';
import type { Finding } from '../../alerting/types.js';
import { emptyEntity } from '../../alerting/types.js';
import type { PeregrineConfig } from '../../core/config.js';
import type { Matrix } from '../../core/matrix.js';
import type { RawBatch } from '../../ingest/types.js';
import { loadModel } from '../../training/model-file.js';
import { LoadedModel } from '../../training/scorer.js';
import type { ServiceMetrics } from '../metrics.js';
import type { FlowRecord } from '../ingest/source.js';
import { severityOf } from './runtime.js';

interface ActiveModel {
  loaded: LoadedModel;
  version: string;
  file: string;
  loadedAt: number;
}

interface PairWindow {
  start: number;
  flows: number;
  anomalous: number;
  maxScore: number;
  version: string;
  top: Finding['evidence']['topFeatures'];
  examples: string[];
  srcIp: string;
  dstIp: string;
}

export interface FlowDetectorOptions {
  config: PeregrineConfig;
  metrics: ServiceMetrics;
  logger: Logger;
  emit: (f: Finding) => void;
}

interface Explainer {
  explain(x: Matrix): Matrix;
}

/** The endpoint pair of a flow: source IP -> destination IP (ports vary within a scan or a flood, so they are not part of it). */
export function pairKey(r: FlowRecord): string {
  return `${r.ids.get('Src IP') ?? ''}->${r.ids.get('Dst IP') ?? ''}`;
}

const flowLabel = (r: FlowRecord): string => `${r.ids.get('Src IP') ?? ''}:${r.ids.get('Src Port') ?? ''}->${r.ids.get('Dst IP') ?? ''}:${r.ids.get('Dst Port') ?? ''}/${r.ids.get('Protocol') ?? ''}`;

export class FlowDetector {
  private active: ActiveModel | null = null;
  private readonly windows = new Map<string, PairWindow>();
  private readonly cfg: PeregrineConfig['detection']['flows'];
  private watching = '';
  flowsScored = 0;
  flowsUnscored = 0;

  constructor(private readonly o: FlowDetectorOptions) {
    this.cfg = o.config.detection.flows;
  }

  /** Why the configured model is not in use (missing or bad file), `` when it is. */
  loadError = '';

  start(): void {
    if (this.cfg.modelFile === '') return;
    try {
      this.reload(this.cfg.modelFile);
    } catch (e) {
      // Start anyway (a model mounted later is picked up by the watch or the reload route); flows are counted, not scored.
      this.loadError = (e as Error).message;
      this.o.logger.warn({ err: this.loadError, file: this.cfg.modelFile }, 'flow model not loaded; flows are counted but not scored until it is');
    }
    if (this.cfg.watch) {
      this.watching = this.cfg.modelFile;
      watchFile(this.watching, { interval: 1000, persistent: false }, (cur, prev) => {
        if (cur.mtimeMs === prev.mtimeMs && cur.size === prev.size) return;
        try {
          this.reload(this.watching);
        } catch (e) {
          this.loadError = (e as Error).message;
          this.o.logger.warn({ err: (e as Error).message }, 'flow model changed on disk but did not load; keeping the previous one');
        }
      });
    }
  }

  /** Loads and verifies `file` (checksum, format), then swaps it in. Throws (keeping the old model) on failure. */
  reload(file = this.active?.file ?? this.cfg.modelFile): { version: string; previous: string } {
    const { model } = loadModel(file);
    const loaded = new LoadedModel(model);
    const version = `${model.detector.type}@${model.checksum.replace(/^sha256:/, '').slice(0, 12)}`;
    const previous = this.active?.version ?? '';
    if (this.active) this.o.metrics.modelInfo.remove({ group: 'flows', version: this.active.version });
    this.active = { loaded, version, file, loadedAt: Date.now() };
    this.loadError = '';
    this.o.metrics.modelInfo.set({ group: 'flows', version }, 1);
    this.o.logger.info({ version, previous, file }, 'flow model loaded');
    return { version, previous };
  }

  model(): { version: string; file: string; detector: string; threshold: number; features: number; loadedAt: number; createdAt: string } | null {
    const a = this.active;
    if (!a) return null;
    const m = a.loaded.model;
    return { version: a.version, file: a.file, detector: m.detector.type, threshold: a.loaded.threshold, features: m.features.names.length, loadedAt: a.loadedAt, createdAt: m.createdAt };
  }

  process(records: readonly FlowRecord[], nowMs = Date.now()): void {
    const a = this.active; // one reference for the whole batch: a swap mid-batch never mixes versions
    if (!a) {
      this.flowsUnscored += records.length;
      return;
    }
    const scores = a.loaded.scoreBatch(toRawBatch(records, a.loaded));
    const thr = a.loaded.threshold;
    const anomalousIdx: number[] = [];
    for (let i = 0; i < records.length; i++) {
      if (thr > 0) this.o.metrics.scores.observe({ modality: 'flows' }, scores[i] / thr);
      if (scores[i] > thr) anomalousIdx.push(i);
    }
    this.flowsScored += records.length;
    let shares: Matrix | null = null;
    const ex = a.loaded.detector as unknown as Partial<Explainer>;
    if (anomalousIdx.length > 0 && typeof ex.explain === 'function') {
      const sub = toRawBatch(anomalousIdx.map((i) => records[i]), a.loaded);
      shares = (ex as Explainer).explain(a.loaded.pipeline.transform(sub));
    }
    const names = a.loaded.model.features.names;
    let k = 0;
    for (let i = 0; i < records.length; i++) {
      const r = records[i];
      const key = pairKey(r);
      let w = this.windows.get(key);
      const win = this.cfg.windowSeconds * 1000;
      if (w && r.timeMs >= w.start + win) {
        this.close(key, w);
        w = undefined;
      }
      if (!w) {
        if (this.windows.size >= this.cfg.maxPairs) {
          const [oldKey, old] = this.windows.entries().next().value as [string, PairWindow];
          this.close(oldKey, old);
        }
        w = { start: r.timeMs, flows: 0, anomalous: 0, maxScore: -Infinity, version: a.version, top: [], examples: [], srcIp: r.ids.get('Src IP') ?? '', dstIp: r.ids.get('Dst IP') ?? '' };
        this.windows.set(key, w);
      }
      w.flows++;
      if (scores[i] > thr) {
        w.anomalous++;
        if (w.examples.length < 10) w.examples.push(`flow ${flowLabel(r)} score ${scores[i].toPrecision(4)} (threshold ${thr.toPrecision(4)})`);
        if (scores[i] > w.maxScore) {
          w.maxScore = scores[i];
          w.version = a.version;
          if (shares) {
            const row = k;
            const order = names.map((_, j) => j).sort((p, q) => shares!.data[row * names.length + q] - shares!.data[row * names.length + p]);
            w.top = order.slice(0, 8).map((j) => ({ name: names[j], value: r.values.get(names[j]) ?? NaN, share: Number(shares!.data[row * names.length + j].toFixed(4)) }));
          }
        }
        k++;
      }
    }
    this.tick(nowMs);
  }

  /** Closes windows whose time is up by the wall clock (pairs that went quiet). */
  tick(nowMs: number): void {
    const win = this.cfg.windowSeconds * 1000;
    for (const [key, w] of this.windows) if (nowMs >= w.start + 2 * win) this.close(key, w);
  }

  private close(key: string, w: PairWindow): void {
    this.windows.delete(key);
    if (w.anomalous < this.cfg.minAnomalousFlows || !this.active) return;
    const entity = emptyEntity();
    entity.cluster = this.o.config.cluster;
    entity.endpoint = key;
    // No Kubernetes metadata for bare IPs here: the source (the actor of a scan) names the incident.
    entity.workload = w.srcIp;
    const thr = this.active.loaded.threshold;
    this.o.emit({
      id: `flows:${key}:${w.start}`,
      modality: 'flows',
      detector: this.active.loaded.model.detector.type,
      modelVersion: w.version,
      entity,
      windowStart: w.start,
      windowEnd: w.start + this.cfg.windowSeconds * 1000,
      score: w.maxScore,
      threshold: thr,
      severity: severityOf(w.maxScore, thr),
      title: 'network flows depart from the learned traffic',
      evidence: { topFeatures: w.top, keyEvents: [`${w.anomalous} of ${w.flows} flows above the threshold`, ...w.examples], processLineage: [], forensicsRef: '' },
      labels: { src_ip: w.srcIp, dst_ip: w.dstIp },
    });
  }

  /** Closes every window (shutdown). */
  flush(): void {
    for (const [key, w] of [...this.windows]) this.close(key, w);
  }

  stop(): void {
    if (this.watching) unwatchFile(this.watching);
    this.watching = '';
  }
}

/** Flow records as the model's RawBatch: columns by name, missing ones NaN (the model's imputer fills them). */
export function toRawBatch(records: readonly FlowRecord[], m: LoadedModel): RawBatch {
  const s = m.model.input;
  const n = records.length;
  const numeric = new Float64Array(n * s.numericNames.length);
  records.forEach((r, i) => s.numericNames.forEach((name, j) => (numeric[i * s.numericNames.length + j] = r.values.get(name) ?? NaN)));
  return {
    file: 'http',
    rows: n,
    numeric,
    categorical: s.categoricalNames.map((c) => records.map((r) => r.ids.get(c) ?? String(r.values.get(c) ?? ''))),
    ids: s.idNames.map((c) => records.map((r) => r.ids.get(c) ?? '')),
    label: new Int8Array(n).fill(-1),
    attackClass: records.map(() => ''),
    line: Float64Array.from(records.map((r) => r.line)),
  };
}
