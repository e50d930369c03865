import type { BusConfig } from './options.js';
import {
  decodeJson,
  encodePayload,
  Limiter,
  subjectMatches,
  type Bus,
  type BusHandler,
  type BusMessage,
  type ConsumeOptions,
  type PublishOptions,
  type PublishResult,
  type Subscription,
} from './types.js';

interface Stored {
  seq: number;
  subject: string;
  data: Uint8Array;
  msgId: string;
  time: number;
}

interface ConsumerState {
  filter: string;
  /** Next sequence never delivered yet. */
  cursor: number;
  /** Delivered, not yet acked: seq -> ack-wait timer. */
  pending: Map<number, NodeJS.Timeout>;
  /** Due for redelivery (nak or ack-wait expiry): seq -> time due. */
  redeliver: Map<number, number>;
  deliveries: Map<number, number>;
  attached: boolean;
}

type Limits = Pick<BusConfig, 'maxBytes' | 'maxAgeSeconds' | 'duplicateWindowSeconds' | 'ackWaitSeconds' | 'maxDeliver' | 'maxInFlight' | 'nakDelayMs'>;

/**
 * The single-process bus: the same contract as the JetStream transport (durable consumers, acks, nak with delay,
 * ack-wait redelivery, msgId dedup, size/age limits) without a server, so the embedded mode and unit tests run the
 * same code paths as a scaled-out deployment. Nothing survives the process: that is what `nats` is for.
 */
export class MemoryBus implements Bus {
  readonly kind = 'memory' as const;
  private readonly stored: Stored[] = [];
  private bytes = 0;
  private nextSeq = 1;
  private readonly seen = new Map<string, { seq: number; time: number }>();
  private readonly consumers = new Map<string, ConsumerState>();
  private readonly wakers = new Set<() => void>();
  private readonly subs = new Set<MemorySubscription>();
  private closed = false;

  constructor(private readonly limits: Limits, private readonly now: () => number = Date.now) {}

  async publish(subject: string, payload: Uint8Array | object, opts: PublishOptions = {}): Promise<PublishResult> {
    if (this.closed) throw new Error('bus closed');
    const time = this.now();
    const msgId = opts.msgId ?? '';
    if (msgId !== '') {
      this.expireDedup(time);
      const prior = this.seen.get(msgId);
      if (prior) return { seq: prior.seq, duplicate: true };
    }
    const data = encodePayload(payload);
    const seq = this.nextSeq++;
    this.stored.push({ seq, subject, data, msgId, time });
    this.bytes += data.byteLength;
    if (msgId !== '') this.seen.set(msgId, { seq, time });
    this.enforceLimits(time);
    this.wake();
    return { seq, duplicate: false };
  }

