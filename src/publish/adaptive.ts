import { EventRun, splitAt } from './buffer.js';
import { adaptiveOptionsSchema, type AdaptiveOptions } from './options.js';
import {
  addCounters,
  buildEvent,
  buildSummary,
  countEvents,
  countSummary,
  emptyCounters,
  publishedBytes,
  type IntervalRef,
} from './records.js';
import type { EventReason, ForensicRecord, IntervalVerdict, ObservedEvent, PublishCounters, PublishStats, Publisher, RawEvent, RecordOutput } from './types.js';
import { parseOptions } from './util.js';

/**
 * The adaptive forensic publisher of the SRI design: ship little while a container is stable, everything while it
 * is not.
 *
 * Per container it keeps a bounded cache of raw events: the open interval and the last K closed intervals, within a
 * byte cap (the oldest events are dropped first, and counted). The cap counts line characters, which are bytes for
 * the ASCII lines event formats use, so the hot path never scans UTF-8; published bytes are exact UTF-8. On each interval verdict:
 * - stable: only the activity summary record (latent mean/variance, score, threshold, counts) is published, and the
 *   interval's events join the cache;
 * - unstable: the summary, the cached previous intervals (pre-incident context, reason `context`) and the interval's
 *   full log (reason `unstable`) are published, and full logs keep going out (reason `cooldown`) until the
 *   container has been stable for M consecutive intervals. With M = 2: U S S S -> full logs for U and the first S;
 *   the second S completes the cool-down and is summary-only.
 */

interface ClosedInterval {
  ref: IntervalRef;
  run: EventRun;
}

interface ContainerState {
  pending: EventRun;
  /** Closed, unpublished intervals, oldest first (at most K). */
  cache: ClosedInterval[];
  /** Bytes of the pending run and the cache. */
  bytes: number;
  coolDown: boolean;
  stableStreak: number;
  droppedSinceSummary: number;
  counters: PublishCounters;
}

export interface AdaptivePublisherConfig extends Partial<AdaptiveOptions> {
  /** Receives each verdict's records (usually `Delivery.enqueue`). */
  output?: RecordOutput;
}

export class AdaptivePublisher implements Publisher {
  readonly mode = 'adaptive' as const;
  readonly options: AdaptiveOptions;
  private readonly output?: RecordOutput;
  private readonly states = new Map<string, ContainerState>();
  private readonly removed = emptyCounters();

  constructor(config: AdaptivePublisherConfig = {}) {
    const { output, ...options } = config;
    this.options = parseOptions(adaptiveOptionsSchema, options, 'adaptive');
    this.output = output;
  }

  private state(containerId: string): ContainerState {
    let st = this.states.get(containerId);
    if (!st) {
      st = { pending: new EventRun(containerId), cache: [], bytes: 0, coolDown: false, stableStreak: 0, droppedSinceSummary: 0, counters: emptyCounters() };
      this.states.set(containerId, st);
    }
    return st;
  }

  observe(events: readonly RawEvent[]): void {
    const cap = this.options.cacheMaxBytes;
    let lastId: string | undefined;
    let st: ContainerState | undefined;
    for (const ev of events) {
      if (ev.containerId !== lastId) {
        st = this.state(ev.containerId);
        lastId = ev.containerId;
      }
      const s = st as ContainerState;
      s.pending.add(ev.timeNs, ev.line);
      // the cap counts line characters (bytes for ASCII lines): no UTF-8 scan per event
      s.bytes += ev.line.length;
      if (s.bytes > cap) this.enforceCap(s, cap);
    }
  }

