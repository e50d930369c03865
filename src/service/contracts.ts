/**
 * The interfaces src/service codes against for its neighbours: the alert pipeline (src/alerting), the response
 * engine (src/response) and the agent -> hub transport; wiring.ts creates the real classes. Coding against these
 * small shapes keeps the hub testable and the coupling visible.
 */
import type { Alert, AlertStatus, Finding } from '../alerting/types.js';

export type AlertChange = 'opened' | 'updated' | 'resolved';

export interface AlertPipelineLike {
  start(): Promise<void>;
  /** Folds a finding into its incident; null when it was a duplicate (same finding id) or suppressed. */
  submit(finding: Finding): Alert | null;
  /** Time-driven work: resolving quiet incidents, outbox retries. */
  tick(nowMs: number): void;
  list(query?: { status?: AlertStatus; limit?: number }): Alert[];
  get(id: string): Alert | undefined | null;
  on(event: 'alert', listener: (alert: Alert, change: AlertChange) => void): unknown;
  outboxStats(): unknown;
  /** Newest dead letters first. */
  deadLetters(opts?: { sink?: string; limit?: number }): unknown[];
  /** Queues dead letters again; returns how many were found and queued. */
  redeliver(seqs: readonly number[]): number;
  close(): Promise<void>;
}

export interface ResponseEngineLike {
  onAlert(alert: Alert): Promise<unknown[]>;
  list(): unknown[];
  /** Reverts one action by id; throws PGN_ERR_BAD_PARAM for an unknown or irreversible one. */
  revert(actionId: string): Promise<unknown>;
  /** The decision audit (newest first). */
  readonly auditTrail: { query(q?: { alertId?: string; action?: string; namespace?: string; decision?: 'act' | 'skip' | 'deny'; since?: number; limit?: number }): unknown[] };
  close(): Promise<void>;
}

/** A batch of findings plus the sender's node summary, as one agent sends it to the hub. */
export interface FindingEnvelope {
  node: string;
  /** Sender-chosen id of the batch (dedup of retries on the bus). */
  batchId: string;
  findings: Finding[];
  summary?: AgentSummary;
}

export interface AgentSummary {
  node: string;
  sentAt: number;
  events: number;
  vectors: number;
  findings: number;
  containers: number;
  models: Array<{ group: string; version: string }>;
}

/** How an agent ships findings to the hub: HTTP (default) or the NATS bus (src/service/bus). */
export interface FindingTransport {
  readonly kind: string;
  /** Resolves once the hub (or the bus) has durably taken the batch; rejects to let the caller retry. */
  send(envelope: FindingEnvelope): Promise<void>;
  close(): Promise<void>;
}
