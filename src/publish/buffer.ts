import type { RawEvent } from './types.js';

/**
 * A run of one container's raw events: parallel arrays with a head index, so dropping the oldest events is O(1)
 * and frees their lines. The event at array index `i` has offset `firstOffset + i` in its interval; events dropped
 * from the front keep their numbers, so ids stay stable.
 */
export class EventRun {
  events: (RawEvent | undefined)[] = [];
  sizes: number[] = [];
  head = 0;
  bytes = 0;
  firstOffset = 0;

  get length(): number {
    return this.events.length - this.head;
  }

  push(ev: RawEvent, size: number): void {
    this.events.push(ev);
    this.sizes.push(size);
    this.bytes += size;
  }

  /** Drops the oldest events until at least `need` bytes are freed (or the run is empty). */
  dropFront(need: number): { events: number; bytes: number } {
    let freed = 0;
    let n = 0;
    while (freed < need && this.head < this.events.length) {
      freed += this.sizes[this.head];
      this.events[this.head] = undefined;
      this.head++;
      n++;
    }
    this.bytes -= freed;
    return { events: n, bytes: freed };
  }

  /** Kept events with their offsets, oldest first. */
  *entries(): Generator<[number, RawEvent]> {
    for (let i = this.head; i < this.events.length; i++) yield [this.firstOffset + i, this.events[i] as RawEvent];
  }
}

/**
 * Splits the pending run at an interval end: events before `endNs` close the interval, later ones stay pending.
 * The common case (everything is earlier) moves the whole run without copying.
 */
export function splitAt(pending: EventRun, endNs: number): { closed: EventRun; rest: EventRun } {
  let later = 0;
  for (let i = pending.head; i < pending.events.length; i++) if ((pending.events[i] as RawEvent).timeNs >= endNs) later++;
  if (later === 0) return { closed: pending, rest: new EventRun() };
  const closed = new EventRun();
  const rest = new EventRun();
  closed.firstOffset = pending.firstOffset + pending.head;
  for (let i = pending.head; i < pending.events.length; i++) {
    const ev = pending.events[i] as RawEvent;
    (ev.timeNs >= endNs ? rest : closed).push(ev, pending.sizes[i]);
  }
  return { closed, rest };
}
