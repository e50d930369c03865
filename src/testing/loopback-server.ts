import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A test HTTP server on 127.0.0.1 that can go down and come back ON THE SAME PORT: `stop` stops listening and cuts
 * every open connection (clients then see ECONNREFUSED / ECONNRESET, as with a store or receiver outage), `start`
 * listens again. The fakes of the forensic stores and the alert receivers build on it.
 */
export abstract class LoopbackServer {
  port = 0;
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();

  /** Idle keep-alive before the server closes a connection; short, so outage tests do not wait on stale sockets. */
  constructor(private readonly keepAliveMs = 1000) {}

  protected abstract handle(req: IncomingMessage, res: ServerResponse): void;

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get up(): boolean {
    return this.server !== null;
  }

  /** Listens on 127.0.0.1 (a random port the first time, the same port after `stop`). */
  async start(): Promise<this> {
    const server = createServer((req, res) => this.handle(req, res));
    server.keepAliveTimeout = this.keepAliveMs;
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
    return this;
  }

  /** Goes down: stops listening and cuts every open connection. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
