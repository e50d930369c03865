import { connect, nanos, type NatsConnection } from '@nats-io/transport-node';
import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  jetstream,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
} from '@nats-io/jetstream';
import { PeregrineError } from '../../core/errors.js';
import type { BusConfig } from './options.js';
import {
  decodeJson,
  encodePayload,
  Limiter,
  type Bus,
  type BusHandler,
  type BusMessage,
  type ConsumeOptions,
  type PublishOptions,
  type PublishResult,
  type Subscription,
} from './types.js';

export interface NatsBusOptions {
  /** Auth token (from PEREGRINE_BUS_TOKEN or the chart's Secret), never from the config file. */
  token?: string;
  /** Connection name shown by the server's monitoring (e.g. `peregrine-agent-node1`). */
  name?: string;
  /** Connection status changes (disconnect, reconnect, ...), for logs. */
  onStatus?: (type: string, detail: string) => void;
}

/**
 * The scale-out bus on NATS JetStream: a durable stream (file storage, size/age caps, duplicate window for
 * msgId dedup), durable pull consumers with explicit acks, ack-wait redelivery of anything a crashed consumer
 * held, nak with delay on handler failure, and automatic reconnect (the client retries forever; pull consumers
 * resume after the server returns).
 */
export class NatsBus implements Bus {
  readonly kind = 'nats' as const;
  private readonly subs = new Set<NatsSubscription>();

  private constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly cfg: BusConfig,
  ) {}

  static async connect(cfg: BusConfig, opts: NatsBusOptions = {}): Promise<NatsBus> {
    let nc: NatsConnection;
    try {
      nc = await connect({
        servers: cfg.url.split(',').map((s) => s.trim()),
        token: opts.token,
        name: opts.name ?? 'peregrine',
        reconnect: true,
        maxReconnectAttempts: -1,
        reconnectTimeWait: 1000,
      });
    } catch (e) {
      throw new PeregrineError('PGN_ERR_IO', `cannot connect to NATS at ${cfg.url}: ${(e as Error).message}`, {
        where: 'bus.url',
        hint: 'check that nats-server runs with -js and the URL and token are right',
        cause: e,
      });
    }
    if (opts.onStatus) {
      const report = opts.onStatus;
      void (async () => {
        for await (const s of nc.status()) report(s.type, 'server' in s ? String(s.server) : '');
      })().catch(() => undefined);
    }
    try {
      const jsm = await jetstreamManager(nc);
      const bus = new NatsBus(nc, jetstream(nc), jsm, cfg);
      await bus.ensureStream();
      return bus;
    } catch (e) {
      await nc.close();
      throw new PeregrineError('PGN_ERR_IO', `cannot set up the JetStream stream ${cfg.stream}: ${(e as Error).message}`, {
        where: 'bus.stream',
        hint: 'is JetStream enabled (nats-server -js)? do other streams already capture these subjects?',
        cause: e,
      });
    }
  }

  /** Creates the stream, or brings an existing one's subjects and limits in line with the config. */
  private async ensureStream(): Promise<void> {
    const c = this.cfg;
    const limits = {
      subjects: c.subjects,
      max_bytes: c.maxBytes,
      max_age: nanos(c.maxAgeSeconds * 1000),
      duplicate_window: nanos(c.duplicateWindowSeconds * 1000),
      discard: DiscardPolicy.Old,
    };
    try {
      await this.jsm.streams.info(c.stream);
      await this.jsm.streams.update(c.stream, limits);
    } catch (e) {
      if (!(e instanceof JetStreamApiError) || e.code !== JetStreamApiCodes.StreamNotFound) throw e;
      await this.jsm.streams.add({
        name: c.stream,
        ...limits,
        retention: RetentionPolicy.Limits,
        storage: c.storage === 'file' ? StorageType.File : StorageType.Memory,
      });
    }
  }

  async publish(subject: string, payload: Uint8Array | object, opts: PublishOptions = {}): Promise<PublishResult> {
    const ack = await this.js.publish(subject, encodePayload(payload), opts.msgId ? { msgID: opts.msgId } : undefined);
    return { seq: ack.seq, duplicate: ack.duplicate };
  }

  async consume(durableName: string, subjectFilter: string, handler: BusHandler, opts: ConsumeOptions = {}): Promise<Subscription> {
    const maxInFlight = opts.maxInFlight ?? this.cfg.maxInFlight;
    const config = {
      durable_name: durableName,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      filter_subject: subjectFilter,
      ack_wait: nanos(this.cfg.ackWaitSeconds * 1000),
      max_deliver: this.cfg.maxDeliver,
      // The server never hands this consumer more un-acked messages than we run at once.
      max_ack_pending: maxInFlight,
    };
    try {
      await this.jsm.consumers.info(this.cfg.stream, durableName);
      await this.jsm.consumers.update(this.cfg.stream, durableName, {
        ack_wait: config.ack_wait,
        max_deliver: config.max_deliver,
        max_ack_pending: config.max_ack_pending,
        filter_subject: subjectFilter,
      });
    } catch (e) {
      if (!(e instanceof JetStreamApiError) || e.code !== JetStreamApiCodes.ConsumerNotFound) throw e;
      await this.jsm.consumers.add(this.cfg.stream, config);
    }
    const consumer = await this.js.consumers.get(this.cfg.stream, durableName);
    const messages = await consumer.consume({ max_messages: maxInFlight });
    const sub = new NatsSubscription(messages, handler, maxInFlight, opts.nakDelayMs ?? this.cfg.nakDelayMs, () => this.subs.delete(sub));
    this.subs.add(sub);
    return sub;
  }

  /** Un-acked messages of a consumer (for tests and the dashboard). */
  async pending(durableName: string): Promise<{ pending: number; ackPending: number; redelivered: number }> {
    const info = await this.jsm.consumers.info(this.cfg.stream, durableName);
    return { pending: info.num_pending, ackPending: info.num_ack_pending, redelivered: info.num_redelivered };
  }

  async streamInfo(): Promise<{ messages: number; bytes: number }> {
    const info = await this.jsm.streams.info(this.cfg.stream);
    return { messages: info.state.messages, bytes: info.state.bytes };
  }

  async close(): Promise<void> {
    await Promise.all([...this.subs].map((s) => s.stop()));
    if (this.nc.isClosed()) return;
    // Drain flushes outstanding acks; while the server is unreachable it would wait for the reconnect, so a
    // shutdown gives it a few seconds and then closes (un-flushed acks only mean redelivery: at-least-once).
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), 5000)));
    const drained = await Promise.race([this.nc.drain().then(() => 'drained' as const, () => 'failed' as const), timeout]);
    clearTimeout(timer);
    if (drained !== 'drained' && !this.nc.isClosed()) await this.nc.close();
  }
}

