import type { z } from 'zod';
import { Registry } from '../../core/registry.js';
import type { Clock, ForensicSink, SendResult, SinkStats } from '../types.js';
import { parseOptions } from '../util.js';

/**
 * The forensic sink registry: each sink registers `{type, description, schema, create}` next to its class
 * (`sinks/<name>/index.ts`); `sinks/index.ts` imports them all. Duplicate names throw.
 */
export interface SinkContext {
  /** Injectable time (rotation ages, Retry-After dates). */
  clock?: Clock;
}

export interface SinkFactory<O = Record<string, unknown>> {
  readonly type: string;
  /** One line for the docs. */
  readonly description: string;
  /** Options schema with defaults. */
  readonly schema: z.ZodType<O>;
  /** Whether sending the same records twice stores them once (deterministic ids). */
  readonly idempotent: boolean;
  /** Stores options; does no I/O (that is `start`). */
  create(options: O, context?: SinkContext): ForensicSink;
}

export const sinks = new Registry<SinkFactory>('forensic sink');

/** Validates the options against the sink's schema (errors name the field) and creates the sink. */
export function createSink(type: string, options: Record<string, unknown> = {}, context: SinkContext = {}): ForensicSink {
  const factory = sinks.get(type);
  return factory.create(parseOptions(factory.schema, options, type), context);
}

export function emptySinkStats(): SinkStats {
  return { requests: 0, bytesSent: 0, delivered: 0, duplicates: 0, retryable: 0, rejected: 0 };
}

/** Folds a send result into the sink's counters and returns it. */
export function account(stats: SinkStats, res: SendResult): SendResult {
  stats.delivered += res.delivered;
  stats.duplicates += res.duplicates;
  stats.retryable += res.retry.length;
  stats.rejected += res.rejected.length;
  return res;
}

export function statusOf(retry: number, rejected: number): SendResult['status'] {
  return retry > 0 ? 'retryable' : rejected > 0 ? 'rejected' : 'delivered';
}
