/**
 * The bus contract shared by the in-memory and the NATS JetStream transports: at-least-once delivery to durable
 * consumers, explicit acks (a handler that resolves acks, one that throws naks with a delay and the message comes
 * back), a bound on handlers in flight, and publish-side dedup by message id.
 */

export interface PublishOptions {
  /** Dedup key: a second publish with the same id inside the duplicate window is dropped. */
  msgId?: string;
}

export interface PublishResult {
  /** Stream sequence of the stored message (of the original when duplicate). */
  seq: number;
  /** True when the bus dropped this publish as a duplicate of an earlier msgId. */
  duplicate: boolean;
}

export interface BusMessage {
  subject: string;
  data: Uint8Array;
  /** The publisher's msgId, `` when none was given. */
  msgId: string;
  seq: number;
  /** 1 on first delivery, 2+ on redelivery. */
  deliveryCount: number;
  /** Payload decoded as JSON (throws on bad JSON: the handler's failure naks the message). */
  json<T = unknown>(): T;
}

/** Resolve to ack; throw (or reject) to nak with the configured delay. */
export type BusHandler = (msg: BusMessage) => Promise<void>;

export interface ConsumeOptions {
  /** Handlers running at once (default from the bus config). */
  maxInFlight?: number;
  /** Delay before a failed message is redelivered (default from the bus config). */
  nakDelayMs?: number;
}

export interface Subscription {
  /** Stops taking new messages and waits for the handlers in flight to settle. Un-acked messages stay in the stream. */
  stop(): Promise<void>;
}

export interface Bus {
  readonly kind: 'memory' | 'nats';
  publish(subject: string, payload: Uint8Array | object, opts?: PublishOptions): Promise<PublishResult>;
  /** Attaches `handler` to the durable consumer `durableName` (created on first use) over `subjectFilter`. */
  consume(durableName: string, subjectFilter: string, handler: BusHandler, opts?: ConsumeOptions): Promise<Subscription>;
  close(): Promise<void>;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodePayload(payload: Uint8Array | object): Uint8Array {
  return payload instanceof Uint8Array ? payload : encoder.encode(JSON.stringify(payload));
}

export function decodeJson<T>(data: Uint8Array): T {
  return JSON.parse(decoder.decode(data)) as T;
}

/** NATS subject matching: tokens split on `.`, `*` matches one token, a final `>` one or more. */
export function subjectMatches(filter: string, subject: string): boolean {
  const f = filter.split('.');
  const s = subject.split('.');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '>') return i === f.length - 1 && s.length > i;
    if (i >= s.length) return false;
    if (f[i] !== '*' && f[i] !== s[i]) return false;
  }
  return f.length === s.length;
}

/** Counting semaphore: bounds handlers in flight so a slow handler applies backpressure instead of queueing. */
export class Limiter {
  private active = 0;
  private readonly waiters: Array<() => void> = [];
  private readonly idleWaiters: Array<() => void> = [];

  constructor(private readonly max: number) {}

  get inFlight(): number {
    return this.active;
  }

  async acquire(): Promise<void> {
    if (this.active < this.max) {
      this.active++;
      return;
    }
    await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  release(): void {
    const next = this.waiters.shift();
    if (next) {
      next(); // the slot passes straight to the next waiter
      return;
    }
    this.active--;
    if (this.active === 0) for (const w of this.idleWaiters.splice(0)) w();
  }

  /** Resolves when nothing is in flight. */
  idle(): Promise<void> {
    if (this.active === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }
}
