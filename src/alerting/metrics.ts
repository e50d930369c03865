import { Counter, Gauge, Registry, type Metric } from 'prom-client';

/**
 * The alerting metrics on the service's prom-client registry. Get-or-create, so a second pipeline on the same
 * registry (a test, a reload) reuses the metrics instead of throwing "already registered".
 */
export interface AlertingMetrics {
  alerts: Counter<'severity' | 'change'>;
  deliveries: Counter<'sink' | 'status'>;
  pending: Gauge<'sink'>;
  deadLetters: Counter<'sink'>;
}

function getOrCreate<T extends Metric>(registry: Registry, name: string, make: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make();
}

export function alertingMetrics(registry: Registry = new Registry()): AlertingMetrics {
  const registers = [registry];
  return {
    alerts: getOrCreate(
      registry,
      'peregrine_alerts_total',
      () => new Counter({ name: 'peregrine_alerts_total', help: 'Alert notifications by severity and change (opened, updated, resolved).', labelNames: ['severity', 'change'], registers }),
    ),
    deliveries: getOrCreate(
      registry,
      'peregrine_sink_deliveries_total',
      () =>
        new Counter({
          name: 'peregrine_sink_deliveries_total',
          help: 'Alert notifications handed to a sink, by outcome (delivered, retryable, rejected, gave_up).',
          labelNames: ['sink', 'status'],
          registers,
        }),
    ),
    pending: getOrCreate(registry, 'peregrine_outbox_pending', () => new Gauge({ name: 'peregrine_outbox_pending', help: 'Alert notifications waiting in the outbox, per sink.', labelNames: ['sink'], registers })),
    deadLetters: getOrCreate(
      registry,
      'peregrine_outbox_dead_letters_total',
      () => new Counter({ name: 'peregrine_outbox_dead_letters_total', help: 'Alert notifications moved to the dead-letter table, per sink.', labelNames: ['sink'], registers }),
    ),
  };
}
