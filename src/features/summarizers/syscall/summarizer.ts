/**
 * The syscall summarizer: SyscallEvents in, one ActivityVector per (container, interval) out (schema.ts).
 *
 * Streaming and bounded: per container it keeps only the counters of its open interval (one Float64Array of
 * FEATURE_COUNT), two capped sets (distinct processes and executables of the interval), the previous syscall (bigram
 * context) and a few scalars. An interval closes when an event of its container falls past its end, or when the
 * latest event time seen passes its end by `latenessSeconds` (so a container that goes quiet still gets its vector
 * out), or at `flush()`. Late events (up to latenessSeconds before the open interval) are counted into it; events
 * further back close it and open their own window (inputs sorted newest first still give one vector per window).
 *
 * In `trace` mode (ADFA-LD) there is no time: each container is one trace and gets one vector, closed when the
 * next container starts (traces arrive one after another) or at `flush()`.
 */
import { detach } from '../../../ingest/events/json/cursor.js';
import type { EventBatch, ResourceSample, SyscallEvent } from '../../../ingest/events/types.js';
import type { BinaryLabel } from '../../../ingest/types.js';
import { ExecutableBaseline } from './baseline.js';
import { syscallInfo } from './catalog.js';
import { groupKey, pathClass, portClass } from './classify.js';
import { bigramBucketFrom, bigramPrefix } from './hash.js';
import { parseSummarizerOptions, type SummarizerInput, type SummarizerOptions } from './options.js';
import {
  BIGRAM_BUCKETS,
  FEATURE_COUNT,
  F_EVENTS_OTHER,
  F_EVENTS_TOTAL,
  F_EXE_DISTINCT,
  F_EXE_UNSEEN,
  F_FAILED_TOTAL,
  F_INTERVAL_SECONDS,
  F_PROC_DISTINCT,
  OFF_ACCEPT,
  OFF_BIGRAM,
  OFF_CLASS,
  OFF_CONNECT,
  OFF_FAILED_CLASS,
  OFF_PATH,
  OFF_RESOURCE,
  OFF_SYSCALL,
} from './schema.js';
import { WindowClock } from './windows.js';

export interface ActivityVector {
  containerId: string;
  /** Baseline group (normalised image, namespace/workload, or container id: see groupKey). */
  group: string;
  image: string;
  pod: string;
  namespace: string;
  /** Interval start and end, epoch microseconds (trace mode: first position and last position + 1). */
  intervalStart: number;
  intervalEnd: number;
  /** FEATURE_COUNT values in FEATURE_NAMES order. */
  values: Float32Array;
  /** Events counted in the interval. */
  eventCount: number;
  /** 1 if any event of the interval is an attack, else 0 if any is benign, else -1. */
  label: BinaryLabel;
  /** Class of the first attack event (when label is 1), `benign` (0), `` (-1). */
  attackClass: string;
}

export interface SummarizerStats {
  events: number;
  vectors: number;
  /** Events up to latenessSeconds before their container's open interval (counted into it). */
  lateEvents: number;
  /** Events further back than that: the open interval was closed and the event's own window opened. */
  outOfOrder: number;
  /** Events without a finite time (not counted). */
  noTime: number;
  /** Intervals closed early because more than maxContainers containers were open. */
  evicted: number;
  resources: number;
}

interface SyscallEntry {
  name: string;
  audited: number;
  cls: number;
  /** 1 connect, 2 accept/accept4, 0 other. */
  net: number;
  prefix: number;
}

const RES_SAMPLES = OFF_RESOURCE;
const RES_CPU_MEAN = OFF_RESOURCE + 1;
const RES_CPU_MAX = OFF_RESOURCE + 2;
const RES_MEMORY_MAX = OFF_RESOURCE + 3;
const RES_NET_RX = OFF_RESOURCE + 4;
const RES_NET_TX = OFF_RESOURCE + 5;
const RES_STORAGE_READ = OFF_RESOURCE + 6;
const RES_STORAGE_WRITTEN = OFF_RESOURCE + 7;
const MAX_SYSCALL_CACHE = 4096;

class ContainerState {
  group = '';
  image = '';
  pod = '';
  namespace = '';
  open = false;
  start = 0;
  end = 0;
  readonly c = new Float64Array(FEATURE_COUNT);
  readonly procs = new Set<string>();
  readonly exes = new Set<string>();
  prev: SyscallEntry | null = null;
  label: BinaryLabel = -1;
  attackClass = '';
  events = 0;
  first = Infinity;
  last = -Infinity;
  cpuSum = 0;
  cpuN = 0;
  lastActive = -Infinity;

  constructor(readonly id: string) {}
}

export class SyscallSummarizer {
  readonly options: SummarizerOptions;
  readonly clock: WindowClock;
  readonly baseline: ExecutableBaseline;
  readonly stats: SummarizerStats = { events: 0, vectors: 0, lateEvents: 0, outOfOrder: 0, noTime: 0, evicted: 0, resources: 0 };
  private readonly states = new Map<string, ContainerState>();
  private readonly syscalls = new Map<string, SyscallEntry>();
  private current: ContainerState | null = null;
  private maxTime = -Infinity;
  private readonly trace: boolean;
  private readonly latenessUs: number;

