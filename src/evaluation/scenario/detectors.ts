/**
 * One detector per modality, each learnt on benign time only (phase `train`), its alert threshold set on a later
 * benign period (phase `calibrate`), then judging (phase `test`). None reads labels.
 *
 * - syscalls: the runtime path's per-image VAE stability (SyscallSummarizer -> StabilityMonitor), threshold =
 *   max(r_mean + k * r_sd, margin x the highest calibration score of the image); a score under 3x the threshold
 *   must hold two intervals; plus the summarizer's learnt executable baseline (a new executable fires).
 * - flows: per workload, the set of (direction, peer kind (the address for calls out of the cluster), protocol,
 *   service port) it talks over, and an envelope (2x the training maximum for counts, 4x for heavy-tailed byte
 *   volumes, plus a floor) of its per-interval flows, bytes, peers; a novel pattern or a breach fires.
 * - audit: per principal, the set of (read/write, sensitive resource or `other`, scope) it uses; a novel one fires; a pod spec
 *   asking for privileged / hostPID / hostNetwork / hostPath fires whoever sends it (a rule).
 * - metrics: per workload, an envelope (2x CPU, 4x bytes) of CPU cores and transmit bytes/s per scrape (memory is left out on
 *   purpose: memory pressure is everyday benign behaviour).
 */
import { F_EXE_UNSEEN, SyscallSummarizer, type ActivityVector } from '../../features/summarizers/syscall/index.js';
import type { SyscallEvent } from '../../ingest/events/types.js';
import { StabilityMonitor } from '../../runtime/index.js';
import type { FlowRecord } from '../../simulate/flows/columns.js';
import type { AuditEvent, ContainerSample } from '../../simulate/cluster/formats.js';
import type { Topology } from '../../simulate/cluster/topology.js';

export type Phase = 'train' | 'calibrate' | 'test';
export const MODALITY_NAMES = ['syscalls', 'flows', 'audit', 'metrics'] as const;
export type ModalityName = (typeof MODALITY_NAMES)[number];

/** A judged (entity, interval): score / threshold > 1 fires. */
export interface Signal {
  modality: ModalityName;
  /** Pod name, or principal for audit events not tied to a pod. */
  entity: string;
  /** When the verdict is available (interval end), epoch us. */
  timeUs: number;
  /** score / threshold. */
  ratio: number;
  reason: string;
}

export interface DetectorSettings {
  intervalSeconds: number;
  /** Calibration margin over the benign maximum (default 2 for the VAE and the envelopes). */
  vaeMargin?: number;
  envelopeMargin?: number;
  vectorsToTrain?: number;
  epochs?: number;
  seed: number;
}

/** score/threshold from which one interval suffices (below it, two in a row). */
const STRONG = 3;

export class SyscallDetector {
  readonly summarizer: SyscallSummarizer;
  readonly monitor: StabilityMonitor;
  private readonly calib = new Map<string, number>();
  private readonly seenContainers = new Set<string>();
  private readonly lastSeen = new Map<string, number>();
  private readonly prevRatio = new Map<string, number>();
  private readonly margin: number;

  constructor(o: DetectorSettings) {
    this.summarizer = new SyscallSummarizer({ intervalSeconds: o.intervalSeconds, groupBy: 'image', latenessSeconds: 2 });
    this.monitor = new StabilityMonitor({ vectorsToTrain: o.vectorsToTrain ?? 30, epochs: o.epochs ?? 60, seed: o.seed, k: 3 });
    this.margin = o.vaeMargin ?? 2;
  }

  push(events: readonly SyscallEvent[], phase: Phase, out: Signal[]): void {
    const last = this.lastSeen;
    for (let i = 0; i < events.length; i++) last.set(events[i].containerId, events[i].timeUs);
    this.judge(this.summarizer.push(events), phase, out);
  }

