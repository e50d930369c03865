import { z } from 'zod';
import { PeregrineError } from '../core/errors.js';

/**
 * The `response` section of the config. Everything that can change a cluster is off or narrow by default: the
 * engine is disabled, every request is a server-side dry run (`dryRun=All`), and an empty allow-list means it acts
 * in no namespace at all. Turning it on is three deliberate edits (enabled, dryRun, allowNamespaces).
 */

const severity = z.enum(['info', 'warning', 'critical']);

/** When a ladder step applies: the alert is at least this severe AND folds at least this many findings. */
const stepSchema = z.strictObject({
  enabled: z.boolean().default(true),
  minSeverity: severity,
  minFindings: z.number().int().min(1),
});

const step = (minSeverity: 'info' | 'warning' | 'critical', minFindings: number, enabled = true) =>
  stepSchema.extend({
    enabled: z.boolean().default(enabled),
    minSeverity: severity.default(minSeverity),
    minFindings: z.number().int().min(1).default(minFindings),
  });

const labelSelector = z
  .string()
  .regex(/^[A-Za-z0-9./_-]+=[A-Za-z0-9._-]*$/, 'write it as key=value, e.g. peregrine.io/protected=true');

export const responseConfigSchema = z.strictObject({
  /** Master switch: when false, onAlert records nothing and makes no request. */
  enabled: z.boolean().default(false),
  /** Every mutating request carries `dryRun=All`: the API server validates and admits it but persists nothing. */
  dryRun: z.boolean().default(true),
  /** Namespaces the engine may act in: exact names or `prefix-*`. Empty = act nowhere. */
  allowNamespaces: z.array(z.string().min(1)).default([]),
  /** Namespaces (and pods) carrying this label are never touched. */
  protectedNamespaceLabel: labelSelector.default('peregrine.io/protected=true'),
  /** Peregrine's own namespace: never acted on (the responder must not contain itself). */
  ownNamespace: z.string().min(1).default(process.env.POD_NAMESPACE || 'peregrine'),
  /** Which alert reaches which step. Steps are cumulative: a higher step also gets every lower enabled one. */
  ladder: z
    .strictObject({
      label: step('warning', 1).prefault({}),
      quarantine: step('critical', 3).prefault({}),
      contain: step('critical', 20).prefault({}),
      deletePod: step('critical', 100, false).prefault({}),
    })
    .prefault({}),
  /** Mutating actions (dry runs included: they reach the API server too) allowed per minute, across all alerts. */
  rateLimit: z
    .strictObject({
      actionsPerMinute: z.number().int().min(1).default(10),
      /** Bucket size: how many may go at once after a quiet period. */
      burst: z.number().int().min(1).default(5),
    })
    .prefault({}),
  /** After `failureThreshold` failed actions in a row the breaker opens: no action for `openSeconds`. */
  circuitBreaker: z
    .strictObject({
      failureThreshold: z.number().int().min(1).default(3),
      openSeconds: z.number().positive().default(300),
    })
    .prefault({}),
  /** Applied (non-dry-run) actions are reverted this long after they were made (0 = keep until reverted by hand). */
  ttlSeconds: z.number().int().min(0).default(3600),
  /** How often expired actions are looked for (0 = only when the caller runs revertExpired()). */
  ttlSweepSeconds: z.number().int().min(0).default(30),
  /** The last step, deleting the pod, also needs this (it destroys in-memory evidence; its controller recreates it). */
  deletePod: z.boolean().default(false),
  /**
   * When the pod's owner cannot be scaled (bare pod, Job), the contain step may set a ResourceQuota on the whole
   * namespace (`quotaHard`). Off by default: it stops every new pod in the namespace, not only the suspect's.
   */
  quotaClamp: z.boolean().default(false),
  quotaHard: z.record(z.string(), z.string()).default({ pods: '0' }),
  /** Replicas the contain step scales a Deployment / StatefulSet to. */
  scaleTo: z.number().int().min(0).default(0),
  /** Pods of one alert acted on (an incident can span many pods). */
  maxPodsPerAlert: z.number().int().min(1).default(5),
  /** Do not act when `captureForensics` fails (acting could destroy the evidence). */
  requireForensics: z.boolean().default(true),
  /** Written as the `who` of audit records and as the fieldManager of every request. */
  actor: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lowercase letters, digits and -')
    .default('peregrine-response'),
  /** Audit store when a dataDir is given: SQLite (queryable with SQL) or an NDJSON file. */
  audit: z.enum(['sqlite', 'ndjson']).default('sqlite'),
});

export type ResponseConfig = z.infer<typeof responseConfigSchema>;
export type ResponseConfigInput = z.input<typeof responseConfigSchema>;
export type LadderStep = keyof ResponseConfig['ladder'];

export function parseResponseConfig(input: ResponseConfigInput = {}): ResponseConfig {
  const r = responseConfigSchema.safeParse(input);
  if (!r.success) {
    const issue = r.error.issues[0];
    const where = ['response', ...issue.path.map(String)].join('.');
    throw new PeregrineError('PGN_ERR_BAD_PARAM', `invalid ${where}: ${issue.message}`, {
      where,
      hint: 'see docs/response.md, "Configuration"',
    });
  }
  return r.data;
}

/** `key=value` -> [key, value]. The schema has already checked the shape. */
export function splitLabel(sel: string): [string, string] {
  const i = sel.indexOf('=');
  return [sel.slice(0, i), sel.slice(i + 1)];
}
