/**
 * Findings forwarded by agents (`POST /ingest/findings`): one envelope `{node, batchId, findings, summary?}` per
 * request (or NDJSON of envelopes). Each finding is checked field by field: the alert pipeline trusts its shape.
 */
import type { Entity, Finding, Modality, Severity } from '../../alerting/types.js';
import { emptyEntity } from '../../alerting/types.js';
import type { AgentSummary } from '../contracts.js';
import { checkRecordText, parseJson, RecordProblem } from './safe-json.js';
import { addBad, emptyResult, forEachJsonRecord, type DecodeLimits, type DecodeResult } from './source.js';

const MODALITIES = new Set<Modality>(['syscalls', 'flows', 'metrics', 'k8s-audit', 'rules']);
const SEVERITIES = new Set<Severity>(['info', 'warning', 'critical']);

const str = (o: Record<string, unknown>, k: string, max = 512): string => {
  const v = o[k];
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw new RecordProblem('PGN_ERR_BAD_ROW', `${k} must be a string`);
  return v.length > max ? v.slice(0, max) : v;
};
const num = (o: Record<string, unknown>, k: string): number => {
  const v = o[k];
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new RecordProblem('PGN_ERR_BAD_ROW', `${k} must be a finite number`);
  return v;
};
const obj = (v: unknown, k: string): Record<string, unknown> => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new RecordProblem('PGN_ERR_BAD_ROW', `${k} must be an object`);
  return v as Record<string, unknown>;
};
const strings = (v: unknown, k: string, max: number): string[] => {
  if (v === undefined) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new RecordProblem('PGN_ERR_BAD_ROW', `${k} must be an array of strings`);
  return (v as string[]).slice(0, max).map((s) => s.slice(0, 512));
};

/** Validates one finding from the wire (unknown fields dropped, strings bounded). */
export function parseFinding(v: unknown, node: string): Finding {
  const o = obj(v, 'finding');
  const modality = str(o, 'modality') as Modality;
  if (!MODALITIES.has(modality)) throw new RecordProblem('PGN_ERR_BAD_ROW', `modality must be one of ${[...MODALITIES].join(', ')}`);
  const severity = str(o, 'severity') as Severity;
  if (!SEVERITIES.has(severity)) throw new RecordProblem('PGN_ERR_BAD_ROW', 'severity must be info, warning or critical');
  const id = str(o, 'id', 256);
  if (id === '') throw new RecordProblem('PGN_ERR_BAD_ROW', 'id is required');
  const e = obj(o.entity ?? {}, 'entity');
  const entity: Entity = emptyEntity();
  for (const k of Object.keys(entity) as (keyof Entity)[]) entity[k] = str(e, k);
  if (entity.node === '') entity.node = node;
  const ev = obj(o.evidence ?? {}, 'evidence');
  const tf = ev.topFeatures === undefined ? [] : ev.topFeatures;
  if (!Array.isArray(tf)) throw new RecordProblem('PGN_ERR_BAD_ROW', 'evidence.topFeatures must be an array');
  const labels: Record<string, string> = {};
  for (const [k, x] of Object.entries(obj(o.labels ?? {}, 'labels')).slice(0, 32)) if (typeof x === 'string') labels[k] = x.slice(0, 256);
  return {
    id,
    modality,
    detector: str(o, 'detector', 64),
    modelVersion: str(o, 'modelVersion', 128),
    entity,
    windowStart: num(o, 'windowStart'),
    windowEnd: num(o, 'windowEnd'),
    score: num(o, 'score'),
    threshold: num(o, 'threshold'),
    severity,
    title: str(o, 'title', 200),
    evidence: {
      topFeatures: tf.slice(0, 20).map((f: unknown) => {
        const x = obj(f, 'evidence.topFeatures[]');
        return { name: str(x, 'name', 128), value: num(x, 'value'), share: num(x, 'share') };
      }),
      keyEvents: strings(ev.keyEvents, 'evidence.keyEvents', 50),
      processLineage: strings(ev.processLineage, 'evidence.processLineage', 32),
      forensicsRef: str(ev, 'forensicsRef', 1024),
    },
    labels,
  };
}

export interface DecodedFindings extends DecodeResult<'findings'> {
  summaries: AgentSummary[];
}

export function decodeFindings(body: string, _ct: string, limits: DecodeLimits): DecodeResult<'findings'> {
  const r = emptyResult<'findings'>() as DecodedFindings;
  r.summaries = [];
  forEachJsonRecord(body, limits, r, (text, value) => {
    let v = value;
    if (v === undefined) {
      v = checkRecordText(text, limits.maxJsonDepth, limits.maxRecordBytes);
      if (v === undefined) v = parseJson(text);
    }
    const env = obj(v, 'envelope');
    const node = str(env, 'node', 253);
    if (!Array.isArray(env.findings)) throw new RecordProblem('PGN_ERR_BAD_ROW', 'findings must be an array');
    env.findings.forEach((f: unknown, i: number) => {
      try {
        r.records.push({ finding: parseFinding(f, node), node });
        r.bytes += 2048;
      } catch (e) {
        // one bad finding does not cost the envelope's others; `line` is the finding's index + 1
        addBad(r, limits, i + 1, e);
      }
    });
    if (env.summary !== undefined) {
      const s = obj(env.summary, 'summary');
      r.summaries.push({
        node: node || str(s, 'node', 253),
        sentAt: typeof s.sentAt === 'number' ? s.sentAt : Date.now(),
        events: typeof s.events === 'number' ? s.events : 0,
        vectors: typeof s.vectors === 'number' ? s.vectors : 0,
        findings: typeof s.findings === 'number' ? s.findings : 0,
        containers: typeof s.containers === 'number' ? s.containers : 0,
        models: Array.isArray(s.models) ? (s.models as AgentSummary['models']).slice(0, 1000).filter((m) => m && typeof m.group === 'string') : [],
      });
    }
  });
  return r;
}
