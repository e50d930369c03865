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
  close(): Promise<void>;
}

export interface ResponseEngineLike {
  onAlert(alert: Alert): Promise<unknown[]>;
  list(): unknown[];
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
