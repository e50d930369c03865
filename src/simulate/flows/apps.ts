/**
 * Application-layer shapes shared by profiles and attacks: TLS handshakes and HTTP message sizes. Attacks reuse
 * the benign shapes on purpose (an HTTP flood speaks the same HTTP, an exfiltration the same TLS), so that what
 * gives them away is volume, rate, direction and destination rather than an impossible packet.
 */
import type { Rng } from '../../core/rng.js';
import { chance, intBetween, lognormal, pick } from './dist.js';
import type { TcpConn } from './tcp.js';

/** TLS client families: ClientHello sizes differ (browser extensions and GREASE, Go's compact hello, curl). */
export type TlsClient = 'browser' | 'go' | 'node' | 'java' | 'curl';

const CLIENT_HELLO: Record<TlsClient, readonly number[]> = {
  browser: [517, 517, 583, 1786, 1812, 652],
  go: [281, 295, 303],
  node: [517, 517, 343],
  java: [398, 428, 462],
  curl: [517, 583],
};

/** TLS 1.3 record overhead: 5-byte header, 1 content-type byte, 16-byte tag. */
export const TLS_OVERHEAD = 22;

export interface TlsOptions {
  client: TlsClient;
  /** Certificate chain size of the server (its flight is ServerHello + certs + verify + finished). */
  certBytes?: number;
  /** The server sends NewSessionTicket records right after the handshake (TLS 1.3 servers mostly do). */
  tickets?: boolean;
}

/** TLS 1.3 full handshake after the TCP handshake; the conversation continues from the client's Finished. */
export function tlsHandshake(conn: TcpConn, rng: Rng, o: TlsOptions): void {
  const hello = pick(rng, CLIENT_HELLO[o.client]) + intBetween(rng, -8, 8);
  const serverFlight = (o.certBytes ?? 2600) + intBetween(rng, 180, 320);
  conn.send(true, hello, conn.gap(0)); // right behind the client's handshake ACK
  conn.send(false, serverFlight, lognormal(rng, 700, 0.5, 100, 20000) + conn.lat(false));
  conn.send(true, 64 + (chance(rng, 0.5) ? 0 : 10), conn.lat(true), false);
  if (o.tickets ?? true) conn.send(false, 2 * (234 + intBetween(rng, 0, 24)), conn.lat(false));
}

/** HTTP/1.1 request size: request line, headers (cookies make browser requests the larger ones). */
export function httpRequestBytes(rng: Rng, kind: 'browser' | 'service' | 'bot'): number {
  if (kind === 'browser') return Math.round(lognormal(rng, 520, 0.35, 180, 4000));
  if (kind === 'bot') return Math.round(lognormal(rng, 110, 0.25, 60, 260));
  return Math.round(lognormal(rng, 330, 0.5, 110, 6000));
}

/** HTTP response size: headers plus a heavy-tailed body. */
export function httpResponseBytes(rng: Rng, medianBody: number, sigma = 1.2): number {
  return 180 + Math.round(lognormal(rng, medianBody, sigma, 0, 2_000_000));
}

/** Wrap an application payload in TLS records (16 KiB each). */
export function tlsWrap(bytes: number): number {
  return bytes + TLS_OVERHEAD * Math.max(1, Math.ceil(bytes / 16384));
}