  observeEvents(events: readonly ObservedEvent[], lines: readonly string[], from = 0, to = events.length): void {
    const cap = this.options.cacheMaxBytes;
    let lastId: string | undefined;
    let st: ContainerState | undefined;
    for (let i = from; i < to; i++) {
      const ev = events[i];
      if (ev.containerId !== lastId) {
        st = this.state(ev.containerId);
        lastId = ev.containerId;
      }
      const s = st as ContainerState;
      const line = lines[i];
      s.pending.add(ev.timeUs * 1000, line);
      s.bytes += line.length;
      if (s.bytes > cap) this.enforceCap(s, cap);
    }
  }

  /** Drops the oldest cached events (previous intervals first, then the open interval's oldest) down to the cap. */
  private enforceCap(st: ContainerState, cap: number): void {
    let excess = st.bytes - cap;
    const drop = (run: EventRun, need: number): number => {
      const d = run.dropFront(need);
      st.bytes -= d.bytes;
      st.counters.droppedEvents += d.events;
      st.counters.droppedBytes += d.bytes;
      st.droppedSinceSummary += d.events;
      return d.bytes;
    };
    while (excess > 0 && st.cache.length > 0) {
      const oldest = st.cache[0];
      excess -= drop(oldest.run, excess);
      if (oldest.run.length === 0) st.cache.shift();
    }
    if (excess > 0) drop(st.pending, excess);
  }

  onVerdict(v: IntervalVerdict): ForensicRecord[] {
    const st = this.state(v.containerId);
    const { closed, rest } = splitAt(st.pending, v.intervalEnd * 1e6);
    st.pending = rest;
    const ref: IntervalRef = { containerId: v.containerId, group: v.group, intervalStart: v.intervalStart, intervalEnd: v.intervalEnd };
    const c = st.counters;
    c.intervals++;

    let reason: EventReason | null = null;
    if (v.unstable) {
      reason = 'unstable';
      st.coolDown = true;
      st.stableStreak = 0;
    } else if (st.coolDown) {
      st.stableStreak++;
      if (st.stableStreak >= this.options.coolDownIntervals) st.coolDown = false;
      else reason = 'cooldown';
    }

    const context = reason ? st.cache.splice(0) : [];
    const summary = buildSummary(v, { fullLog: reason !== null, contextIntervals: context.length, droppedEvents: st.droppedSinceSummary });
    st.droppedSinceSummary = 0;
    countSummary(c, publishedBytes(summary));
    const records: ForensicRecord[] = [summary];

    if (reason) {
      c.fullLogIntervals++;
      for (const ctx of context) this.emitRun(st, ctx.ref, ctx.run, 'context', records);
      this.emitRun(st, ref, closed, reason, records);
    } else {
      st.cache.push({ ref, run: closed });
      while (st.cache.length > this.options.cacheIntervals) st.bytes -= (st.cache.shift() as ClosedInterval).run.bytes;
    }
    this.output?.(records);
    return records;
  }

  private emitRun(st: ContainerState, ref: IntervalRef, run: EventRun, reason: EventReason, into: ForensicRecord[]): void {
    let bytes = 0;
    for (const [offset, ev] of run.entries()) {
      into.push(buildEvent(ref, offset, ev, reason));
      bytes += Buffer.byteLength(ev.line);
    }
    countEvents(st.counters, run.length, bytes);
    st.bytes -= run.bytes;
  }

  removeContainer(containerId: string): void {
    const st = this.states.get(containerId);
    if (!st) return;
    addCounters(this.removed, st.counters);
    this.states.delete(containerId);
  }

  /** Containers with cached events or state. */
  containers(): string[] {
    return [...this.states.keys()];
  }

  /** Line characters (bytes for ASCII) currently cached for a container (open interval + previous intervals). */
  cachedBytes(containerId: string): number {
    return this.states.get(containerId)?.bytes ?? 0;
  }

  stats(): PublishStats {
    const total = emptyCounters();
    addCounters(total, this.removed);
    const containers: Record<string, PublishCounters> = {};
    for (const [id, st] of this.states) {
      containers[id] = { ...st.counters };
      addCounters(total, st.counters);
    }
    return { total, containers };
  }
}
