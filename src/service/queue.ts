/**
 * A bounded ingest queue: a cap on records and on bytes, all-or-nothing offers (a request is either queued whole or
 * refused with 429/503 and retried by the sender, so nothing is half-taken), and a consumer that waits for work.
 * Memory is bounded by `maxBytes` whatever the senders do.
 */
export interface QueueStats {
  depth: number;
  bytes: number;
  maxItems: number;
  maxBytes: number;
  /** Fill ratio: the larger of depth/maxItems and bytes/maxBytes. */
  fill: number;
}

export class BoundedQueue<T> {
  private items: T[] = [];
  private sizes: number[] = [];
  private head = 0;
  private bytesHeld = 0;
  private waiter: (() => void) | null = null;
  private closed = false;

  constructor(
    readonly maxItems: number,
    readonly maxBytes: number,
  ) {}

  get depth(): number {
    return this.items.length - this.head;
  }

  get bytes(): number {
    return this.bytesHeld;
  }

  stats(): QueueStats {
    return { depth: this.depth, bytes: this.bytesHeld, maxItems: this.maxItems, maxBytes: this.maxBytes, fill: Math.max(this.depth / this.maxItems, this.bytesHeld / this.maxBytes) };
  }

  /** Whether `n` records of `bytes` in all would fit now. */
  fits(n: number, bytes: number): boolean {
    return this.depth + n <= this.maxItems && this.bytesHeld + bytes <= this.maxBytes;
  }

  /** Queues all of `records` (costing `bytes` in all) or none; false when they do not fit or the queue is closed. */
  offer(records: readonly T[], bytes: number): boolean {
    if (this.closed || !this.fits(records.length, bytes)) return false;
    const each = records.length > 0 ? bytes / records.length : 0;
    for (const r of records) {
      this.items.push(r);
      this.sizes.push(each);
    }
    this.bytesHeld += bytes;
    this.wake();
    return true;
  }

  /** Takes up to `max` records (oldest first). */
  take(max: number): T[] {
    const n = Math.min(max, this.depth);
    const out = this.items.slice(this.head, this.head + n);
    let b = 0;
    for (let i = this.head; i < this.head + n; i++) b += this.sizes[i];
    this.head += n;
    this.bytesHeld = Math.max(0, this.bytesHeld - b);
    // compact once the consumed prefix dominates, so the arrays never grow without bound
    if (this.head > 4096 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.sizes = this.sizes.slice(this.head);
      this.head = 0;
    }
    if (this.depth === 0) this.bytesHeld = 0;
    return out;
  }

  /** Resolves when records are waiting, the queue is closed, or after `timeoutMs`. */
  wait(timeoutMs: number): Promise<void> {
    if (this.depth > 0 || this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.waiter = null;
        resolve();
      }, timeoutMs);
      this.waiter = () => {
        clearTimeout(t);
        this.waiter = null;
        resolve();
      };
    });
  }

  /** Refuses new records; the consumer drains what is queued. */
  close(): void {
    this.closed = true;
    this.wake();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private wake(): void {
    this.waiter?.();
  }
}
