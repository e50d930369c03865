/**
 * The `alerting` and `response` sections of the service config. Their schemas belong to src/alerting and
 * src/response; the service config composes them so one file validates everything.
 */
import { alertingConfigSchema } from '../alerting/index.js';
import { responseConfigSchema } from '../response/index.js';

export const alertingSection = alertingConfigSchema.default(alertingConfigSchema.parse({}));
export const responseSection = responseConfigSchema.default(responseConfigSchema.parse({}));
