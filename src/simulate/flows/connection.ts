/**
 * Connections: the packet-level vocabulary profiles and attacks are written in. A connection owns a `FlowMeter`
 * that cuts its packets into CICFlowMeter flows (120 s flow timeout, the later pieces keep the Flow ID but take
 * their direction from their own first packet, as the fork does) and hands finished rows to the engine.
 */
import type { Rng } from '../../core/rng.js';
import type { FlowRecord } from './columns.js';
import { FLOW_TIMEOUT_US, FlowStats, OTHER, UDP, type Endpoint } from './meter.js';
import type { Link } from './cluster.js';

/** Where finished rows go, and the capture window packets must fall in (packets outside it are not seen). */
export interface FlowSink {
  readonly captureStartUs: number;
  readonly captureEndUs: number;
  accept(record: FlowRecord): void;
  /** A meter started a flow that is not finished yet (the engine holds back later rows until it is). */
  opened(meter: FlowMeter): void;
  closed(meter: FlowMeter): void;
}

/** Cuts one connection's packets into flows. */
export class FlowMeter {
  private cur: FlowStats | null = null;

  constructor(
    private readonly sink: FlowSink,
    readonly a: Endpoint,
    readonly b: Endpoint,
    readonly protocol: number,
    readonly label: string,
    /** When the connection started (may precede the capture): the base of Total TCP Flow Time. */
    readonly connStartUs: number,
  ) {}

  /** Start time of the unfinished flow, Infinity when none is open. */
  get openSinceUs(): number {
    return this.cur ? this.cur.startUs : Infinity;
  }

  packet(t: number, fromA: boolean, len: number, flags: number, win: number, hdr: number): void {
    if (t < this.sink.captureStartUs || t >= this.sink.captureEndUs) return;
    if (this.cur && t - this.cur.startUs > FLOW_TIMEOUT_US) this.close();
    if (!this.cur) {
      this.cur = new FlowStats(t, fromA);
      this.sink.opened(this);
    }
    this.cur.add(t, fromA === this.cur.fwdIsA, len, flags, win, hdr);
  }

  /** Finish the open flow (connection end, or capture end). */
  close(): void {
    const cur = this.cur;
    if (!cur) return;
    this.cur = null;
    const [src, dst] = cur.fwdIsA ? [this.a, this.b] : [this.b, this.a];
    this.sink.accept(cur.toRecord(src, dst, this.protocol, this.connStartUs, this.label));
    this.sink.closed(this);
  }
}

export interface ConnOptions {
  client: Endpoint;
  server: Endpoint;
  label: string;
  startUs: number;
  link: Link;
  /** Connection start when it precedes `startUs` (a connection already open when the capture began). */
  connStartUs?: number;
}

/** Shared clock and meter of every connection kind. `t` only moves forward, so packets stay in order. */
export abstract class Conn {
  t: number;
  protected readonly meter: FlowMeter;

  constructor(
    sink: FlowSink,
    protected readonly rng: Rng,
    protected readonly opts: ConnOptions,
    protocol: number,
  ) {
    this.t = Math.round(opts.startUs);
    this.meter = new FlowMeter(sink, opts.client, opts.server, protocol, opts.label, opts.connStartUs ?? this.t);
  }

  /** Advance the clock (think time, idle gap). */
  wait(us: number): this {
    this.t += Math.max(0, Math.round(us));
    return this;
  }

  /**
   * Delay before a packet from one side that answers the other, as the capture point in the cluster sees it:
   * a far (internet) sender answers after a full round trip, a near one within microseconds; between two
   * in-cluster hosts it is the one-way latency.
   */
  lat(fromClient: boolean): number {
    const { latencyUs, far } = this.opts.link;
    const jitter = 0.6 + 0.8 * this.rng.next();
    if (far === undefined) return Math.max(1, latencyUs * jitter);
    return (far === 'client') === fromClient ? Math.max(1, 2 * latencyUs * jitter) : 4 + 36 * this.rng.next();
  }

  /** Gap between back-to-back packets from one sender (serialisation plus stack jitter). */
  gap(bytes: number): number {
    return 1 + bytes / this.opts.link.bytesPerUs + this.rng.next() * 12;
  }

  /** Finish the connection's open flow without any teardown packets. */
  close(): void {
    this.meter.close();
  }
}

/** UDP: datagrams, 8-byte headers, no flags or windows. */
export class UdpConn extends Conn {
  constructor(sink: FlowSink, rng: Rng, opts: ConnOptions) {
    super(sink, rng, opts, UDP);
  }

  /** A datagram `gapUs` after the previous packet. */
  send(fromClient: boolean, bytes: number, gapUs = 0): this {
    this.wait(gapUs);
    this.meter.packet(this.t, fromClient, bytes, 0, 0, 8);
    return this;
  }
}

/** Non-TCP/UDP traffic as the fork sees it (ICMP echo, tunnels): protocol 0, no lengths, no header bytes. */
export class RawConn extends Conn {
  constructor(sink: FlowSink, rng: Rng, opts: ConnOptions) {
    super(sink, rng, { ...opts, client: { ip: opts.client.ip, port: 0 }, server: { ip: opts.server.ip, port: 0 } }, OTHER);
  }

  send(fromClient: boolean, gapUs = 0): this {
    this.wait(gapUs);
    this.meter.packet(this.t, fromClient, 0, 0, 0, 0);
    return this;
  }
}
