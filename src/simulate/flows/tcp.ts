/**
 * TCP conversations at packet level: handshake, request/response with delayed ACKs and window-limited rounds,
 * keepalives, FIN or RST teardown. Lengths are TCP payload bytes and header lengths include options, as in the
 * CICFlowMeter columns. The defaults reproduce what the k8s-flows captures show for pods behind an MTU-1400
 * overlay: SYN window 65280 (48 x MSS 1360), 32-byte headers with timestamps, ~500 as the scaled window.
 */
import type { Rng } from '../../core/rng.js';
import { ACK, FIN, PSH, RST, SYN, TCP } from './meter.js';
import { Conn, type ConnOptions, type FlowSink } from './connection.js';

/** What a TCP stack puts in its headers. */
export interface TcpStack {
  /** Window of the SYN / SYN-ACK (unscaled). */
  synWin: number;
  /** Header length of the SYN (options included). */
  synHdr: number;
  /** Header length after the handshake (32 with timestamps, 20 without). */
  hdr: number;
  /** Raw (scaled) window field after the handshake. */
  win: number;
}

/** Typical stacks; `win` gets per-connection jitter in `stack()`. */
export const STACKS = {
  pod: { synWin: 65280, synHdr: 40, hdr: 32, win: 502 },
  node: { synWin: 65280, synHdr: 40, hdr: 32, win: 505 },
  linux: { synWin: 64240, synHdr: 40, hdr: 32, win: 502 },
  windows: { synWin: 64240, synHdr: 32, hdr: 20, win: 1026 },
  macos: { synWin: 65535, synHdr: 44, hdr: 32, win: 2058 },
  android: { synWin: 65535, synHdr: 40, hdr: 32, win: 1369 },
  nmap: { synWin: 1024, synHdr: 24, hdr: 20, win: 0 },
  hping: { synWin: 512, synHdr: 20, hdr: 20, win: 512 },
} as const satisfies Record<string, TcpStack>;

/** A copy of a stack with the scaled window jittered the way receive buffers drift between connections. */
export function stack(rng: Rng, base: TcpStack, spread = 8): TcpStack {
  return { ...base, win: base.win + rng.int(spread) };
}

export interface TcpOptions extends ConnOptions {
  clientStack: TcpStack;
  serverStack: TcpStack;
}

export class TcpConn extends Conn {
  private readonly c: TcpStack;
  private readonly s: TcpStack;
  /** Segments per round trip, per direction (slow start from 10). */
  private cwnd = [10, 10];

  constructor(sink: FlowSink, rng: Rng, opts: TcpOptions) {
    super(sink, rng, opts, TCP);
    this.c = opts.clientStack;
    // Without timestamps on the SYN the server's segments carry no timestamp option either.
    const noTs = opts.clientStack.hdr < 32;
    this.s = noTs ? { ...opts.serverStack, hdr: 20, synHdr: Math.min(opts.serverStack.synHdr, 32) } : opts.serverStack;
  }

  /** One segment `gapUs` after the previous packet. */
  seg(fromClient: boolean, len: number, flags: number, gapUs: number): this {
    this.wait(gapUs);
    const st = fromClient ? this.c : this.s;
    const syn = (flags & SYN) !== 0;
    const win = flags & RST ? 0 : syn ? st.synWin : st.win;
    this.meter.packet(this.t, fromClient, len, flags, win, syn ? st.synHdr : st.hdr);
    return this;
  }

  handshake(): this {
    this.seg(true, 0, SYN, 0);
    this.seg(false, 0, SYN | ACK, this.lat(false));
    return this.seg(true, 0, ACK, this.lat(true));
  }

  /**
   * A message of `bytes` from one side, the first segment `gapUs` after the previous packet. Segments go out in
   * window-limited rounds; the receiver ACKs every second segment after the round's latency. GRO on the capture
   * side merges up to `link.gro` MSS-sized segments into one, which is why captured lengths exceed the MTU.
   */
  send(fromClient: boolean, bytes: number, gapUs = 0, ackLast = true): this {
    let remaining = Math.max(1, Math.round(bytes));
    const dir = fromClient ? 0 : 1;
    const { mss, gro } = this.opts.link;
    let gap = gapUs;
    while (remaining > 0) {
      let inRound = 0;
      while (remaining > 0 && inRound < this.cwnd[dir]) {
        const len = Math.min(remaining, mss * (1 + this.rng.int(gro)));
        remaining -= len;
        const push = remaining === 0 || this.rng.next() < 0.25;
        this.seg(fromClient, len, ACK | (push ? PSH : 0), gap);
        gap = this.gap(len);
        inRound++;
      }
      this.cwnd[dir] = Math.min(this.cwnd[dir] * 2, 64);
      const acks = remaining > 0 || ackLast ? Math.ceil(inRound / 2) : Math.floor(inRound / 2);
      for (let i = 0; i < acks; i++) this.seg(!fromClient, 0, ACK, i === 0 ? this.lat(!fromClient) : this.gap(0));
      gap = this.lat(fromClient);
    }
    return this;
  }

  /** A pure ACK (also a TCP keepalive probe when the connection is idle). */
  ack(fromClient: boolean, gapUs = 0): this {
    return this.seg(fromClient, 0, ACK, gapUs);
  }

  /**
   * Request, optional separate ACK from the server, think time, response, client ACK. `serverAckP` is the chance
   * the server ACKs the request before answering (delayed ACK timer vs a fast piggybacked answer).
   */
  exchange(reqBytes: number, respBytes: number, thinkUs: number, gapUs = 0, serverAckP = 0.85): this {
    const separateAck = this.rng.next() < serverAckP;
    this.send(true, reqBytes, gapUs, separateAck);
    return this.send(false, respBytes, thinkUs + this.lat(false), true);
  }

  /** TCP keepalive: an empty ACK from one side and the peer's ACK. */
  keepalive(fromClient = true, gapUs = 0): this {
    this.ack(fromClient, gapUs);
    return this.ack(!fromClient, this.lat(!fromClient));
  }

  /** Orderly close started by one side (FIN, FIN, last ACK), then the flow is finished. */
  finish(byClient: boolean, gapUs = 0): void {
    this.seg(byClient, 0, FIN | ACK, gapUs);
    this.seg(!byClient, 0, FIN | ACK, this.lat(!byClient));
    this.seg(byClient, 0, ACK, this.lat(byClient));
    this.close();
  }

  /** Abort with a RST from one side, then the flow is finished. */
  reset(byClient: boolean, gapUs = 0): void {
    this.seg(byClient, 0, RST | ACK, gapUs);
    this.close();
  }

  /** End a short HTTP-style connection the usual ways: mostly FIN from either side, sometimes RST. */
  teardown(pClientFin = 0.6, pRst = 0.08): void {
    const u = this.rng.next();
    const byClient = u < pRst ? this.rng.next() < 0.7 : u < pRst + pClientFin;
    if (u < pRst) this.reset(byClient, this.lat(byClient));
    else this.finish(byClient, this.lat(byClient));
  }
}
