import type { RawEvent } from './types.js';

/**
 * A run of one container's raw events, stored column-wise (times and lines in parallel arrays, no object per
 * event: a busy node caches hundreds of thousands of lines, and per-event objects would cost memory and garbage
 * collection) with a head index, so dropping the oldest events is O(1) and frees their lines. The event at array
 * index `i` has offset `firstOffset + i` in its interval; events dropped from the front keep their numbers, so ids
 * stay stable. A run belongs to one container (`containerId`).
 */
export class EventRun {
  /** Event times, epoch nanoseconds. */
  times: number[] = [];
  lines: (string | undefined)[] = [];
  head = 0;
  /** Line characters of the kept events (bytes for ASCII lines). */
  bytes = 0;
  firstOffset = 0;
  /** Latest event time added (epoch ns): a split at a later end moves the whole run without looking at it. */
  maxTime = -Infinity;

  constructor(public containerId = '') {}

  get length(): number {
    return this.lines.length - this.head;
  }

  /** Appends an event; its size is its line length (characters). */
  add(timeNs: number, line: string): void {
    this.times.push(timeNs);
    this.lines.push(line);
    this.bytes += line.length;
    if (timeNs > this.maxTime) this.maxTime = timeNs;
  }

  push(ev: RawEvent): void {
    if (this.containerId === '') this.containerId = ev.containerId;
    this.add(ev.timeNs, ev.line);
  }

  /** Drops the oldest events until at least `need` bytes are freed (or the run is empty). */
  dropFront(need: number): { events: number; bytes: number } {
    let freed = 0;
    let n = 0;
    while (freed < need && this.head < this.lines.length) {
      freed += (this.lines[this.head] as string).length;
      this.lines[this.head] = undefined;
      this.head++;
      n++;
    }
    this.bytes -= freed;
    return { events: n, bytes: freed };
  }

  /** Kept events with their offsets, oldest first (objects made here, on the rare path that publishes them). */
  *entries(): Generator<[number, RawEvent]> {
    for (let i = this.head; i < this.lines.length; i++) yield [this.firstOffset + i, { containerId: this.containerId, timeNs: this.times[i], line: this.lines[i] as string }];
  }
}

/**
 * Splits the pending run at an interval end: events before `endNs` close the interval, later ones stay pending.
 * The common case (everything is earlier) moves the whole run without copying.
 */
export function splitAt(pending: EventRun, endNs: number): { closed: EventRun; rest: EventRun } {
  if (pending.maxTime < endNs) return { closed: pending, rest: new EventRun(pending.containerId) };
  const { times, lines } = pending;
  let later = 0;
  for (let i = pending.head; i < lines.length; i++) if (times[i] >= endNs) later++;
  if (later === 0) return { closed: pending, rest: new EventRun(pending.containerId) };
  const closed = new EventRun(pending.containerId);
  const rest = new EventRun(pending.containerId);
  closed.firstOffset = pending.firstOffset + pending.head;
  for (let i = pending.head; i < lines.length; i++) (times[i] >= endNs ? rest : closed).add(times[i], lines[i] as string);
  return { closed, rest };
}
