/**
 * The alert pipeline: findings -> incidents (dedup, grouping, aggregation, severity, evidence) -> a durable outbox
 * -> sinks (Alertmanager, Slack, PagerDuty, webhook, email). See docs/alerting.md.
 */
export type * from './types.js';
export { emptyEntity, emptyEvidence } from './types.js';
export { alertingConfigSchema, GROUP_KEY_FIELDS, type AlertingConfig, type AlertingConfigInput, type SinkConfig } from './options.js';
export { AlertPipeline, parseAlertingConfig, type AlertPipelineOptions, type AlertListener, type OutboxStats, type SinkOutboxStats } from './pipeline.js';
export type { AlertLogger } from './outbox.js';
export { AlertStore, type DeadLetterRow, type OutboxRow } from './store.js';
export { alertingMetrics, type AlertingMetrics } from './metrics.js';
export { groupKey, fingerprintOf, incidentId } from './incident.js';
export {
  alertSinks,
  registerSink,
  type AlertSink,
  type AlertSinkFactory,
  type AlertChange,
  type DeliveryChange,
  type Notification,
  type SendOutcome,
  type SinkContext,
  type HttpRequest,
} from './sinks/index.js';
export { signWebhook, verifyWebhook, SIGNATURE_HEADER, TIMESTAMP_HEADER, DELIVERY_HEADER } from './sinks/webhook/index.js';
