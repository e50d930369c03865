/**
 * The engine's metrics on the service's Registry. Registering twice on one Registry (two engines in a test, a
 * restart in-process) reuses the existing collectors instead of throwing.
 */
import { Counter, Gauge, type Registry } from 'prom-client';

export interface ResponseMetrics {
  actions: Counter<'action' | 'result' | 'dry_run'>;
  decisions: Counter<'decision' | 'rule'>;
  circuitOpen: Gauge;
}

function counter<L extends string>(registry: Registry, name: string, help: string, labelNames: L[]): Counter<L> {
  return (registry.getSingleMetric(name) as Counter<L> | undefined) ?? new Counter({ name, help, labelNames, registers: [registry] });
}

export function createResponseMetrics(registry: Registry | undefined): ResponseMetrics | null {
  if (!registry) return null;
  return {
    actions: counter(registry, 'peregrine_response_actions_total', 'Response actions executed or reverted, by action, result and dry_run.', [
      'action',
      'result',
      'dry_run',
    ]),
    decisions: counter(registry, 'peregrine_response_decisions_total', 'Response decisions (act/skip/deny), by the rule that decided.', ['decision', 'rule']),
    circuitOpen: (registry.getSingleMetric('peregrine_response_circuit_open') as Gauge | undefined) ??
      new Gauge({ name: 'peregrine_response_circuit_open', help: '1 while the response circuit breaker is open (actions paused after repeated failures).', registers: [registry] }),
  };
}
