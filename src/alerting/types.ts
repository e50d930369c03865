/**
 * Typed records of the alert path (see ARCHITECTURE.md, data flow): detectors emit `Finding`s, the alert pipeline
 * (src/alerting) folds them into `Alert`s (one per incident: dedup, grouping by workload and namespace,
 * aggregation across nodes), sinks deliver alerts, and the response engine (src/response) plans actions on them.
 * This file is the contract between src/service, src/alerting and src/response; change it in one place.
 */

export type Severity = 'info' | 'warning' | 'critical';

/** Which telemetry a finding came from. New sources add a member here and nothing else changes. */
export type Modality = 'syscalls' | 'flows' | 'metrics' | 'k8s-audit' | 'rules';

/** What a finding or alert is about. Empty strings, never undefined, for unknown parts (one shape). */
export interface Entity {
  cluster: string;
  namespace: string;
  /** Owning workload (Deployment / StatefulSet / DaemonSet / Job name), `` when unknown. */
  workload: string;
  /** Owner kind when known (`Deployment`, `DaemonSet`, ...), `` otherwise. */
  workloadKind: string;
  pod: string;
  container: string;
  containerId: string;
  node: string;
  image: string;
  /** For flow findings: `srcIp:srcPort->dstIp:dstPort/proto`, `` otherwise. */
  endpoint: string;
}

export interface FeatureContribution {
  name: string;
  /** The observed value (after the model's preprocessing when noted in `unit`). */
  value: number;
  /** Share of the score this feature explains, 0..1 (reconstruction-error share or permutation importance). */
  share: number;
}

export interface Evidence {
  /** Top contributing features, largest share first (at most ~10). */
  topFeatures: FeatureContribution[];
  /** The window's key events, already rendered as short lines (at most ~20), e.g. `execve /tmp/xmrig by sh`. */
  keyEvents: string[];
  /** Process lineage when present, outermost first, e.g. [`containerd-shim`, `nginx`, `sh`, `curl`]. */
  processLineage: string[];
  /** Where the full forensic log lives (sink + query), `` when none was shipped. */
  forensicsRef: string;
}

/** One detector verdict over one window for one entity: the input of the alert pipeline. */
export interface Finding {
  /** Unique, stable across retries (the alert pipeline dedups on it). */
  id: string;
  modality: Modality;
  /** Registered detector type (`vae`, `iforest`, ...) or rule name. */
  detector: string;
  /** Model version that produced the score (every score is tagged with its model version). */
  modelVersion: string;
  entity: Entity;
  /** Window start/end, epoch ms. */
  windowStart: number;
  windowEnd: number;
  score: number;
  threshold: number;
  /** Suggested severity (the pipeline may raise it with aggregation). */
  severity: Severity;
  /** Short human title, e.g. `container activity departs from its baseline`. */
  title: string;
  evidence: Evidence;
  /** Free-form labels copied onto the alert (string values only; never secrets). */
  labels: Record<string, string>;
}

export type AlertStatus = 'firing' | 'resolved';

/** One incident: all findings with the same group key (namespace + workload + title by default) while it is open. */
export interface Alert {
  /** Stable incident id (same incident, same id, across nodes, retries and restarts). */
  id: string;
  /** Group key the incident was formed on. */
  fingerprint: string;
  status: AlertStatus;
  severity: Severity;
  title: string;
  /** One line for humans, e.g. `14 anomalous intervals in 6 minutes on 3 pods of shop/frontend`. */
  summary: string;
  entity: Entity;
  /** Epoch ms. */
  startsAt: number;
  updatedAt: number;
  /** Set when resolved. */
  endsAt: number | null;
  /** Findings folded into this incident so far. */
  findings: number;
  pods: string[];
  nodes: string[];
  modalities: Modality[];
  maxScore: number;
  modelVersions: string[];
  evidence: Evidence;
  labels: Record<string, string>;
}

export const emptyEntity = (): Entity => ({
  cluster: '',
  namespace: '',
  workload: '',
  workloadKind: '',
  pod: '',
  container: '',
  containerId: '',
  node: '',
  image: '',
  endpoint: '',
});

export const emptyEvidence = (): Evidence => ({ topFeatures: [], keyEvents: [], processLineage: [], forensicsRef: '' });
