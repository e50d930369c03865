/**
 * Benign syscall activity of every simulated container, generated fast: each pod's request sequences are
 * instantiated once as template events (its identity, processes, files and socket tuples filled in), and a time
 * slice is then just (time, template, class) columns in preallocated typed arrays. Writers turn templates into
 * byte prefixes once and copy them per event (writers.ts); the evaluation materialises SyscallEvent objects.
 */
import { Rng } from '../../core/rng.js';
import type { SyscallEvent } from '../../ingest/events/types.js';
import { fnv1a } from '../flows/cluster.js';
import { PROFILES, diurnal, type ProfileSpec, type Step } from './profiles.js';
import type { SimPod, Topology } from './topology.js';

/** A slice of events as columns: time (epoch us), template index, class index (0 benign). */
export class SyscallColumns {
  n = 0;
  times = new Float64Array(1 << 14);
  tpl = new Int32Array(1 << 14);
  cls = new Uint16Array(1 << 14);

  clear(): void {
    this.n = 0;
  }

  push(t: number, tpl: number, cls: number): void {
    if (this.n === this.times.length) this.grow();
    const i = this.n++;
    this.times[i] = t;
    this.tpl[i] = tpl;
    this.cls[i] = cls;
  }

  private grow(): void {
    const m = this.times.length * 2;
    const t = new Float64Array(m);
    t.set(this.times);
    const p = new Int32Array(m);
    p.set(this.tpl);
    const c = new Uint16Array(m);
    c.set(this.cls);
    this.times = t;
    this.tpl = p;
    this.cls = c;
  }
}

const VARIANTS = 2;

interface PodState {
  spec: ProfileSpec;
  /** Template ids of sequence s, variant v at [s * VARIANTS + v]. */
  seqs: Int32Array[];
  cum: Float64Array;
  startup: Int32Array;
  rate: number;
  walk: number;
}

export interface SyscallSimOptions {
  seed: number;
  /** Multiplies every request rate (default 1). */
  rateScale?: number;
  /** Diurnal amplitude (default 0.4). */
  diurnalAmplitude?: number;
}

export class SyscallSim {
  readonly templates: SyscallEvent[] = [];
  readonly classes: string[] = ['benign'];
  /** Per-pod load multiplier the scenarios set (CPU stress slows a container; 0 = not running). */
  readonly podLoad: Float64Array;
  private readonly classIndex = new Map<string, number>([['benign', 0]]);
  private readonly pods: PodState[] = [];
  private readonly rng: Rng;
  private readonly scale: number;
  private readonly amplitude: number;

  constructor(
    readonly topo: Topology,
    options: SyscallSimOptions,
  ) {
    this.rng = new Rng(fnv1a(`${options.seed}/syscalls`));
    this.scale = options.rateScale ?? 1;
    this.amplitude = options.diurnalAmplitude ?? 0.4;
    this.podLoad = new Float64Array(topo.pods.length).fill(1);
    for (const p of topo.pods) this.pods.push(this.instantiate(p));
  }

  classId(name: string): number {
    let c = this.classIndex.get(name);
    if (c === undefined) {
      c = this.classes.length;
      this.classes.push(name);
      this.classIndex.set(name, c);
    }
    return c;
  }

  private peers(p: SimPod): { ip: string; port: number }[] {
    const t = this.topo;
    const svc = t.services.find((s) => s.workload === p.workload);
    const port = svc?.port ?? 80;
    if (p.profile === 'nginx') return t.flows.nodes.slice(1, 4).map((n) => ({ ip: n.ip, port }));
    if (p.profile === 'coredns') return t.pods.slice(0, 4).map((q) => ({ ip: q.ip, port: 53 }));
    if (p.profile === 'prometheus') return t.pods.slice(0, 4).map((q) => ({ ip: q.ip, port: 9100 }));
    const clients = t.flows.clientsOf(p.workload);
    return clients.length > 0 ? clients.slice(0, 4).map((c) => ({ ip: c.ip, port })) : [{ ip: t.flows.nodes[0].ip, port }];
  }