  /** A container that started, or went quiet (stopped), inside the interval: a partial interval. */
  private partial(v: ActivityVector): boolean {
    const first = !this.seenContainers.has(v.containerId);
    this.seenContainers.add(v.containerId);
    return first || (this.lastSeen.get(v.containerId) ?? 0) < v.intervalEnd - 2e6;
  }

  flush(phase: Phase, out: Signal[]): void {
    this.judge(this.summarizer.flush(), phase, out);
  }

  private judge(vectors: ActivityVector[], phase: Phase, out: Signal[]): void {
    if (vectors.length === 0) return;
    for (const a of this.monitor.assess(vectors)) {
      const d = a.verdict;
      if (a.phase !== 'evaluating' || !Number.isFinite(d.score)) continue;
      if (phase === 'calibrate' || phase === 'train') {
        if (this.partial(a.vector)) continue;
        this.calib.set(d.group, Math.max(this.calib.get(d.group) ?? 0, d.score));
        continue;
      }
      // A partial interval (the container started or stopped inside it) is judged by the executable rule only.
      const th = this.partial(a.vector) ? Infinity : Math.max(d.threshold, this.margin * (this.calib.get(d.group) ?? 0));
      // The executable baseline the summarizer learnt for the image: a program it never ran is a finding by itself.
      const unseen = a.vector.values[F_EXE_UNSEEN];
      // Hysteresis: a modest departure must hold for two intervals in a row; a strong one alerts at once.
      const raw = d.score / th;
      const prev = this.prevRatio.get(a.vector.containerId) ?? 0;
      this.prevRatio.set(a.vector.containerId, raw);
      const vae = raw >= STRONG ? raw : Math.min(raw, prev);
      const ratio = Math.max(vae, unseen > 0 ? 1 + unseen : 0);
      const reason = unseen > 0 && unseen + 1 >= vae ? `${unseen} executable(s) this image never ran` : `VAE reconstruction error ${d.score.toPrecision(3)} (threshold ${th.toPrecision(3)})`;
      out.push({ modality: 'syscalls', entity: a.vector.pod, timeUs: a.vector.intervalEnd, ratio, reason });
    }
  }
}

/** Per-workload maxima of per-interval features, and the alert envelope derived from them. */
class Envelope {
  private readonly max = new Map<string, Float64Array>();
  constructor(
    private readonly floors: readonly number[],
    private readonly margins: readonly number[],
  ) {}

  learn(key: string, v: Float64Array): void {
    const m = this.max.get(key);
    if (!m) this.max.set(key, v.slice());
    else for (let i = 0; i < v.length; i++) if (v[i] > m[i]) m[i] = v[i];
  }

  /** Highest value/threshold over the features and the feature's index. */
  ratio(key: string, v: Float64Array): [number, number] {
    const m = this.max.get(key);
    let best = 0;
    let at = 0;
    for (let i = 0; i < v.length; i++) {
      const th = this.margins[i] * (m ? m[i] : 0) + this.floors[i];
      const r = v[i] / th;
      if (r > best) {
        best = r;
        at = i;
      }
    }
    return [best, at];
  }
}

const FLOW_FEATURES = ['flows in', 'flows out', 'bytes in', 'bytes out', 'peers', 'one-way flows'];

export class FlowDetector {
  private readonly podByIp = new Map<string, { name: string; workload: string }>();
  private readonly seen = new Set<string>();
  private readonly env: Envelope;
  private bucket = -1;
  private readonly acc = new Map<string, { wl: string; v: Float64Array; peers: Set<string>; novel: Set<string> }>();

  constructor(
    topo: Topology,
    private readonly o: DetectorSettings,
  ) {
    // host-network pods share their node's address: that traffic is the node's, not a pod's
    for (const p of topo.flows.pods) if (p.kind === 'pod') this.podByIp.set(p.ip, { name: p.name, workload: p.workload });
    // Byte volumes are heavy-tailed (WAL uploads, large query results): a wider margin than for counts.
    const m = o.envelopeMargin ?? 2;
    this.env = new Envelope([20, 20, 2e5, 2e5, 5, 10], [m, m, 2 * m, 2 * m, m, m]);
  }

