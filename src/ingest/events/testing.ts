/** Helpers for the event-decoder tests. Not used at run time. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { sharedDatasets } from '../../testing/paths.js';
import { openEvents, type EventFormat } from './index.js';
import type { EventBatch, EventReadOptions, EventReadStats, ResourceSample, SyscallEvent } from './types.js';

export interface CollectedEvents {
  events: SyscallEvent[];
  resources: ResourceSample[];
  batches: EventBatch[];
  stats: EventReadStats;
  files: readonly string[];
}

export async function collectEvents(format: EventFormat, paths: string[], options: Partial<EventReadOptions> = {}): Promise<CollectedEvents> {
  const src = await openEvents(format, paths, { onBadRow: 'skip', ...options });
  const batches: EventBatch[] = [];
  for await (const b of src.batches()) batches.push(b);
  return {
    events: batches.flatMap((b) => b.events),
    resources: batches.flatMap((b) => b.resources),
    batches,
    stats: src.stats,
    files: src.files,
  };
}

/** A path under the shared datasets, or null when they (or it) are not on this machine. */
export function sharedPath(...parts: string[]): string | null {
  const root = sharedDatasets();
  if (!root) return null;
  const p = join(root, ...parts);
  return existsSync(p) ? p : null;
}

export const SKIP_SHARED = 'shared datasets not found (set PEREGRINE_DATASETS)';

/** Events without their source (for comparing decodes of the same data from different files or parsers). */
export function withoutSource(events: SyscallEvent[]): Omit<SyscallEvent, 'source'>[] {
  return events.map((e) => {
    const { source: _source, ...rest } = e;
    return rest;
  });
}
