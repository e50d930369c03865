/**
 * Persistent TCP connections (connection pools, watches, scrapes over keep-alive, shells, mining) generated one
 * activity at a time. A connection can predate the capture: then it has no handshake, its first captured packet
 * may come from the server (the row's Src is then the server, as CICFlowMeter does), and Total TCP Flow Time
 * counts from the real connection start. Idle stretches get TCP keepalive probes when the stack sends them.
 */
import type { Rng } from '../../core/rng.js';
import type { Host } from './cluster.js';
import type { SimContext } from './engine.js';
import type { TcpConn, TcpStack } from './tcp.js';
import type { Session } from './time.js';

export interface PersistentTcpOptions {
  client: Host;
  server: Host;
  serverPort: number;
  label: string;
  /** Time of the first activity (or of the handshake for a new connection). */
  firstUs: number;
  /** Set when the connection already existed before `firstUs` (no handshake is generated). */
  connStartUs?: number;
  clientPort?: number;
  clientStack?: TcpStack;
  serverStack?: TcpStack;
  /** After the TCP handshake of a new connection (TLS, login...). */
  open?: (conn: TcpConn) => void;
  /** One activity `gapUs` after the last packet; returns the wait until the next activity (Infinity: no more). */
  activity: (conn: TcpConn, gapUs: number) => number;
  /** Idle time after which the client sends a keepalive probe (0: never). */
  keepaliveUs?: number;
  /** Close the connection at this time (otherwise it stays open until the capture ends). */
  untilUs?: number;
  close?: (conn: TcpConn) => void;
}

class PersistentTcp implements Session {
  nextUs: number;
  private conn: TcpConn | null = null;
  private nextActivityUs: number;

  constructor(
    private readonly rng: Rng,
    private readonly o: PersistentTcpOptions,
  ) {
    this.nextUs = o.firstUs;
    this.nextActivityUs = o.firstUs;
  }

  step(ctx: SimContext): void {
    const o = this.o;
    let conn = this.conn;
    if (!conn) {
      conn = ctx.tcp(this.rng, { ...o, startUs: this.nextUs, connStartUs: o.connStartUs });
      this.conn = conn;
      if (o.connStartUs === undefined) {
        conn.handshake();
        o.open?.(conn);
      }
    }
    const until = o.untilUs ?? Infinity;
    if (this.nextUs >= until) {
      conn.wait(until - conn.t);
      if (o.close) o.close(conn);
      else conn.finish(true);
      this.nextUs = Infinity;
      return;
    }
    if (this.nextUs < this.nextActivityUs) {
      conn.keepalive(true, this.nextUs - conn.t);
    } else {
      const wait = o.activity(conn, Math.max(0, this.nextUs - conn.t));
      this.nextActivityUs = conn.t + Math.max(1, Math.round(wait)); // integer: compared with nextUs below
    }
    const ka = o.keepaliveUs ?? 0;
    let next = this.nextActivityUs;
    if (ka > 0 && next - conn.t > ka) next = conn.t + Math.round(ka) + this.rng.int(400) - 200; // timer slack
    this.nextUs = Math.min(next, until === Infinity ? Infinity : Math.max(until, conn.t + 1));
  }
}

/** A session driving one persistent TCP connection. */
export function persistentTcp(rng: Rng, o: PersistentTcpOptions): Session {
  return new PersistentTcp(rng, o);
}