  /** (Re)builds a pod's templates from its current identity (new container id after a restart). */
  private instantiate(p: SimPod): PodState {
    const spec = PROFILES[p.profile];
    const peers = this.peers(p);
    const sfx = /-\d+$/.exec(p.workload)?.[0] ?? '';
    const svcOf = (w: string): { ip: string; port: number } => {
      const s = this.topo.services.find((x) => x.workload === `${w}${sfx}`);
      return s ? { ip: s.clusterIp, port: s.port } : { ip: '10.96.0.10', port: 53 };
    };
    const h = fnv1a(`${p.name}/${p.generation}`);
    const make = (step: Step, v: number): number => {
      const [pi, syscall, ret, token] = step;
      const proc = spec.procs[pi];
      const e: SyscallEvent = {
        timeUs: 0, node: p.node, containerId: p.containerId, image: p.image, pod: p.name, namespace: p.namespace,
        process: proc.name, exe: proc.exe, parent: proc.parent, pid: proc.pid, tid: proc.pid, syscall, dir: '', ret, fd: token,
        srcAddr: '', srcPort: -1, dstAddr: '', dstPort: -1, label: 0, attackClass: 'benign', source: GENERATED,
      };
      if (token.startsWith('$')) {
        const eph = 32768 + ((h + v * 7919 + token.length * 131) % 28000);
        let src = p.ip;
        let dst: { ip: string; port: number };
        let sport = eph;
        if (token === '$in') {
          const peer = peers[v % peers.length];
          src = peer.ip;
          dst = p.profile === 'prometheus' ? peer : { ip: p.ip, port: peer.port };
          if (p.profile === 'prometheus') src = p.ip;
        } else if (token === '$dns') dst = { ip: '10.96.0.10', port: 53 };
        else if (token === '$up') dst = { ip: '192.0.2.53', port: 53 };
        else dst = svcOf(token.slice(5));
        if (token === '$in' && p.profile !== 'prometheus') sport = eph;
        e.srcAddr = src;
        e.srcPort = sport;
        e.dstAddr = dst.ip;
        e.dstPort = dst.port;
        e.fd = `${src}:${sport}->${dst.ip}:${dst.port}`;
      }
      this.templates.push(e);
      return this.templates.length - 1;
    };
    const seqs: Int32Array[] = [];
    const cum = new Float64Array(spec.sequences.length);
    let acc = 0;
    spec.sequences.forEach((s, si) => {
      acc += s.weight;
      cum[si] = acc;
      for (let v = 0; v < VARIANTS; v++) seqs.push(Int32Array.from(s.steps, (st) => make(st, v)));
    });
    for (let i = 0; i < cum.length; i++) cum[i] /= acc;
    const startup = Int32Array.from(spec.startup, (st) => make(st, 0));
    return { spec, seqs, cum, startup, rate: spec.requestsPerSecond * (0.8 + 0.4 * ((h >>> 8) / 0xffffff)), walk: 0 };
  }

  /** The pod's identity changed (restart, rollout): new templates, and its start-up events at `tUs`. */
  restart(pod: SimPod, tUs: number, out: SyscallColumns): void {
    const st = this.instantiate(pod);
    this.pods[pod.index] = st;
    let t = tUs;
    for (const id of st.startup) out.push((t += 200 + this.rng.int(3000)), id, 0);
  }

  /** Appends the benign events of [s, e) (epoch us) of every running pod, each pod's in time order. */
  generate(s: number, e: number, out: SyscallColumns): void {
    const load = diurnal(s, this.amplitude) * this.scale;
    const rng = this.rng;
    for (let i = 0; i < this.pods.length; i++) {
      const pl = this.podLoad[i];
      if (pl <= 0) continue;
      const st = this.pods[i];
      st.walk = 0.95 * st.walk + 0.05 * rng.normal();
      const rate = st.rate * load * pl * Math.max(0.3, 1 + 0.15 * st.walk);
      this.requests(i, s, e, rate, 0, out, rng);
    }
  }

  /** Extra requests on a pod at `rate` per second in [s, e), labelled with class `cls` (floods). */
  requests(pod: number, s: number, e: number, rate: number, cls: number, out: SyscallColumns, rng: Rng): void {
    if (rate <= 0) return;
    const st = this.pods[pod];
    const mean = 1e6 / rate;
    const cum = st.cum;
    const nseq = cum.length;
    let t = s - Math.log(1 - rng.next()) * mean;
    while (t < e) {
      const u = rng.next();
      let k = 0;
      while (k < nseq - 1 && u > cum[k]) k++;
      const seq = st.seqs[k * VARIANTS + (rng.nextUint32() & (VARIANTS - 1))];
      let ts = t;
      for (let j = 0; j < seq.length; j++) {
        out.push(Math.round(ts), seq[j], cls);
        ts += 8 + (rng.nextUint32() & 63);
      }
      t -= Math.log(1 - rng.next()) * mean;
    }
  }

  /** Materialises events [from, to) of the columns as SyscallEvent objects (labels from the class). */
  toEvents(cols: SyscallColumns, out: SyscallEvent[] = []): SyscallEvent[] {
    for (let i = 0; i < cols.n; i++) {
      const c = cols.cls[i];
      const e = { ...this.templates[cols.tpl[i]], timeUs: cols.times[i] };
      if (c !== 0) {
        e.label = 1;
        e.attackClass = this.classes[c];
      }
      out.push(e);
    }
    return out;
  }
}

const GENERATED = Object.freeze({ file: 'generated', line: 0 });

/** Reorders columns by millisecond (a counting sort: at most 1 ms out of order, like a real merged feed). */
export function sortByMillisecond(cols: SyscallColumns, s: number, e: number, scratch: SyscallColumns): SyscallColumns {
  const buckets = Math.max(1, Math.ceil((e - s) / 1000));
  const count = new Int32Array(buckets + 1);
  const n = cols.n;
  for (let i = 0; i < n; i++) {
    let b = Math.floor((cols.times[i] - s) / 1000);
    if (b < 0) b = 0;
    else if (b >= buckets) b = buckets - 1;
    count[b + 1]++;
  }
  for (let b = 0; b < buckets; b++) count[b + 1] += count[b];
  scratch.n = 0;
  while (scratch.times.length < n) scratch.push(0, 0, 0);
  for (let i = 0; i < n; i++) {
    let b = Math.floor((cols.times[i] - s) / 1000);
    if (b < 0) b = 0;
    else if (b >= buckets) b = buckets - 1;
    const j = count[b]++;
    scratch.times[j] = cols.times[i];
    scratch.tpl[j] = cols.tpl[i];
    scratch.cls[j] = cols.cls[i];
  }
  scratch.n = n;
  return scratch;
}