class NatsSubscription implements Subscription {
  private active = true;
  private readonly limiter: Limiter;
  private readonly loop: Promise<void>;

  constructor(
    private readonly messages: ConsumerMessages,
    private readonly handler: BusHandler,
    maxInFlight: number,
    private readonly nakDelayMs: number,
    private readonly onStop: () => void,
  ) {
    this.limiter = new Limiter(maxInFlight);
    // The iterator only ends with an error when the consumer is gone for good; keep it for `error`, never crash.
    this.loop = this.run().catch((e: unknown) => {
      this.error = e instanceof Error ? e : new Error(String(e));
    });
  }

  /** Set when consumption stopped on its own (consumer or stream deleted). */
  error: Error | null = null;

  private async run(): Promise<void> {
    for await (const m of this.messages) {
      await this.limiter.acquire();
      if (!this.active) {
        // Stopped while waiting: leave the message un-acked; the server redelivers it after ack_wait.
        this.limiter.release();
        break;
      }
      const message: BusMessage = {
        subject: m.subject,
        data: m.data,
        msgId: m.headers?.get('Nats-Msg-Id') ?? '',
        seq: m.seq,
        deliveryCount: m.info.deliveryCount,
        json: <T>() => decodeJson<T>(m.data),
      };
      void Promise.resolve()
        .then(() => this.handler(message))
        .then(
          () => m.ack(),
          () => m.nak(this.nakDelayMs),
        )
        .finally(() => this.limiter.release());
    }
  }

  async stop(): Promise<void> {
    if (!this.active) return;
    this.active = false;
    await this.messages.close();
    await this.loop;
    await this.limiter.idle();
    this.onStop();
  }
}