  constructor(options: SummarizerInput = {}, baseline?: ExecutableBaseline) {
    this.options = parseSummarizerOptions(options);
    const o = this.options;
    this.clock = new WindowClock(o.intervalSeconds, o.jitterSeconds, o.seed, o.originSeconds * 1e6);
    this.baseline = baseline ?? new ExecutableBaseline(o.baselineIntervals, o.maxExecutablesPerGroup);
    this.trace = o.mode === 'trace';
    this.latenessUs = o.latenessSeconds * 1e6;
  }

  /** Containers with state held (open interval or recent bigram context). */
  get containers(): number {
    return this.states.size;
  }

  /** The group a container was assigned (`undefined` when unknown or evicted). */
  groupOf(containerId: string): string | undefined {
    return this.states.get(containerId)?.group;
  }

  private entry(name: string): SyscallEntry {
    let s = this.syscalls.get(name);
    if (s === undefined) {
      const info = syscallInfo(name);
      s = {
        name: detach(info.name),
        audited: info.audited,
        cls: info.cls,
        net: info.name === 'connect' ? 1 : info.name === 'accept' || info.name === 'accept4' ? 2 : 0,
        prefix: bigramPrefix(info.name),
      };
      if (this.syscalls.size < MAX_SYSCALL_CACHE) this.syscalls.set(detach(name), s);
    }
    return s;
  }

  private identify(st: ContainerState, image: string, pod: string, namespace: string): void {
    let changed = false;
    // Long-lived strings are detached from the read buffers they may be views of.
    if (st.image === '' && image !== '') {
      st.image = detach(image);
      changed = true;
    }
    if (st.pod === '' && pod !== '') {
      st.pod = detach(pod);
      changed = true;
    }
    if (st.namespace === '' && namespace !== '') {
      st.namespace = detach(namespace);
      changed = true;
    }
    if (changed || st.group === '') st.group = groupKey(this.options.groupBy, st.id, st.image, st.pod, st.namespace);
  }

  private stateFor(id: string, out: ActivityVector[]): ContainerState {
    let st = this.states.get(id);
    if (st === undefined) {
      if (this.states.size >= this.options.maxContainers) this.evictOne(out);
      st = new ContainerState(detach(id));
      this.states.set(st.id, st);
    }
    if (this.trace && this.current !== st) {
      if (this.current !== null && this.current.open) {
        out.push(this.close(this.current));
        this.states.delete(this.current.id);
      }
      this.current = st;
    }
    return st;
  }

  private evictOne(out: ActivityVector[]): void {
    let victim: ContainerState | null = null;
    for (const s of this.states.values()) if (victim === null || s.lastActive < victim.lastActive) victim = s;
    if (victim === null) return;
    if (victim.open) {
      out.push(this.close(victim));
      this.stats.evicted++;
    }
    this.states.delete(victim.id);
  }

  /** Puts the state's open interval around time t (closing the previous one when t is past it). */
  private place(st: ContainerState, t: number, out: ActivityVector[]): void {
    if (this.trace) {
      st.open = true;
      if (t < st.first) st.first = t;
      if (t > st.last) st.last = t;
      return;
    }
    if (!st.open) this.openAt(st, t);
    else if (t >= st.end) {
      out.push(this.close(st));
      this.openAt(st, t);
    } else if (t < st.start) {
      if (st.start - t <= this.latenessUs) this.stats.lateEvents++;
      else {
        // Far out of order (an input sorted newest first, a merge of nodes): the event gets its own window.
        this.stats.outOfOrder++;
        out.push(this.close(st));
        this.openAt(st, t);
      }
    }
    if (t > st.lastActive) st.lastActive = t;
  }

  private openAt(st: ContainerState, t: number): void {
    const k = this.clock.window(t);
    st.start = this.clock.edge(k);
    st.end = this.clock.edge(k + 1);
    st.open = true;
  }

  private count(st: ContainerState, e: SyscallEvent): void {
    const c = st.c;
    const max = this.options.maxDistinct;
    st.events++;
    c[F_EVENTS_TOTAL]++;
    const sc = this.entry(e.syscall);
    if (sc.audited >= 0) c[OFF_SYSCALL + sc.audited]++;
    if (sc.cls >= 0) c[OFF_CLASS + sc.cls]++;
    else c[F_EVENTS_OTHER]++;
    if (e.ret < 0) {
      c[F_FAILED_TOTAL]++;
      if (sc.cls >= 0) c[OFF_FAILED_CLASS + sc.cls]++;
    }
    if (e.process !== '' && st.procs.size < max) st.procs.add(e.process);
    const exe = e.exe || e.process;
    if (exe !== '' && st.exes.size < max) st.exes.add(exe);
    if (sc.net === 1) c[OFF_CONNECT + portClass(e.dstPort)]++;
    else if (sc.net === 2) c[OFF_ACCEPT + portClass(e.dstPort)]++;
    const fd = e.fd;
    if (fd.length > 0 && fd.charCodeAt(0) === 47) c[OFF_PATH + pathClass(fd)]++;
    if (st.prev !== null) c[OFF_BIGRAM + bigramBucketFrom(st.prev.prefix, sc.name, BIGRAM_BUCKETS)]++;
    st.prev = sc;
    if (e.label > st.label) {
      st.label = e.label;
      st.attackClass = e.attackClass;
    }
  }