  async consume(durableName: string, subjectFilter: string, handler: BusHandler, opts: ConsumeOptions = {}): Promise<Subscription> {
    if (this.closed) throw new Error('bus closed');
    let state = this.consumers.get(durableName);
    if (!state) {
      state = { filter: subjectFilter, cursor: 1, pending: new Map(), redeliver: new Map(), deliveries: new Map(), attached: false };
      this.consumers.set(durableName, state);
    } else if (state.filter !== subjectFilter) {
      throw new Error(`consumer ${durableName} exists with filter ${state.filter}, not ${subjectFilter}`);
    }
    if (state.attached) throw new Error(`consumer ${durableName} already has a subscriber`);
    state.attached = true;
    const sub = new MemorySubscription(this, state, handler, opts.maxInFlight ?? this.limits.maxInFlight, opts.nakDelayMs ?? this.limits.nakDelayMs);
    this.subs.add(sub);
    void sub.run();
    return sub;
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.subs].map((s) => s.stop()));
    for (const c of this.consumers.values()) for (const t of c.pending.values()) clearTimeout(t);
  }

  /** Messages currently retained (for tests and the dashboard). */
  get size(): number {
    return this.stored.length;
  }

  // ---- internals used by MemorySubscription ----

  /** The next message for `c`: due redeliveries first, then new messages matching the filter. */
  next(c: ConsumerState): { msg: Stored; count: number } | { waitMs: number } | null {
    const time = this.now();
    let soonest = Infinity;
    for (const [seq, due] of c.redeliver) {
      if (due > time) {
        soonest = Math.min(soonest, due - time);
        continue;
      }
      c.redeliver.delete(seq);
      const msg = this.find(seq);
      if (!msg) continue; // aged or size-limited out of the stream meanwhile
      const count = (c.deliveries.get(seq) ?? 0) + 1;
      if (this.limits.maxDeliver > 0 && count > this.limits.maxDeliver) continue;
      return { msg, count };
    }
    const first = this.stored.length > 0 ? this.stored[0].seq : this.nextSeq;
    if (c.cursor < first) c.cursor = first;
    while (c.cursor < this.nextSeq) {
      const msg = this.find(c.cursor++);
      if (msg && subjectMatches(c.filter, msg.subject)) return { msg, count: (c.deliveries.get(msg.seq) ?? 0) + 1 };
    }
    return Number.isFinite(soonest) ? { waitMs: soonest } : null;
  }

  delivered(c: ConsumerState, seq: number, count: number): void {
    c.deliveries.set(seq, count);
    const timer = setTimeout(() => {
      // Ack wait expired: the handler is still running or was lost; hand the message out again.
      if (c.pending.delete(seq)) {
        c.redeliver.set(seq, this.now());
        this.wake();
      }
    }, this.limits.ackWaitSeconds * 1000);
    timer.unref();
    c.pending.set(seq, timer);
  }

  ack(c: ConsumerState, seq: number): void {
    const t = c.pending.get(seq);
    if (t) clearTimeout(t);
    c.pending.delete(seq);
    c.redeliver.delete(seq);
    c.deliveries.delete(seq);
  }

  nak(c: ConsumerState, seq: number, delayMs: number): void {
    const t = c.pending.get(seq);
    if (!t) return; // ack wait already expired and re-queued it
    clearTimeout(t);
    c.pending.delete(seq);
    c.redeliver.set(seq, this.now() + delayMs);
    this.wake();
  }

  waitForWork(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wakers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(1, Math.min(ms, 1000)));
      this.wakers.add(done);
    });
  }

  wake(): void {
    for (const w of [...this.wakers]) w();
  }

  detach(sub: MemorySubscription, c: ConsumerState): void {
    c.attached = false;
    this.subs.delete(sub);
  }

  private find(seq: number): Stored | undefined {
    if (this.stored.length === 0) return undefined;
    const i = seq - this.stored[0].seq; // sequences are contiguous: eviction only removes from the front
    const m = this.stored[i];
    return m && m.seq === seq ? m : undefined;
  }

  private expireDedup(time: number): void {
    const horizon = time - this.limits.duplicateWindowSeconds * 1000;
    for (const [id, v] of this.seen) {
      if (v.time >= horizon) break; // insertion order = time order
      this.seen.delete(id);
    }
  }

  private enforceLimits(time: number): void {
    const oldest = this.limits.maxAgeSeconds > 0 ? time - this.limits.maxAgeSeconds * 1000 : -Infinity;
    while (this.stored.length > 1 && (this.bytes > this.limits.maxBytes || this.stored[0].time < oldest)) {
      const m = this.stored.shift()!;
      this.bytes -= m.data.byteLength;
    }
  }
}

class MemorySubscription implements Subscription {
  private active = true;
  private readonly limiter: Limiter;
  private loop: Promise<void> = Promise.resolve();

  constructor(
    private readonly bus: MemoryBus,
    private readonly state: ConsumerState,
    private readonly handler: BusHandler,
    maxInFlight: number,
    private readonly nakDelayMs: number,
  ) {
    this.limiter = new Limiter(maxInFlight);
  }

  run(): Promise<void> {
    this.loop = this.pump();
    return this.loop;
  }

  private async pump(): Promise<void> {
    while (this.active) {
      await this.limiter.acquire();
      if (!this.active) {
        this.limiter.release();
        break;
      }
      const got = this.bus.next(this.state);
      if (got === null || 'waitMs' in got) {
        this.limiter.release();
        await this.bus.waitForWork(got === null ? 1000 : got.waitMs);
        continue;
      }
      const { msg, count } = got;
      this.bus.delivered(this.state, msg.seq, count);
      const message: BusMessage = {
        subject: msg.subject,
        data: msg.data,
        msgId: msg.msgId,
        seq: msg.seq,
        deliveryCount: count,
        json: <T>() => decodeJson<T>(msg.data),
      };
      // Handlers run concurrently up to the limit; the loop goes on to the next message meanwhile.
      void Promise.resolve()
        .then(() => this.handler(message))
        .then(
          () => this.bus.ack(this.state, msg.seq),
          () => this.bus.nak(this.state, msg.seq, this.nakDelayMs),
        )
        .finally(() => this.limiter.release());
    }
  }

  async stop(): Promise<void> {
    if (!this.active) return this.loop;
    this.active = false;
    this.bus.wake();
    await this.loop;
    await this.limiter.idle();
    this.bus.detach(this, this.state);
  }
}
