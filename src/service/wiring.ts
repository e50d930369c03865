/**
 * Creates the alert pipeline (src/alerting) and the response engine (src/response) from their config sections.
 */
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Alert } from '../alerting/types.js';
import type { AlertPipelineLike, ResponseEngineLike } from './contracts.js';
import { AlertPipeline, type AlertingConfigInput } from '../alerting/index.js';
import { ResponseEngine, type ResponseConfigInput } from '../response/index.js';

export interface WiringOptions {
  alerting: unknown;
  response: unknown;
  dataDir: string;
  registry: Registry;
  logger: Logger;
  now?: () => number;
  captureForensics?: (alert: Alert) => Promise<string>;
}

export function createAlertPipeline(o: WiringOptions): AlertPipelineLike {
  return new AlertPipeline({ config: (o.alerting ?? {}) as AlertingConfigInput, dataDir: o.dataDir, registry: o.registry, logger: o.logger.child({ component: 'alerting' }), now: o.now });
}

/** The response engine when `response.enabled` (it is off by default: nothing touches the cluster unless asked). */
export function createResponseEngine(o: WiringOptions): ResponseEngineLike | null {
  const config = (o.response ?? {}) as ResponseConfigInput;
  if (config.enabled !== true) return null;
  return new ResponseEngine({ config, dataDir: o.dataDir, registry: o.registry, logger: o.logger.child({ component: 'response' }), now: o.now, captureForensics: o.captureForensics });
}
