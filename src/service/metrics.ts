/**
 * The service's Prometheus metrics (prom-client), all prefixed `peregrine_`. The alert pipeline and the response
 * engine register theirs on the same Registry. deploy/ (Grafana, Prometheus rules) is written against these names:
 * rename nothing without updating it.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface ServiceMetrics {
  registry: Registry;
  received: Counter<'source'>;
  dropped: Counter<'source' | 'reason'>;
  queueDepth: Gauge<'source'>;
  ingestLatency: Histogram<'source'>;
  scores: Histogram<'modality'>;
  degraded: Gauge;
  modelInfo: Gauge<'group' | 'version'>;
  findings: Counter<'modality'>;
  processed: Counter<'source'>;
  badRecords: Counter<'source' | 'code'>;
  requests: Counter<'route' | 'status'>;
}

export function createServiceMetrics(registry = new Registry(), opts: { defaults?: boolean } = {}): ServiceMetrics {
  if (opts.defaults !== false) collectDefaultMetrics({ register: registry, prefix: 'peregrine_' });
  const r = [registry];
  return {
    registry,
    received: new Counter({ name: 'peregrine_events_received_total', help: 'Records accepted into an ingest queue, by source.', labelNames: ['source'], registers: r }),
    dropped: new Counter({
      name: 'peregrine_events_dropped_total',
      help: 'Records not processed, by source and reason (queue_full, degraded, bad_record, shutdown).',
      labelNames: ['source', 'reason'],
      registers: r,
    }),
    queueDepth: new Gauge({ name: 'peregrine_ingest_queue_depth', help: 'Records waiting in the ingest queue, by source.', labelNames: ['source'], registers: r }),
    ingestLatency: new Histogram({
      name: 'peregrine_ingest_latency_seconds',
      help: 'Time from a request arriving to its records being queued (or refused).',
      labelNames: ['source'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: r,
    }),
    scores: new Histogram({
      name: 'peregrine_scores',
      help: 'Anomaly scores divided by their threshold (1 = at the threshold), by modality.',
      labelNames: ['modality'],
      buckets: [0.01, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 5, 10, 100, 1000],
      registers: r,
    }),
    degraded: new Gauge({ name: 'peregrine_detection_degraded', help: '1 while the service cannot keep up (queues near full or dropping).', registers: r }),
    modelInfo: new Gauge({ name: 'peregrine_model_info', help: 'Models in use (value 1), by baseline group and version.', labelNames: ['group', 'version'], registers: r }),
    findings: new Counter({ name: 'peregrine_findings_total', help: 'Findings submitted to the alert pipeline, by modality.', labelNames: ['modality'], registers: r }),
    processed: new Counter({ name: 'peregrine_events_processed_total', help: 'Records taken from the queue by detection, by source.', labelNames: ['source'], registers: r }),
    badRecords: new Counter({ name: 'peregrine_bad_records_total', help: 'Malformed records refused at ingest, by source and error code.', labelNames: ['source', 'code'], registers: r }),
    requests: new Counter({ name: 'peregrine_http_requests_total', help: 'HTTP requests by route and status code.', labelNames: ['route', 'status'], registers: r }),
  };
}
