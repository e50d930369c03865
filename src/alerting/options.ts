import { z } from 'zod';
import { alertSinks } from './sinks/index.js';

/**
 * The alerting config (one zod schema, camelCase, unit suffixes; `{}` parses to the defaults). Sink entries are
 * validated by the schema their `type` registered, so a new sink adds no line here. See docs/alerting.md.
 */

/** Group-key parts: entity fields, `title`, `modality`, `detector`, or `label:<name>`. */
export const GROUP_KEY_FIELDS = ['cluster', 'namespace', 'workload', 'workloadKind', 'pod', 'container', 'node', 'image', 'endpoint', 'title', 'modality', 'detector'] as const;
const groupPart = z.union([z.enum(GROUP_KEY_FIELDS), z.string().regex(/^label:[A-Za-z0-9_./-]+$/, 'an entity field, title, modality, detector or label:<name>')]);

/** A sink entry: `{type, name?, ...}` checked against the registered sink's schema (issue paths kept). */
const sinkEntry = z.looseObject({ type: z.string() }).transform((value, ctx) => {
  if (!alertSinks.has(value.type)) {
    ctx.addIssue({ code: 'custom', path: ['type'], message: `unknown sink type "${value.type}" (one of: ${alertSinks.names().join(', ')})` });
    return z.NEVER;
  }
  const parsed = alertSinks.get(value.type).schema.safeParse(value);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', path: issue.path as (string | number)[], message: issue.message });
    return z.NEVER;
  }
  return parsed.data as { type: string; name?: string } & Record<string, unknown>;
});
export type SinkConfig = z.output<typeof sinkEntry>;

export const alertingConfigSchema = z
  .object({
    /** A new incident waits this long for more findings before its first notification (Alertmanager's group_wait). */
    groupWaitSeconds: z.number().min(0).default(30),
    /** An incident with no new finding for this long is resolved. */
    resolveAfterSeconds: z.number().positive().default(300),
    /** Updates of an open incident are notified at most this often (an escalation of severity always is). */
    repeatIntervalSeconds: z.number().min(0).default(600),
    /** Findings with the same content (group, pod/container, modality, detector, window start) inside this window are duplicates. */
    dedupWindowSeconds: z.number().min(0).default(300),
    /** How long a finding id is remembered for dedup by id. */
    seenRetentionSeconds: z.number().positive().default(86_400),
    /** The group key; `workload` falls back to pod, then container, when the owner is unknown. */
    groupBy: z.array(groupPart).min(1).default(['namespace', 'workload', 'title']),
    /** Base URL of the Peregrine dashboard, for links in notifications (`` = no links). */
    externalUrl: z.union([z.url(), z.literal('')]).default(''),
    severity: z
      .object({
        /** Raise to critical when the best finding's score / threshold reaches this. */
        criticalScoreRatio: z.number().gt(1).default(3),
        /** Raise to critical when this many distinct pods are affected. */
        criticalPods: z.number().int().min(1).default(3),
        /** Raise to critical when this many modalities (syscalls, flows, metrics, ...) agree. */
        criticalModalities: z.number().int().min(1).default(2),
      })
      .strict()
      .prefault({}),
    evidence: z
      .object({
        topFeatures: z.number().int().min(0).default(10),
        keyEvents: z.number().int().min(0).default(20),
      })
      .strict()
      .prefault({}),
    /** Resolved incidents kept for `list()` and the dashboard (oldest pruned). */
    historyLimit: z.number().int().min(1).default(10_000),
    outbox: z
      .object({
        /** Undelivered rows over all sinks; beyond it the oldest are dead-lettered (`outbox full`), never dropped silently. */
        maxPending: z.number().int().min(1).default(100_000),
        /** Dead letters kept (oldest pruned). */
        maxDeadLetters: z.number().int().min(1).default(100_000),
        requestTimeoutMs: z.number().int().positive().default(10_000),
        /** `close()` keeps delivering due rows this long before persisting the rest. */
        closeTimeoutMs: z.number().int().min(0).default(5_000),
      })
      .strict()
      .prefault({}),
    retry: z
      .object({
        baseMs: z.number().int().positive().default(500),
        maxMs: z.number().int().positive().default(60_000),
        /** Attempts before a row is dead-lettered (`gave up`); 0 = retry forever. */
        maxAttempts: z.number().int().min(0).default(200),
        /** Cap on a receiver's Retry-After. */
        maxRetryAfterMs: z.number().int().positive().default(300_000),
        seed: z.number().int().default(0),
      })
      .strict()
      .prefault({}),
    sinks: z.array(sinkEntry).default([]),
  })
  .strict();

export type AlertingConfig = z.output<typeof alertingConfigSchema>;
export type AlertingConfigInput = z.input<typeof alertingConfigSchema>;
