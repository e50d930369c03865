import { EventRun, splitAt } from './buffer.js';
import { addCounters, buildEvent, countEvents, emptyCounters } from './records.js';
import type { ForensicRecord, IntervalVerdict, ObservedEvent, PublishCounters, PublishStats, Publisher, RawEvent, RecordOutput } from './types.js';

/**
 * The standard publisher: the conventional eBPF forensic publisher the SRI paper compares against. It ships every
 * event of every interval (reason `standard`), whatever the verdict, in one batch per container and interval (the
 * sinks send batches as bulk requests). No summaries, no cache bound: everything observed is published.
 */

interface ContainerState {
  pending: EventRun;
  counters: PublishCounters;
}

export interface StandardPublisherConfig {
  output?: RecordOutput;
}

export class StandardPublisher implements Publisher {
  readonly mode = 'standard' as const;
  private readonly output?: RecordOutput;
  private readonly states = new Map<string, ContainerState>();
  private readonly removed = emptyCounters();

  constructor(config: StandardPublisherConfig = {}) {
    this.output = config.output;
  }

  private state(containerId: string): ContainerState {
    let st = this.states.get(containerId);
    if (!st) {
      st = { pending: new EventRun(containerId), counters: emptyCounters() };
      this.states.set(containerId, st);
    }
    return st;
  }

  observe(events: readonly RawEvent[]): void {
    let lastId: string | undefined;
    let st: ContainerState | undefined;
    for (const ev of events) {
      if (ev.containerId !== lastId) {
        st = this.state(ev.containerId);
        lastId = ev.containerId;
      }
      (st as ContainerState).pending.add(ev.timeNs, ev.line);
    }
  }

  observeEvents(events: readonly ObservedEvent[], lines: readonly string[], from = 0, to = events.length): void {
    let lastId: string | undefined;
    let st: ContainerState | undefined;
    for (let i = from; i < to; i++) {
      const ev = events[i];
      if (ev.containerId !== lastId) {
        st = this.state(ev.containerId);
        lastId = ev.containerId;
      }
      (st as ContainerState).pending.add(ev.timeUs * 1000, lines[i]);
    }
  }

  onVerdict(v: IntervalVerdict): ForensicRecord[] {
    const st = this.state(v.containerId);
    const { closed, rest } = splitAt(st.pending, v.intervalEnd * 1e6);
    st.pending = rest;
    const ref = { containerId: v.containerId, group: v.group, intervalStart: v.intervalStart, intervalEnd: v.intervalEnd };
    const records: ForensicRecord[] = [];
    let bytes = 0;
    for (const [offset, ev] of closed.entries()) {
      records.push(buildEvent(ref, offset, ev, 'standard'));
      bytes += Buffer.byteLength(ev.line);
    }
    st.counters.intervals++;
    st.counters.fullLogIntervals++;
    countEvents(st.counters, closed.length, bytes);
    if (records.length > 0) this.output?.(records);
    return records;
  }

  removeContainer(containerId: string): void {
    const st = this.states.get(containerId);
    if (!st) return;
    addCounters(this.removed, st.counters);
    this.states.delete(containerId);
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
