/**
 * Tabular ingest: CICFlowMeter CSV (V4, CIC-IDS2017, CSE-CIC-IDS2018 names), NSL-KDD and generic CSV, streamed as
 * RawBatches. See open.ts for the reading rules and types.ts for the records.
 */
import { expandPaths } from './files.js';
import { readHead } from './csv/stream.js';
import { NSLKDD_FEATURES } from './nslkdd/index.js';
import { DATA_EXTENSIONS } from './table/layout.js';
import type { TabularFormat } from './open.js';

export { FORMATS, formatRegistry, openTabular, type TabularFormat } from './open.js';
export { expandPaths } from './files.js';
export { measureIngest, type IngestMeasurement } from './bench.js';
export { canonicalName, V4_COLUMNS } from './cicflowmeter/index.js';
export { NSLKDD_FEATURES } from './nslkdd/index.js';
export * from './types.js';

/**
 * Guesses a file's format from its first line: CICFlowMeter when a header cell is `Flow Duration`, NSL-KDD when the
 * line has 42/43 fields with tcp/udp/icmp second, else generic CSV. A folder is judged by its first data file.
 */
export async function detectFormat(path: string): Promise<TabularFormat> {
  const [file] = await expandPaths([path], DATA_EXTENSIONS);
  const head = await readHead(file, 1);
  const fields = head.rows[0]?.fields ?? [];
  if (fields.some((f) => f.trim().toLowerCase() === 'flow duration')) return 'cicflowmeter';
  const proto = fields[1]?.trim().toLowerCase();
  if ((fields.length === NSLKDD_FEATURES.length + 1 || fields.length === NSLKDD_FEATURES.length + 2) && (proto === 'tcp' || proto === 'udp' || proto === 'icmp')) {
    return 'nslkdd';
  }
  return 'csv';
}
