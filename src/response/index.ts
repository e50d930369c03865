/**
 * The graduated response engine (see docs/response.md): label -> quarantine NetworkPolicy -> scale down / quota
 * clamp -> (optional) delete pod, with server-side dry run by default, safety rules, rate limit, circuit breaker,
 * TTL/revert and an audit record of every decision.
 */
export { responseConfigSchema, parseResponseConfig, type ResponseConfig, type ResponseConfigInput } from './options.js';
export { ResponseEngine, type ResponseEngineOptions, type LoggerLike } from './engine.js';
export { ClientKubeApi, KubeError, describeOp, type KubeApi } from './kube.js';
export { MemoryAuditLog, NdjsonAuditLog, SqliteAuditLog, defaultAuditLog, type AuditLog, type AuditQuery } from './audit.js';
export { actionRegistry, LADDER } from './actions/index.js';
export type { ActionPlan, ActionRecord, AuditRecord, KubeOp, ResponseAction, Verdict, Decision } from './types.js';