  private addResource(r: ResourceSample, out: ActivityVector[]): void {
    const t = r.timeUs;
    if (!Number.isFinite(t)) return;
    const st = this.stateFor(r.containerId, out);
    if (st.group === '' || (st.image === '' && r.image)) this.identify(st, r.image ?? '', '', '');
    this.place(st, t, out);
    if (t > this.maxTime) this.maxTime = t;
    this.stats.resources++;
    const c = st.c;
    c[RES_SAMPLES]++;
    if (r.cpu === r.cpu) {
      st.cpuSum += r.cpu;
      st.cpuN++;
      if (r.cpu > c[RES_CPU_MAX]) c[RES_CPU_MAX] = r.cpu;
    }
    if (r.memoryBytes > c[RES_MEMORY_MAX]) c[RES_MEMORY_MAX] = r.memoryBytes;
    if (r.netRxBytes === r.netRxBytes) c[RES_NET_RX] += r.netRxBytes;
    if (r.netTxBytes === r.netTxBytes) c[RES_NET_TX] += r.netTxBytes;
    if (r.storageReadBytes === r.storageReadBytes) c[RES_STORAGE_READ] += r.storageReadBytes;
    if (r.storageWrittenBytes === r.storageWrittenBytes) c[RES_STORAGE_WRITTEN] += r.storageWrittenBytes;
  }

  private close(st: ContainerState): ActivityVector {
    const v = new Float32Array(FEATURE_COUNT);
    v.set(st.c);
    v[F_PROC_DISTINCT] = st.procs.size;
    v[F_EXE_DISTINCT] = st.exes.size;
    v[F_EXE_UNSEEN] = this.baseline.observe(st.group, st.exes);
    v[RES_CPU_MEAN] = st.cpuN > 0 ? st.cpuSum / st.cpuN : 0;
    const start = this.trace ? (st.first === Infinity ? 0 : st.first) : st.start;
    const end = this.trace ? (st.last === -Infinity ? 0 : st.last + 1) : st.end;
    v[F_INTERVAL_SECONDS] = this.trace ? 0 : (end - start) / 1e6;
    const out: ActivityVector = {
      containerId: st.id,
      group: st.group,
      image: st.image,
      pod: st.pod,
      namespace: st.namespace,
      intervalStart: start,
      intervalEnd: end,
      values: v,
      eventCount: st.events,
      label: st.label,
      attackClass: st.attackClass,
    };
    st.c.fill(0);
    st.procs.clear();
    st.exes.clear();
    st.events = 0;
    st.label = -1;
    st.attackClass = '';
    st.cpuSum = 0;
    st.cpuN = 0;
    st.first = Infinity;
    st.last = -Infinity;
    st.open = false;
    this.stats.vectors++;
    return out;
  }

  /** Closes intervals the event time has moved past, and drops long-idle containers. */
  private sweep(out: ActivityVector[]): void {
    const wm = this.maxTime - this.latenessUs;
    const idleBefore = wm - this.options.idleIntervals * this.clock.intervalUs;
    for (const st of this.states.values()) {
      if (st.open && st.end <= wm) out.push(this.close(st));
      if (!st.open && st.lastActive < idleBefore) this.states.delete(st.id);
    }
  }

  /**
   * Adds a batch (or plain events); returns the vectors it closed. Resource samples of a batch are merged with its
   * events by time.
   */
  push(input: EventBatch | readonly SyscallEvent[]): ActivityVector[] {
    const events: readonly SyscallEvent[] = Array.isArray(input) ? input : (input as EventBatch).events;
    const resources: readonly ResourceSample[] = Array.isArray(input) ? [] : ((input as EventBatch).resources ?? []);
    const out: ActivityVector[] = [];
    let r = 0;
    for (let i = 0; i < events.length; i++) {
      const e = events[i];
      const t = e.timeUs;
      while (r < resources.length && resources[r].timeUs <= t) this.addResource(resources[r++], out);
      if (t - t !== 0) {
        this.stats.noTime++;
        continue;
      }
      const st = this.stateFor(e.containerId, out);
      if (st.group === '' || (st.image === '' && e.image !== '') || (st.pod === '' && e.pod !== '')) this.identify(st, e.image, e.pod, e.namespace);
      this.place(st, t, out);
      this.count(st, e);
      if (t > this.maxTime) this.maxTime = t;
      this.stats.events++;
    }
    while (r < resources.length) this.addResource(resources[r++], out);
    if (!this.trace) this.sweep(out);
    return out;
  }

  /** Closes every open interval (end of input) and returns the vectors. */
  flush(): ActivityVector[] {
    const out: ActivityVector[] = [];
    for (const st of this.states.values()) if (st.open) out.push(this.close(st));
    this.states.clear();
    this.current = null;
    return out;
  }
}
