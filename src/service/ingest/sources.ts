/**
 * The built-in ingest sources: Falco (http_output JSON, falcosidekick-style forwarding, NDJSON), Tetragon (JSON
 * lines), flows (CICFlowMeter CSV or NDJSON) and findings (what agents forward). Each reuses the project's
 * decoders (src/ingest/events, src/ingest/cicflowmeter) so the service reads exactly what the CLI reads.
 */
import { falcoRecordToEvent, readFalcoJson } from '../../ingest/events/falco/index.js';
import { tetragonToEvent } from '../../ingest/events/tetragon/index.js';
import type { SyscallEvent } from '../../ingest/events/types.js';
import { checkRecordText, parseJson, RecordProblem } from './safe-json.js';
import { addBad, emptyResult, forEachJsonRecord, ingestSources, type DecodeLimits, type IngestSource } from './source.js';
import { decodeFlows } from './flows.js';
import { decodeFindings } from './findings.js';

/** Memory one queued event holds besides its raw line (the SyscallEvent object and its strings). */
const EVENT_OVERHEAD_BYTES = 600;

/**
 * Falco and Tetragon differ only in how one JSON record becomes a SyscallEvent (or the reason it is not one, then
 * counted as ignored); the record loop, limits and memory accounting are shared.
 */
function syscallDecoder(toEvent: (text: string, value: unknown, line: number, limits: DecodeLimits) => SyscallEvent | string): IngestSource<'syscalls'>['decode'] {
  return (body, _ct, limits) => {
    const r = emptyResult<'syscalls'>();
    forEachJsonRecord(body, limits, r, (text, value, line) => {
      const e = toEvent(text, value, line, limits);
      if (typeof e === 'string') {
        r.ignored++;
        return;
      }
      r.records.push({ event: e, line: text });
      r.bytes += text.length * 2 + EVENT_OVERHEAD_BYTES;
    });
    return r;
  };
}

export const falcoSource: IngestSource<'syscalls'> = {
  type: 'falco',
  description: 'Falco http_output JSON (one object per request), falcosidekick-style forwarding, JSON arrays or NDJSON',
  route: 'falco',
  stream: 'syscalls',
  decode: syscallDecoder((text, value, line, limits) => {
    if (value === undefined) checkRecordText(text, limits.maxJsonDepth, limits.maxRecordBytes);
    return falcoRecordToEvent(readFalcoJson(text), 'http', line);
  }),
};

export const tetragonSource: IngestSource<'syscalls'> = {
  type: 'tetragon',
  description: 'Tetragon JSON export: one event object per line (or a JSON array)',
  route: 'tetragon',
  stream: 'syscalls',
  decode: syscallDecoder((text, value, line, limits) => {
    let v = value;
    if (v === undefined) {
      v = checkRecordText(text, limits.maxJsonDepth, limits.maxRecordBytes);
      if (v === undefined) v = parseJson(text);
    }
    return tetragonToEvent(v, 'http', line);
  }),
};

export const flowsSource: IngestSource<'flows'> = {
  type: 'flows',
  description: 'CICFlowMeter flows: CSV with its header line, or NDJSON objects keyed by column name',
  route: 'flows',
  stream: 'flows',
  decode: decodeFlows,
};

export const findingsSource: IngestSource<'findings'> = {
  type: 'findings',
  description: 'Findings forwarded by agents: {node, batchId, findings: [...], summary?}',
  route: 'findings',
  stream: 'findings',
  decode: decodeFindings,
};

for (const s of [falcoSource, tetragonSource, flowsSource, findingsSource]) ingestSources.register(s as IngestSource);

export { RecordProblem, addBad };