  private kind(ip: string): string {
    return this.podByIp.has(ip) ? 'pod' : ip.startsWith('100.64.') ? 'node' : 'external';
  }

  push(flows: readonly FlowRecord[], phase: Phase, out: Signal[]): void {
    const iv = this.o.intervalSeconds * 1e6;
    for (const f of flows) {
      const b = Math.floor(f.timestampUs / iv);
      if (b !== this.bucket) {
        this.close(phase, out);
        this.bucket = b;
      }
      // The service side is the lower, non-ephemeral port: a flow the meter split after a timeout may start with a
      // reply, which must not look like a new pattern.
      const srcSvc = f.srcPort < f.dstPort && f.srcPort < 32768;
      const port = srcSvc ? String(f.srcPort) : f.dstPort >= 32768 ? 'eph' : String(f.dstPort);
      const oneWay = f.totalBwdPackets === 0 ? 1 : 0;
      const src = this.podByIp.get(f.srcIp);
      const dst = this.podByIp.get(f.dstIp);
      // Calls out of the cluster name their destination: pods call a few fixed external services (upstream DNS,
      // SaaS APIs, object storage), so a new address is itself a pattern; ingress from the internet is not.
      const peerOf = (ip: string, calls: boolean): string => (calls && this.kind(ip) === 'external' ? `external:${ip}` : this.kind(ip));
      if (src) this.add(src, `${srcSvc ? 'serves' : 'calls'}/${peerOf(f.dstIp, !srcSvc)}/${f.protocol}/${port}`, f.dstIp, phase, [0, 1, f.totalLengthBwdPackets, f.totalLengthFwdPackets, 0, oneWay]);
      if (dst) this.add(dst, `${srcSvc ? 'calls' : 'serves'}/${peerOf(f.srcIp, srcSvc)}/${f.protocol}/${port}`, f.srcIp, phase, [1, 0, f.totalLengthFwdPackets, f.totalLengthBwdPackets, 0, oneWay]);
    }
  }

  private add(p: { name: string; workload: string }, key: string, peer: string, phase: Phase, v: number[]): void {
    let a = this.acc.get(p.name);
    if (!a) this.acc.set(p.name, (a = { wl: p.workload, v: new Float64Array(FLOW_FEATURES.length), peers: new Set(), novel: new Set() }));
    for (let i = 0; i < v.length; i++) a.v[i] += v[i];
    a.peers.add(peer);
    const k = `${p.workload}/${key}`;
    if (phase === 'train') this.seen.add(k);
    else if (!this.seen.has(k)) a.novel.add(key);
  }

  /** Closes the open interval (call at the end of each phase too). */
  close(phase: Phase, out: Signal[]): void {
    if (this.bucket < 0) return;
    const end = (this.bucket + 1) * this.o.intervalSeconds * 1e6;
    for (const [pod, a] of this.acc) {
      a.v[4] = a.peers.size;
      if (phase === 'train') this.env.learn(a.wl, a.v);
      else if (phase === 'test') {
        const [r, at] = this.env.ratio(a.wl, a.v);
        const novel = [...a.novel];
        const ratio = novel.length > 0 ? Math.max(r, 1 + novel.length) : r;
        out.push({ modality: 'flows', entity: pod, timeUs: end, ratio, reason: novel.length > 0 ? `new traffic patterns: ${novel.slice(0, 3).join(', ')}` : `${FLOW_FEATURES[at]} ${Math.round(a.v[at])} above the learnt envelope` });
      }
    }
    this.acc.clear();
    this.bucket = -1;
  }
}

/** `system:node:worker-3` -> `system:node:*`: nodes are interchangeable principals. */
const principal = (u: string): string => (u.startsWith('system:node:') ? 'system:node:*' : u);

export class AuditDetector {
  private readonly seen = new Set<string>();
  private readonly podByIp = new Map<string, string>();

  constructor(topo: Topology) {
    for (const p of topo.pods) this.podByIp.set(p.ip, p.name);
  }

