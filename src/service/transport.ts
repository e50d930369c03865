/**
 * Agent -> hub transports. HTTP: POST /ingest/findings with the bearer token; 202 = taken, 429/503 = retry after
 * the hub's Retry-After, 4xx = the batch is malformed (not retried: retrying cannot fix it), network errors = retry.
 * Bus: publish on `peregrine.findings.<node>` with the batch id as the message id (JetStream drops a retried
 * duplicate), the hub consumes it durably (hub.ts, consumeBus).
 */
import { subjects, type Bus } from './bus/index.js';
import type { FindingEnvelope, FindingTransport } from './contracts.js';

export class TransportError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly retryAfterMs = 0,
  ) {
    super(message);
  }
}

export class HttpTransport implements FindingTransport {
  readonly kind = 'http';

  constructor(
    private readonly hubUrl: string,
    private readonly token: string,
    private readonly fetchImpl: typeof fetch = globalThis.fetch,
  ) {}

  async send(envelope: FindingEnvelope): Promise<void> {
    let res: Response;
    try {
      res = await this.fetchImpl(new URL('/ingest/findings', this.hubUrl), {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${this.token}` },
        body: JSON.stringify(envelope),
        signal: AbortSignal.timeout(15_000),
      });
    } catch (e) {
      throw new TransportError(`hub unreachable: ${(e as Error).message}`, true);
    }
    const text = await res.text();
    if (res.status === 202) return;
    const retryAfter = Number(res.headers.get('retry-after'));
    if (res.status === 429 || res.status === 503 || res.status >= 500) {
      throw new TransportError(`hub answered ${res.status}`, true, Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : 0);
    }
    throw new TransportError(`hub refused the batch (${res.status}): ${text.slice(0, 300)}`, false);
  }

  async close(): Promise<void> {}
}

export class BusTransport implements FindingTransport {
  readonly kind = 'bus';

  constructor(
    private readonly bus: Bus,
    private readonly node: string,
  ) {}

  async send(envelope: FindingEnvelope): Promise<void> {
    try {
      await this.bus.publish(subjects.findings(this.node), envelope, { msgId: envelope.batchId });
    } catch (e) {
      throw new TransportError(`bus publish failed: ${(e as Error).message}`, true);
    }
  }

  async close(): Promise<void> {
    await this.bus.close();
  }
}

/** Sends with capped, jittered exponential backoff on retryable failures; gives up on non-retryable ones. */
export async function sendWithRetry(
  t: FindingTransport,
  envelope: FindingEnvelope,
  opts: { maxAttempts?: number; baseMs?: number; maxMs?: number; stopped?: () => boolean; random?: () => number } = {},
): Promise<void> {
  const max = opts.maxAttempts ?? Infinity;
  const rnd = opts.random ?? Math.random;
  for (let attempt = 1; ; attempt++) {
    try {
      await t.send(envelope);
      return;
    } catch (e) {
      const err = e instanceof TransportError ? e : new TransportError((e as Error).message, true);
      if (!err.retryable || attempt >= max || opts.stopped?.()) throw err;
      const backoff = Math.min(opts.maxMs ?? 30_000, (opts.baseMs ?? 500) * 2 ** (attempt - 1));
      const wait = Math.max(err.retryAfterMs, backoff * (0.5 + rnd() / 2));
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}
