import { createHash } from 'node:crypto';
import type { AlertingConfig } from './options.js';
import type { Alert, Entity, Evidence, FeatureContribution, Finding, Severity } from './types.js';

/**
 * Folding findings into incidents (pure functions over plain state, so the store can persist it as JSON and a
 * restarted hub continues the same incident under the same id).
 */

/** What the pipeline keeps per open incident besides the public `Alert`. */
export interface IncidentState {
  alert: Alert;
  /** The `opened` notification went out (false while in group wait). */
  opened: boolean;
  /** Pipeline-clock times (arrival, not window times: a late finding must not resolve an incident early). */
  createdAtMs: number;
  lastFindingAtMs: number;
  notifiedAtMs: number;
  notifiedSeverity: Severity | null;
  /** Changed since the last notification. */
  dirty: boolean;
  windowMin: number;
  windowMax: number;
  /** Best score / threshold seen. */
  bestRatio: number;
  lineageScore: number;
  forensicsScore: number;
}

const RANK: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };
export const maxSeverity = (a: Severity, b: Severity): Severity => (RANK[a] >= RANK[b] ? a : b);
export const severityAbove = (a: Severity, b: Severity | null): boolean => b === null || RANK[a] > RANK[b];

const MAX_LIST = 500;
/** Below any real score; finite so the state survives JSON (the store persists it). */
const NO_SCORE = -Number.MAX_VALUE;
const ENTITY_FIELDS: (keyof Entity)[] = ['cluster', 'namespace', 'workload', 'workloadKind', 'pod', 'container', 'containerId', 'node', 'image', 'endpoint'];

const hash = (s: string, n = 16): string => createHash('sha256').update(s).digest('hex').slice(0, n);

/** One part of the group key for a finding. `workload` falls back to pod, then container. */
function keyPart(f: Finding, part: string): string {
  if (part === 'workload') return f.entity.workload || f.entity.pod || f.entity.container;
  if (part === 'title') return f.title;
  if (part === 'modality') return f.modality;
  if (part === 'detector') return f.detector;
  if (part.startsWith('label:')) return f.labels[part.slice(6)] ?? '';
  return String(f.entity[part as keyof Entity] ?? '');
}

/** The group key: `part=value` pairs (readable in the store); the fingerprint is its hash. */
export function groupKey(f: Finding, groupBy: readonly string[]): string {
  return groupBy.map((p) => `${p}=${keyPart(f, p)}`).join('\u001f');
}

export const fingerprintOf = (key: string): string => hash(key);

/** Stable incident id from fingerprint + start: the same incident gets the same id on every hub replica and restart. */
export const incidentId = (fingerprint: string, startsAt: number): string => `inc-${hash(`${fingerprint}:${startsAt}`)}`;

/** Content key for window dedup: the same interval of the same entity seen twice (agent restart, two reporters). */
export function contentKey(f: Finding, fingerprint: string): string {
  return `c:${hash([fingerprint, f.entity.containerId || f.entity.pod || f.entity.endpoint, f.modality, f.detector, f.windowStart].join('|'), 24)}`;
}

const ratioOf = (f: Finding): number => (f.threshold > 0 && Number.isFinite(f.score) ? f.score / f.threshold : 0);
const pushUnique = <T>(list: T[], v: T, max = MAX_LIST): void => {
  if (v !== '' && !list.includes(v) && list.length < max) list.push(v);
};

export function newIncident(f: Finding, fingerprint: string, nowMs: number, cfg: AlertingConfig): IncidentState {
  const alert: Alert = {
    id: incidentId(fingerprint, f.windowStart),
    fingerprint,
    status: 'firing',
    severity: f.severity,
    title: f.title,
    summary: '',
    entity: { ...f.entity },
    startsAt: f.windowStart,
    updatedAt: nowMs,
    endsAt: null,
    findings: 0,
    pods: [],
    nodes: [],
    modalities: [],
    maxScore: NO_SCORE,
    modelVersions: [],
    evidence: { topFeatures: [], keyEvents: [], processLineage: [], forensicsRef: '' },
    labels: {},
  };
  const st: IncidentState = {
    alert,
    opened: false,
    createdAtMs: nowMs,
    lastFindingAtMs: nowMs,
    notifiedAtMs: 0,
    notifiedSeverity: null,
    dirty: true,
    windowMin: f.windowStart,
    windowMax: f.windowEnd,
    bestRatio: 0,
    lineageScore: NO_SCORE,
    forensicsScore: NO_SCORE,
  };
  fold(st, f, nowMs, cfg);
  if (alert.maxScore === NO_SCORE) alert.maxScore = 0;
  return st;
}

