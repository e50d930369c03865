/** Ingest micro-benchmark for the project bench: wall time of a full read (tokenize, parse, batch). */
import { openTabular, type TabularFormat } from './open.js';
import type { ReadOptions } from './types.js';

export interface IngestMeasurement {
  rows: number;
  bytes: number;
  seconds: number;
  rowsPerSecond: number;
  bytesPerSecond: number;
}

export async function measureIngest(format: TabularFormat, paths: string[], options: Partial<ReadOptions> = {}): Promise<IngestMeasurement> {
  const t0 = performance.now();
  const reader = await openTabular(format, paths, { onBadRow: 'skip', ...options });
  let rows = 0;
  for await (const b of reader.batches()) rows += b.rows;
  const seconds = (performance.now() - t0) / 1000;
  const bytes = reader.stats.bytes;
  return { rows, bytes, seconds, rowsPerSecond: rows / seconds, bytesPerSecond: bytes / seconds };
}
