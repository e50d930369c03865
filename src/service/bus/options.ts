import { z } from 'zod';
import { PeregrineError } from '../../core/errors.js';

/**
 * The `bus` section of the config: how agents and the hub exchange findings and summaries. `memory` keeps
 * everything in one process (the embedded default); `nats` uses a JetStream stream so agents on many nodes feed
 * one hub, with durable storage, acks, redelivery and message-id dedup. The service config composes this schema.
 */
export const busConfigSchema = z.strictObject({
  kind: z.enum(['memory', 'nats']).default('memory'),
  /** NATS server URL(s), comma separated for a cluster. The token comes from PEREGRINE_BUS_TOKEN, never from here. */
  url: z.string().min(1).default('nats://127.0.0.1:4222'),
  /** JetStream stream name (letters, digits, `-`, `_`). */
  stream: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, 'stream names hold letters, digits, - and _ only')
    .default('PEREGRINE'),
  /** Subjects the stream captures. Agents publish on `peregrine.findings.<node>` and `peregrine.summaries.<node>`. */
  subjects: z.array(z.string().min(1)).min(1).default(['peregrine.>']),
  /** Stream size cap; the oldest messages go first when it is reached. */
  maxBytes: z.number().int().positive().default(1024 * 1024 * 1024),
  /** Messages older than this are discarded (0 = no age limit). */
  maxAgeSeconds: z.number().int().min(0).default(7 * 24 * 3600),
  /** A msgId seen again within this window is dropped by the server (publish retries are idempotent). */
  duplicateWindowSeconds: z.number().int().positive().default(120),
  /** Storage of the stream: `file` survives a NATS restart, `memory` does not. */
  storage: z.enum(['file', 'memory']).default('file'),
  /** Un-acked messages are redelivered after this long (a consumer that died mid-message). */
  ackWaitSeconds: z.number().positive().default(30),
  /** Deliveries per message before the server gives up on it (-1 = no limit). */
  maxDeliver: z.number().int().min(-1).default(-1),
  /** Handlers running at once per consumer; also the consumer's max un-acked messages. */
  maxInFlight: z.number().int().min(1).max(10000).default(64),
  /** Redelivery delay after a handler failure (nak with delay). */
  nakDelayMs: z.number().int().min(0).default(2000),
});

export type BusConfig = z.infer<typeof busConfigSchema>;
export type BusConfigInput = z.input<typeof busConfigSchema>;

export function parseBusConfig(input: BusConfigInput = {}): BusConfig {
  const r = busConfigSchema.safeParse(input);
  if (!r.success) {
    const issue = r.error.issues[0];
    const where = ['bus', ...issue.path.map(String)].join('.');
    throw new PeregrineError('PGN_ERR_BAD_PARAM', `invalid ${where}: ${issue.message}`, {
      where,
      hint: 'see docs/deploy.md, "bus"',
    });
  }
  return r.data;
}