/** Adds one finding to an incident: counts, entity, evidence, severity, summary. */
export function fold(st: IncidentState, f: Finding, nowMs: number, cfg: AlertingConfig): void {
  const a = st.alert;
  a.findings++;
  a.updatedAt = nowMs;
  st.lastFindingAtMs = nowMs;
  st.dirty = true;
  st.windowMin = Math.min(st.windowMin, f.windowStart);
  st.windowMax = Math.max(st.windowMax, f.windowEnd);
  // Fields that differ between findings (pods, nodes of one workload) are blanked: the lists below carry them.
  for (const k of ENTITY_FIELDS) if (a.entity[k] !== f.entity[k]) a.entity[k] = '';
  pushUnique(a.pods, f.entity.pod);
  pushUnique(a.nodes, f.entity.node);
  pushUnique(a.modalities, f.modality);
  pushUnique(a.modelVersions, f.modelVersion, 20);
  if (Number.isFinite(f.score)) a.maxScore = Math.max(a.maxScore, f.score);
  st.bestRatio = Math.max(st.bestRatio, ratioOf(f));
  for (const [k, v] of Object.entries(f.labels ?? {})) if (!(k in a.labels) && typeof v === 'string') a.labels[k] = v;
  mergeEvidence(st, f, cfg);
  a.severity = severityOf(st, f.severity, cfg);
  a.summary = summaryOf(st);
}

function mergeEvidence(st: IncidentState, f: Finding, cfg: AlertingConfig): void {
  const ev: Evidence = st.alert.evidence;
  const byName = new Map<string, FeatureContribution>(ev.topFeatures.map((x) => [x.name, x]));
  for (const x of f.evidence.topFeatures) {
    const old = byName.get(x.name);
    if (!old || x.share > old.share) byName.set(x.name, { name: x.name, value: x.value, share: x.share });
  }
  ev.topFeatures = [...byName.values()].sort((p, q) => q.share - p.share || (p.name < q.name ? -1 : 1)).slice(0, cfg.evidence.topFeatures);
  for (const line of f.evidence.keyEvents) pushUnique(ev.keyEvents, line, cfg.evidence.keyEvents);
  // Lineage and the forensics link come from the strongest finding that has them.
  if (f.evidence.processLineage.length > 0 && f.score > st.lineageScore) {
    ev.processLineage = [...f.evidence.processLineage];
    st.lineageScore = f.score;
  }
  if (f.evidence.forensicsRef && f.score > st.forensicsScore) {
    ev.forensicsRef = f.evidence.forensicsRef;
    st.forensicsScore = f.score;
  }
}

/** The strongest suggested severity, raised to critical on agreeing modalities, a far exceeded threshold, or many pods. */
export function severityOf(st: IncidentState, suggested: Severity, cfg: AlertingConfig): Severity {
  const a = st.alert;
  const s = cfg.severity;
  let sev = maxSeverity(a.severity, suggested);
  if (a.modalities.length >= s.criticalModalities && s.criticalModalities >= 2) sev = 'critical';
  if (st.bestRatio >= s.criticalScoreRatio) sev = 'critical';
  if (a.pods.length >= s.criticalPods) sev = 'critical';
  return sev;
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** `14 anomalous intervals in 6 minutes on 3 pods of shop/frontend`. */
export function summaryOf(st: IncidentState): string {
  const a = st.alert;
  const minutes = Math.max(1, Math.ceil((st.windowMax - st.windowMin) / 60_000));
  const e = a.entity;
  const subject = [e.namespace, e.workload || e.pod || e.container].filter(Boolean).join('/') || e.endpoint || e.node || 'the cluster';
  const on = a.pods.length > 0 ? ` on ${plural(a.pods.length, 'pod')} of` : ' on';
  return `${plural(a.findings, 'anomalous interval')} in ${plural(minutes, 'minute')}${on} ${subject}`;
}

export function resolveIncident(st: IncidentState, nowMs: number): void {
  st.alert.status = 'resolved';
  st.alert.endsAt = nowMs;
  st.alert.updatedAt = nowMs;
}

/** A deep copy safe to hand out (listeners, outbox snapshots). */
export const snapshot = (a: Alert): Alert => structuredClone(a);
