import { MemoryBus } from './memory.js';
import { NatsBus, type NatsBusOptions } from './nats.js';
import type { BusConfig } from './options.js';
import type { Bus } from './types.js';

export { busConfigSchema, parseBusConfig, type BusConfig, type BusConfigInput } from './options.js';
export type { Bus, BusHandler, BusMessage, ConsumeOptions, PublishOptions, PublishResult, Subscription } from './types.js';
export { MemoryBus } from './memory.js';
export { NatsBus, type NatsBusOptions } from './nats.js';

/** Subjects Peregrine uses on the bus: agents publish, the hub consumes. */
export const subjects = {
  findings: (node: string): string => `peregrine.findings.${subjectToken(node)}`,
  summaries: (node: string): string => `peregrine.summaries.${subjectToken(node)}`,
  allFindings: 'peregrine.findings.>',
  allSummaries: 'peregrine.summaries.>',
} as const;

/** Node names may hold dots (FQDNs); a subject token may not. */
export function subjectToken(s: string): string {
  const t = s.replace(/[.*>\s]/g, '_');
  return t === '' ? '_' : t;
}

/** The bus the config asks for; `nats` connects (and creates or updates the stream) before returning. */
export async function createBus(cfg: BusConfig, opts: NatsBusOptions = {}): Promise<Bus> {
  if (cfg.kind === 'memory') return new MemoryBus(cfg);
  return NatsBus.connect(cfg, { token: opts.token ?? process.env.PEREGRINE_BUS_TOKEN, ...opts });
}