  push(events: readonly AuditEvent[], phase: Phase, out: Signal[]): void {
    for (const a of events) {
      const key = auditKey(a);
      if (phase === 'train') {
        this.seen.add(key);
        continue;
      }
      if (phase !== 'test') continue;
      const risky = riskyPodSpec(a.requestObject);
      const novel = !this.seen.has(key);
      if (!risky && !novel) continue;
      out.push({ modality: 'audit', entity: this.podByIp.get(a.sourceIp) ?? a.username, timeUs: a.timeUs, ratio: risky ? 10 : 2, reason: risky ? `pod spec asks for ${risky}` : `unusual API use: ${key}` });
    }
  }
}

const READ = new Set(['get', 'list', 'watch']);
/** Resources whose use by a new principal, or in a new way, matters; the rest are grouped as `other`. */
const SENSITIVE = new Set(['secrets', 'pods/exec', 'pods/attach', 'pods/portforward', 'serviceaccounts/token', 'clusterrolebindings', 'rolebindings', 'clusterroles', 'roles', 'nodes/proxy', 'certificatesigningrequests']);

/** principal, read or write, resource (sensitive ones by name), namespaced or cluster-wide. */
export function auditKey(a: AuditEvent): string {
  const res = a.resource + (a.subresource ? '/' + a.subresource : '');
  return `${principal(a.username)} ${READ.has(a.verb) ? 'read' : 'write'} ${SENSITIVE.has(res) ? res : 'other'} ${a.namespace ? 'ns' : 'cluster'}`;
}

/** What a pod spec asks for that lets a container reach the host, or '' when nothing. */
export function riskyPodSpec(obj: unknown): string {
  const spec = (obj as { spec?: Record<string, unknown> } | undefined)?.spec;
  if (!spec || typeof spec !== 'object') return '';
  const found: string[] = [];
  if (spec.hostPID === true) found.push('hostPID');
  if (spec.hostNetwork === true) found.push('hostNetwork');
  const containers = Array.isArray(spec.containers) ? (spec.containers as { securityContext?: { privileged?: boolean } }[]) : [];
  if (containers.some((c) => c.securityContext?.privileged === true)) found.push('privileged');
  const volumes = Array.isArray(spec.volumes) ? (spec.volumes as { hostPath?: unknown }[]) : [];
  if (volumes.some((v) => v.hostPath !== undefined)) found.push('hostPath');
  return found.join(', ');
}

export class MetricDetector {
  private readonly last = new Map<string, ContainerSample & { timeMs: number }>();
  private readonly env: Envelope;
  private readonly wl = new Map<string, string>();

  constructor(topo: Topology, o: DetectorSettings) {
    for (const p of topo.pods) this.wl.set(p.name, p.workload);
    const m = o.envelopeMargin ?? 2;
    this.env = new Envelope([0.1, 2e4], [m, 2 * m]);
  }

  push(samples: readonly ContainerSample[], timeMs: number, phase: Phase, out: Signal[]): void {
    for (const s of samples) {
      const key = `${s.pod}/${s.containerId}`;
      const prev = this.last.get(key);
      this.last.set(key, { ...s, timeMs });
      if (!prev || timeMs <= prev.timeMs) continue;
      const dt = (timeMs - prev.timeMs) / 1000;
      const v = Float64Array.of((s.cpuSeconds - prev.cpuSeconds) / dt, (s.txBytes - prev.txBytes) / dt);
      const wl = this.wl.get(s.pod) ?? s.pod.replace(/-[^-]+-[^-]+$/, '');
      if (phase === 'train') this.env.learn(wl, v);
      else if (phase === 'test') {
        const [r, at] = this.env.ratio(wl, v);
        out.push({ modality: 'metrics', entity: s.pod, timeUs: timeMs * 1000, ratio: r, reason: at === 0 ? `CPU ${v[0].toFixed(2)} cores above the learnt envelope` : `transmit ${Math.round(v[1])} B/s above the learnt envelope` });
      }
    }
  }
}
