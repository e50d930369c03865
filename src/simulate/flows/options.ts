/**
 * Options of the flow generator: schema (zod) and defaults. Bad options fail with one PGN_ERR_BAD_PARAM line
 * naming the field, before any traffic is generated.
 */
import { z } from 'zod';
import { PeregrineError } from '../../core/errors.js';
import type { ClusterSpec } from './cluster.js';
import type { AttackSpec } from './attacks/registry.js';
import type { LoadCurve } from './time.js';

const port = z.number().int().min(0).max(65535);
const params = z.record(z.string(), z.union([z.number(), z.string(), z.boolean()]));
/** Labels and names end up in CSV cells: no separators or quotes. */
const cell = z.string().min(1).regex(/^[^,"\r\n]+$/, 'must not contain commas, quotes or newlines');

const workloadSchema = z.object({
  name: cell,
  namespace: cell,
  profile: z.string().min(1),
  replicas: z.number().int().min(0).optional(),
  daemonSet: z.boolean().optional(),
  hostNetwork: z.boolean().optional(),
  nodes: z.array(z.string()).optional(),
  port: port.optional(),
  probe: z.enum(['http', 'tcp', 'none']).optional(),
  probePort: port.optional(),
  metricsPort: port.optional(),
  dependsOn: z.array(z.string()).optional(),
  weight: z.number().min(0).optional(),
  params: params.optional(),
});

const clusterSchema = z.object({
  name: z.string().min(1),
  podCidr: z.string(),
  nodeCidr: z.string(),
  nodes: z.array(z.object({ name: cell, role: z.enum(['control-plane', 'worker']).optional() })).min(1),
  namespaces: z.array(z.string()),
  workloads: z.array(workloadSchema),
  externalClients: z.object({ cidrs: z.array(z.string()).min(1), count: z.number().int().min(0) }),
  externalServices: z.array(z.object({ name: z.string(), ip: z.string(), port, latencyUs: z.number().positive().optional() })),
});

const attackSchema = z.object({
  scenario: z.string().min(1),
  startSeconds: z.number().min(0),
  durationSeconds: z.number().positive(),
  label: cell.optional(),
  intensity: z.number().positive().optional(),
  source: z.string().optional(),
  target: z.string().optional(),
  params: params.optional(),
});

const loadSchema = z.union([
  z.object({ kind: z.literal('constant') }),
  z.object({ kind: z.literal('diurnal'), amplitude: z.number().min(0).max(1), peakHourUtc: z.number().min(0).max(24) }),
]);

const optionsSchema = z.object({
  seed: z.number().refine(Number.isFinite, 'must be a finite number'),
  startTime: z.date().refine((d) => !Number.isNaN(d.getTime()), 'must be a valid date').optional(),
  durationSeconds: z.number().positive(),
  cluster: clusterSchema.optional(),
  benignFlowsPerSecond: z.number().min(0).optional(),
  attacks: z.array(attackSchema).optional(),
  load: loadSchema.optional(),
  benign: z.boolean().optional(),
});

export interface GenerateFlowsOptions {
  /** Same seed, same flows, byte for byte. */
  seed: number;
  /** Capture start (default 2024-03-19T14:00:00Z). */
  startTime?: Date;
  durationSeconds: number;
  /** The cluster to simulate (default: `defaultCluster()`). */
  cluster?: ClusterSpec;
  /** Approximate benign flows per second over the whole cluster (default 16). */
  benignFlowsPerSecond?: number;
  attacks?: AttackSpec[];
  /** Load over the day (default constant). */
  load?: LoadCurve;
  /** Generate benign traffic (default true); false gives attack traffic only. */
  benign?: boolean;
}

/** Validate options; throws PGN_ERR_BAD_PARAM naming the first offending field. */
export function validateOptions(options: GenerateFlowsOptions): void {
  const r = optionsSchema.safeParse(options);
  if (r.success) return;
  const issue = r.error.issues[0];
  const where = issue.path.length > 0 ? issue.path.join('.') : 'options';
  throw new PeregrineError('PGN_ERR_BAD_PARAM', `invalid flow generator option ${where}: ${issue.message}`, { where });
}
