/**
 * The generation loop. Time advances in windows; in each window every source generates the connections that
 * start in it (short ones completely, long-lived ones up to the window end). Finished rows wait in a heap and
 * leave in Timestamp order once no open flow can still produce an earlier row, so the output is sorted by
 * start time while memory holds only the rows of the last flow-timeout (<= 120 s) of traffic.
 */
import type { Rng } from '../../core/rng.js';
import type { FlowRecord } from './columns.js';
import { linkBetween, type Host, type ResolvedCluster } from './cluster.js';
import { FlowMeter, RawConn, UdpConn, type FlowSink } from './connection.js';
import { ephemeralPort, pick } from './dist.js';
import { STACKS, TcpConn, stack, type TcpStack } from './tcp.js';

export interface FlowSource {
  /** Generate the connections that start in [fromUs, toUs) and advance long-lived ones to `toUs`. */
  advance(ctx: SimContext, fromUs: number, toUs: number): void;
}

/** Min-heap of rows by (Timestamp, arrival order): ties keep generation order, which is deterministic. */
class RecordHeap {
  private readonly items: FlowRecord[] = [];
  private readonly seqs: number[] = [];
  private seq = 0;

  get size(): number {
    return this.items.length;
  }

  peekTime(): number {
    return this.items.length ? this.items[0].timestampUs : Infinity;
  }

  private less(i: number, j: number): boolean {
    const a = this.items[i].timestampUs;
    const b = this.items[j].timestampUs;
    return a < b || (a === b && this.seqs[i] < this.seqs[j]);
  }

  private swap(i: number, j: number): void {
    [this.items[i], this.items[j]] = [this.items[j], this.items[i]];
    [this.seqs[i], this.seqs[j]] = [this.seqs[j], this.seqs[i]];
  }

  push(r: FlowRecord): void {
    this.items.push(r);
    this.seqs.push(this.seq++);
    let i = this.items.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(i, p)) break;
      this.swap(i, p);
      i = p;
    }
  }

  pop(): FlowRecord {
    const top = this.items[0];
    const last = this.items.length - 1;
    this.swap(0, last);
    this.items.pop();
    this.seqs.pop();
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < this.items.length && this.less(l, m)) m = l;
      if (r < this.items.length && this.less(r, m)) m = r;
      if (m === i) break;
      this.swap(i, m);
      i = m;
    }
    return top;
  }
}

/** Parameters of a connection between two hosts; ports and stacks default from the hosts' kinds. */
export interface ConnSpec {
  client: Host;
  server: Host;
  serverPort: number;
  startUs: number;
  label: string;
  clientPort?: number;
  clientStack?: TcpStack;
  serverStack?: TcpStack;
  connStartUs?: number;
}

const EXTERNAL_STACKS = [STACKS.linux, STACKS.windows, STACKS.macos, STACKS.android, STACKS.windows, STACKS.android];

/** The stack a host of this kind usually runs (external clients: a mix of operating systems). */
export function defaultStack(rng: Rng, host: Host): TcpStack {
  if (host.kind === 'pod') return stack(rng, STACKS.pod);
  if (host.kind === 'node') return stack(rng, STACKS.node);
  return stack(rng, pick(rng, EXTERNAL_STACKS));
}

export class SimContext implements FlowSink {
  private readonly heap = new RecordHeap();
  private readonly open = new Set<FlowMeter>();

  constructor(
    readonly cluster: ResolvedCluster,
    readonly captureStartUs: number,
    readonly captureEndUs: number,
  ) {}

  accept(record: FlowRecord): void {
    this.heap.push(record);
  }

  opened(meter: FlowMeter): void {
    this.open.add(meter);
  }

  closed(meter: FlowMeter): void {
    this.open.delete(meter);
  }

  tcp(rng: Rng, c: ConnSpec): TcpConn {
    return new TcpConn(this, rng, {
      client: { ip: c.client.ip, port: c.clientPort ?? ephemeralPort(rng) },
      server: { ip: c.server.ip, port: c.serverPort },
      label: c.label,
      startUs: c.startUs,
      connStartUs: c.connStartUs,
      link: linkBetween(c.client, c.server),
      clientStack: c.clientStack ?? defaultStack(rng, c.client),
      serverStack: c.serverStack ?? defaultStack(rng, c.server),
    });
  }

  udp(rng: Rng, c: ConnSpec): UdpConn {
    return new UdpConn(this, rng, {
      client: { ip: c.client.ip, port: c.clientPort ?? ephemeralPort(rng) },
      server: { ip: c.server.ip, port: c.serverPort },
      label: c.label,
      startUs: c.startUs,
      link: linkBetween(c.client, c.server),
    });
  }

  raw(rng: Rng, c: ConnSpec): RawConn {
    return new RawConn(this, rng, {
      client: { ip: c.client.ip, port: 0 },
      server: { ip: c.server.ip, port: 0 },
      label: c.label,
      startUs: c.startUs,
      connStartUs: c.connStartUs,
      link: linkBetween(c.client, c.server),
    });
  }

  /** Earliest start among flows still open: rows from before it are final. */
  private watermark(): number {
    let w = Infinity;
    for (const m of this.open) w = Math.min(w, m.openSinceUs);
    return w;
  }

  /** Rows that can no longer be preceded by another row, in Timestamp order. */
  *drain(beforeUs: number): Generator<FlowRecord> {
    const limit = Math.min(beforeUs, this.watermark());
    while (this.heap.size > 0 && this.heap.peekTime() < limit) yield this.heap.pop();
  }

  /** Capture end: finish every open flow and release all rows. */
  *finish(): Generator<FlowRecord> {
    for (const m of [...this.open]) m.close();
    while (this.heap.size > 0) yield this.heap.pop();
  }
}

/** Window of the generation loop: short enough to keep the heap small, long enough to amortise the loop. */
const WINDOW_US = 1_000_000;

export function* runEngine(ctx: SimContext, sources: readonly FlowSource[]): Generator<FlowRecord> {
  for (let from = ctx.captureStartUs; from < ctx.captureEndUs; from += WINDOW_US) {
    const to = Math.min(from + WINDOW_US, ctx.captureEndUs);
    for (const s of sources) s.advance(ctx, from, to);
    yield* ctx.drain(to);
  }
  yield* ctx.finish();
}
