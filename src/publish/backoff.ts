import { Rng } from '../core/rng.js';

/**
 * Retry delays: capped exponential backoff with "equal jitter" (half fixed, half random, so retries of many agents
 * spread out but never collapse to zero), honouring a store's Retry-After as a floor.
 */
export interface BackoffOptions {
  /** First retry delay before jitter. */
  initialMs: number;
  /** Cap of the exponential part. */
  maxMs: number;
  /** Cap on a Retry-After the store asks for (a broken proxy must not park delivery for a day). */
  maxRetryAfterMs: number;
  seed: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 200, maxMs: 30_000, maxRetryAfterMs: 300_000, seed: 0 };

export class Backoff {
  private readonly rng: Rng;
  readonly options: BackoffOptions;

  constructor(options: Partial<BackoffOptions> = {}) {
    this.options = { ...DEFAULT_BACKOFF, ...options };
    this.rng = new Rng(this.options.seed);
  }

  /** Delay before retry number `attempt` (1 = first retry). */
  delay(attempt: number, retryAfterMs?: number): number {
    const { initialMs, maxMs, maxRetryAfterMs } = this.options;
    const base = Math.min(maxMs, initialMs * 2 ** Math.min(Math.max(attempt - 1, 0), 40));
    const jittered = Math.round(base / 2 + this.rng.next() * (base / 2));
    if (retryAfterMs === undefined || !(retryAfterMs >= 0)) return jittered;
    return Math.max(jittered, Math.min(retryAfterMs, maxRetryAfterMs));
  }
}

/**
 * Retry-After (RFC 9110): delay-seconds or an HTTP-date. Returns milliseconds, or undefined when absent or invalid.
 */
export function parseRetryAfter(value: string | string[] | undefined | null, nowMs: number): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (v == null) return undefined;
  const s = String(v).trim();
  if (/^\d+$/.test(s)) return Number(s) * 1000;
  const t = Date.parse(s);
  if (!Number.isFinite(t) || !/[a-z]/i.test(s)) return undefined;
  return Math.max(0, t - nowMs);
}
